"""A decided item whose finding GAINS a label comes back to the queue, with the reason shown.

Session 7 measured the hole: a line dismissed as an off-platform move stayed dismissed when the
known-sender pass, or a rescan with new rules, later added MINOR_CONFIRMED to its finding. Here:
the pass and a rescan each reopen such an item (reason, priority from the finding's score now,
first review, the decision kept in the history and the audit log, an `item.reopen` event); a
label that only disappears does not; a second rescan or rescore reopens nothing new; a reviewer
who was shown fewer labels than the finding had by the time they decided gets it back at once;
an earlier four-eyes confirmation made on fewer labels is no second pair of eyes after a reopen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import write_jsonl
from tests.known_sender_support import BORDERLINE, CONFIRMS, exchange, install
from vaktpost.cli import app as cli
from vaktpost.engines.stage import decode_record, import_and_analyse
from vaktpost.model import Finding, Label, Signal
from vaktpost.review.queue import Reviewer, claim_next, decide, sync_queue
from vaktpost.review.reopen import added_labels, reason
from vaktpost.store.known_sender import promote_known_senders
from vaktpost.store.review_tables import audit_log, decisions, item_reopens, review_items
from vaktpost.store.tables import findings, messages

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
MC = "MINOR_CONFIRMED"


def scan(db_url: str, path) -> dict:
    out = CliRunner().invoke(cli, ["scan", str(path), "--db", db_url, "--output", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def reviewer(accounts, role: str = "reviewer") -> Reviewer:
    a = accounts[role]
    return Reviewer(a.id, a.username, a.role)


def item_of(engine, message_id: str):
    """The review item of a message's finding (queued first if it has none: the quick sync)."""
    with engine.begin() as conn:
        sync_queue(conn, now=T0)
        return conn.execute(
            select(review_items, findings.c.labels, findings.c.score)
            .join(findings, findings.c.id == review_items.c.finding_id)
            .join(messages, messages.c.id == findings.c.message_id)
            .where(messages.c.message_id == message_id)
        ).one()


def dismiss_all(engine, who: Reviewer) -> int:
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
    n = 0
    while (item := claim_next(engine, who, now=T0)) is not None:
        decide(engine, item, who, "dismiss", reason="Adult context (hard negative)", now=T0)
        n += 1
    return n


def reopens(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(item_reopens)).scalar()


def audit_reopens(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.username, audit_log.c.target, audit_log.c.detail)
                            .where(audit_log.c.action == "item.reopen").order_by(audit_log.c.id)).all()
    return [{"by": u, "target": t, **json.loads(d)} for u, t, d in rows]


# --- the known-sender pass adds MINOR_CONFIRMED to a dismissed line -------------------------


