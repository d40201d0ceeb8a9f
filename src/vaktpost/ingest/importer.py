"""Importing chat files into the store: all-or-nothing per file, idempotent on message ids.

One file is one transaction. A bad record refuses the whole file (after reading on to count
and show the first few bad lines), unless `skip_invalid` is set, in which case bad records go
to `<file>.rejects.jsonl` beside the input — written under a temporary name and moved into
place only once the database has committed, so there is never a rejects file for an import
that did not happen.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Callable, Iterator, Sequence

import orjson
from sqlalchemy import Engine, insert, update

from vaktpost.bulkwork import batches, collector_paused
from vaktpost.errors import UserError
from vaktpost.ingest.csv_reader import parse_column_mapping, read_csv
from vaktpost.ingest.jsonl import read_jsonl
from vaktpost.ingest.pan12 import DEFAULT_BASE_DATE, read_pan12
from vaktpost.ingest.records import Rejected
from vaktpost.ingest.source import InputFile
from vaktpost.model import Message, Role
from vaktpost.store.bulk import insert_messages, json_value
from vaktpost.store.keys import KeyCache
from vaktpost.store.tables import imports

FORMATS = ("jsonl", "csv", "pan12")
SHOWN_ERRORS = 5


@dataclass(frozen=True)
class ImportOptions:
    format: str = "auto"
    skip_invalid: bool = False
    zone: tzinfo | None = None
    platform: str | None = None
    csv_columns: tuple[str, ...] = ()
    pan12_date: date = DEFAULT_BASE_DATE
    batch_size: int = 10_000


@dataclass
class ImportResult:
    path: str
    format: str
    messages_read: int = 0
    messages_new: int = 0
    messages_seen_before: int = 0
    rejected: int = 0
    rejects_path: str | None = None
    seconds: float = 0.0
    conversation_keys: set[int] = field(default_factory=set, repr=False)

    def summary(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "messages_read": self.messages_read,
            "messages_new": self.messages_new,
            "messages_seen_before": self.messages_seen_before,
            "rejected": self.rejected,
            "rejects_path": self.rejects_path,
            "seconds": round(self.seconds, 3),
        }


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


def read_messages(source: InputFile, fmt: str, opts: ImportOptions) -> Iterator[Message | Rejected]:
    if fmt == "jsonl":
        return read_jsonl(source, opts.zone)
    if fmt == "csv":
        return read_csv(source, opts.zone, parse_column_mapping(list(opts.csv_columns)), opts.platform)
    if fmt == "pan12":
        return read_pan12(source, opts.zone, opts.platform, opts.pan12_date)
    raise UserError(f"unknown format {fmt!r} (one of auto, {', '.join(FORMATS)})", where="--format")


_ROLE_VALUE = {r: r.value for r in Role}
UTC = timezone.utc
_dumps = orjson.dumps


def _attachment_json(attachments) -> list[dict] | None:
    fields = ("path", "sha256", "md5", "mime")
    return [{k: getattr(a, k) for k in fields if getattr(a, k)} for a in attachments] or None


class _MessageWriter:
    """Writes batches of Messages inside one open transaction."""

    def __init__(self, conn, import_id: int, result: ImportResult):
        self.conn = conn
        self.import_id = import_id
        self.result = result
        self.keys = KeyCache()

    def write(self, batch: Sequence[Message]) -> None:
        conn, keys, roles = self.conn, self.keys, _ROLE_VALUE
        platform_ids = keys.platforms(conn, {m.platform for m in batch})
        wanted_actors: dict[tuple[int, str], tuple[str | None, str]] = {}
        wanted_convs = set()
        for m in batch:
            pid = platform_ids[m.platform]
            wanted_convs.add((pid, m.conversation_id))
            sender = m.sender
            k = (pid, sender.id)
            known = wanted_actors.get(k)
            if known is None or known[0] is None:
                wanted_actors[k] = (sender.name, roles[sender.role])
            for r in m.recipients:
                if (pid, r.id) not in wanted_actors:
                    wanted_actors[(pid, r.id)] = (r.name, roles[r.role])
        actor_ids = keys.actors(conn, wanted_actors)
        conv_ids = keys.conversations(conn, wanted_convs)
        touched = self.result.conversation_keys
        sqlite = conn.dialect.name == "sqlite"
        import_id = self.import_id
        rows = []
        append = rows.append
        for m in batch:
            pid = platform_ids[m.platform]
            conv = conv_ids[(pid, m.conversation_id)]
            touched.add(conv)
            sent = m.sent_at.astimezone(UTC)
            recipients = m.recipients
            append(
                (
                    pid,
                    m.message_id,
                    conv,
                    actor_ids[(pid, m.sender.id)],
                    sent.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else sent,
                    m.text,
                    _dumps([{"id": r.id, "role": roles[r.role]} for r in recipients]).decode() if recipients else None,
                    json_value(_attachment_json(m.attachments)) if m.attachments else None,
                    m.ip,
                    m.country,
                    _dumps(m.meta).decode() if m.meta else None,
                    import_id,
                )
            )
        new = insert_messages(conn, rows)
        self.result.messages_new += new
        self.result.messages_seen_before += len(rows) - new


class _Rejects:
    """Bad records of one file; kept on disk under a temporary name until commit."""

    def __init__(self, path: Path, keep: bool):
        self.final = path.with_name(path.name + ".rejects.jsonl")
        self.keep = keep
        self.count = 0
        self.first: list[Rejected] = []
        self._tmp = self.final.with_name(self.final.name + ".partial") if keep else None
        self._fh = None

    def add(self, rej: Rejected) -> None:
        self.count += 1
        if len(self.first) < SHOWN_ERRORS:
            self.first.append(rej)
        if self.keep:
            if self._fh is None:
                self._fh = open(self._tmp, "wb")
            line = {"line": rej.line, "key": rej.key, "error": rej.error, "raw": rej.raw.decode("utf-8", "replace")}
            self._fh.write(orjson.dumps(line) + b"\n")

    def close(self, commit: bool) -> str | None:
        if self._fh is not None:
            self._fh.close()
            if commit:
                os.replace(self._tmp, self.final)
                return str(self.final)
            os.unlink(self._tmp)
        return None

    def error(self, path: Path) -> UserError:
        lines = "; ".join(f"line {r.line}: {r.error}" for r in self.first)
        more = f" (and {self.count - len(self.first)} more)" if self.count > len(self.first) else ""
        return UserError(
            f"{self.count} invalid record(s), nothing imported — {lines}{more}. "
            "Fix them, or import with --skip-invalid to set them aside",
            where=f"{path}:{self.first[0].line}",
        )


def import_file(
    engine: Engine,
    path: str | Path,
    opts: ImportOptions = ImportOptions(),
    on_progress: Callable[[int], None] | None = None,
) -> ImportResult:
    path = Path(path)
    fmt = detect_format(path) if opts.format == "auto" else opts.format
    result = ImportResult(path=str(path), format=fmt)
    started = time.perf_counter()
    rejects = _Rejects(path, keep=opts.skip_invalid)
    committed = False
    try:
        with InputFile(path) as source, engine.begin() as conn, collector_paused():
            import_id = conn.execute(
                insert(imports).values(path=str(path), format=fmt, started_at=datetime.now(timezone.utc))
            ).inserted_primary_key[0]
            writer = _MessageWriter(conn, import_id, result)
            for batch in batches(read_messages(source, fmt, opts), opts.batch_size):
                good = []
                for item in batch:
                    if isinstance(item, Rejected):
                        rejects.add(item)
                    else:
                        good.append(item)
                result.messages_read += len(good)
                if rejects.count and not opts.skip_invalid:
                    continue  # the import is refused; read on only to count the bad lines
                if good:
                    writer.write(good)
                if on_progress:
                    on_progress(source.position())
            if rejects.count and not opts.skip_invalid:
                raise rejects.error(path)
            if result.messages_read == 0:
                raise UserError("no messages in the file", where=str(path))
            result.rejected = rejects.count
            conn.execute(
                update(imports)
                .where(imports.c.id == import_id)
                .values(
                    finished_at=datetime.now(timezone.utc),
                    lines_read=result.messages_read + rejects.count,
                    messages_new=result.messages_new,
                    messages_seen_before=result.messages_seen_before,
                    rejected=rejects.count,
                    rejects_path=str(rejects.final) if rejects.count else None,
                )
            )
        committed = True
    finally:
        result.rejects_path = rejects.close(commit=committed)
    result.seconds = time.perf_counter() - started
    return result
