"""The per-actor funnel of spec/taxonomy.md, and a risk score from it.

Counted over distinct counterparts: for actor A and counterpart B, every step after
`contacted` must happen in one conversation between them — a confirmation that B gave in
another conversation does not count for a request A made here.
Pure: works on small per-message records, whatever store they came from.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Hashable, Iterable, Sequence

from vaktpost.model import Label

ASK = frozenset({Label.MINOR_REQUEST.value, Label.CONTENT_REQUEST.value})
CONFIRM = Label.MINOR_CONFIRMED.value
MINOR = frozenset(
    {Label.MINOR_REQUEST.value, Label.MINOR_CONFIRMED.value, Label.SELF_DISCLOSED_MINOR.value, Label.CONTENT_REQUEST.value}
)
STEPS = ("contacted", "asked_minor", "confirmed_minor", "price", "payment", "off_platform", "travel")


@dataclass(frozen=True, slots=True)
class FunnelMessage:
    """What the funnel needs of one message: who to whom, in which conversation, what it did."""

    platform: str
    conversation: Hashable
    sender: str
    recipients: tuple[str, ...]
    labels: frozenset[str]


@dataclass
class Funnel:
    platform: str
    actor_id: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEPS, 0))
    offered_minor: int = 0
    risk: float = 0.0

    def as_json(self) -> dict:
        return {
            "actor_id": self.actor_id,
            "platform": self.platform,
            **self.counts,
            "offered_minor": self.offered_minor,
            "risk": round(self.risk, 4),
        }


@lru_cache(maxsize=1)
def risk_weights() -> dict[str, float]:
    return json.loads(resources.files("vaktpost.text").joinpath("risk_weights.json").read_text())


def actor_risk(counts: dict[str, int], offered_minor: int) -> float:
    """1 − exp(−Σ wᵢ·min(countᵢ, cap)): monotone in every step, in [0, 1), saturating."""
    w = risk_weights()
    cap = w.get("cap", 10)
    z = sum(w.get(step, 0.0) * min(counts.get(step, 0), cap) for step in STEPS)
    z += w.get("offered_minor", 0.0) * min(offered_minor, cap)
    return 1.0 - math.exp(-z)


def _conversation_funnel(messages: Sequence[FunnelMessage], acc: dict) -> None:
    participants = {m.sender for m in messages}
    for m in messages:
        participants.update(m.recipients)
    labels_here: set[str] = set()
    asked: set[tuple[str, str]] = set()  # (A, B): A asked B for a minor here
    confirmed: set[tuple[str, str]] = set()  # (B, A): B confirmed a minor to A here
    pairs: set[tuple[str, str]] = set()  # (A, B) that exchanged messages here, both ways
    platform = messages[0].platform
    for m in messages:
        labels_here |= m.labels
        recipients = m.recipients or tuple(p for p in participants if p != m.sender)
        for r in recipients:
            if r == m.sender:
                continue
            acc[(platform, m.sender)]["contacted"].add(r)
            acc.setdefault((platform, r), _empty())
            pairs.add((m.sender, r))
            pairs.add((r, m.sender))
            if m.labels & ASK:
                asked.add((m.sender, r))
            if CONFIRM in m.labels:
                confirmed.add((m.sender, r))
    has_minor = bool(labels_here & MINOR)
    for a, b in asked:
        acc[(platform, a)]["asked_minor"].add(b)
        if (b, a) in confirmed:
            acc[(platform, a)]["confirmed_minor"].add(b)
            if Label.PRICE_NEGOTIATION.value in labels_here:
                acc[(platform, a)]["price"].add(b)
            if Label.PAYMENT_CHANNEL.value in labels_here:
                acc[(platform, a)]["payment"].add(b)
    for b, a in confirmed:
        acc[(platform, b)]["offered_minor"].add(a)
    if has_minor:
        for a, b in pairs:
            if Label.OFF_PLATFORM_MOVE.value in labels_here:
                acc[(platform, a)]["off_platform"].add(b)
            if Label.TRAVEL_MEETING.value in labels_here:
                acc[(platform, a)]["travel"].add(b)


def _empty() -> dict[str, set]:
    return {step: set() for step in (*STEPS, "offered_minor")}


def compute_funnels(conversations: Iterable[Sequence[FunnelMessage]]) -> list[Funnel]:
    """One funnel per actor that sent a message, from messages grouped by conversation."""
    acc: dict[tuple[str, str], dict[str, set]] = defaultdict(_empty)
    senders: set[tuple[str, str]] = set()
    for messages in conversations:
        if not messages:
            continue
        senders.update((m.platform, m.sender) for m in messages)
        _conversation_funnel(messages, acc)
    out = []
    for platform, actor in sorted(senders):
        sets = acc[(platform, actor)]
        f = Funnel(platform, actor, {step: len(sets[step]) for step in STEPS}, len(sets["offered_minor"]))
        f.risk = actor_risk(f.counts, f.offered_minor)
        out.append(f)
    return out


def group_by_conversation(messages: Iterable[FunnelMessage]) -> list[list[FunnelMessage]]:
    groups: dict[tuple[str, Hashable], list[FunnelMessage]] = defaultdict(list)
    for m in messages:
        groups[(m.platform, m.conversation)].append(m)
    return list(groups.values())


def conversation_risk(labels: Iterable[str]) -> float:
    """Risk of one conversation in [0, 1) from the set of labels found in it.

    Minor labels weigh most; commerce (price, payment) adds a bonus only beside a minor
    label, so adult shows with prices and payment routes stay near zero.
    """
    w = risk_weights()["conversation"]
    present = set(labels)
    z = sum(w.get(label, 0.0) for label in present)
    if present & MINOR and present & {Label.PRICE_NEGOTIATION.value, Label.PAYMENT_CHANNEL.value}:
        z += w.get("minor_with_commerce", 0.0)
    return 1.0 - math.exp(-z)


def conversation_risks(conversations: Iterable[Sequence[FunnelMessage]]) -> dict[tuple[str, Hashable], float]:
    """(platform, conversation) → risk, for every conversation given."""
    out = {}
    for messages in conversations:
        if messages:
            labels = set().union(*(m.labels for m in messages))
            out[(messages[0].platform, messages[0].conversation)] = conversation_risk(labels)
    return out
