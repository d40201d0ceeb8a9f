"""Reading conversations back as domain records, and storing what the scan core found.

The analysis stage works on whole conversations (dialogue rules need them), so after an
import it reloads every conversation the import touched — old messages included — and
brings that conversation's text findings in line with what the core found: updated in
place where a message stays labelled (ids are stable for the review queue), removed where
it no longer is. That keeps re-scans idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain

import orjson
from sqlalchemy import Connection, bindparam, delete, select, update

from vaktpost.model import Finding, Message, Signal
from vaktpost.store.locks import rescanning
from vaktpost.store.message_rows import MessageBuilder, as_utc  # noqa: F401 - as_utc: re-exported
from vaktpost.store.tables import actors, conversations, findings, messages, platforms
from vaktpost.text.funnel import FunnelMessage
from vaktpost.text.known_sender import (
    PROMOTED_RULE,
    finding_parts,
    promoted_signal,
    split_borderline,
)

CONVERSATIONS_PER_QUERY = 500


@dataclass(frozen=True, slots=True)
class StoredMessage:
    key: int  # messages.id
    sender_key: int  # actors.id
    message: Message


def _chunks(keys: Sequence[int], size: int = CONVERSATIONS_PER_QUERY) -> Iterator[Sequence[int]]:
    for i in range(0, len(keys), size):
        yield keys[i : i + size]


_RELOAD_SQL = """
SELECT m.id, m.conversation_id, m.message_id, m.sent_at, m.text, m.recipients, m.attachments,
       m.ip, m.country, m.meta, m.sender_id, a.account_id, a.name, a.role,
       c.conversation_id, p.name
