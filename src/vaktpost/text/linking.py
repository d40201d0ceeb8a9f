"""Linking accounts that share an identifier, on one platform or across platforms.

An identifier is a phone number, an e-mail address, a payment handle, an off-platform
handle written in a message, or an IP address seen within the same clock hour. Two
accounts that used the same identifier are linked, and every link carries the messages
that show it, so an investigator can check it. Identifiers are canonicalised first (phone
numbers to their digits with the Philippine and Norwegian trunk prefixes folded, handles
and e-mails lower-cased) so "+63 917 555 0101" and "09175550101" meet.
Pure: takes small per-message records, whatever store they came from.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator

from vaktpost.text.normalise import CHAR_TABLE

PHONE_RE = re.compile(r"(?<![\w@])\+?\d[\d ().-]{7,}\d(?!\w)")
EMAIL_RE = re.compile(r"\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b")
APP_HANDLE_RE = re.compile(
    r"\b(telegram|tg|kik|snap|snapchat|skype|wickr|signal|session|viber|whatsapp|wa|line|wechat|discord|instagram|ig)"
    r"\s*(?:id|name|handle|user|username)?\s*[:=\-]?\s*(?:is\s+)?@?([a-z0-9_.]{3,32})\b"
)
PAYMENT_HANDLE_RE = re.compile(
    r"\b(paypal\.me/|paypal\s*[:=]?\s*|cash\s*app\s*[:=]?\s*\$|\$|revolut\.me/|wise\s*[:=]?\s*@?)([a-z][a-z0-9_.-]{2,31})\b"
)
AT_HANDLE_RE = re.compile(r"(?:^|\s)@([a-z0-9_.]{3,32})\b")
_STOP_HANDLES = {"the", "you", "and", "me", "my", "number", "account", "name", "here", "there", "now", "only"}


@dataclass(frozen=True, slots=True)
class LinkMessage:
    platform: str
    actor_id: str
    message_id: str
    text: str
    sent_at: datetime | None = None
    ip: str | None = None


@dataclass
class Link:
    a: tuple[str, str]  # (platform, actor_id)
    b: tuple[str, str]
    evidence: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))

    def as_json(self) -> dict:
        return {
            "platform_a": self.a[0],
            "actor_a": self.a[1],
            "platform_b": self.b[0],
            "actor_b": self.b[1],
            "evidence": [
                {"kind": kind, "value": value, "message_ids": sorted(ids)}
                for (kind, value), ids in sorted(self.evidence.items())
            ],
        }


def canonical_phone(raw: str) -> str | None:
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 9 or len(digits) > 15:
        return None
    if digits.startswith("0") and len(digits) == 11:  # PH mobile 09xx → 63 9xx
        digits = "63" + digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif len(digits) == 8:  # nb without country code
        digits = "47" + digits
    return "+" + digits


def identifiers(text: str) -> Iterator[tuple[str, str]]:
    """(kind, canonical value) for every identifier written in `text`."""
    t = text.lower() if text.isascii() else text.translate(CHAR_TABLE)
    for m in EMAIL_RE.finditer(t):
        yield "email", m.group()
    no_mail = EMAIL_RE.sub(" ", t)
    for m in PHONE_RE.finditer(no_mail):
        if not re.fullmatch(r"[\d.]+", m.group()) or len(re.sub(r"\D", "", m.group())) >= 10:
            phone = canonical_phone(m.group())
            if phone:
                yield "phone", phone
    seen = set()
    for m in APP_HANDLE_RE.finditer(no_mail):
        handle = m.group(2).strip(".")
        if handle not in _STOP_HANDLES and not handle.isdigit():
            seen.add(handle)
            yield "handle", handle
    for m in PAYMENT_HANDLE_RE.finditer(no_mail):
        yield "payment_handle", m.group(2).strip(".")
    for m in AT_HANDLE_RE.finditer(no_mail):
        handle = m.group(1).strip(".")
        if handle not in seen and handle not in _STOP_HANDLES:
            yield "handle", handle


def find_links(messages: Iterable[LinkMessage], min_shared: int = 1) -> list[Link]:
    """Links between accounts that share at least `min_shared` identifiers, with evidence."""
    users: dict[tuple[str, str], dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for m in messages:
        actor = (m.platform, m.actor_id)
        if m.text:
            for ident in identifiers(m.text):
                users[ident][actor].add(m.message_id)
        if m.ip and m.sent_at is not None:
            hour = m.sent_at.strftime("%Y-%m-%dT%H")
            users[("ip_hour", f"{m.ip}@{hour}")][actor].add(m.message_id)
    links: dict[tuple, Link] = {}
    for ident, actors in users.items():
        if len(actors) < 2 or len(actors) > 50:  # an identifier everyone shares (a public relay) links nothing
            continue
        ordered = sorted(actors)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                link = links.setdefault((a, b), Link(a, b))
                link.evidence[ident] |= actors[a] | actors[b]
    return [lk for lk in links.values() if len(lk.evidence) >= min_shared]


def clusters(links: Iterable[Link]) -> list[list[tuple[str, str]]]:
    """Connected groups of linked accounts (union-find), largest first."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for lk in links:
        parent[find(lk.a)] = find(lk.b)
    groups: dict = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g))