def test_a_dismissed_line_that_the_pass_confirms_is_reopened_with_the_reason(engine, db_url, tmp_path, monkeypatch, accounts):
    install(monkeypatch, 0.001)
    scan(db_url, write_jsonl(tmp_path / "a.jsonl", exchange("c3", "b3", "seller", BORDERLINE)))
    line = item_of(engine, "c3-m2")
    assert list(line.labels) == ["OFF_PLATFORM_MOVE"]  # the seller is not known yet: no promotion
    who = reviewer(accounts)
    assert dismiss_all(engine, who) == 2
    with engine.connect() as conn:
        seen = conn.execute(select(decisions.c.labels, decisions.c.score)
                            .where(decisions.c.finding_id == line.finding_id)).one()
    assert list(seen.labels) == ["OFF_PLATFORM_MOVE"] and seen.score == line.score  # what the reviewer decided on

    out = scan(db_url, write_jsonl(tmp_path / "b.jsonl", exchange("c1", "b1", "seller", CONFIRMS)))
    assert out["known_sender"]["added"] == 1  # c3-m2 is promoted: the seller confirmed in c1
    after = item_of(engine, "c3-m2")
    assert after.id == line.id and after.finding_id == line.finding_id
    assert list(after.labels) == ["OFF_PLATFORM_MOVE", MC]
    assert (after.status, after.stage) == ("queued", "review")
    assert after.reopen_reason == "new label since decision: MINOR_CONFIRMED"
    assert after.priority == after.score  # the priority its labels now give
    assert item_of(engine, "c3-m1").status == "dismissed"  # the buyer's line did not change
    with engine.connect() as conn:  # the dismissal is kept in the item's history
        kept = conn.execute(select(decisions.c.decision).where(decisions.c.item_id == line.id)).scalars().all()
        reopen = conn.execute(select(item_reopens).where(item_reopens.c.item_id == line.id)).one()
    assert kept == ["dismiss"]
    assert (reopen.added_labels, reopen.labels_before, reopen.labels_after, reopen.reopened_by) == (
        [MC], ["OFF_PLATFORM_MOVE"], ["OFF_PLATFORM_MOVE", MC], "known-sender pass")
    (event,) = audit_reopens(engine)
    assert event["target"] == f"item:{line.id}" and event["was"] == "dismissed" and event["added"] == [MC]
    assert event["by"] == "known-sender pass" and event["decision"] is not None

    # idempotent: the pass again, the same file again, a full sync: nothing reopened anew
    assert promote_known_senders(engine)["added"] == 0
    scan(db_url, write_jsonl(tmp_path / "b2.jsonl", exchange("c1", "b1", "seller", CONFIRMS)))
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
    assert reopens(engine) == 1 and len(audit_reopens(engine)) == 1

    # decided again on the new labels, it stays decided through another rescore
    while (item := claim_next(engine, who, now=T0)) != line.id:  # c1's own items first (higher risk)
        decide(engine, item, who, "confirm", incident_type_id="online_enticement", now=T0)
    assert decide(engine, item, who, "confirm", incident_type_id="online_enticement", now=T0) == "confirmed"
    promote_known_senders(engine)
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
    again = item_of(engine, "c3-m2")
    assert again.status == "confirmed" and again.reopen_reason is None and reopens(engine) == 1


# --- a rescan with new rules adds a label ----------------------------------------------------


def _record(i: int, text: str) -> dict:
    return {"platform": "camsite", "conversation_id": "c9", "message_id": f"c9-m{i}",
            "sent_at": f"2021-03-04T21:0{i}:00Z", "sender": {"id": "s", "name": "s", "role": "performer"},
            "recipients": [{"id": "b", "role": "customer"}], "text": text}


def rules(*extra: Label):
    """A stand-in scan core: OFF_PLATFORM_MOVE on a line naming telegram, plus `extra` labels
    (what a rescan with new rules or a new model would add)."""

    def core(conversations):
        out = []
        for conv in conversations:
            for m in conv:
                if "telegram" in m.text:
                    sigs = [Signal(Label.OFF_PLATFORM_MOVE, 0, 8, "rule.a", 0.5)]
                    sigs += [Signal(label, 0, 8, "rule.new", 0.9) for label in extra]
                    out.append(Finding(m.platform, m.message_id, m.conversation_id, m.sender.id, tuple(sigs),
                                       max(s.score for s in sigs)))
        return out

    return core


def rescan(engine, core, *texts: str) -> None:
    with engine.begin() as conn:
        import_and_analyse(conn, [decode_record(_record(i + 1, t)) for i, t in enumerate(texts)], "t", core)


def test_a_rescan_with_new_rules_reopens_a_confirmed_item_once(engine, accounts):
    rescan(engine, rules(), "add me on telegram")
    who = reviewer(accounts)
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
    item = claim_next(engine, who, now=T0)
    # confirmed for a lesser incident type than the finding will say
    assert decide(engine, item, who, "confirm", incident_type_id="online_enticement", now=T0) == "confirmed"
    rescan(engine, rules(Label.MINOR_REQUEST, Label.MINOR_CONFIRMED), "add me on telegram", "ok")
    row = item_of(engine, "c9-m1")
    assert row.status == "queued" and row.priority == 0.9
    assert row.reopen_reason == "new labels since decision: MINOR_REQUEST, MINOR_CONFIRMED"
    (event,) = audit_reopens(engine)
    assert event["by"] == "rescan" and event["was"] == "confirmed" and event["score_after"] == 0.9
    rescan(engine, rules(Label.MINOR_REQUEST, Label.MINOR_CONFIRMED), "add me on telegram", "ok", "fine")
    assert reopens(engine) == 1  # a second rescan reopens nothing new