FROM messages m
JOIN actors a ON a.id = m.sender_id
JOIN conversations c ON c.id = m.conversation_id
JOIN platforms p ON p.id = m.platform_id
WHERE m.conversation_id IN ({keys})
ORDER BY m.conversation_id, m.sent_at, m.id
"""


def iter_conversations(conn: Connection, conversation_keys: Iterable[int]) -> Iterator[list[StoredMessage]]:
    """Each conversation's messages in the order they were sent, a conversation at a time.

    This is the analysis stage's hot read, so it goes to the driver with plain tuples
    (the keys are integers, inlined) instead of through SQLAlchemy's row processing.
    """
    keys = sorted(int(k) for k in conversation_keys)
    build = MessageBuilder()
    for chunk in _chunks(keys):
        rows = conn.exec_driver_sql(_RELOAD_SQL.format(keys=",".join(map(str, chunk)))).all()
        current: list[StoredMessage] = []
        current_key = None
        for (key, conv_key, message_id, sent_at, text, recipients, attachments, ip, country, meta,
             sender_key, account_id, name, role, conv_name, platform) in rows:
            if conv_key != current_key and current:
                yield current
                current = []
            current_key = conv_key
            message = build.message(platform, conv_name, message_id, sent_at, text, recipients, attachments, ip,
                                    country, meta, account_id, name, role)
            current.append(StoredMessage(key, sender_key, message))
        if current:
            yield current
        build.clear()


def actor_details(conn: Connection, actor_keys: Iterable[int]) -> dict[int, tuple[str, str | None, str]]:
    """actors.id → (account id, name, role) as stored (what the reload joins in)."""
    out: dict[int, tuple[str, str | None, str]] = {}
    for chunk in _chunks(sorted(int(k) for k in set(actor_keys)), 900):
        sql = f"SELECT id, account_id, name, role FROM actors WHERE id IN ({','.join(map(str, chunk))})"
        for key, account_id, name, role in conn.exec_driver_sql(sql):
            out[key] = (account_id, name, role)
    return out


def insert_new_text_findings(conn: Connection, senders: dict[tuple[str, str], tuple[int, int]], found: Iterable[Finding]) -> int:
    """Store the text findings of messages that had none (written in this same scan, in
    conversations it created): no lookups of old findings or signals, only the message ids.
    `senders` maps (platform, message id) to (platforms.id, actors.id of the sender).
    The rows are those `replace_text_findings` would write (borderline markers, text/known_sender.py,
    go to `reply_borderline`); returns the number of findings stored."""
    found, marks = split_borderline(found)
    if not found and not marks:
        return 0
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    by_platform: dict[int, list[str]] = {}
    for f in chain(found, marks):
        by_platform.setdefault(senders[(f.platform, f.message_id)][0], []).append(f.message_id)
    message_keys: dict[tuple[int, str], int] = {}
    for pid, ids in by_platform.items():
        for chunk in _chunks(ids, 900):
            sql = f"SELECT message_id, id FROM messages WHERE platform_id = {int(pid)} AND message_id IN ({','.join([mark] * len(chunk))})"
            for message_id, key in conn.exec_driver_sql(sql, tuple(chunk)):
                message_keys[(pid, message_id)] = key
    now = _stored_time(conn, datetime.now(UTC))
    null = orjson.dumps(None).decode()
    inserts, signal_rows = [], []
    labels_json = _LabelsJson()
    for f in found:
        pid, sender_key = senders[(f.platform, f.message_id)]
        key = message_keys[(pid, f.message_id)]
        rows = [(key, g.label._value_, g.start, g.end, g.rule, g.score) for g in f.signals]
        inserts.append(("text", key, sender_key, labels_json(rows), f.score, null, now))
        signal_rows += rows
    if inserts:
        conn.exec_driver_sql(_insert_sql(conn, "findings", _FINDING_COLUMNS), inserts)
    if signal_rows:
        conn.exec_driver_sql(_insert_sql(conn, "signals", _SIGNAL_COLUMNS), signal_rows)
    if marks:
        rows = []
        for f in marks:
            pid, sender_key = senders[(f.platform, f.message_id)]
            rows.append((message_keys[(pid, f.message_id)], sender_key, f.signals[0].end, f.score))
        conn.exec_driver_sql(_insert_sql(conn, "reply_borderline", _BORDERLINE_COLUMNS), rows)
    return len(inserts)


class _LabelsJson(dict):
    """A finding's `labels` column from its signal rows: `Finding.labels` (each label once,
    in the order of its first signal) as JSON, worked out once per sequence of signal labels
    (a few dozen in a scan) instead of per finding: Label members hash in Python code."""

    def __call__(self, signal_rows: list[tuple]) -> str:
        key = tuple([r[1] for r in signal_rows])
        got = self.get(key)
        if got is None:
            got = self[key] = orjson.dumps(list(dict.fromkeys(key))).decode()
        return got


def all_conversation_keys(conn: Connection) -> list[int]:
    return list(conn.execute(select(conversations.c.id)).scalars())


_FINDING_COLUMNS = ("kind", "message_id", "actor_id", "labels", "score", "detail", "created_at")
_SIGNAL_COLUMNS = ("message_id", "label", "start", '"end"', "rule", "score")
_BORDERLINE_COLUMNS = ("message_id", "actor_id", '"end"', "score")


def _insert_sql(conn: Connection, table: str, columns: Sequence[str]) -> str:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


def _stored_time(conn: Connection, value: datetime):
    """A time as SQLAlchemy stores it: SQLite keeps UTC text without a zone (microseconds)."""
    if conn.dialect.name == "sqlite":
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value


def replace_text_findings(conn: Connection, stored: Sequence[StoredMessage], found: Iterable[Finding]) -> int:
    """Bring the text findings and signals of these conversations in line with `found`.

    A message that stays labelled keeps its finding row (and id), updated in place, so the
    review queue and decisions that refer to it survive a re-scan; findings no longer found
    are removed; signals are rewritten. Returns the number of findings now stored.

    A known-sender promotion (`store/known_sender.py`) is the pass's, not the scan's: a message
    the scan still marks borderline keeps it (its signal re-made from the new mark, labels and
    score as the pass would leave them), so a finding that only the promotion made keeps its
    row too. The pass, which every path runs after its scans, still decides: it takes back
    what is no longer due. A message no longer borderline loses it here.

    A decided review item whose finding gains a label here is reopened in the same
    transaction (`review/reopen.py`). On PostgreSQL the rescan holds the findings lock shared
    (`store/locks.py`), so the known-sender pass never commits between its reads and writes.

    This is the analysis stage's hot write: the lookups take the (integer) keys inline and
    the inserts go to the driver as tuples, with JSON and times as SQLAlchemy stores them
    (the rows read back through Core unchanged), like the message insert (store/bulk.py).
    """
    by_id = {(s.message.platform, s.message.message_id): s for s in stored}
    found, marks = split_borderline(found)
    message_keys = [s.key for s in stored]
    existing: dict[int, int] = {}
    promoted: set[int] = set()  # messages the known-sender pass promoted
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    rescanning(conn)
    for chunk in _chunks(message_keys, 900):
        inline = ",".join(map(str, (int(k) for k in chunk)))
        existing.update(
            conn.exec_driver_sql(
                f"SELECT message_id, id FROM findings WHERE kind = 'text' AND message_id IN ({inline})"
            ).all()
        )
        promoted.update(conn.exec_driver_sql(
            f"SELECT message_id FROM signals WHERE rule = {mark} AND message_id IN ({inline})", (PROMOTED_RULE,)
        ).scalars())
        conn.exec_driver_sql(f"DELETE FROM signals WHERE message_id IN ({inline})")
        conn.exec_driver_sql(f"DELETE FROM reply_borderline WHERE message_id IN ({inline})")
    now = _stored_time(conn, datetime.now(UTC))
    null = orjson.dumps(None).decode()  # the JSON column's None, as SQLAlchemy writes it
    carried: dict[int, Signal] = {}  # message key -> its promotion, kept while the line stays borderline
    for f in marks:
        key = by_id[(f.platform, f.message_id)].key
        if key in promoted:
            carried[key] = promoted_signal(f.signals[0].end, f.score)
    inserts, updates, signal_rows, kept = [], [], [], set()
    rows = [(by_id[(f.platform, f.message_id)], f.signals, f.score, f.labels) for f in found]
    if carried:  # lines only the promotion labels get their (kept) finding from it alone
        labelled = {r[0].key for r in rows}
        rows += [(s, (), 0.0, ()) for s in (by_id[(f.platform, f.message_id)] for f in marks)
                 if s.key in carried and s.key not in labelled]
    for s, sigs, score, labels in rows:
        extra = carried.get(s.key)
        if extra is None:
            labels = [label.value for label in labels]
        else:  # as the pass's _refresh_findings leaves it
            sigs = (*sigs, extra)
            labels, score = finding_parts((g.label.value, g.score) for g in sigs)
        finding_key = existing.get(s.key)
        if finding_key is None:
            inserts.append(("text", s.key, s.sender_key, orjson.dumps(labels).decode(), score, null, now))
        else:
            kept.add(finding_key)
            updates.append({"finding_key": finding_key, "labels": labels, "score": score})
        signal_rows.extend((s.key, g.label.value, g.start, g.end, g.rule, g.score) for g in sigs)
    gone = [key for key in existing.values() if key not in kept]
    for chunk in _chunks(gone, 900):
        conn.execute(delete(findings).where(findings.c.id.in_(chunk)))
    if updates:
        conn.execute(
            update(findings).where(findings.c.id == bindparam("finding_key")).values(
                labels=bindparam("labels"), score=bindparam("score")
            ),
            updates,
        )
        from vaktpost.review.reopen import reopen_grown  # the review layer, on the store's writes

        reopen_grown(conn, [u["finding_key"] for u in updates], by="rescan")
    if inserts:
        conn.exec_driver_sql(_insert_sql(conn, "findings", _FINDING_COLUMNS), inserts)
    if signal_rows:
        conn.exec_driver_sql(_insert_sql(conn, "signals", _SIGNAL_COLUMNS), signal_rows)
    if marks:  # the reply model's borderline turns (text/known_sender.py), replaced with the findings
        rows = [(s.key, s.sender_key, f.signals[0].end, f.score) for f in marks for s in (by_id[(f.platform, f.message_id)],)]
        conn.exec_driver_sql(_insert_sql(conn, "reply_borderline", _BORDERLINE_COLUMNS), rows)
    return len(inserts) + len(updates)


def iter_funnel_messages(conn: Connection) -> Iterator[list[FunnelMessage]]:
    """Every message as the funnel sees it, grouped by conversation."""
    query = (
        select(
            messages.c.conversation_id,
            platforms.c.name,
            actors.c.account_id,
            messages.c.recipients,
            findings.c.labels,
        )
        .join(actors, actors.c.id == messages.c.sender_id)
        .join(platforms, platforms.c.id == messages.c.platform_id)
        .outerjoin(findings, (findings.c.message_id == messages.c.id) & (findings.c.kind == "text"))
        .order_by(messages.c.conversation_id)
        .execution_options(yield_per=20_000)
    )
    current: list[FunnelMessage] = []
    current_key = None
    for conv, platform, sender, recipients, labels in conn.execute(query):
        if conv != current_key and current:
            yield current
            current = []
        current_key = conv
        current.append(
            FunnelMessage(
                platform=platform,
                conversation=conv,
                sender=sender,
                recipients=tuple(r["id"] for r in recipients or ()),
                labels=frozenset(labels or ()),
            )
        )
    if current:
        yield current
