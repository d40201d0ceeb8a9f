"""The hot insert: messages straight to the driver as positional tuples.

SQLAlchemy's per-row parameter processing costs more than SQLite's own insert at a million
rows, so this one statement is written per dialect, with JSON serialised by orjson and
times in the storage format that SQLAlchemy reads back (UTC, no zone, microseconds).
Everything else goes through SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection

COLUMNS = (
    "platform_id",
    "message_id",
    "conversation_id",
    "sender_id",
    "sent_at",
    "text",
    "recipients",
    "attachments",
    "ip",
    "country",
    "meta",
    "import_id",
)
_SQL: dict[str, str] = {}


def _statement(dialect: str, paramstyle: str) -> str:
    sql = _SQL.get(dialect)
    if sql is None:
        mark = "?" if paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO messages ({', '.join(COLUMNS)}) VALUES ({', '.join([mark] * len(COLUMNS))}) "
            "ON CONFLICT DO NOTHING"
        )
        _SQL[dialect] = sql
    return sql


def json_value(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def insert_messages(conn: Connection, rows: Sequence[tuple]) -> int:
    """Insert rows (in COLUMNS order), skipping ids already stored; returns rows inserted."""
    if not rows:
        return 0
    sql = _statement(conn.dialect.name, conn.dialect.paramstyle)
    result = conn.exec_driver_sql(sql, list(rows))
    return max(result.rowcount, 0)
