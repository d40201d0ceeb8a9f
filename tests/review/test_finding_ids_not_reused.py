"""A finding id freed by a rescan is never given to another finding (docs/sessions/7-sqlite-ids.md).

Review items and decisions name a finding by id without a foreign key. SQLite, without
AUTOINCREMENT, gives a new row the largest id + 1, so when a rescan dropped the newest finding
the next new finding took its id and inherited its review item: a dismissal made on one line
applied to another, which was never queued. PostgreSQL never reuses ids; the test runs on both."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import write_jsonl
from tests.known_sender_support import record
from tests.review.test_rescan_keeps_decisions import T0, by_message, review_everything, scan
from vaktpost.review.queue import Reviewer, sync_queue
from vaktpost.store.conversations import iter_conversations, replace_text_findings
from vaktpost.store.review_tables import review_items
from vaktpost.store.tables import conversations, findings


def request(conv: str, buyer: str) -> dict:
    return record(conv, 1, buyer, "customer", "seller", "do you have a girl 12 years old?")


def drop_labels(engine, conversation: str) -> None:
    """The rescan of a conversation whose lines no longer carry a label (a corrected rule)."""
    with engine.begin() as conn:
        key = conn.execute(select(conversations.c.id).where(conversations.c.conversation_id == conversation)).scalar_one()
        [stored] = iter_conversations(conn, [key])
        replace_text_findings(conn, stored, [])


def test_a_new_finding_never_inherits_the_review_of_a_deleted_one(engine, db_url, tmp_path, accounts):
    scan(db_url, write_jsonl(tmp_path / "a.jsonl", [request("c1", "b1")]))
    scan(db_url, write_jsonl(tmp_path / "b.jsonl", [request("c2", "b2")]))
    found = by_message(engine)
    a_id, b_id = found["c1-m1"][0], found["c2-m1"][0]
    assert a_id < b_id  # B is the newest finding
    a = accounts["reviewer"]
    assert review_everything(engine, Reviewer(a.id, a.username, a.role)) == {"c1-m1": a_id, "c2-m1": b_id}

    drop_labels(engine, "c2")
    with engine.connect() as conn:
        assert set(conn.execute(select(findings.c.id)).scalars()) == {a_id}  # B is gone
    scan(db_url, write_jsonl(tmp_path / "c.jsonl", [request("c3", "b3")]))  # a new line, a new finding
    new_id = by_message(engine)["c3-m1"][0]

    assert new_id > b_id  # never an id a finding had before
    with engine.begin() as conn:
        assert sync_queue(conn, full=True, now=T0) == 1  # the new line is queued...
        items = {fid: status for fid, status in conn.execute(select(review_items.c.finding_id, review_items.c.status))}
    assert items == {a_id: "dismissed", b_id: "dismissed", new_id: "queued"}  # ...with an item of its own
