"""From a decoded canonical record (a dict) to a Message, with errors that name the key.

Every reader ends here, so the rules of spec/chat-export.md live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from vaktpost.errors import UserError
from vaktpost.ingest.wire import WireRow
from vaktpost.model import Attachment, Message, Participant, Role

KNOWN_KEYS = frozenset(
    {
        "platform",
        "conversation_id",
        "message_id",
        "sent_at",
        "sender",
        "recipients",
        "text",
        "attachments",
        "ip",
        "country",
        "meta",
    }
)
_ROLES = {r.value: r for r in Role}


class RecordError(ValueError):
    """A record that breaks the format; `key` names the offending key where there is one."""

    def __init__(self, why: str, key: str | None = None):
        self.key = key
        super().__init__(f"{key}: {why}" if key else why)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A line that could not be read, kept so --skip-invalid can write it out."""

    line: int
    raw: bytes
    error: str
    key: str | None = None


def parse_zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"unknown time zone {name!r} (use an IANA name like Europe/Oslo)") from None


def _text(record: dict, key: str, required: bool = True) -> str | None:
    value = record.get(key)
    if type(value) is str and value:
        return value
    if value is None or value == "":
        if required:
            raise RecordError("required key is missing or empty", key)
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise RecordError(f"must be a string, not {type(value).__name__}", key)


def parse_time(value: Any, key: str, zone: tzinfo | None) -> datetime:
    if not isinstance(value, str) or not value:
        raise RecordError("required key is missing or empty", key)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"not an ISO 8601 time: {value!r}", key) from None
    if when.tzinfo is None:
        if zone is None:
            raise RecordError(
                f"time {value!r} has no zone (add one, or import with --timezone)", key
            )
        when = when.replace(tzinfo=zone)
    return when


def _participant_parts(value: Any, key: str) -> tuple[str, Role, str | None]:
    if type(value) is not dict:
        raise RecordError("must be an object with an id", key)
    pid = value.get("id")
    if type(pid) is not str or not pid:
        pid = _text(value, "id", required=False)
        if pid is None:
            raise RecordError("required key is missing or empty", f"{key}.id")
    role = _ROLES.get(value.get("role") or "unknown")
    if role is None:
        raise RecordError(f"unknown role {value.get('role')!r} (one of {', '.join(_ROLES)})", f"{key}.role")
    name = value.get("name")
    return pid, role, name if type(name) is str else None


def _participant(value: Any, key: str) -> Participant:
    return Participant(*_participant_parts(value, key))


def _attachment_parts(value: Any) -> tuple[tuple, ...]:
    """(path, sha256, md5, mime) of each attachment, as given."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordError("must be a list", "attachments")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise RecordError("must be an object", f"attachments[{i}]")
        out.append((item.get("path"), item.get("sha256"), item.get("md5"), item.get("mime")))
    return tuple(out)


def _attachments(value: Any) -> tuple[Attachment, ...]:
    return tuple(Attachment(*a) for a in _attachment_parts(value))


def _record_parts(record: Any, zone: tzinfo | None) -> tuple:
    """Every check of the format, in one order (the first broken rule is the one reported),
    and the record's values: what a Message and a wire row are both built from."""
    if not isinstance(record, dict):
        raise RecordError(f"a line must hold a JSON object, not {type(record).__name__}")
    sender = record.get("sender")
    if sender is None:
        raise RecordError("required key is missing or empty", "sender.id")
    recipients = record.get("recipients") or ()
    if not isinstance(recipients, (list, tuple)):
        raise RecordError("must be a list", "recipients")
    text = record.get("text")
    if text is None:
        text = ""
    elif not isinstance(text, str):
        raise RecordError(f"must be a string, not {type(text).__name__}", "text")
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise RecordError("must be an object", "meta")
    if not KNOWN_KEYS.issuperset(record):
        meta = {**meta, **{k: v for k, v in record.items() if k not in KNOWN_KEYS}}
    return (
        _text(record, "platform"),
        _text(record, "conversation_id"),
        _text(record, "message_id"),
        parse_time(record.get("sent_at"), "sent_at", zone),
        _participant_parts(sender, "sender"),
        text,
        tuple(_participant_parts(r, f"recipients[{i}]") for i, r in enumerate(recipients)),
        _attachment_parts(record.get("attachments")),
        _text(record, "ip", required=False),
        _text(record, "country", required=False),
        meta,
    )


def message_from_record(record: Any, zone: tzinfo | None = None) -> Message:
    """Validate one canonical record; unknown keys are kept in `meta`, never rejected."""
    platform, conv, message_id, sent_at, sender, text, recipients, attachments, ip, country, meta = _record_parts(record, zone)
    return Message(
        platform=platform,
        conversation_id=conv,
        message_id=message_id,
        sent_at=sent_at,
        sender=Participant(*sender),
        text=text,
        recipients=tuple(Participant(*r) for r in recipients),
        attachments=tuple(Attachment(*a) for a in attachments),
        ip=ip,
        country=country,
        meta=meta,
    )


