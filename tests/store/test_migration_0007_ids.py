"""Migration 0007: a store made before it keeps every row and id, and from then on SQLite never
gives an id out twice (docs/sessions/7-sqlite-ids.md). On PostgreSQL it changes nothing."""

from __future__ import annotations

import importlib
from datetime import datetime, timezone

from sqlalchemy import delete, insert, inspect, select, text

from vaktpost.store.db import current_revision, downgrade, make_engine, upgrade
from vaktpost.store.media_tables import media_items
from vaktpost.store.review_tables import case_findings, case_notes, cases, decisions, review_items, users
from vaktpost.store.schema import metadata
from vaktpost.store.tables import actors, conversations, findings, imports, messages, platforms, signals

BEFORE = "0006_known_sender"
T = datetime(2025, 1, 1, tzinfo=timezone.utc)
MIGRATION = importlib.import_module("vaktpost.store.migrations.versions.0007_sqlite_ids")


def fill(conn) -> None:
    """A small store: three findings, the newest (3) reviewed and then dropped by a rescan."""
    conn.execute(insert(platforms).values(id=1, name="camsite"))
    conn.execute(insert(actors).values(id=1, platform_id=1, account_id="u1"))
    conn.execute(insert(conversations).values(id=1, platform_id=1, conversation_id="c1"))
    conn.execute(insert(imports).values(id=1, path="a.jsonl", format="jsonl", started_at=T))
    conn.execute(insert(messages), [dict(id=i, platform_id=1, message_id=f"m{i}", conversation_id=1, sender_id=1,
                                         sent_at=T, text="line", import_id=1) for i in (1, 2, 3)])
    conn.execute(insert(findings), [dict(id=i, kind="text", message_id=i, actor_id=1, labels=["MINOR_REQUEST"],
                                         score=0.5 + i / 10, created_at=T) for i in (1, 2, 3)])
    if conn.dialect.name == "postgresql":  # as if its sequence had given 1-3 (explicit ids do not move it)
        conn.execute(text("SELECT setval(pg_get_serial_sequence('findings', 'id'), 3)"))
    conn.execute(insert(signals), [dict(id=i, message_id=i, label="MINOR_REQUEST", start=0, end=4, rule="r",
                                        score=0.9) for i in (1, 2, 3)])
    conn.execute(insert(users).values(id=1, username="rev", role="reviewer", password_hash="x", created_at=T))
    conn.execute(insert(review_items), [dict(id=i, finding_id=i, priority=0.6, status="dismissed", created_at=T)
                                        for i in (2, 3)])
    conn.execute(insert(decisions).values(id=1, item_id=3, finding_id=3, user_id=1, stage="review",
                                          decision="dismiss", created_at=T))
    conn.execute(insert(cases).values(id=1, title="case", created_by=1, created_at=T, updated_at=T))
    conn.execute(insert(case_notes).values(id=1, case_id=1, user_id=1, text="note", created_at=T))
    conn.execute(insert(case_findings).values(case_id=1, finding_id=2))
    conn.execute(insert(media_items).values(id=1, sha256="a" * 64, md5="b" * 32, sha1="c" * 40, size=1,
                                            kind="image", finding_id=2, first_seen_at=T))
    conn.execute(delete(signals).where(signals.c.id == 3))
    conn.execute(delete(findings).where(findings.c.id == 3))  # the rescan drops the newest finding


def snapshot(engine) -> dict:
    """Every row of every table, and every index and unique constraint."""
    insp = inspect(engine)
    tables = [t for t in metadata.sorted_tables if insp.has_table(t.name)]  # as of this revision (not head)
    with engine.connect() as conn:
        rows = {t.name: sorted(map(tuple, conn.execute(select(*[t.c[c["name"]] for c in insp.get_columns(t.name)]))
                               .all()), key=repr) for t in tables}
    shape = {t.name: (sorted(map(repr, insp.get_indexes(t.name))), sorted(map(repr, insp.get_unique_constraints(t.name))),
                      sorted(map(repr, insp.get_foreign_keys(t.name))), insp.get_pk_constraint(t.name))
             for t in tables}
    return {"rows": rows, "shape": shape}


def new_finding(conn, message: int) -> int:
    return conn.execute(insert(findings).values(kind="text", message_id=message, labels=["AGE_PROBE"], score=0.7,
                                                created_at=T)).inserted_primary_key[0]


def autoincremented(engine) -> set[str]:
    with engine.connect() as conn:
        return {name for name, sql in conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
                if "AUTOINCREMENT" in sql}


def test_a_store_made_before_keeps_its_rows_and_never_reuses_a_freed_id(db_url):
    engine = make_engine(db_url)
    upgrade(engine, BEFORE)
    with engine.begin() as conn:
        fill(conn)
    before = snapshot(engine)

    upgrade(engine, MIGRATION.revision)
    assert current_revision(engine) == MIGRATION.revision
    assert snapshot(engine) == before  # every row and id, index, unique and foreign key
    with engine.begin() as conn:
        first = new_finding(conn, 3)  # the message of the dropped finding 3 is labelled again
        assert first > 3  # not 3: review item 3 and decision 1 name the old finding 3
        conn.execute(delete(findings).where(findings.c.id == first))
        assert new_finding(conn, 3) > first
    if engine.dialect.name == "sqlite":
        assert autoincremented(engine) == set(MIGRATION.TABLES)


def test_down_and_up_again_keeps_the_rows(db_url):
    engine = make_engine(db_url)
    upgrade(engine, BEFORE)
    with engine.begin() as conn:
        fill(conn)
    upgrade(engine, MIGRATION.revision)
    before = snapshot(engine)
    downgrade(engine, BEFORE)
    assert current_revision(engine) == BEFORE
    assert snapshot(engine) == before
    if engine.dialect.name == "sqlite":
        assert autoincremented(engine) == set()
    upgrade(engine, MIGRATION.revision)
    assert snapshot(engine) == before


def test_the_tables_rebuilt_are_the_ones_the_model_marks(db_url):
    """A table marked `sqlite_autoincrement` in the model and not rebuilt (or the reverse) would
    give a new store and an upgraded one different ids."""
    marked = {t.name for t in metadata.tables.values() if t.dialect_options["sqlite"]["autoincrement"]}
    assert marked == set(MIGRATION.TABLES)
    engine = make_engine(db_url)
    upgrade(engine)
    if engine.dialect.name == "sqlite":
        assert autoincremented(engine) == marked


def test_a_connection_with_foreign_keys_on_is_refused_rather_than_losing_rows(tmp_path):
    """Dropping `cases` with foreign keys on would delete its notes (ON DELETE CASCADE)."""
    import sqlite3

    import pytest
    from alembic import command

    from vaktpost.store.db import alembic_config

    url = f"sqlite:///{tmp_path / 'fk.db'}"
    engine = make_engine(url)
    upgrade(engine, BEFORE)
    with engine.begin() as conn:
        fill(conn)
    cfg = alembic_config(url)
    with engine.begin() as conn:  # the engine's connections have foreign keys on
        cfg.attributes["connection"] = conn
        with pytest.raises(RuntimeError, match="foreign_keys"):
            command.upgrade(cfg, "head")
    with sqlite3.connect(tmp_path / "fk.db") as raw:
        assert raw.execute("SELECT count(*) FROM case_notes").fetchone() == (1,)
    assert current_revision(engine) == BEFORE
