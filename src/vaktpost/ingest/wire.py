"""A message as the importer writes it: a flat tuple of plain values, no surrogate keys yet.

Turning a Message into this row is pure and is the bulk of the per-message work, so it can run
beside the reader in another process; tuples of strings cross a process boundary cheaply.
"""

from __future__ import annotations

import os
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


def text_and_role(rows) -> Iterator[tuple[str, Role]]:
    """(text, sender role) of each wire row: what the text stage's facts are a function of."""
    get = _ROLE_OF.get
    for w in rows:
        yield w.text, get(w.sender_role, Role.UNKNOWN)


# Of 256: the share of new conversations whose findings an import's reader process works out
# (engines/in_reader.py) while the importing process writes; the importing process works out
# the rest between its inserts. Measured so that both end together (100k generated messages:
# reader ~3.3 CPU s, importer ~3.8 with its start-up; all to the reader: 4.9 and 2.4). Raised
# from 150 when the reader's parse got 0.45 CPU s per 100k cheaper (records._plain_wire_row).
READER_SHARE = 170
SPARE_CORES = 0.5  # below this many cores left by other work (1-minute load average), no split: `reader_share`


def reader_share() -> int:
    """The share to give a reader process starting now: READER_SHARE where other work (the
    1-minute load average) leaves at least SPARE_CORES of the machine's cores, else 0 — the
    importing process works out every conversation and the reader only parses. Splitting
    the analysis evens the two processes out (100k messages on a quiet 2-core machine: 4.20 s
    against 5.27) but costs ~0.9 CPU s more per 100k (the text stage in both, texts worked
    out in both, findings pickled), which a busy machine pays in wall time (load 3-4: 7.24 s
    against 6.17)."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average on this platform
        return READER_SHARE
    return READER_SHARE if (os.cpu_count() or 1) - load >= SPARE_CORES else 0


def analysed_in_reader(conversation_id: str, share: int = READER_SHARE) -> bool:
    """Whether an import's reader process, rather than the importing one, works out the
    findings of this (new) conversation, given the reader's `share` (of 256) — a split by a
    hash that both processes compute alike (str's own hash is salted per process)."""
    return crc32(conversation_id.encode("utf-8", "surrogatepass")) & 255 < share