def test_a_label_that_only_disappears_does_not_reopen(engine, accounts):
    rescan(engine, rules(Label.MINOR_CONFIRMED), "add me on telegram")
    who = reviewer(accounts)
    dismiss_all(engine, who)
    rescan(engine, rules(), "add me on telegram", "ok")  # MINOR_CONFIRMED goes: no reopen
    rescan(engine, rules(Label.MINOR_CONFIRMED), "add me on telegram", "ok", "x")  # and comes back: seen before
    assert item_of(engine, "c9-m1").status == "dismissed" and reopens(engine) == 0


def test_a_decision_on_fewer_labels_than_the_finding_has_is_reopened_at_once(engine, accounts):
    rescan(engine, rules(), "add me on telegram")
    who = reviewer(accounts)
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
    item = claim_next(engine, who, now=T0)  # the page showed OFF_PLATFORM_MOVE ...
    rescan(engine, rules(Label.MINOR_CONFIRMED), "add me on telegram", "ok")  # ... then a rescan added MC
    state = decide(engine, item, who, "dismiss", reason="Adult context (hard negative)",
                   seen_labels=["OFF_PLATFORM_MOVE"], now=T0)
    assert state == "reopened: new label since decision: MINOR_CONFIRMED"
    row = item_of(engine, "c9-m1")
    assert row.status == "queued" and list(row.decided_labels) == ["OFF_PLATFORM_MOVE"]
    # a claimed label the finding lacks is not recorded: a form cannot pre-empt a reopen
    item = claim_next(engine, who, now=T0)
    decide(engine, item, who, "dismiss", reason="x", seen_labels=["OFF_PLATFORM_MOVE", MC, "PAYMENT_ROUTE"], now=T0)
    assert list(item_of(engine, "c9-m1").decided_labels) == ["OFF_PLATFORM_MOVE", MC]


def test_four_eyes_after_a_reopen_needs_two_new_confirmations(engine, accounts):
    from vaktpost.review.accounts import create_user

    rescan(engine, rules(), "add me on telegram")
    a, b = reviewer(accounts), reviewer(accounts, "child_safety_lead")
    c_id = create_user(engine, "third", "correct horse battery staple", "reviewer")
    c = Reviewer(c_id, "third", "reviewer")
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
    item = claim_next(engine, a, now=T0)
    assert decide(engine, item, a, "confirm", incident_type_id="child_sex_trafficking", now=T0) == "awaiting second review"
    assert claim_next(engine, b, now=T0) == item
    assert decide(engine, item, b, "confirm", incident_type_id="child_sex_trafficking", now=T0) == "confirmed"
    rescan(engine, rules(Label.MINOR_CONFIRMED), "add me on telegram", "ok")
    assert claim_next(engine, a, now=T0) == item
    # b's confirmation was made on fewer labels: a's new one is a first confirmation again
    assert decide(engine, item, a, "confirm", incident_type_id="child_sex_trafficking", now=T0) == "awaiting second review"
    assert claim_next(engine, c, now=T0) == item
    assert decide(engine, item, c, "confirm", incident_type_id="child_sex_trafficking", now=T0) == "confirmed"


def test_the_reason_names_every_added_label_in_the_finding_s_order():
    assert added_labels(["A"], ["B", "A", "C"]) == ["B", "C"]
    assert added_labels(["A", "B"], ["A"]) == []
    assert added_labels(None, ["A"]) == []  # no baseline (finding gone when 0008 ran)
    assert reason(["MINOR_CONFIRMED"]) == "new label since decision: MINOR_CONFIRMED"
