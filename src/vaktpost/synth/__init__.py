"""Synthetic world generator: non-explicit platform chats with ground truth.

We can never hold real abuse chats, so tests, demos, benchmarks and the classifier's training
data come from here. Phrasing lives in data files (`data/templates/*.json`), dialogue logic in
`dialogue.py`, the world of actors in `world.py`, and the streaming writer in `writer.py`.
"""

from vaktpost.synth.generate import GeneratorOptions, generate

__all__ = ["GeneratorOptions", "generate"]
