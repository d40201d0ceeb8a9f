"""The unit of work every scale engine shares: canonical records in, one transaction out.

A stream worker, the ingest API and the Ray engine all end here, so "identical results" is
true by construction: the same importer writer (idempotent on message ids), the same reload of
whole conversations, the same scan core and the same `replace_text_findings`. The caller owns
the transaction, which is what lets a stream worker acknowledge only after the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
from sqlalchemy import Connection, insert, update

from vaktpost.ingest.importer import ImportResult, MessageWriter
from vaktpost.ingest.records import RecordError, message_from_record
from vaktpost.ingest.wire import wire_row
from vaktpost.model import Finding, Message
from vaktpost.store.conversations import iter_conversations, replace_text_findings
from vaktpost.store.tables import imports
from vaktpost.text.known_sender import reporting_borderline

ScanCore = Callable[[Sequence[Sequence[Message]]], list[Finding]]  # conversations in, findings out
MAX_RECORD_BYTES = 1 << 20  # one chat message; anything bigger is not a message


class PoisonRecord(ValueError):
    """A record that can never be imported, whatever the retry; the reason goes with it."""


def default_scan() -> ScanCore:
    from vaktpost import scan

    return scan.scan_conversations  # looked up at call time, so a patched core is honoured


def decode_record(raw: bytes | str | dict) -> Message:
    """One canonical JSON record (spec/chat-export.md) to a Message, or PoisonRecord saying why."""
    if isinstance(raw, (bytes, str)):
        if len(raw) > MAX_RECORD_BYTES:
            raise PoisonRecord(f"record of {len(raw):,} bytes is over the {MAX_RECORD_BYTES:,} byte limit")
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise PoisonRecord(f"not valid JSON ({exc})") from None
    try:
        return message_from_record(raw)
    except RecordError as exc:
        raise PoisonRecord(str(exc)) from None


@dataclass
class StageResult:
    messages_new: int = 0
    messages_seen_before: int = 0
    conversations: set[int] = field(default_factory=set)
    findings: int = 0


def import_messages(conn: Connection, messages: Sequence[Message], source: str, fmt: str = "stream") -> ImportResult:
    """Write messages in the caller's transaction, skipping ids already stored; one `imports` row."""
    result = ImportResult(path=source, format=fmt)
    now = datetime.now(UTC)
    import_id = conn.execute(insert(imports).values(path=source, format=fmt, started_at=now)).inserted_primary_key[0]
    if messages:
        MessageWriter(conn, import_id, result).write([wire_row(m) for m in messages])
    result.messages_read = len(messages)
    conn.execute(
        update(imports).where(imports.c.id == import_id).values(
            finished_at=datetime.now(UTC), lines_read=len(messages),
            messages_new=result.messages_new, messages_seen_before=result.messages_seen_before,
        )
    )
    return result


def analyse_in(conn: Connection, conversation_keys: Iterable[int], scan: ScanCore | None = None) -> int:
    """Rescan whole conversations in the caller's transaction; returns findings now stored for them."""
    scan = scan or default_scan()
    conversations = list(iter_conversations(conn, conversation_keys))
    if not conversations:
        return 0
    with reporting_borderline():  # the reply model's borderline turns, stored with the findings
        found = scan([[s.message for s in c] for c in conversations])  # one batch: the matcher's speed
    return replace_text_findings(conn, [s for c in conversations for s in c], found)


def import_and_analyse(conn: Connection, messages: Sequence[Message], source: str, scan: ScanCore | None = None) -> StageResult:
    imported = import_messages(conn, messages, source)
    out = StageResult(imported.messages_new, imported.messages_seen_before, set(imported.conversation_keys))
    out.findings = analyse_in(conn, out.conversations, scan)
    return out



def warm_up(scan: ScanCore | None = None) -> None:
    """Load the scan core's matchers and models now, not on the first batch: a worker that
    loads them lazily makes its first second of messages wait for it."""
    from vaktpost.model import Participant, Role

    probe = Message("warm-up", "warm-up", "warm-up", datetime(2000, 1, 1, tzinfo=UTC),
                    Participant("warm-up", Role.UNKNOWN), "how old, 20 usd")
    (scan or default_scan())([[probe]])
