"""Domain records shared by every part of vaktpost.

Records are plain frozen dataclasses: the scan core takes and returns them without
knowing about databases, HTTP or engines. Field names follow the canonical chat export
(`shared/spec/chat-export.md`) and the taxonomy (`shared/spec/taxonomy.md`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Role(str, enum.Enum):
    CUSTOMER = "customer"
    PERFORMER = "performer"
    FACILITATOR = "facilitator"
    UNKNOWN = "unknown"


class Label(str, enum.Enum):
    """What a message does (taxonomy v1). `NONE` is never stored."""

    AGE_PROBE = "AGE_PROBE"
    MINOR_REQUEST = "MINOR_REQUEST"
    MINOR_CONFIRMED = "MINOR_CONFIRMED"
    SELF_DISCLOSED_MINOR = "SELF_DISCLOSED_MINOR"
    PRICE_NEGOTIATION = "PRICE_NEGOTIATION"
    PAYMENT_CHANNEL = "PAYMENT_CHANNEL"
    OFF_PLATFORM_MOVE = "OFF_PLATFORM_MOVE"
    CONTENT_REQUEST = "CONTENT_REQUEST"
    TRUST_GIFTS = "TRUST_GIFTS"
    SECRECY = "SECRECY"
    TRAVEL_MEETING = "TRAVEL_MEETING"
    COERCION_SEXTORTION = "COERCION_SEXTORTION"
    EVASION_CODEWORD = "EVASION_CODEWORD"
    NONE = "NONE"


MINOR_LABELS = frozenset(
    {Label.MINOR_REQUEST, Label.MINOR_CONFIRMED, Label.SELF_DISCLOSED_MINOR, Label.CONTENT_REQUEST}
)


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    role: Role = Role.UNKNOWN
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    path: str | None = None
    sha256: str | None = None
    md5: str | None = None
    mime: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message as every reader produces it."""

    platform: str
    conversation_id: str
    message_id: str
    sent_at: datetime
    sender: Participant
    text: str = ""
    recipients: tuple[Participant, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    ip: str | None = None
    country: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class Actor:
    platform: str
    account_id: str
    name: str | None = None
    role: Role = Role.UNKNOWN


@dataclass(frozen=True, slots=True)
class Conversation:
    platform: str
    conversation_id: str
    participants: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MediaItem:
    """A picture, a video or one frame of a stream, identified by its original bytes."""

    path: str | None
    sha256: str
    md5: str
    mime: str | None = None
    frame_ts: float | None = None
    pdq: str | None = None
    pdq_quality: int | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """One label on one message, with the span of the text as written that triggered it."""

    label: Label
    start: int
    end: int
    rule: str
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class Finding:
    """Everything the scan core concluded about one message."""

    platform: str
    message_id: str
    conversation_id: str
    actor_id: str
    signals: tuple[Signal, ...]
    score: float

    @property
    def labels(self) -> tuple[Label, ...]:
        seen: dict[Label, None] = {}
        for s in self.signals:
            seen.setdefault(s.label, None)
        return tuple(seen)


class CaseStatus(str, enum.Enum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    REPORTED = "reported"
    REFERRED = "referred"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Case:
    id: int | None
    title: str
    status: CaseStatus = CaseStatus.OPEN
    actor_keys: tuple[tuple[str, str], ...] = ()
    assigned_to: str | None = None
