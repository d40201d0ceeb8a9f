"""Who may change text findings at the same time: rescans of conversations, or the store-wide
known-sender pass — never both.

The pass (`store/known_sender.py`) decides over the whole store and writes signals and findings
of many conversations; a rescan (`conversations.replace_text_findings`) reads a conversation's
findings and promotions, then deletes and rewrites its signals. On PostgreSQL (READ COMMITTED)
a pass that commits between a rescan's read and its delete left a promoted-only finding with
no signal (tests/store/test_rescore_race.py). So rescans take a transaction-scoped advisory
lock in SHARED mode (rescans of different conversations still run side by side; a stream's
own routing keeps one conversation on one worker) and the pass takes it EXCLUSIVE: it waits
for the rescans in flight to commit, and rescans that start meanwhile wait for it. Shared
locks never wait for each other, and the pass takes the lock before anything else, so the
lock adds no deadlock. A per-conversation row lock was not chosen: the pass's decision for a
line depends on other conversations (its sender's confirmation elsewhere), so it would have
to lock, then read again, and writers that lock chunk after chunk in one transaction could
deadlock with it.

SQLite has one writer at a time. A rescan transaction has written (messages) or reads under
one snapshot and fails rather than write over a newer commit; the pass starts with a write so
that it waits for the writer in flight (busy timeout) instead of reading first and then
failing on the stale snapshot ("database is locked").
"""

from __future__ import annotations

from sqlalchemy import Connection

# pg_advisory_xact_lock's bigint key: "vaktpost findings writers" (any constant the schema
# does not use for another lock; only this module takes advisory locks).
FINDINGS_LOCK = 0x7661_6B74_0001


def rescanning(conn: Connection) -> None:
    """Called by a rescan before it reads the findings it will rewrite (shared with other rescans)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock_shared(%s)", (FINDINGS_LOCK,))


def store_wide_pass(conn: Connection) -> None:
    """Called by the known-sender pass first thing in its transaction: no rescan runs beside it."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (FINDINGS_LOCK,))
    elif conn.dialect.name == "sqlite":
        # A write first takes SQLite's write lock now (waiting out a writer in flight), so the
        # pass never reads a snapshot that a rescan then changes under it.
        conn.exec_driver_sql("DELETE FROM reply_borderline WHERE 0 = 1")
