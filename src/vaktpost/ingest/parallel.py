"""Reading and converting a file in a second process while this one writes to the database.

On a machine with two cores an import is otherwise one core parsing and validating while the
other waits. The child reads the file, validates each record and turns it into a `WireRow`;
batches come back through a bounded queue (so memory stays flat whatever the file size) with
the file position for the progress bar. A file-level error in the child (a truncated gzip,
malformed XML) is raised here as the same `UserError`.

Asked to (`with_findings`, the scan command), the child also works out the findings of the
new conversations it read (its share of them, `wire.analysed_in_reader`; none while the
machine is busy: `wire.reader_share`), a batch after
their last message, right after sending the batch, and sends them after it
(engines/in_reader.py): the parent stores them once its import has committed, where they
hold for what it stored (engines/local.HeldMessages), and works out the rest itself. The
child sends its configuration's fingerprint (patterns, model and rule scores) first; the
parent takes its findings only when it is its own.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import queue
import traceback
from collections.abc import Iterator
from pathlib import Path

from vaktpost.errors import UserError
from vaktpost.ingest.wire import WireRow, reader_share

QUEUE_DEPTH = 8
Batch = tuple[list, list, int]  # (wire rows, rejected, file position)


class _Findings:
    """The child's side of the analysis (engines/in_reader.py): the text stage is loaded after
    the first batch is on its way (~0.3 s, and the parent waits for that batch). It sends its
    configuration's fingerprint first; the parent takes the findings only if it is its own."""

    def __init__(self, out, share: int) -> None:
        self.out, self.share, self.analysis = out, share, None
        self.ready: bool | None = None

    def send(self, rows, last: bool = False) -> None:
        try:
            if self.ready is None:
                from vaktpost.engines.in_reader import ReaderAnalysis
                from vaktpost.text import memo

                self.out.put(("fingerprint", (memo.fingerprint(), self.share)))
                self.analysis, self.ready = ReaderAnalysis(self.share), True
            if self.ready:
                results = self.analysis.batch(rows)
                if last:
                    results += self.analysis.finish()
                if results:
                    self.out.put(("findings", results))
        except Exception:  # noqa: BLE001 - an aid: the parent works everything out itself
            if self.ready is not False:
                self.ready = False
                self.out.put(("findings_off", None))


def _plain(rows: list) -> list[tuple]:
    """Wire rows as plain tuples: pickling a NamedTuple calls Python code per row (a fifth
    of the child's pickling); they are made WireRows again on the other side."""
    return [tuple(r) for r in rows]


def _child(path: str, fmt: str, opts, batch_size: int, out, with_findings: bool = False, share: int = 0) -> None:
    from vaktpost.ingest.readers import read_wire_rows
    from vaktpost.ingest.records import Rejected
    from vaktpost.ingest.source import InputFile

    # The cyclic collector waits for the whole read, as in the importing process (records
    # are acyclic): its full passes over the text stage's remembered facts and the held rows
    # cost the reader ~0.5 CPU s per 100,000 messages.
    gc.disable()
    facts = _Findings(out, share) if with_findings and share > 0 else None  # 0: the importer works out every conversation
    try:
        with InputFile(Path(path)) as source:
            rows, rejected = [], []
            for item in read_wire_rows(source, fmt, opts):
                if isinstance(item, Rejected):
                    rejected.append(item)
                else:
                    rows.append(item)
                if len(rows) + len(rejected) >= batch_size:
                    out.put(("batch", (_plain(rows), rejected, source.position())))
                    if facts is not None:
                        facts.send(rows)
                    rows, rejected = [], []
            out.put(("batch", (_plain(rows), rejected, source.position())))
            if facts is not None:
                facts.send(rows, last=True)
        out.put(("done", None))
    except UserError as exc:
        out.put(("user_error", (exc.why, exc.where)))
    except BaseException:  # noqa: BLE001 - everything else reaches the parent as a crash report
        out.put(("crash", traceback.format_exc()))


_started: dict[tuple, tuple] = {}  # reader processes started ahead of their import: key → (process, queue)


def _key(path: Path, fmt: str, opts, batch_size: int, with_findings: bool) -> tuple:
    st = Path(path).stat()
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns, fmt, opts, batch_size, with_findings)


def _start(path: Path, fmt: str, opts, batch_size: int, with_findings: bool):
    # decided here, once (the parent learns it from the child), and before the queue: making
    # one starts multiprocessing's resource tracker, a process of ours that `others_running`
    # would count as other work (it did: no scan split on a quiet machine)
    share = reader_share() if with_findings else 0
    ctx = mp.get_context("spawn")
    out = ctx.Queue(maxsize=QUEUE_DEPTH)
    child = ctx.Process(target=_child, args=(str(path), fmt, opts, batch_size, out, with_findings, share), daemon=True)
    child.start()
    return child, out


def start_early(path: Path, fmt: str, opts, batch_size: int, with_findings: bool) -> None:
    """Start the reader process of a coming import now (`vaktpost scan` does, before it loads
    the database layer and the text stage: ~0.5 s the child spends reading instead of
    waiting). `wire_batches_in_child` takes it over if it is asked for the same file (same
    size and modification time), format, options and analysis; else it is left to end with
    this process (a daemon)."""
    key = _key(path, fmt, opts, batch_size, with_findings)
    if key not in _started:
        _started[key] = _start(path, fmt, opts, batch_size, with_findings)


def wire_batches_in_child(path: Path, fmt: str, opts, batch_size: int, facts=None) -> Iterator[Batch]:
    """Batches from the child. `facts` (optional: the child then works out findings) has
    `fingerprint` (str), `sharing(share)` (the reader's share, of 256, once its fingerprint
    matched), `take_findings(results)` and `off()` (the child will send no more, or sent
    another configuration's: the parent works them out itself)."""
    with_findings = facts is not None
    try:
        early = _started.pop(_key(path, fmt, opts, batch_size, with_findings), None)
    except OSError:
        early = None
    if early is None or (not early[0].is_alive() and early[0].exitcode != 0):
        early = _start(path, fmt, opts, batch_size, with_findings)
    child, out = early
    new = tuple.__new__
    adopting = with_findings
    try:
        while True:
            try:
                kind, payload = out.get(timeout=1.0)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"the reader process for {path} stopped (exit code {child.exitcode})") from None
                continue
            if kind == "batch":
                rows, rejected, position = payload
                yield [new(WireRow, r) for r in rows], rejected, position
            elif kind == "fingerprint":
                fingerprint, share = payload
                if fingerprint != facts.fingerprint:
                    adopting = False
                    facts.off()
                else:
                    facts.sharing(share)
            elif kind == "findings":
                if adopting:
                    facts.take_findings(payload)
            elif kind == "findings_off":
                if adopting:
                    adopting = False
                    facts.off()
            elif kind == "done":
                return
            elif kind == "user_error":
                raise UserError(*payload)
            else:
                raise RuntimeError(f"the reader process for {path} failed:\n{payload}")
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)
        out.close()
