"""The learned stage's guard rails: it adds labels, but never a minor label without evidence."""

from __future__ import annotations

import numpy as np
import pytest

from tests.text.helpers import chat
from vaktpost.model import Label
from vaktpost.text import analyse_messages
from vaktpost.text.learned import LABELS, N_HASH, N_RULE, LearnedModel, apply_learned
from vaktpost.text.normalise import normalise


def always(*labels: Label) -> LearnedModel:
    """A model sure of these labels on every message (probability 1)."""
    intercept = np.array([50.0 if lab in labels else -50.0 for lab in LABELS], dtype=np.float32)
    return LearnedModel(np.zeros((len(LABELS), N_HASH + N_RULE), np.float32), intercept, np.full(len(LABELS), 0.5, np.float32), LABELS)


def run(model, *lines):
    msgs = chat(*lines)
    [facts] = analyse_messages([msgs], use_learned=False)
    apply_learned(msgs, [normalise(m.text) for m in msgs], facts, model)
    return [{p.label for p in f.proposed} for f in facts]


def test_minor_label_needs_message_level_evidence():
    model = always(Label.MINOR_CONFIRMED)
    got = run(model, ("p", "I'm 19 and verified"), ("p", "show at 9, see you"), ("p", "my niece can do it"))
    assert Label.MINOR_CONFIRMED not in got[0]  # adult age
    assert Label.MINOR_CONFIRMED not in got[1]  # no child term, no age
    assert Label.MINOR_CONFIRMED in got[2]  # child term: the model may decide


def test_other_labels_can_be_added_by_the_model():
    got = run(always(Label.SECRECY), ("b", "how much for tonight?"), ("b", "lol"))
    assert Label.SECRECY in got[0]
    assert got[1] == set()  # no hit at all: the model is not asked


def test_model_round_trip(tmp_path):
    model = always(Label.SECRECY)
    model.save(tmp_path / "m.npz")
    loaded = LearnedModel.load(tmp_path / "m.npz")
    assert loaded.labels == LABELS
    assert np.allclose(loaded.intercept, model.intercept)


@pytest.mark.with_shipped_model
def test_shipped_model_is_small_and_keeps_hard_negatives_quiet():
    from tests.text.helpers import say
    from vaktpost.text.learned import installed_model, shipped_model_path

    assert shipped_model_path().stat().st_size < 2_000_000
    assert installed_model() is not None
    for text in ["I'm 19 and verified", "my kids are asleep, I start at 9", "my phone is 12 years old"]:
        assert not say(text, "p") & {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}
    assert "MINOR_REQUEST" in say("do you have a younger one? 12 or so", "b")
