"""Bulk key resolution: platform names, account ids and conversation ids to surrogate keys.

Keys not yet cached are looked up per platform, the unknown ones inserted with RETURNING
(insert-or-ignore, so a concurrent importer is tolerated), so a batch of 10,000 messages
costs a handful of statements, not thousands.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import sqlite

from vaktpost.store.tables import actors, conversations, platforms

CHUNK = 400


def insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict]) -> int:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL; returns rows inserted."""
    if not rows:
        return 0
    result = conn.execute(_insert_ignore(conn, table).execution_options(preserve_rowcount=True), rows)
    return max(result.rowcount, 0)


def _insert_ignore(conn: Connection, table: Table):
    dialect = conn.dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    if dialect == "postgresql":  # imported here: ~0.02 CPU s of every SQLite scan's start-up
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    raise RuntimeError(f"unsupported database {dialect}")  # pragma: no cover


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class KeyCache:
    """Surrogate keys seen so far in one import (one per connection/transaction)."""

    def __init__(self) -> None:
        self.platform_ids: dict[str, int] = {}
        self.actor_ids: dict[tuple[int, str], int] = {}
        self.conversation_ids: dict[tuple[int, str], int] = {}
        # Conversations this cache inserted: they had no messages before this import.
        self.created_conversations: set[int] = set()

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
            self._resolve(
                conn, actors, actors.c.account_id, missing, self.actor_ids,
                lambda p, a: {"platform_id": p, "account_id": a, "name": wanted[(p, a)][0], "role": wanted[(p, a)][1]},
            )
        return self.actor_ids

    def conversations(self, conn: Connection, wanted: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
        missing = [k for k in set(wanted) if k not in self.conversation_ids]
        if missing:
            self._resolve(
                conn, conversations, conversations.c.conversation_id, missing, self.conversation_ids,
                lambda p, c: {"platform_id": p, "conversation_id": c},
                self.created_conversations,
            )
        return self.conversation_ids

    @staticmethod
    def _resolve(conn, table: Table, natural, keys: list[tuple[int, str]], into: dict, new_row, created: set | None = None) -> None:
        """New keys by insert … ON CONFLICT DO NOTHING RETURNING (into `created` too, if
        given), then the rest — stored before, or by a concurrent importer — by select.
        Inserting first spares the select of keys that an import mostly creates (a scan of a
        new export: every conversation and nearly every account is new); a key stored before
        costs an insert that does nothing instead."""

        def select_known(wanted: list[tuple[int, str]]) -> None:
            by_platform: dict[int, list[str]] = {}
            for p, n in wanted:
                by_platform.setdefault(p, []).append(n)
            for p, names in by_platform.items():
                for chunk in _chunks(names):
                    rows = conn.execute(
                        select(natural, table.c.id).where(table.c.platform_id == p, natural.in_(chunk))
                    )
                    for name, key in rows:
                        into[(p, name)] = key

        stmt = _insert_ignore(conn, table).returning(table.c.platform_id, natural, table.c.id)
        for chunk in _chunks(keys, 2_000):
            for p, name, key in conn.execute(stmt, [new_row(p, n) for p, n in chunk]):
                into[(p, name)] = key
                if created is not None:
                    created.add(key)
        known = [k for k in keys if k not in into]
        if known:
            select_known(known)
