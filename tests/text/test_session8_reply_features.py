"""Session 8: the reply model's answer features, and models trained before them.

A seller answers a request for a child with the schedule ("ok 9pm then"), with the terms for a
third person ("€50 for her and 7pm"), or by pointing back at the request ("same age as u
asked, she's here"); the counterpart's line asks for a young one ("12 or younger") or names a
relative; the pending request states a child's age. These are new 0/1 columns of the reply
model, APPENDED to its line, context and cross lists, so a `reply.npz` written before them loads
with zero weights for them and scores every turn as before. Lines are clinical and written
for these tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from vaktpost.model import Message, Participant, Role
from vaktpost.text import reply_model
from vaktpost.text.normalise import normalise
from vaktpost.text.reply_model import (
    N_CROSS,
    N_CTX,
    N_DENSE,
    N_HASH,
    N_LINE,
    N_TEXT,
    N_WORD,
    ReplyModel,
)
from vaktpost.text.reply_training import collect_turns
from vaktpost.text.reply_turns import (
    ANSWER_FORMS,
    CONTEXT,
    CROSS_CTX,
    CROSS_LINE,
    LINE_FEATURES,
    _refers_back,
    dense_features,
)
from vaktpost.text.training import LabelledSet

BUYER = Participant("b1", Role.UNKNOWN)
SELLER = Participant("s1", Role.UNKNOWN)
T0 = datetime(2024, 1, 1)
NEW_CONTEXT = ("g_young", "g_relative", "ask_pending_age")


def conv(*lines: tuple[str, str], cid: str = "c1") -> list[Message]:
    out = []
    for i, (who, text) in enumerate(lines):
        snd, rcp = (BUYER, SELLER) if who == "b" else (SELLER, BUYER)
        out.append(Message("p", cid, f"{cid}-m{i}", T0 + timedelta(seconds=i), snd, text, (rcp,)))
    return out


def last_turn(*lines: tuple[str, str]) -> tuple[set[str], set[str]]:
    """(line features, context features) of the conversation's last candidate turn."""
    turns = collect_turns(LabelledSet([conv(*lines)], {}, {}))
    assert turns.keys, "no candidate turn"
    return {LINE_FEATURES[i] for i in turns.lines[-1]}, {CONTEXT[i] for i in turns.contexts[-1]}


# --- a reference back to the request ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["same age as u asked, she's here", "the one you asked for is here", "kaedad nung hinahanap mo, andito sya",
     "yung hiningi mo po, nandito na", "pareha sa edad sa imong gipangita", "samme alder som du spurte om, hun er her"],
)
def test_a_reference_back_to_the_request_in_four_languages(text):
    assert _refers_back().search(normalise(text)) is not None


@pytest.mark.parametrize(
    "text",
    ["as you wish", "you asked me how old i am", "same price as before", "what did you say?", "gusto ko ng 40 usd",
     "hun er her nå"],
)
def test_no_reference_back(text):
    assert _refers_back().search(normalise(text)) is None


# --- the line's answer forms ------------------------------------------------------------------


ASK = ("b", "any younger one available tonight, like 10?")


def test_a_time_of_day_and_terms_for_a_third_person_are_line_features():
    line, _ = last_turn(ASK, ("s", "she can do 9pm, 50 usd for her"))
    assert {"when", "terms_third"} <= line


def test_a_price_alone_is_no_third_persons_terms_and_no_time():
    line, _ = last_turn(("b", "any younger one available tonight, like 10?"), ("s", "hmm maybe, 50 usd"))
    assert not line & {"when", "terms_third", "refers_back"}


def test_a_reference_back_is_a_line_feature():
    line, _ = last_turn(ASK, ("s", "same age as u asked, she is here"))
    assert "refers_back" in line


# --- the counterpart's line and the pending request ---------------------------------------------


def test_a_request_for_a_young_one_with_an_age_is_context():
    _, ctx = last_turn(ASK, ("s", "she is here later"))
    assert {"g_young", "ask_pending", "ask_pending_age"} <= ctx


def test_a_relative_named_in_a_line_no_rule_read_as_an_ask_is_context_and_no_pending_request():
    _, ctx = last_turn(("s", "hello po"), ("b", "and your nephew, the ten yr old one"), ("s", "ok 9pm then"))
    assert "g_relative" in ctx
    assert not ctx & {"ask_pending", "ask_pending_age", "g_young"}


