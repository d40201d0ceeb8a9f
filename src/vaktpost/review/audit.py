"""The audit log: append-only, each record chained to the one before by a SHA-256 hash.

A record's hash covers its sequence number, time, user, action, target, detail and the hash
of the record before it. Editing a record breaks its own hash; deleting one breaks the next
record's link; swapping two breaks both; deleting the newest is caught by `audit_head`.
Records are written in the caller's transaction, so an action and its audit record are
committed together or not at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Sequence

import orjson
from sqlalchemy import Connection, insert, select, update

from vaktpost.store.review_tables import audit_head, audit_log

GENESIS = "0" * 64


def _canonical(detail: dict[str, Any] | None) -> str:
    return orjson.dumps(detail or {}, option=orjson.OPT_SORT_KEYS).decode()


def record_hash(
    seq: int, at: str, username: str, action: str, target: str, detail: str, prev: str
) -> str:
    payload = orjson.dumps([seq, at, username, action, target, detail, prev])
    return hashlib.sha256(payload).hexdigest()


def append(
    conn: Connection,
    username: str,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Append one record; returns its sequence number. Never put evidence text in `detail`."""
    return append_many(conn, [(username, action, target, detail)], now=now)[0]


def append_many(
    conn: Connection,
    records: Sequence[tuple[str, str, str, dict[str, Any] | None]],
    *,
    now: datetime | None = None,
) -> list[int]:
    """Append (user, action, target, detail) records in order, chained exactly as that many
    `append` calls would chain them (one time for all), in three statements; returns their
    sequence numbers. `append` is this with one record; writers that record thousands of events
    in one transaction give them all at once."""
    if not records:
        return []
    head = conn.execute(
        update(audit_head)
        .where(audit_head.c.id == 1)
        .values(seq=audit_head.c.seq + len(records))
        .returning(audit_head.c.seq, audit_head.c.last_hash)
    ).one()
    first, prev = head.seq - len(records) + 1, head.last_hash
    at = (
        (now or datetime.now(timezone.utc))
        .astimezone(timezone.utc)
        .isoformat(timespec="microseconds")
    )
    rows = []
    for seq, (username, action, target, detail) in enumerate(records, start=first):
        body = _canonical(detail)
        digest = record_hash(seq, at, username, action, target, body, prev)
        rows.append({"id": seq, "at": at, "username": username, "action": action,
                     "target": target, "detail": body, "prev_hash": prev, "hash": digest})
        prev = digest
    conn.execute(insert(audit_log), rows)
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(last_hash=prev))
    return [r["id"] for r in rows]


@dataclass(frozen=True)
class ChainReport:
    """The outcome of `verify`: `ok`, how many records were checked, and the first break."""

    ok: bool
    checked: int
    broken_at: int | None = None
    why: str | None = None

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "broken_at": self.broken_at,
            "why": self.why,
        }


def verify(conn: Connection, page: int = 5_000) -> ChainReport:
    """Walk the chain in sequence order and report the first record that does not fit."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last = 0
    while True:
        rows = conn.execute(
            select(audit_log).where(audit_log.c.id > last).order_by(audit_log.c.id).limit(page)
        ).all()
        if not rows:
            break
        for r in rows:
            if r.id != expected_seq:
                return ChainReport(
                    False, checked, expected_seq, f"record {expected_seq} is missing"
                )
            if r.prev_hash != prev:
                return ChainReport(
                    False, checked, r.id, "link to the previous record does not match"
                )
            digest = record_hash(r.id, r.at, r.username, r.action, r.target, r.detail, r.prev_hash)
            if digest != r.hash:
                return ChainReport(False, checked, r.id, "record content does not match its hash")
            prev = r.hash
            expected_seq += 1
            checked += 1
        last = rows[-1].id
    head = conn.execute(select(audit_head.c.seq, audit_head.c.last_hash)).one()
    if head.seq != checked or head.last_hash != prev:
        return ChainReport(
            False,
            checked,
            checked + 1 if head.seq > checked else head.seq,
            f"the chain ends at record {checked} but its head says {head.seq}",
        )
    return ChainReport(True, checked)


def recent(conn: Connection, limit: int = 200, action: str | None = None) -> list:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if action:
        query = query.where(audit_log.c.action == action)
    return conn.execute(query).all()


def iter_records(conn: Connection) -> Iterator:
    yield from conn.execute(select(audit_log).order_by(audit_log.c.id))
