"""What a reviewer sees of a finding: the message, the conversation around it with the
evidence spans marked, the labels and rule names, and (for media) where the file is.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from sqlalchemy import Connection, and_, or_, select

from vaktpost.store.review_tables import review_items
from vaktpost.store.tables import actors, conversations, findings, messages, platforms, signals

CONTEXT = 8


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    rule: str


@dataclass(frozen=True)
class Segment:
    """A run of text covered by the same set of evidence spans (none for plain text)."""

    text: str
    labels: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()


def segments(text: str, spans: Iterable[Span]) -> list[Segment]:
    """Cut `text` where any span starts or ends; spans may overlap or fall outside the text.

    `start`/`end` are offsets into the text as written (Python string indices).
    """
    clean = [
        Span(max(0, s.start), min(len(text), s.end), s.label, s.rule)
        for s in spans
        if s.end > s.start and s.start < len(text) and s.end > 0
    ]
    cuts = sorted({0, len(text), *(s.start for s in clean), *(s.end for s in clean)})
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:]):
        cover = [s for s in clean if s.start <= a and s.end >= b]
        labels = tuple(dict.fromkeys(s.label for s in cover))
        rules = tuple(dict.fromkeys(s.rule for s in cover))
        if out and out[-1].labels == labels and out[-1].rules == rules:
            out[-1] = Segment(out[-1].text + text[a:b], labels, rules)
        else:
            out.append(Segment(text[a:b], labels, rules))
    return out


def translation_hints(text: str) -> list[tuple[str, str]]:
    """Glosses for non-English terms, when the conversation lexicons provide them.

    The lexicon work exposes `vaktpost.text.translation_hints(text)`; until it lands this
    returns nothing and the page says so.
    """
    hook = getattr(importlib.import_module("vaktpost.text"), "translation_hints", None)
    return list(hook(text)) if callable(hook) else []


def hints_available() -> bool:
    return callable(getattr(importlib.import_module("vaktpost.text"), "translation_hints", None))


@dataclass
class ShownMessage:
    key: int
    message_id: str
    sent_at: object
    sender_key: int
    sender: str
    sender_name: str | None
    text: str
    segments: list[Segment] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    is_focus: bool = False
    hints: list[tuple[str, str]] = field(default_factory=list)


def finding_summary(conn: Connection, finding_id: int):
    """The finding with its message, conversation, actor and review item, or None."""
    return conn.execute(
        select(
            findings.c.id,
            findings.c.kind,
            findings.c.labels,
            findings.c.score,
            findings.c.detail,
            findings.c.created_at,
            findings.c.message_id.label("message_key"),
            findings.c.actor_id.label("actor_key"),
            messages.c.message_id,
            messages.c.sent_at,
            messages.c.conversation_id.label("conversation_key"),
            conversations.c.conversation_id,
            actors.c.account_id,
            actors.c.name.label("actor_name"),
            actors.c.role.label("actor_role"),
            platforms.c.name.label("platform"),
            review_items.c.id.label("item_id"),
            review_items.c.status.label("item_status"),
            review_items.c.stage.label("item_stage"),
        )
        .select_from(findings)
        .outerjoin(messages, messages.c.id == findings.c.message_id)
        .outerjoin(conversations, conversations.c.id == messages.c.conversation_id)
        .outerjoin(actors, actors.c.id == findings.c.actor_id)
        .outerjoin(platforms, platforms.c.id == actors.c.platform_id)
        .outerjoin(review_items, review_items.c.finding_id == findings.c.id)
        .where(findings.c.id == finding_id)
    ).first()


def _message_query():
    return select(
        messages.c.id,
        messages.c.message_id,
        messages.c.sent_at,
        messages.c.text,
        messages.c.sender_id,
        actors.c.account_id,
        actors.c.name,
    ).join(actors, actors.c.id == messages.c.sender_id)


def conversation_window(
    conn: Connection, conversation_key: int, focus_key: int, context: int = CONTEXT
) -> list[ShownMessage]:
    """The focus message and up to `context` messages either side, with evidence marked."""
    pivot = conn.execute(
        select(messages.c.sent_at, messages.c.id).where(messages.c.id == focus_key)
    ).first()
    if pivot is None:
        return []
    in_conv = messages.c.conversation_id == conversation_key
    before_cond = or_(
        messages.c.sent_at < pivot.sent_at,
        and_(messages.c.sent_at == pivot.sent_at, messages.c.id < pivot.id),
    )
    after_cond = or_(
        messages.c.sent_at > pivot.sent_at,
        and_(messages.c.sent_at == pivot.sent_at, messages.c.id >= pivot.id),
    )
    before = conn.execute(
        _message_query()
        .where(in_conv, before_cond)
        .order_by(messages.c.sent_at.desc(), messages.c.id.desc())
        .limit(context)
    ).all()
    after = conn.execute(
        _message_query()
        .where(in_conv, after_cond)
        .order_by(messages.c.sent_at, messages.c.id)
        .limit(context + 1)
    ).all()
    return _with_evidence(conn, [*reversed(before), *after], focus_key)


def _with_evidence(conn: Connection, rows: Sequence, focus_key: int | None) -> list[ShownMessage]:
    keys = [r.id for r in rows]
    spans: dict[int, list[Span]] = {}
    if keys:
        for key, start, end, label, rule in conn.execute(
            select(
                signals.c.message_id,
                signals.c.start,
                signals.c.end,
                signals.c.label,
                signals.c.rule,
            )
            .where(signals.c.message_id.in_(keys))
            .order_by(signals.c.message_id, signals.c.start)
        ):
            spans.setdefault(key, []).append(Span(start, end, label, rule))
    hinting = hints_available()
    shown = []
    for r in rows:
        own = spans.get(r.id, [])
        shown.append(
            ShownMessage(
                key=r.id,
                message_id=r.message_id,
                sent_at=r.sent_at,
                sender_key=r.sender_id,
                sender=r.account_id,
                sender_name=r.name,
                text=r.text,
                segments=segments(r.text, own),
                labels=list(dict.fromkeys(s.label for s in own)),
                rules=list(dict.fromkeys(s.rule for s in own)),
                is_focus=r.id == focus_key,
                hints=translation_hints(r.text) if hinting else [],
            )
        )
    return shown


def messages_by_key(conn: Connection, keys: Sequence[int]) -> list[ShownMessage]:
    rows = conn.execute(
        _message_query().where(messages.c.id.in_(list(keys))).order_by(messages.c.sent_at.desc())
    ).all()
    return _with_evidence(conn, rows, None)
