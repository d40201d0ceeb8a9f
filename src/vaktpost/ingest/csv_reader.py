"""CSV chat exports, through a column mapping (docs/formats.md).

The default mapping uses the canonical names as headers; `--column canonical=header`
renames any of them for a platform's own export. Columns the mapping does not use are
kept in `meta`, as the canonical format keeps unknown keys.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from datetime import tzinfo

from vaktpost.errors import UserError
from vaktpost.ingest.records import RecordError, Rejected, message_from_record
from vaktpost.ingest.source import InputFile
from vaktpost.model import Message

CANONICAL_COLUMNS = (
    "platform",
    "conversation_id",
    "message_id",
    "sent_at",
    "sender_id",
    "sender_name",
    "sender_role",
    "recipients",  # "id" or "id:role", several separated by ";"
    "text",
    "ip",
    "country",
)
REQUIRED = ("conversation_id", "message_id", "sent_at", "sender_id")


def parse_column_mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping = {c: c for c in CANONICAL_COLUMNS}
    for pair in pairs or []:
        key, sep, header = pair.partition("=")
        if not sep or not header:
            raise UserError(f"a column mapping is canonical=header, not {pair!r}", where="--column")
        if key not in mapping:
            raise UserError(
                f"unknown canonical column {key!r} (one of {', '.join(CANONICAL_COLUMNS)})",
                where="--column",
            )
        mapping[key] = header
    return mapping


def _decoded(source: InputFile) -> Iterator[str]:
    for number, raw in source.lines():
        try:
            yield raw.decode("utf-8") + "\n"
        except UnicodeDecodeError as exc:
            raise UserError(
                f"not valid UTF-8 (byte {exc.start + 1} of the line)",
                where=f"{source.path}:{number}",
            ) from None


def _recipients(cell: str) -> list[dict]:
    out = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        rid, _, role = part.partition(":")
        out.append({"id": rid, "role": role or "unknown"})
    return out


def read_csv(
    source: InputFile,
    zone: tzinfo | None = None,
    mapping: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Iterator[Message | Rejected]:
    mapping = dict(mapping or parse_column_mapping(None))
    reader = csv.reader(_decoded(source))
    try:
        header = next(reader)
    except StopIteration:
        raise UserError("the file has no header row", where=str(source.path)) from None
    index = {name: i for i, name in enumerate(header)}
    missing = [f"{k} (column {mapping[k]!r})" for k in REQUIRED if mapping[k] not in index]
    if "platform" not in index.values() and mapping["platform"] not in index and not platform:
        missing.append("platform (a column, or --platform)")
    if missing:
        raise UserError(
            f"header lacks required columns: {', '.join(missing)}", where=f"{source.path}:1"
        )
    used = {index[h] for h in mapping.values() if h in index}
    extras = [(i, name) for i, name in enumerate(header) if i not in used]

    def cell(row: list[str], key: str) -> str | None:
        i = index.get(mapping[key])
        return row[i] if i is not None and i < len(row) and row[i] != "" else None

    for row in reader:
        number = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            yield Rejected(
                number,
                ",".join(row).encode(),
                f"has {len(row)} fields, the header has {len(header)}",
            )
            continue
        record = {
            "platform": cell(row, "platform") or platform,
            "conversation_id": cell(row, "conversation_id"),
            "message_id": cell(row, "message_id"),
            "sent_at": cell(row, "sent_at"),
            "sender": {
                "id": cell(row, "sender_id"),
                "name": cell(row, "sender_name"),
                "role": cell(row, "sender_role") or "unknown",
            },
            "recipients": _recipients(cell(row, "recipients") or ""),
            "text": cell(row, "text") or "",
            "ip": cell(row, "ip"),
            "country": cell(row, "country"),
            "meta": {name: row[i] for i, name in extras if row[i] != ""},
        }
        try:
            yield message_from_record(record, zone)
        except RecordError as exc:
            yield Rejected(number, ",".join(row).encode(), str(exc), exc.key)
