"""The one Alembic chain: upgrade from empty, downgrade one step, back up again."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from vaktpost.store.db import alembic_config, current_revision, downgrade, make_engine, upgrade
from vaktpost.store.schema import metadata


def head_and_previous(url: str) -> tuple[str, str | None]:
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_current_head()
    return head, script.get_revision(head).down_revision


def test_upgrade_from_empty_creates_every_table_of_the_model(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set(metadata.tables)
    head, _ = head_and_previous(db_url)
    assert current_revision(engine) == head


def test_downgrade_one_step_and_upgrade_again(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    head, previous = head_and_previous(db_url)
    downgrade(engine, "-1")
    assert current_revision(engine) == previous
    upgrade(engine)
    assert current_revision(engine) == head


def test_migrated_schema_matches_the_tables_module(db_url):
    """A migration that forgot a column or an index shows up as a difference here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_sqlite_is_set_up_for_a_long_running_service(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'lite.db'}"  # about SQLite itself, whatever store the suite runs on
    engine = make_engine(db_url)
    with engine.connect() as conn:
        pragmas = {p: conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "foreign_keys", "busy_timeout")}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}
