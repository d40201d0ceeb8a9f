"""Migration 0008: decisions made before it keep NULL labels (not recorded), their items get the
finding's labels at migration time as the baseline, so a label added from then on reopens them;
down and up again keeps every row. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, inspect, select, update

from vaktpost.review.reopen import reopen_grown
from vaktpost.store.db import current_revision, downgrade, make_engine, upgrade
from vaktpost.store.review_tables import decisions, review_items, users
from vaktpost.store.tables import actors, conversations, findings, imports, messages, platforms

BEFORE = "0007_sqlite_ids"
T = datetime(2025, 1, 1, tzinfo=UTC)


def fill(conn) -> None:
    """Three findings: 1 dismissed, 2 queued (never decided), 3 dismissed and its finding gone."""
    conn.execute(insert(platforms).values(id=1, name="camsite"))
    conn.execute(insert(actors).values(id=1, platform_id=1, account_id="u1"))
    conn.execute(insert(conversations).values(id=1, platform_id=1, conversation_id="c1"))
    conn.execute(insert(imports).values(id=1, path="a.jsonl", format="jsonl", started_at=T))
    conn.execute(insert(messages), [dict(id=i, platform_id=1, message_id=f"m{i}", conversation_id=1, sender_id=1,
                                         sent_at=T, text="line", import_id=1) for i in (1, 2)])
    conn.execute(insert(findings), [dict(id=i, kind="text", message_id=i, actor_id=1, labels=["OFF_PLATFORM_MOVE"],
                                         score=0.4, created_at=T) for i in (1, 2)])
    conn.execute(insert(users).values(id=1, username="rev", role="reviewer", password_hash="x", created_at=T))
    conn.execute(insert(review_items), [dict(id=1, finding_id=1, priority=0.4, status="dismissed", created_at=T),
                                        dict(id=2, finding_id=2, priority=0.4, status="queued", created_at=T),
                                        dict(id=3, finding_id=99, priority=0.4, status="dismissed", created_at=T)])
    conn.execute(insert(decisions), [dict(id=i, item_id=i, finding_id=f, user_id=1, stage="review", decision="dismiss",
                                          reason="x", created_at=T) for i, f in ((1, 1), (3, 99))])


def test_old_decisions_stand_on_the_labels_at_migration_time(db_url):
    engine = make_engine(db_url)
    upgrade(engine, BEFORE)
    with engine.begin() as conn:
        fill(conn)
    upgrade(engine)
    with engine.connect() as conn:
        items = {r.id: (r.decided_labels, r.decided_score, r.status) for r in conn.execute(
            select(review_items.c.id, review_items.c.decided_labels, review_items.c.decided_score, review_items.c.status))}
        labels = conn.execute(select(decisions.c.labels, decisions.c.score)).all()
    assert items == {1: (["OFF_PLATFORM_MOVE"], 0.4, "dismissed"), 2: (None, None, "queued"), 3: (None, None, "dismissed")}
    assert labels == [(None, None), (None, None)]  # not recorded before 0008
    with engine.begin() as conn:  # a rescan after the migration adds a label: item 1 comes back
        conn.execute(update(findings).where(findings.c.id == 1).values(labels=["OFF_PLATFORM_MOVE", "MINOR_CONFIRMED"]))
        assert reopen_grown(conn, by="test") == [1]
        assert reopen_grown(conn, by="test") == []
    downgrade(engine, BEFORE)
    assert "item_reopens" not in inspect(engine).get_table_names()
    assert "decided_labels" not in {c["name"] for c in inspect(engine).get_columns("review_items")}
    upgrade(engine, "0008_decision_labels")
    assert current_revision(engine) == "0008_decision_labels"
    with engine.connect() as conn:
        assert conn.execute(select(review_items.c.id, review_items.c.status).order_by(review_items.c.id)).all() == [
            (1, "queued"), (2, "queued"), (3, "dismissed")]
    engine.dispose()
