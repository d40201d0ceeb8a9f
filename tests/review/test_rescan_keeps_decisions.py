"""A reviewer's decision outlives a rescan, and known-sender promotions reach the queue.

Review items and decisions name a finding by `findings.id`; a rescan (the same file again, or
a file that adds a message to a conversation) must leave each labelled message's finding row in
place — for a rule's finding and for one the known-sender pass made — so the decision still
points at the finding of that message, and nothing comes back to the queue."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import write_jsonl
from tests.known_sender_support import BORDERLINE, CONFIRMS, ONLY_PROMOTED, exchange, install, record
from vaktpost.cli import app
from vaktpost.review.queue import Reviewer, claim_next, decide, sync_queue
from vaktpost.store.review_tables import decisions, review_items
from vaktpost.store.tables import findings, messages, signals
from vaktpost.text.known_sender import PROMOTED_RULE

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)

RECORDS = (
    exchange("c1", "b1", "seller", CONFIRMS)  # the seller confirms a child here (a rule's finding)...
    + exchange("c2", "b2", "seller", ONLY_PROMOTED)  # ...so this answer is promoted: its only label
    + exchange("c3", "b3", "seller", BORDERLINE)  # an OFF_PLATFORM_MOVE line that also gets the promotion
)


def scan(db_url: str, path) -> dict:
    out = CliRunner().invoke(app, ["scan", str(path), "--db", db_url, "--output", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def by_message(engine) -> dict[str, tuple[int, tuple[str, ...], float]]:
    """message id -> (finding id, labels, score) of its text finding."""
    with engine.connect() as conn:
        rows = conn.execute(select(messages.c.message_id, findings.c.id, findings.c.labels, findings.c.score)
                            .join(messages, messages.c.id == findings.c.message_id)
                            .where(findings.c.kind == "text")).all()
    return {m: (fid, tuple(labels), score) for m, fid, labels, score in rows}


def review_everything(engine, reviewer: Reviewer) -> dict[str, int]:
    """Queue every finding and dismiss each item; returns message id -> the decided finding id."""
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
    while (item := claim_next(engine, reviewer, now=T0)) is not None:
        decide(engine, item, reviewer, "dismiss", reason="Adult context (hard negative)", now=T0)
    with engine.connect() as conn:
        decided = set(conn.execute(select(decisions.c.finding_id)).scalars())
    return {m: fid for m, (fid, _, _) in by_message(engine).items() if fid in decided}


def queued(engine) -> list[int]:
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
        return list(conn.execute(select(review_items.c.finding_id).where(review_items.c.status == "queued")).scalars())


def test_promoted_findings_are_queued_with_their_score(engine, db_url, tmp_path, monkeypatch, accounts):
    install(monkeypatch, 0.001)
    assert scan(db_url, write_jsonl(tmp_path / "a.jsonl", RECORDS))["known_sender"]["promoted"] == 2
    found = by_message(engine)
    assert found["c2-m2"][1] == ("MINOR_CONFIRMED",) and found["c3-m2"][1] == ("OFF_PLATFORM_MOVE", "MINOR_CONFIRMED")
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
        prio = dict(conn.execute(select(review_items.c.finding_id, review_items.c.priority)).all())
    for m in ("c2-m2", "c3-m2"):
        fid, _, score = found[m]
        assert prio[fid] == score  # queued at the finding's score, as every finding is


def test_decisions_survive_rescanning_the_same_file(engine, db_url, tmp_path, monkeypatch, accounts):
    install(monkeypatch, 0.001)
    path = write_jsonl(tmp_path / "a.jsonl", RECORDS)
    scan(db_url, path)
    a = accounts["reviewer"]
    decided = review_everything(engine, Reviewer(a.id, a.username, a.role))
    assert {"c1-m1", "c1-m2", "c2-m2", "c3-m2"} <= set(decided)
    before = by_message(engine)
    scan(db_url, path)  # the same file again: every conversation is analysed again
    after = by_message(engine)
    assert after == before  # same rows, same labels and scores
    assert queued(engine) == []  # nothing a reviewer already decided comes back


def test_decisions_survive_a_file_that_adds_to_the_conversation(engine, db_url, tmp_path, monkeypatch, accounts):
    install(monkeypatch, 0.001)
    scan(db_url, write_jsonl(tmp_path / "a.jsonl", RECORDS))
    a = accounts["reviewer"]
    decided = review_everything(engine, Reviewer(a.id, a.username, a.role))
    more = ([record("c2", 3, "b2", "customer", "seller", "ok see you"), record("c3", 3, "b3", "customer", "seller", "ok")]
            + exchange("c5", "b5", "other", "no, adults only"))  # and a new conversation with a finding
    scan(db_url, write_jsonl(tmp_path / "b.jsonl", more))  # c2 and c3 are analysed again, as a whole
    after = by_message(engine)
    for m, fid in decided.items():
        assert after[m][0] == fid, m  # the decision still names this message's finding
    assert after["c2-m2"][1] == ("MINOR_CONFIRMED",) and after["c3-m2"][1] == ("OFF_PLATFORM_MOVE", "MINOR_CONFIRMED")
    assert set(queued(engine)) == {after["c5-m1"][0]}  # only the new conversation's finding is queued
