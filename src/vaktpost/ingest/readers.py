"""What an import reads: the options and the readers by format.

Kept apart from the importer (which needs the database layer) so that the reader process of
a parallel import (ingest/parallel.py) starts by loading only these light modules — it is
what the importer waits on before the first batch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path

from vaktpost.errors import UserError
from vaktpost.ingest.csv_reader import parse_column_mapping, read_csv
from vaktpost.ingest.jsonl import read_jsonl
from vaktpost.ingest.pan12 import DEFAULT_BASE_DATE, read_pan12
from vaktpost.ingest.records import Rejected, wire_row_from_record
from vaktpost.ingest.source import InputFile
from vaktpost.ingest.wire import WireRow, wire_row
from vaktpost.model import Message

FORMATS = ("jsonl", "csv", "pan12")


@dataclass(frozen=True)
class ImportOptions:
    format: str = "auto"
    skip_invalid: bool = False
    zone: tzinfo | None = None
    platform: str | None = None
    csv_columns: tuple[str, ...] = ()
    pan12_date: date = DEFAULT_BASE_DATE
    batch_size: int = 10_000
    # Read and convert in a second process: None decides by file size and core count.
    parallel: bool | None = None


def read_messages(source: InputFile, fmt: str, opts: ImportOptions) -> Iterator[Message | Rejected]:
    if fmt == "jsonl":
        return read_jsonl(source, opts.zone)
    if fmt == "csv":
        return read_csv(source, opts.zone, parse_column_mapping(list(opts.csv_columns)), opts.platform)
    if fmt == "pan12":
        return read_pan12(source, opts.zone, opts.platform, opts.pan12_date)
    raise UserError(f"unknown format {fmt!r} (one of auto, {', '.join(FORMATS)})", where="--format")


def read_wire_rows(source: InputFile, fmt: str, opts: ImportOptions) -> Iterator[WireRow | Rejected]:
    """`wire_row` of each message `read_messages` gives (rejected lines as they are); JSONL
    lines go straight to wire rows, without a Message in between."""
    if fmt == "jsonl":
        return read_jsonl(source, opts.zone, build=wire_row_from_record)
    return (item if isinstance(item, Rejected) else wire_row(item) for item in read_messages(source, fmt, opts))


def detect_format(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith(".xml"):
        return "pan12"
    with InputFile(path) as source:
        head = source.stream.read(64).lstrip()
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"<"):
        return "pan12"
    return "csv"


PARALLEL_MIN_BYTES = 8 << 20


def use_child_process(path: Path, opts: ImportOptions) -> bool:
    if opts.parallel is not None:
        return opts.parallel
    return (os.cpu_count() or 1) >= 2 and path.stat().st_size >= PARALLEL_MIN_BYTES
