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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson
from sqlalchemy import Engine, insert, update

from vaktpost.bulkwork import batches, collector_paused
from vaktpost.errors import UserError
from vaktpost.ingest.parallel import wire_batches_in_child
from vaktpost.ingest.readers import (  # noqa: F401 - FORMATS, ImportOptions, read_messages, detect_format, PARALLEL_MIN_BYTES: re-exported
    FORMATS,
    PARALLEL_MIN_BYTES,
    ImportOptions,
    detect_format,
    read_messages,
    read_wire_rows,
    use_child_process,
)
from vaktpost.ingest.records import Rejected
from vaktpost.ingest.source import InputFile, check_input
from vaktpost.ingest.wire import WireRow
from vaktpost.store.bulk import insert_messages
from vaktpost.store.keys import KeyCache
from vaktpost.store.tables import imports

SHOWN_ERRORS = 5


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


class MessageWriter:
    """Writes batches of wire rows inside one open transaction, resolving surrogate keys.

    The importer and the stream stage (engines/stage.py) both write through it. `on_written`
    sees each batch as written: the wire rows, the row tuples inserted (surrogate keys
    resolved, `store/bulk.COLUMNS` order), how many were new, the conversations this
    writer created (the scan command keeps those messages for the analysis: no reload), and
    the open connection (it reads the senders as stored to analyse them during the import)."""

    def __init__(self, conn, import_id: int, result: ImportResult, on_written: Callable | None = None):
        self.conn = conn
        self.on_written = on_written
        self.import_id = import_id
        self.result = result
        self.keys = KeyCache()
        self.sqlite = conn.dialect.name == "sqlite"

    def write(self, batch: Sequence[WireRow]) -> None:
        conn, keys = self.conn, self.keys
        platform_ids = keys.platforms(conn, {w.platform for w in batch})
        wanted_actors: dict[tuple[int, str], tuple[str | None, str]] = {}
        wanted_convs = set()
        for w in batch:
            pid = platform_ids[w.platform]
            wanted_convs.add((pid, w.conversation_id))
            k = (pid, w.sender_id)
            known = wanted_actors.get(k)
            if known is None or known[0] is None:
                wanted_actors[k] = (w.sender_name, w.sender_role)
            for rid, rname, rrole in w.recipients:
                if (pid, rid) not in wanted_actors:
                    wanted_actors[(pid, rid)] = (rname, rrole)
        actor_ids = keys.actors(conn, wanted_actors)
        conv_ids = keys.conversations(conn, wanted_convs)
        touched = self.result.conversation_keys
        zone = "" if self.sqlite else "+00:00"
        import_id = self.import_id
        rows = []
        append = rows.append
        for w in batch:
            pid = platform_ids[w.platform]
            conv = conv_ids[(pid, w.conversation_id)]
            touched.add(conv)
            append(
                (
                    pid,
                    w.message_id,
                    conv,
                    actor_ids[(pid, w.sender_id)],
                    w.sent_at + zone,
                    w.text,
                    w.recipients_json,
                    w.attachments_json,
                    w.ip,
                    w.country,
                    w.meta_json,
                    import_id,
                )
            )
        new = insert_messages(conn, rows)
        if self.on_written:
            self.on_written(batch, rows, new, keys.created_conversations, conn)
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


def _wire_batches_here(path: Path, fmt: str, opts: ImportOptions) -> Iterator[tuple[list, list, int]]:
    with InputFile(path) as source:
        for batch in batches(read_wire_rows(source, fmt, opts), opts.batch_size):
            rows, rejected = [], []
            for item in batch:
                if isinstance(item, Rejected):
                    rejected.append(item)
                else:
                    rows.append(item)
            yield rows, rejected, source.position()


def import_file(
    engine: Engine,
    path: str | Path,
    opts: ImportOptions = ImportOptions(),  # noqa: B008 - frozen, shared safely
    on_progress: Callable[[int], None] | None = None,
    on_written: Callable | None = None,
    facts=None,
) -> ImportResult:
    """Import one file in one transaction. `on_written` is `MessageWriter`'s hook: it sees
    each batch as written, while the reader process parses the next one (the scan command
    prepares the analysis there: engines/local.HeldMessages). `facts` (the same object, for
    the scan command) takes the findings a reader process works out for its share of the new
    conversations (ingest/parallel.py, engines/in_reader.py); its `in_reader(bool)` says
    whether this import has one."""
    path = Path(path)
    fmt = detect_format(path) if opts.format == "auto" else opts.format
    result = ImportResult(path=str(path), format=fmt)
    started = time.perf_counter()
    rejects = _Rejects(path, keep=opts.skip_invalid)
    committed = False
    try:
        check_input(path)  # missing, directory, empty: refused before anything starts
        in_child = use_child_process(path, opts)
        if in_child:
            source = wire_batches_in_child(path, fmt, opts, opts.batch_size, facts)
        else:
            source = _wire_batches_here(path, fmt, opts)
        if facts is not None:
            facts.in_reader(in_child)
        with engine.begin() as conn, collector_paused():
            import_id = conn.execute(
                insert(imports).values(path=str(path), format=fmt, started_at=datetime.now(UTC))
            ).inserted_primary_key[0]
            writer = MessageWriter(conn, import_id, result, on_written)
            for rows, rejected, position in source:
                for item in rejected:
                    rejects.add(item)
                result.messages_read += len(rows)
                if rejects.count and not opts.skip_invalid:
                    continue  # the import is refused; read on only to count the bad lines
                if rows:
                    writer.write(rows)
                if on_progress:
                    on_progress(position)
            if rejects.count and not opts.skip_invalid:
                raise rejects.error(path)
            if result.messages_read == 0:
                raise UserError("no messages in the file", where=str(path))
            result.rejected = rejects.count
            conn.execute(
                update(imports)
                .where(imports.c.id == import_id)
                .values(
                    finished_at=datetime.now(UTC),
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
