"""A new SQLite store's schema without Alembic: what the migrations left, replayed.

Opening a store runs the Alembic chain to head. On a new SQLite file that is ~0.15 CPU s of
a `vaktpost scan` (loading Alembic, reading the revision scripts, five migrations in batch
mode) — a twentieth of a 100,000-message scan, paid before the first message is stored —
and on a store already at head ~0.06 s only to learn there is nothing to do.

So the first time a new SQLite store is migrated, the result is remembered (`vaktpost.
disk_cache`): the CREATE statements of `sqlite_master` and the rows the migrations inserted
(the Alembic revision, the audit chain's genesis head). Later a new store gets exactly those
statements and rows in one transaction, and a store whose revision is that head is left as
it is, neither loading Alembic. The entry is named by a hash of the migration scripts, the
installed Alembic and SQLAlchemy and the SQLite library, so a new migration (or anything
that could change what the chain writes) is never answered from an old entry; one missing,
unreadable or malformed is ignored, and the chain runs as before. PostgreSQL always runs the
chain.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sqlite3
from pathlib import Path
from typing import NamedTuple

import orjson
import sqlalchemy

from vaktpost import disk_cache

MIGRATIONS = Path(__file__).with_name("migrations")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ORDER = {"table": 0, "index": 1, "view": 2, "trigger": 3}  # what a statement may depend on comes first
# What an entry may replay: tables and indexes, one statement each (sqlite3 refuses a second
# one). The migrations make nothing else; a view or trigger in an entry (one it could only
# hold if crafted) would run on every later write, so such an entry is not used.
_REPLAYABLE = re.compile(r"CREATE (TABLE|INDEX|UNIQUE INDEX) ")


def _replayable(statements) -> bool:
    return all(isinstance(s, str) and _REPLAYABLE.match(s) for s in statements)


class Template(NamedTuple):
    revision: str
    statements: list[str]
    rows: list[tuple[str, list[str], list[list]]]  # (table, columns, rows)


def template_key() -> str:
    """A hash of everything the migrated schema is a function of."""
    h = hashlib.sha256(f"{sqlalchemy.__version__}\x00{sqlite3.sqlite_version}\x00".encode())
    spec = importlib.util.find_spec("alembic")
    for f in [Path(spec.origin)] if spec and spec.origin else []:
        h.update(f.read_bytes())  # its __version__
    for f in sorted(MIGRATIONS.rglob("*.py")):
        h.update(str(f.relative_to(MIGRATIONS)).encode() + b"\x00" + f.read_bytes() + b"\x00")
    return h.hexdigest()[:24]


def _entry(key: str) -> str:
    return f"sqlite-schema-{key}.json"


def load(key: str) -> Template | None:
    """The remembered schema for `key`, or None where there is none that is whole and sound."""
    data = disk_cache.read(_entry(key))
    if data is None:
        return None
    try:
        doc = orjson.loads(data)
        tpl = Template(doc["revision"], doc["statements"], [(t, c, r) for t, c, r in doc["rows"]])
        ok = isinstance(tpl.revision, str) and tpl.revision and tpl.statements
        ok = ok and _replayable(tpl.statements)
        ok = ok and all(_NAME.match(t) and not t.startswith("sqlite_") and all(_NAME.match(c) for c in cols)
                        and all(len(r) == len(cols) for r in rows) for t, cols, rows in tpl.rows)
        return tpl if ok else None
    except Exception:  # noqa: BLE001 - damaged: the migrations run instead
        return None


def stored_revision(conn) -> str | None:
    """The store's Alembic revision; "" for a store with no table at all; None for tables
    without a revision (not a store of ours, or one being created: the chain decides)."""
    names = {n for (n,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not names:
        return ""
    if "alembic_version" not in names:
        return None
    found = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    return found[0][0] if len(found) == 1 else None


def create(conn, tpl: Template) -> None:
    """Give an empty store the remembered schema and rows (in the caller's transaction)."""
    for statement in tpl.statements:
        conn.exec_driver_sql(statement)
    for table, columns, rows in tpl.rows:
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', [tuple(r) for r in rows])


def remember(conn, key: str) -> None:
    """Keep what the migrations just made of an empty store (in their transaction), unless a
    value is of a kind the entry cannot hold."""
    objects = conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
    ).fetchall()
    objects.sort(key=lambda o: _ORDER.get(o[0], 9))  # stable: creation order within a kind
    statements = [sql for _, _, sql in objects]
    rows = []
    for kind, table, _ in objects:
        if kind != "table":
            continue
        if not _NAME.match(table):
            return
        result = conn.exec_driver_sql(f'SELECT * FROM "{table}"')
        columns, values = list(result.keys()), [list(r) for r in result.fetchall()]
        if values:
            if not all(v is None or isinstance(v, (int, float, str)) for r in values for v in r):
                return
            rows.append((table, columns, values))
    revision = stored_revision(conn)
    if not revision or not _replayable(statements):
        return
    disk_cache.write(_entry(key), orjson.dumps({"revision": revision, "statements": statements, "rows": rows}))