_UTC = UTC
_dumps = orjson.dumps
_ATTACHMENT_FIELDS = ("path", "sha256", "md5", "mime")


def wire_row_from_record(record: Any, zone: tzinfo | None = None) -> WireRow:
    """`wire_row(message_from_record(record, zone))` without the Message in between — the
    JSONL reader process's per-line work, a third of it building frozen records only to
    take them apart again (tests/ingest pins the two equal, errors included). A plain line
    takes `_plain_wire_row`; anything unusual (and every error) the full checks."""
    row = _plain_wire_row(record, zone)
    if row is not None:
        return row
    platform, conv, message_id, sent_at, sender, text, recipients, attachments, ip, country, meta = _record_parts(record, zone)
    return WireRow(
        platform,
        conv,
        message_id,
        sender[0],
        sender[2],
        sender[1].value,
        tuple((r[0], r[2], r[1].value) for r in recipients),
        sent_at.astimezone(_UTC).replace(tzinfo=None).isoformat(" ", "microseconds"),
        text,
        _dumps([{"id": r[0], "role": r[1].value} for r in recipients]).decode() if recipients else None,
        _dumps([{k: v for k, v in zip(_ATTACHMENT_FIELDS, a) if v} for a in attachments]).decode() if attachments else None,
        ip,
        country,
        _dumps(meta).decode() if meta else None,
    )


_ROLE_VALUES = {r.value: r.value for r in Role}
_fromisoformat = datetime.fromisoformat
# Values that repeat from line to line (platform, conversation, sender, recipients), each kept
# as one object while it recurs: the reader process pickles a batch with each such value once
# (later rows refer back to it), and the importer hashes each once for its key look-ups.
_SHARED: dict = {}
_RECIPIENTS: dict[tuple, tuple[tuple, str]] = {}  # (id, name, role) per recipient → (that tuple, its JSON)
SHARED_LIMIT = 100_000


def _plain_party(p: dict) -> tuple[str, str | None, str] | None:
    """(id, name or None, role value) of a sender or recipient that breaks no rule; None
    for any other (the full checks then name its error)."""
    pid, role, name = p.get("id"), p.get("role"), p.get("name")
    if type(pid) is not str or not pid or not (role is None or type(role) is str):
        return None
    role = _ROLE_VALUES.get(role or "unknown")
    if role is None:
        return None
    return pid, name if type(name) is str else None, role


def _plain_wire_row(record: Any, zone: tzinfo | None) -> WireRow | None:
    """The wire row of a line that breaks no rule and has no attachments, meta or extra keys
    (nearly every line of a chat export), built without the general checks; None for any
    other line (the full checks then build it or name its error). Same values either way."""
    if type(record) is not dict or not KNOWN_KEYS.issuperset(record):
        return None
    get = record.get
    platform, conv, message_id, sent_at = get("platform"), get("conversation_id"), get("message_id"), get("sent_at")
    if not (type(platform) is str and platform and type(conv) is str and conv and type(message_id) is str and message_id
            and type(sent_at) is str):
        return None
    sender, recipients, text = get("sender"), get("recipients"), get("text")
    if type(sender) is not dict or get("meta") or get("attachments") not in (None, []):
        return None
    if text is None:
        text = ""
    elif type(text) is not str:
        return None
    ip, country = get("ip"), get("country")
    if not ((ip is None or type(ip) is str) and (country is None or type(country) is str)):
        return None
    party = _plain_party(sender)
    if party is None:
        return None
    sender_id, name, role = party
    if recipients:
        if type(recipients) is not list:
            return None
        parts = []
        for r in recipients:
            party = _plain_party(r) if type(r) is dict else None
            if party is None:
                return None
            parts.append(party)
        key = tuple(parts)
        known = _RECIPIENTS.get(key)
        if known is None:
            known = _RECIPIENTS[key] = (key, _dumps([{"id": r[0], "role": r[2]} for r in key]).decode())
        recipients, recipients_json = known
    else:
        recipients, recipients_json = (), None
    try:
        when = _fromisoformat(sent_at)
    except ValueError:
        return None
    if when.tzinfo is None:
        if zone is None:
            return None
        when = when.replace(tzinfo=zone)
    if len(sent_at) == 20 and sent_at[19] == "Z" and sent_at[4] == "-" and sent_at[7] == "-" and sent_at[13] == ":" and sent_at[16] == ":":
        sent_at = f"{sent_at[:10]} {sent_at[11:19]}.000000"  # YYYY-MM-DDTHH:MM:SSZ, already UTC
    else:
        sent_at = when.astimezone(_UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    shared = _SHARED
    if len(shared) > SHARED_LIMIT:
        shared.clear()
        _RECIPIENTS.clear()
    share = shared.setdefault
    return WireRow(
        share(platform, platform),
        share(conv, conv),
        message_id,
        share(sender_id, sender_id),
        name if name is None else share(name, name),
        role,
        recipients,
        sent_at,
        text,
        recipients_json,
        None,
        ip or None,
        country and share(country, country) or None,
        None,
    )
