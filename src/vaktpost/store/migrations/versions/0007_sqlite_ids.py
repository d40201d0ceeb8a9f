"""SQLite: ids that other rows name are never handed out again (AUTOINCREMENT)

Revision ID: 0007_sqlite_ids
Revises: 0006_known_sender
Create Date: 2026-11-23

SQLite gives an INTEGER PRIMARY KEY without AUTOINCREMENT the largest id + 1, so when the
newest row is deleted its id goes to the next row. `review_items.finding_id` (and
`decisions`, `case_findings`, `media_reveals`) name a finding by id without a foreign key: a
rescan that drops the newest finding let the next new finding inherit its review item (a
dismissal made on one line applied to another, which was never queued). With AUTOINCREMENT
SQLite never reuses an id (it keeps the largest ever given in `sqlite_sequence`). PostgreSQL
(BIGSERIAL/identity) never reuses ids: there this revision does nothing.

Each table is rebuilt (copy into a new table, drop, rename: `_copy`), which keeps every row,
id, index and constraint. Dropping a table that other tables refer
to would fire their ON DELETE actions (media_items.finding_id SET NULL, case_notes CASCADE)
with foreign keys on, so the rebuild runs with them off (`store/db.py: upgrade` turns them
off around the chain); a store with rows and foreign keys on is refused rather than damaged.
`findings`' sequence starts above every id a review row already names, so an id freed before
this revision cannot be handed to a new finding either.
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_sqlite_ids"
down_revision = "0006_known_sender"
branch_labels = None
depends_on = None

# Tables whose ids are named elsewhere (without a foreign key, or in audit text) or whose rows
# are deleted and re-made by rescans. Keep in step with `sqlite_autoincrement=True` in the
# table modules.
TABLES = (
    "findings",  # review_items/decisions/case_findings/media_reveals.finding_id, no foreign key
    "signals",  # deleted and re-made on every rescan
    "media_items",
    "media_frames",
    "review_items",  # decisions.item_id; the audit log's targets
    "decisions",
    "cases",  # the audit log's targets; case_findings, case_notes
    "case_notes",
    "cybertip_reports",  # report ids in the audit events
)

# Every column that names a finding: the new sequence starts above the largest of them.
FINDING_REFERENCES = (
    ("review_items", "finding_id"),
    ("decisions", "finding_id"),
    ("case_findings", "finding_id"),
    ("media_reveals", "finding_id"),
    ("media_items", "finding_id"),
    ("media_frames", "finding_id"),
)


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        full = [t for t in TABLES if bind.exec_driver_sql(f'SELECT 1 FROM "{t}" LIMIT 1').first()]
        if full:
            raise RuntimeError(
                "rebuilding tables with rows needs PRAGMA foreign_keys=OFF (vaktpost.store.db.upgrade "
                f"does that): {', '.join(full)}"
            )
    broken_before = len(bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
    for table in TABLES:
        _copy(bind, table, autoincrement)
    # The copies leave a row (seq 0) for each empty table: the same as none, and none is what
    # a new store made from the schema template (store/sqlite_template.py) has.
    bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE seq = 0")
    if autoincrement:
        highest = max(
            bind.exec_driver_sql(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"').scalar()
            for table, column in (("findings", "id"), *FINDING_REFERENCES)
        )
        if highest:
            bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'findings'")
            bind.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('findings', ?)", (highest,))
    problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if len(problems) > broken_before:  # ids are kept, so no row may lose its parent
        raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")


def _copy(bind, table: str, autoincrement: bool) -> None:
    """SQLite's own recipe for changing a table (https://sqlite.org/lang_altertable.html):
    a new table from the old CREATE statement with only the primary key clause changed, every
    row copied with its id, the old one dropped, the new one renamed, its indexes made again
    from their own statements. Done by hand rather than by Alembic's batch mode, whose
    reflection writes constraints and indexes in an order that varies between runs (a store
    made by the chain must be the one the schema template replays) and cannot read
    AUTOINCREMENT back."""
    plain, counted = f"CONSTRAINT pk_{table} PRIMARY KEY (id)", f"CONSTRAINT pk_{table} PRIMARY KEY (id AUTOINCREMENT)"
    old, new = (plain, counted) if autoincrement else (counted, plain)
    (sql,) = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).one()
    if sql.count(old) != 1:
        raise RuntimeError(f"{table}: its primary key is not {old!r} as migrations 0001-0006 made it")
    indexes = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid", (table,)
    ).scalars().all()
    staging = f"_0007_{table}"
    head, body = sql.split("(", 1)
    bind.exec_driver_sql(f'CREATE TABLE "{staging}" (' + body.replace(old, new))
    bind.exec_driver_sql(f'INSERT INTO "{staging}" SELECT * FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{staging}" RENAME TO "{table}"')
    for statement in indexes:
        bind.exec_driver_sql(statement)


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
