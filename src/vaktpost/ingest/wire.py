"""A message as the importer writes it: a flat tuple of plain values, no surrogate keys yet.

Turning a Message into this row is pure and is the bulk of the per-message work, so it can run
beside the reader in another process; tuples of strings cross a process boundary cheaply.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from typing import NamedTuple
from zlib import crc32

import orjson

from vaktpost.model import Message, Role

_ROLE = {r: r.value for r in Role}
_ROLE_OF = {r.value: r for r in Role}
_UTC = UTC
_dumps = orjson.dumps
_ATTACHMENT_FIELDS = ("path", "sha256", "md5", "mime")


class WireRow(NamedTuple):
    platform: str
    conversation_id: str
    message_id: str
    sender_id: str
    sender_name: str | None
    sender_role: str
    recipients: tuple[tuple[str, str | None, str], ...]  # (id, name, role)
    sent_at: str  # UTC, "YYYY-MM-DD HH:MM:SS.ffffff"
    text: str
    recipients_json: str | None
    attachments_json: str | None
    ip: str | None
    country: str | None
    meta_json: str | None


def wire_row(m: Message) -> WireRow:
    recipients = m.recipients
    attachments = m.attachments
    return WireRow(
        m.platform,
        m.conversation_id,
        m.message_id,
        m.sender.id,
        m.sender.name,
        _ROLE[m.sender.role],
        tuple((r.id, r.name, _ROLE[r.role]) for r in recipients),
        m.sent_at.astimezone(_UTC).replace(tzinfo=None).isoformat(" ", "microseconds"),
        m.text,
        _dumps([{"id": r.id, "role": _ROLE[r.role]} for r in recipients]).decode() if recipients else None,
        _dumps([{k: getattr(a, k) for k in _ATTACHMENT_FIELDS if getattr(a, k)} for a in attachments]).decode()
        if attachments
        else None,
        m.ip,
        m.country,
        _dumps(m.meta).decode() if m.meta else None,
    )


def text_and_role(rows, reader_share: bool | None = None) -> Iterator[tuple[str, Role]]:
    """(text, sender role) of each wire row: what the text stage's facts are a function of.
    With `reader_share` True (False), only the texts whose facts the reader process (the
    importing process) works out when both do (`in_reader_share`)."""
    get = _ROLE_OF.get
    if reader_share is not None and READER_SHARE in (0, 256):
        if reader_share is not (READER_SHARE == 256):
            return  # one process works out every text: no hash to compute
        reader_share = None
    for w in rows:
        if reader_share is None or in_reader_share(w.text) is reader_share:
            yield w.text, get(w.sender_role, Role.UNKNOWN)


# Of 256: the reader process's share of the text facts. All of them since the importing
# process also works out the findings during the import (engines/local.HeldMessages) and
# starts ~0.5 s later (cli/early.py): 100k generated messages, importer ~3.9 CPU s, reader ~3.5.
READER_SHARE = 256


def in_reader_share(text: str) -> bool:
    """Whether an import's reader process, rather than the importing one, works out the
    text facts of `text` — a split by a hash that both processes compute alike (str's
    own hash is salted per process), so no text is worked out twice."""
    return crc32(text.encode("utf-8", "surrogatepass")) & 255 < READER_SHARE
