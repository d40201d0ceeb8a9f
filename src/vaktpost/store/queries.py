"""Read-only views for the CLI and the API: findings with their evidence, funnels."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from sqlalchemy import Connection, select

from vaktpost.store.conversations import iter_funnel_messages
from vaktpost.store.tables import actors, conversations, findings, messages, platforms, signals
from vaktpost.text.funnel import Funnel, compute_funnels

PAGE = 5_000


def iter_text_findings(conn: Connection, min_score: float = 0.0) -> Iterator[dict]:
    """One object per labelled message, as `vaktpost findings --format jsonl` prints it."""
    query = (
        select(
            findings.c.id,
            findings.c.message_id.label("message_key"),
            messages.c.message_id,
            conversations.c.conversation_id,
            actors.c.account_id,
            platforms.c.name,
            findings.c.labels,
            findings.c.score,
        )
        .join(messages, messages.c.id == findings.c.message_id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .join(actors, actors.c.id == messages.c.sender_id)
        .join(platforms, platforms.c.id == messages.c.platform_id)
        .where(findings.c.kind == "text", findings.c.score >= min_score)
        .order_by(findings.c.id)
    )
    last = 0
    while True:
        page = conn.execute(query.where(findings.c.id > last).limit(PAGE)).all()
        if not page:
            return
        evidence: dict[int, list[dict]] = defaultdict(list)
        spans = conn.execute(
            select(signals.c.message_id, signals.c.start, signals.c.end, signals.c.rule, signals.c.label)
            .where(signals.c.message_id.in_([r.message_key for r in page]))
            .order_by(signals.c.message_id, signals.c.start)
        )
        for key, start, end, rule, label in spans:
            evidence[key].append({"start": start, "end": end, "rule": rule, "label": label})
        for r in page:
            yield {
                "message_id": r.message_id,
                "conversation_id": r.conversation_id,
                "actor_id": r.account_id,
                "platform": r.name,
                "labels": r.labels,
                "score": round(r.score, 4),
                "evidence": evidence.get(r.message_key, []),
            }
        last = page[-1].id


def funnels(conn: Connection) -> list[Funnel]:
    return compute_funnels(iter_funnel_messages(conn))
