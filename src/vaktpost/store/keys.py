"""Bulk key resolution: platform names, account ids and conversation ids to surrogate keys.

Inserts are insert-or-ignore per batch, followed by one select per chunk for the keys not
yet cached, so a batch of 10,000 messages costs a handful of statements, not thousands.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, Table, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from vaktpost.store.tables import actors, conversations, platforms

CHUNK = 400


def insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict]) -> int:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL; returns rows inserted."""
    if not rows:
        return 0
    dialect = conn.dialect.name
    if dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    elif dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two databases are supported
        raise RuntimeError(f"unsupported database {dialect}")
    result = conn.execute(stmt, rows)
    return max(result.rowcount, 0)


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class KeyCache:
    """Surrogate keys seen so far in one import (one per connection/transaction)."""

    def __init__(self) -> None:
        self.platform_ids: dict[str, int] = {}
        self.actor_ids: dict[tuple[int, str], int] = {}
        self.conversation_ids: dict[tuple[int, str], int] = {}

    def platforms(self, conn: Connection, names: Iterable[str]) -> dict[str, int]:
        missing = sorted({n for n in names if n not in self.platform_ids})
        if missing:
            insert_ignoring_duplicates(conn, platforms, [{"name": n} for n in missing])
            for chunk in _chunks(missing):
                rows = conn.execute(
                    select(platforms.c.name, platforms.c.id).where(platforms.c.name.in_(chunk))
                )
                self.platform_ids.update(dict(rows.all()))
        return self.platform_ids

    def actors(
        self, conn: Connection, wanted: dict[tuple[int, str], tuple[str | None, str]]
    ) -> dict[tuple[int, str], int]:
        """`wanted` maps (platform key, account id) to (name, role) for first-time inserts."""
        missing = [k for k in wanted if k not in self.actor_ids]
        if missing:
            insert_ignoring_duplicates(
                conn,
                actors,
                [
                    {"platform_id": p, "account_id": a, "name": wanted[(p, a)][0], "role": wanted[(p, a)][1]}
                    for p, a in missing
                ],
            )
            self._select(conn, actors, actors.c.account_id, missing, self.actor_ids)
        return self.actor_ids

    def conversations(
        self, conn: Connection, wanted: Iterable[tuple[int, str]]
    ) -> dict[tuple[int, str], int]:
        missing = list({k for k in wanted if k not in self.conversation_ids})
        if missing:
            insert_ignoring_duplicates(
                conn,
                conversations,
                [{"platform_id": p, "conversation_id": c} for p, c in missing],
            )
            self._select(conn, conversations, conversations.c.conversation_id, missing, self.conversation_ids)
        return self.conversation_ids

    @staticmethod
    def _select(conn, table: Table, natural, keys: list[tuple[int, str]], into: dict) -> None:
        for chunk in _chunks(keys):
            rows = conn.execute(
                select(table.c.platform_id, natural, table.c.id).where(
                    tuple_(table.c.platform_id, natural).in_(chunk)
                )
            )
            for platform_id, natural_id, key in rows:
                into[(platform_id, natural_id)] = key
