"""Reading conversations back as domain records, and storing what the scan core found.

The analysis stage works on whole conversations (dialogue rules need them), so after an
import it reloads every conversation the import touched — old messages included — and
replaces that conversation's text findings. Replacing, not appending, keeps re-scans
idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Iterator, Sequence

import orjson
from sqlalchemy import Connection, delete, insert, select

from vaktpost.model import Attachment, Finding, Message, Participant, Role
from vaktpost.store.tables import actors, conversations, findings, messages, platforms, signals
from vaktpost.text.funnel import FunnelMessage

CONVERSATIONS_PER_QUERY = 500
_ROLES = {r.value: r for r in Role}


def as_utc(value: datetime) -> datetime:
    """SQLite hands times back without a zone; everything is stored in UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


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


def _json(value):
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


def _time(value) -> datetime:
    if isinstance(value, str):  # SQLite: UTC in SQLAlchemy's storage format
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    return as_utc(value)


def iter_conversations(conn: Connection, conversation_keys: Iterable[int]) -> Iterator[list[StoredMessage]]:
    """Each conversation's messages in the order they were sent, a conversation at a time.

    This is the analysis stage's hot read, so it goes to the driver with plain tuples
    (the keys are integers, inlined) instead of through SQLAlchemy's row processing.
    """
    keys = sorted(int(k) for k in conversation_keys)
    roles = _ROLES
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
            recipients = _json(recipients)
            attachments = _json(attachments)
            message = Message(
                platform,
                conv_name,
                message_id,
                _time(sent_at),
                Participant(account_id, roles.get(role, Role.UNKNOWN), name),
                text,
                tuple(Participant(r["id"], roles.get(r.get("role"), Role.UNKNOWN)) for r in recipients) if recipients else (),
                tuple(Attachment(**a) for a in attachments) if attachments else (),
                ip,
                country,
                _json(meta) or {},
            )
            current.append(StoredMessage(key, sender_key, message))
        if current:
            yield current


def all_conversation_keys(conn: Connection) -> list[int]:
    return list(conn.execute(select(conversations.c.id)).scalars())


def replace_text_findings(
    conn: Connection,
    conversation_keys: Sequence[int],
    stored: Sequence[StoredMessage],
    found: Iterable[Finding],
) -> int:
    """Swap the text findings and signals of these conversations for `found`; returns count."""
    by_id = {(s.message.platform, s.message.message_id): s for s in stored}
    message_keys = select(messages.c.id).where(messages.c.conversation_id.in_(conversation_keys))
    conn.execute(delete(signals).where(signals.c.message_id.in_(message_keys)))
    conn.execute(delete(findings).where(findings.c.kind == "text", findings.c.message_id.in_(message_keys)))
    now = datetime.now(timezone.utc)
    finding_rows, signal_rows = [], []
    for f in found:
        s = by_id[(f.platform, f.message_id)]
        finding_rows.append(
            {
                "kind": "text",
                "message_id": s.key,
                "actor_id": s.sender_key,
                "labels": [label.value for label in f.labels],
                "score": f.score,
                "detail": None,
                "created_at": now,
            }
        )
        signal_rows.extend(
            {"message_id": s.key, "label": g.label.value, "start": g.start, "end": g.end, "rule": g.rule, "score": g.score}
            for g in f.signals
        )
    if finding_rows:
        conn.execute(insert(findings), finding_rows)
    if signal_rows:
        conn.execute(insert(signals), signal_rows)
    return len(finding_rows)


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
