"""The canonical JSONL reader: one message per line, constant memory on any file size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo

import orjson

from vaktpost.ingest.records import RecordError, Rejected, message_from_record
from vaktpost.ingest.source import InputFile
from vaktpost.model import Message


def read_jsonl(source: InputFile, zone: tzinfo | None = None, build=message_from_record) -> Iterator[Message | Rejected]:
    """Messages (or, with `build=records.wire_row_from_record`, wire rows) and rejected lines."""
    for number, raw in source.lines():
        if not raw.strip():
            continue
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            why = "not valid UTF-8" if "utf-8" in str(exc).lower() else f"not valid JSON ({exc})"
            yield Rejected(number, raw, why)
            continue
        try:
            yield build(record, zone)
        except RecordError as exc:
            yield Rejected(number, raw, str(exc), exc.key)
