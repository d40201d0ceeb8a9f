"""Conversation analysis: normalise, match, label, dialogue state, funnel.

`analyse_conversation` is the text stage of the scan core. The detectors (lexicons, the
matcher, the learned stage and the dialogue rules) are added by the conversation-analysis
work; until then the stage runs and finds nothing, so import, store and CLI can be used.
"""

from __future__ import annotations

from typing import Sequence

from vaktpost.model import Finding, Message


def analyse_conversation(messages: Sequence[Message]) -> list[Finding]:
    return []
