"""Migration 0009: a media item decided before it stands on its finding's matches at migration
time (a match recorded from then on reopens it); text items and old decisions keep NULL; down
and up again keeps every row. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, inspect, select, update

from vaktpost.review.reopen import reopen_new_matches
from vaktpost.store.db import current_revision, downgrade, make_engine, upgrade
from vaktpost.store.review_tables import decisions, item_reopens, review_items, users
from vaktpost.store.tables import actors, conversations, findings, imports, messages, platforms

BEFORE = "0008_decision_labels"
T = datetime(2025, 1, 1, tzinfo=UTC)


def near(bank: str, hash_id: int, distance: int = 4) -> dict:
    return {"bank": bank, "signal_type": "pdq", "hash": "ab" * 32, "distance": distance,
            "hash_id": hash_id, "source": "list.csv", "category": None, "negative": False}


def fill(conn) -> None:
    """Finding 1 media (standalone, dismissed), 2 media in a message (dismissed), 3 text
    (dismissed), 4 media queued (never decided)."""
    conn.execute(insert(platforms).values(id=1, name="camsite"))
    conn.execute(insert(actors).values(id=1, platform_id=1, account_id="u1"))
    conn.execute(insert(conversations).values(id=1, platform_id=1, conversation_id="c1"))
    conn.execute(insert(imports).values(id=1, path="a.jsonl", format="jsonl", started_at=T))
    conn.execute(insert(messages), [dict(id=i, platform_id=1, message_id=f"m{i}", conversation_id=1,
                                         sender_id=1, sent_at=T, text="line", import_id=1) for i in (2, 3)])
    conn.execute(insert(findings), [
        dict(id=1, kind="media", message_id=None, actor_id=None, labels=["KNOWN_MEDIA"], score=0.9,
             detail={"path": "x.jpg", "matches": [near("a", 7)]}, created_at=T),
        dict(id=2, kind="media", message_id=2, actor_id=1, labels=["KNOWN_MEDIA"], score=0.9,
             detail={"media": [{"path": "y.jpg", "matches": [near("a", 8), near("c", 9, 0)]}]}, created_at=T),
        dict(id=3, kind="text", message_id=3, actor_id=1, labels=["OFF_PLATFORM_MOVE"], score=0.4, detail=None, created_at=T),
        dict(id=4, kind="media", message_id=None, actor_id=None, labels=["KNOWN_MEDIA"], score=0.9,
             detail={"path": "z.jpg", "matches": [near("a", 7)]}, created_at=T),
    ])
    conn.execute(insert(users).values(id=1, username="rev", role="reviewer", password_hash="x", created_at=T))
    conn.execute(insert(review_items), [dict(id=i, finding_id=i, priority=0.5, status=s, created_at=T) for i, s in
                                        ((1, "dismissed"), (2, "dismissed"), (3, "dismissed"), (4, "queued"))])
    conn.execute(insert(decisions), [dict(id=i, item_id=i, finding_id=i, user_id=1, stage="review",
                                          decision="dismiss", reason="x", created_at=T) for i in (1, 2, 3)])


def test_old_media_decisions_stand_on_the_matches_at_migration_time(db_url):
    engine = make_engine(db_url)
    upgrade(engine, BEFORE)
    with engine.begin() as conn:
        fill(conn)
    upgrade(engine, "0009_decision_matches")
    with engine.connect() as conn:
        items = dict(conn.execute(select(review_items.c.id, review_items.c.decided_matches)).all())
        recorded = conn.execute(select(decisions.c.matches)).scalars().all()
    assert items == {1: ["a:pdq:7:near"], 2: ["a:pdq:8:near", "c:pdq:9:exact"], 3: None, 4: None}
    assert recorded == [None, None, None]  # not recorded before 0009
    with engine.begin() as conn:  # nothing new yet: nothing reopens
        assert reopen_new_matches(conn, [1, 2, 3, 4], by="test") == []
        # bank b matches file 1 exactly after the migration: item 1 comes back, once
        conn.execute(update(findings).where(findings.c.id == 1).values(
            detail={"path": "x.jpg", "matches": [near("b", 11, 0), near("a", 7)]}))
        assert reopen_new_matches(conn, [1, 2, 3], by="test") == [1]
        assert reopen_new_matches(conn, [1, 2, 3], by="test") == []
        assert conn.execute(select(review_items.c.reopen_reason).where(review_items.c.id == 1)).scalar() == (
            "new match since decision: b")
        assert conn.execute(select(item_reopens.c.added_matches)).scalar() == ["b:pdq:11:exact"]
    downgrade(engine, BEFORE)
    assert "decided_matches" not in {c["name"] for c in inspect(engine).get_columns("review_items")}
    assert "added_matches" not in {c["name"] for c in inspect(engine).get_columns("item_reopens")}
    upgrade(engine, "0009_decision_matches")
    assert current_revision(engine) == "0009_decision_matches"
    with engine.connect() as conn:
        assert conn.execute(select(review_items.c.id, review_items.c.status).order_by(review_items.c.id)).all() == [
            (1, "queued"), (2, "dismissed"), (3, "dismissed"), (4, "queued")]
    engine.dispose()
