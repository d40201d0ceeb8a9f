"""Engines and schema upgrades.

SQLite is the embedded default and is set up the way a long-running local service needs:
WAL so readers never block the importer, foreign keys on, and a busy timeout instead of
"database is locked" errors.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import orjson
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from vaktpost.errors import UserError

MIGRATIONS = Path(__file__).with_name("migrations")


def _json_dumps(value) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise UserError(f"not a database URL ({exc})", where=url) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise UserError("the folder for the database does not exist", where=str(parent))
        engine = create_engine(
            url, json_serializer=_json_dumps, json_deserializer=orjson.loads, future=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not pysqlite, decide where transactions begin (BEGIN on first use).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    return create_engine(
        url, json_serializer=_json_dumps, json_deserializer=orjson.loads, pool_pre_ping=True
    )


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, on the engine's own connection."""
    with _migrating(engine) as conn:
        _upgrade_on(conn, revision)


@contextmanager
def _migrating(engine: Engine):
    """A connection in a transaction for the migrations. On SQLite foreign keys are off
    while they run: a migration that rebuilds a table (batch mode: copy, drop, rename) would
    otherwise fire the ON DELETE actions of the tables that refer to it when it drops the old
    one (0007). The pragma is a no-op inside a transaction, so it is set before BEGIN, and
    set back on the connection before it returns to the pool."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                yield conn
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def _upgrade_on(conn, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config(conn.engine.url.render_as_string(hide_password=False))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with _migrating(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def open_store(url: str, *, migrate: bool = True) -> Engine:
    """The engine for `url`, with the schema brought up to date (the CLI's entry point)."""
    engine = _engine_for(url)
    if migrate and not (engine.dialect.name == "sqlite" and _sqlite_at_head(engine)):
        upgrade(engine)
    return engine


def _sqlite_at_head(engine: Engine) -> bool:
    """Whether the SQLite store is now at head without Alembic (store/sqlite_template.py): a
    new store gets the schema the chain made last time (or the chain runs, and what it made
    is remembered), one at that head is left alone. False: run the chain as always."""
    from vaktpost.store import sqlite_template

    try:
        key = sqlite_template.template_key()
        with engine.begin() as conn:
            found = sqlite_template.stored_revision(conn)
            if found == "":
                tpl = sqlite_template.load(key)
                if tpl is not None:
                    sqlite_template.create(conn, tpl)
                else:
                    _upgrade_on(conn)
                    sqlite_template.remember(conn, key)
                return True
            if found is None:
                return False
            tpl = sqlite_template.load(key)
            return tpl is not None and found == tpl.revision
    except Exception:  # noqa: BLE001 - anything odd (a store being created beside us): the chain decides
        return False


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("messages")