def test_a_request_without_an_age_sets_no_age_context():
    _, ctx = last_turn(("b", "do you have a young girl for cam?"), ("s", "she is here later"))
    assert "ask_pending" in ctx and "ask_pending_age" not in ctx


# --- a model trained before the new features ------------------------------------------------------


def _old_layout(tmp_path, rng):
    """A reply.npz in the layout before session 8: no answer forms, no new context, narrower cross."""
    n_line, n_ctx = N_LINE - len(ANSWER_FORMS), N_CTX - len(NEW_CONTEXT)
    old_cols = len(CROSS_LINE) - len(ANSWER_FORMS)
    n_cross = len(CROSS_CTX) * old_cols
    coef = rng.normal(0, 1, N_TEXT + n_line + n_ctx + n_cross).astype(np.float16)
    path = tmp_path / "old.npz"
    np.savez_compressed(path, coef=coef, intercept=np.array([0.1], dtype=np.float32),
                        threshold=np.array([0.9], dtype=np.float32),
                        shape=np.array([N_HASH, N_WORD, n_line, n_ctx, n_cross]))
    return path, coef.astype(np.float32), (n_line, n_ctx, old_cols)


def test_a_model_from_before_loads_with_zero_weights_for_the_new_features(tmp_path):
    path, old, (n_line, n_ctx, old_cols) = _old_layout(tmp_path, np.random.default_rng(8))
    m = ReplyModel.load(path)
    assert m.coef.shape == (N_TEXT + N_DENSE,)
    np.testing.assert_array_equal(m.coef[:N_TEXT], old[:N_TEXT])
    dense = m.coef[N_TEXT:]
    np.testing.assert_array_equal(dense[:n_line], old[N_TEXT : N_TEXT + n_line])
    assert not dense[n_line:N_LINE].any()  # the answer forms
    np.testing.assert_array_equal(dense[N_LINE : N_LINE + n_ctx], old[N_TEXT + n_line : N_TEXT + n_line + n_ctx])
    assert not dense[N_LINE + n_ctx : N_LINE + N_CTX].any()  # the new context
    cross_new = dense[N_LINE + N_CTX :].reshape(len(CROSS_CTX), len(CROSS_LINE))
    cross_old = old[N_TEXT + n_line + n_ctx :].reshape(len(CROSS_CTX), old_cols)
    np.testing.assert_array_equal(cross_new[:, :old_cols], cross_old)
    assert not cross_new[:, old_cols:].any()


def test_an_old_model_scores_a_turn_without_the_new_features_as_its_own_layout_did(tmp_path):
    path, old, (n_line, n_ctx, old_cols) = _old_layout(tmp_path, np.random.default_rng(9))
    m = ReplyModel.load(path)
    line = [LINE_FEATURES.index(n) for n in ("child", "affirm", "price", "minor_stated")]
    ctx = [CONTEXT.index(n) for n in ("g_minor_request", "first_reply", "dist1", "ask_pending")]
    new = dense_features(ctx, line)
    # the same turn in the old layout: line, then context, then cross row * old width + column
    rows = [CROSS_CTX.index("g_ask"), CROSS_CTX.index("first_reply"), CROSS_CTX.index("dist1")]
    cols = sorted(CROSS_LINE.index(n) for n in ("child", "affirm", "price", "minor_stated"))
    old_idx = line + [n_line + c for c in ctx] + [n_line + n_ctx + r * old_cols + q for r in rows for q in cols]
    assert np.isclose(m.coef[N_TEXT:][new].sum(), old[N_TEXT:][old_idx].sum(), atol=1e-4)


def test_a_model_of_other_features_still_refuses_to_load(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez_compressed(path, coef=np.zeros(N_TEXT + 5, dtype=np.float16), intercept=np.array([0.0], dtype=np.float32),
                        threshold=np.array([0.9], dtype=np.float32), shape=np.array([N_HASH, N_WORD, N_LINE + 1, 2, 2]))
    with pytest.raises(ValueError, match="other features"):
        ReplyModel.load(path)


def test_the_shipped_model_loads_in_todays_layout():
    m = ReplyModel.load(reply_model.shipped_model_path())
    assert m.coef.shape == (N_TEXT + N_DENSE,)
    assert N_CROSS == len(CROSS_CTX) * len(CROSS_LINE)
