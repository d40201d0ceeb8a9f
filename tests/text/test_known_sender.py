"""The known-sender rule, pure part: borderline turns out of the text stage, the decision, the model file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.known_sender_support import BORDERLINE, CONFIRMS, install, model_with_low
from vaktpost.model import Label, Message, Participant, Role
from vaktpost.text import analyse_conversations, reply_model
from vaktpost.text.known_sender import (
    BORDERLINE_RULE,
    Borderline,
    is_borderline,
    promotions,
    reporting_borderline,
)

T0 = datetime(2021, 3, 4, tzinfo=UTC)


def conv(cid: str, seller: str, answer: str, seller_role: Role = Role.PERFORMER) -> list[Message]:
    buyer = f"buyer-{cid}"
    return [
        Message("camsite", cid, f"{cid}-1", T0, Participant(buyer, Role.CUSTOMER), "do you have a girl 12 years old?",
                recipients=(Participant(seller, seller_role),)),
        Message("camsite", cid, f"{cid}-2", T0 + timedelta(minutes=1), Participant(seller, seller_role), answer,
                recipients=(Participant(buyer, Role.CUSTOMER),)),
    ]


def marks_of(found):
    return [(f.message_id, f.signals[0].score) for f in found if is_borderline(f)]


def test_borderline_turns_are_reported_beside_the_findings_and_change_none(monkeypatch):
    install(monkeypatch, 0.001)
    convs = [conv("c1", "s", CONFIRMS), conv("c2", "s", BORDERLINE)]
    plain = analyse_conversations(convs)
    with reporting_borderline():
        marked = analyse_conversations(convs)
    marks = marks_of(marked)
    assert [m for m, _ in marks] == ["c2-2"]
    assert 0.001 <= marks[0][1] < reply_model.installed_model().threshold
    assert [f for f in marked if not is_borderline(f)] == plain  # the findings themselves unchanged
    assert not any(is_borderline(f) for f in plain)  # outside reporting_borderline(): no marker
    mark = next(f for f in marked if is_borderline(f))
    assert (mark.signals[0].label, mark.signals[0].start, mark.signals[0].end) == (Label.MINOR_CONFIRMED, 0, len(BORDERLINE))
    assert mark.signals[0].rule == BORDERLINE_RULE and mark.actor_id == "s"


def test_no_borderline_below_low_nor_for_a_customer_nor_without_low(monkeypatch):
    install(monkeypatch, 0.001)
    with reporting_borderline():
        (_, score), = marks_of(analyse_conversations([conv("c2", "s", BORDERLINE)]))
    install(monkeypatch, min(score + 0.01, 0.95))
    with reporting_borderline():
        assert marks_of(analyse_conversations([conv("c2", "s", BORDERLINE)])) == []
    install(monkeypatch, 0.001)
    with reporting_borderline():  # the same line from a customer is never a candidate
        assert marks_of(analyse_conversations([conv("c2", "s", BORDERLINE, Role.CUSTOMER)])) == []
    install(monkeypatch, None)  # a model file from before session 7: nothing borderline
    with reporting_borderline():
        assert marks_of(analyse_conversations([conv("c2", "s", BORDERLINE)])) == []


def test_promotion_needs_a_confirmation_of_the_sender_in_another_conversation():
    b = [Borderline(10, 2, 7, 5, 0.8), Borderline(11, 3, 8, 5, 0.8), Borderline(12, 4, 9, 5, 0.8)]
    confirmed_in = {7: {1}, 8: {3}, 9: {3, 4}}  # 7: elsewhere; 8: only in the same conversation; 9: both
    assert [x.message for x in promotions(b, confirmed_in)] == [10, 12]
    assert promotions(b, {}) == []


def test_reply_model_file_round_trip_and_old_files_load_without_low(tmp_path):
    m = model_with_low(0.8)
    m.save(tmp_path / "new.npz")
    assert reply_model.ReplyModel.load(tmp_path / "new.npz").low == pytest.approx(0.8)
    with np.load(reply_model.shipped_model_path()) as d:  # a file as written before: no "low"
        np.savez_compressed(tmp_path / "old.npz", **{k: d[k] for k in d.files if k != "low"})
    old = reply_model.ReplyModel.load(tmp_path / "old.npz")
    assert old.low is None and old.logit_low is None and old.active


def test_train_chooses_low_from_known_senders_candidates_only():
    from vaktpost.text import reply_training as rt

    turns = rt.Turns()
    p = []

    def message(key, sender, conv, truth_mc=False, pipeline_mc=False):
        turns.msg_confirmed[key] = (truth_mc, pipeline_mc)
        turns.msg_sender[key] = ("", "camsite", sender)
        turns.msg_conversation[key] = conv
        turns.msg_author[key] = "author1"
        turns.msg_minor[key] = pipeline_mc

    def row(key, sender, conv, prob, truth):
        message(key, sender, conv, truth)
        turns.keys.append(key)
        turns.y.append(truth)
        turns.confirmed.append(False)
        turns.authors.append("author1")
        p.append(prob)

    message(("camsite", "k0"), "s1", "A", True, True)  # s1 confirmed a child in A
    for i in range(12):
        row(("camsite", f"t{i}"), "s1", f"B{i}", 0.82, True)  # s1's borderline turns elsewhere: true
    row(("camsite", "f0"), "s1", "B0", 0.62, False)  # one false one lower down
    for i in range(5):
        row(("camsite", f"u{i}"), "s2", "C", 0.5, False)  # an unknown sender's: never in the band
        row(("camsite", f"a{i}"), "s1", "A", 0.5, False)  # s1 in A itself (known only there): not either
    p = np.array(p)
    low, curve = rt.choose_low(turns, p, 0.94)
    assert low == 0.65  # the lowest LOW whose known-sender additions pass 0.97 with >= 10 true
    assert curve[0.6] == (12, 1, 0.0) and curve[0.45] == (12, 1, 0.0)
    assert rt.choose_low(turns, p, 1.01) == (None, {})  # a model switched off has no band
