"""The actor page's data: funnel, counterparts, timeline.

The funnel is `vaktpost.text.funnel.compute_funnels` over every conversation the actor
sent a message in, so it counts exactly what `vaktpost funnel` counts for that actor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, select

from vaktpost.store.review_tables import review_items
from vaktpost.store.tables import actors, findings, messages, platforms
from vaktpost.text.funnel import ASK, CONFIRM, STEPS, Funnel, FunnelMessage, compute_funnels

MAX_CONVERSATIONS = 5_000
TIMELINE = 60


@dataclass
class Counterpart:
    account_id: str
    name: str | None = None
    role: str = "unknown"
    conversations: set = field(default_factory=set)
    sent_to: int = 0
    received_from: int = 0
    asked: bool = False
    confirmed: bool = False
    labels: set = field(default_factory=set)
    last_contact: datetime | None = None

    @property
    def deepest_step(self) -> str:
        if self.confirmed and "PAYMENT_CHANNEL" in self.labels:
            return "payment"
        if self.confirmed and "PRICE_NEGOTIATION" in self.labels:
            return "price"
        if self.confirmed:
            return "confirmed_minor"
        if self.asked:
            return "asked_minor"
        return "contacted" if self.sent_to else "received only"


@dataclass
class ActorProfile:
    key: int
    platform: str
    account_id: str
    name: str | None
    role: str
    funnel: Funnel
    counterparts: list[Counterpart]
    conversations: int
    messages_sent: int
    truncated: bool


def actor_row(conn: Connection, actor_key: int):
    return conn.execute(
        select(
            actors.c.id,
            actors.c.account_id,
            actors.c.name,
            actors.c.role,
            platforms.c.name.label("platform"),
        )
        .join(platforms, platforms.c.id == actors.c.platform_id)
        .where(actors.c.id == actor_key)
    ).first()


def actor_profile(conn: Connection, actor_key: int) -> ActorProfile | None:
    actor = actor_row(conn, actor_key)
    if actor is None:
        return None
    conv_keys = list(
        conn.execute(
            select(messages.c.conversation_id)
            .where(messages.c.sender_id == actor_key)
            .distinct()
            .limit(MAX_CONVERSATIONS + 1)
        ).scalars()
    )
    truncated = len(conv_keys) > MAX_CONVERSATIONS
    conv_keys = conv_keys[:MAX_CONVERSATIONS]
    rows = (
        conn.execute(
            select(
                messages.c.conversation_id,
                messages.c.sent_at,
                messages.c.recipients,
                actors.c.account_id,
                actors.c.name,
                actors.c.role,
                findings.c.labels,
            )
            .join(actors, actors.c.id == messages.c.sender_id)
            .outerjoin(
                findings, (findings.c.message_id == messages.c.id) & (findings.c.kind == "text")
            )
            .where(messages.c.conversation_id.in_(conv_keys))
            .order_by(messages.c.conversation_id, messages.c.sent_at, messages.c.id)
        ).all()
        if conv_keys
        else []
    )
    by_conv: dict[int, list] = defaultdict(list)
    for r in rows:
        by_conv[r.conversation_id].append(r)
    me = actor.account_id
    groups: list[list[FunnelMessage]] = []
    peers: dict[str, Counterpart] = {}
    sent = 0
    for conv, conv_rows in by_conv.items():
        participants = {r.account_id for r in conv_rows}
        for r in conv_rows:
            participants.update(p["id"] for p in r.recipients or ())
        conv_labels: set[str] = set()
        group = []
        for r in conv_rows:
            labels = frozenset(r.labels or ())
            conv_labels |= labels
            recipients = tuple(p["id"] for p in r.recipients or ())
            group.append(FunnelMessage(actor.platform, conv, r.account_id, recipients, labels))
            to = recipients or tuple(p for p in participants if p != r.account_id)
            if r.account_id == me:
                sent += 1
                for b in to:
                    if b == me:
                        continue
                    peer = peers.setdefault(b, Counterpart(b))
                    peer.sent_to += 1
                    peer.conversations.add(conv)
                    peer.asked |= bool(labels & ASK)
                    peer.last_contact = max(filter(None, [peer.last_contact, r.sent_at]))
            elif me in to:
                peer = peers.setdefault(r.account_id, Counterpart(r.account_id))
                peer.name, peer.role = r.name, r.role
                peer.received_from += 1
                peer.conversations.add(conv)
                peer.confirmed |= CONFIRM in labels
                peer.last_contact = max(filter(None, [peer.last_contact, r.sent_at]))
        for peer in peers.values():
            if conv in peer.conversations:
                peer.labels |= conv_labels
        groups.append(group)
    funnel = next(
        (f for f in compute_funnels(groups) if f.actor_id == me),
        Funnel(actor.platform, me),
    )
    for peer in peers.values():
        peer.confirmed = peer.confirmed and peer.asked
    order = {step: i for i, step in enumerate(("received only", *STEPS))}
    ranked = sorted(
        peers.values(), key=lambda p: (-order.get(p.deepest_step, 0), -p.sent_to, p.account_id)
    )
    return ActorProfile(
        actor.id,
        actor.platform,
        me,
        actor.name,
        actor.role,
        funnel,
        ranked,
        len(by_conv),
        sent,
        truncated,
    )


def timeline(conn: Connection, actor_key: int, limit: int = TIMELINE) -> list:
    """The actor's findings, newest message first, with where each stands in review."""
    return conn.execute(
        select(
            findings.c.id,
            findings.c.kind,
            findings.c.labels,
            findings.c.score,
            findings.c.message_id.label("message_key"),
            messages.c.sent_at,
            messages.c.text,
            review_items.c.id.label("item_id"),
            review_items.c.status,
            review_items.c.incident_type,
        )
        .outerjoin(messages, messages.c.id == findings.c.message_id)
        .outerjoin(review_items, review_items.c.finding_id == findings.c.id)
        .where(findings.c.actor_id == actor_key)
        .order_by(messages.c.sent_at.desc(), findings.c.id.desc())
        .limit(limit)
    ).all()
