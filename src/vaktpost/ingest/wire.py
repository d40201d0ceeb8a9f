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
SPARE_CORES = 0.5  # without PSI: below this many cores left by other work (1-minute load average), no split
BUSY_PRESSURE = 30.0  # % of the last ~10 s in which a runnable task waited for a CPU: from here on, no split
CPU_PRESSURE = "/proc/pressure/cpu"


def cpu_pressure(path: str = CPU_PRESSURE) -> float | None:
    """The kernel's CPU pressure (PSI) `some avg10`: the share (%) of about the last 10 s in
    which some runnable task waited for a CPU — contention now, whoever causes it. None where
    the kernel keeps no PSI (not Linux, older than 4.20, or switched off)."""
    try:
        with open(path, "rb") as fh:
            some = fh.readline().split()
        if some[0] == b"some" and some[1].startswith(b"avg10="):
            return float(some[1][6:])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average on this platform
        return None


def others_running(path: str = "/proc/loadavg") -> int | None:
    """Tasks runnable right now besides the one asking (`/proc/loadavg`'s fourth field,
    running/total, counts the reader of the file): what holds a core *now*, waiting or not."""
    try:
        with open(path, "rb") as fh:
            return max(int(fh.read().split()[3].split(b"/")[0]) - 1, 0)
    except (OSError, ValueError, IndexError):
        return None


def split_pays(cores: int, pressure: float | None, load: float | None, others: int | None = None) -> bool:
    """Whether a reader process should take a share of the analysis, from what the machine
    says now. Splitting evens the two processes out (100k messages on a quiet 2-core machine:
    3.3–3.4 s against ~4.7) but costs ~0.9 CPU s more per 100k (the text stage in both, texts
    worked out in both, findings pickled), which a machine without two free cores pays in wall
    time (1M beside one other busy process: 52 s split against 47 s not).
    Where the kernel keeps CPU pressure (PSI), the split needs both: little contention over
    the last ~10 s (`some avg10` under BUSY_PRESSURE) — which, unlike the 1-minute load
    average, does not count our own previous scan (two processes on two cores, none waiting)
    — and two cores free of other runnable tasks now (`others`), since a task that holds a
    core without waiting leaves the pressure low. Without PSI, the load average must leave
    SPARE_CORES as before. One core: never."""
    if cores < 2:
        return False
    if pressure is not None:
        return pressure < BUSY_PRESSURE and (others is None or cores - others >= 2)
    return load is None or cores - load >= SPARE_CORES


def reader_share() -> int:
    """The share to give a reader process starting now: READER_SHARE where `split_pays`, else
    0 — the importing process works out every conversation and the reader only parses."""
    pays = split_pays(os.cpu_count() or 1, cpu_pressure(), _load_average(), others_running())
    return READER_SHARE if pays else 0


def analysed_in_reader(conversation_id: str, share: int = READER_SHARE) -> bool:
    """Whether an import's reader process, rather than the importing one, works out the
    findings of this (new) conversation, given the reader's `share` (of 256) — a split by a
    hash that both processes compute alike (str's own hash is salted per process)."""
    return crc32(conversation_id.encode("utf-8", "surrogatepass")) & 255 < share
