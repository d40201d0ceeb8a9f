"""Migration 0002_review: matches the table definitions, and goes down and up cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from vaktpost.store.db import downgrade, upgrade
from vaktpost.store.review_tables import audit_head
from vaktpost.store.tables import metadata

REVIEW_TABLES = {
    "users",
    "web_sessions",
    "api_tokens",
    "review_items",
    "decisions",
    "cases",
    "case_actors",
    "case_findings",
    "case_notes",
    "media_reveals",
    "audit_log",
    "audit_head",
}


def _table_of(diff) -> str | None:
    if isinstance(diff, list):  # modify_* diffs: [(op, schema, table, column, ...)]
        return diff[0][2]
    op, obj = diff[0], diff[1]
    if op in ("add_column", "remove_column"):
        return diff[2]
    if op in ("add_table", "remove_table"):
        return obj.name
    table = getattr(obj, "table", None)
    return table.name if table is not None else None


def test_migration_matches_the_table_definitions(engine):
    with engine.connect() as conn:
        diffs = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": False}), metadata
        )
    ours = [d for d in diffs if _table_of(d) in REVIEW_TABLES or "ix_findings_actor" in str(d)]
    assert ours == []


def test_down_to_0001_and_up_again(engine):
    assert REVIEW_TABLES <= set(inspect(engine).get_table_names())
    downgrade(engine, "0001")
    assert not REVIEW_TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(select(audit_head.c.seq, audit_head.c.last_hash)).one() == (0, "0" * 64)
