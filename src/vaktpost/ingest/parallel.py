"""Reading and converting a file in a second process while this one writes to the database.

On a machine with two cores an import is otherwise one core parsing and validating while the
other waits. The child reads the file, validates each record and turns it into a `WireRow`;
batches come back through a bounded queue (so memory stays flat whatever the file size) with
the file position for the progress bar. A file-level error in the child (a truncated gzip,
malformed XML) is raised here as the same `UserError`.

Asked to (`with_facts`, the scan command), the child also works out the text stage's
facts of its share of each batch's texts (text/memo.py, `wire.in_reader_share`: about half)
right after sending the batch, and sends them after it: the parent takes them into its own
table (`facts.adopt`) and works out only the other share between its inserts — alone, the
facts were the longer part of the parent's import. The child sends its configuration's
fingerprint (patterns, model and rule scores) first; the parent adopts the facts only when
it is its own, else it works them out itself. Either way the findings are the same: facts
are a function of the text and the sender's role.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import traceback
from collections.abc import Iterator
from pathlib import Path

from vaktpost.errors import UserError
from vaktpost.ingest.wire import WireRow

QUEUE_DEPTH = 8
Batch = tuple[list, list, int]  # (wire rows, rejected, file position)


class _Facts:
    """The child's side of the text facts: loaded after the first batch is on its way (the
    text stage takes ~0.3 s to load, and the parent waits for that batch). It sends its
    configuration's fingerprint first; the parent adopts the facts only if it is its own."""

    def __init__(self, out) -> None:
        self.out, self.ready = out, None

    def send(self, rows) -> None:
        try:
            if self.ready is None:
                from vaktpost.text import memo

                self.out.put(("fingerprint", memo.fingerprint()))
                self.ready = True
            if self.ready and rows:
                from vaktpost.ingest.wire import text_and_role
                from vaktpost.text import memo

                payload = memo.work_out(text_and_role(rows, reader_share=True))
                if payload is not None:
                    self.out.put(("facts", payload))
        except Exception:  # noqa: BLE001 - the facts are an aid: the parent works them out itself
            if self.ready is not False:
                self.ready = False
                self.out.put(("facts_off", None))


def _plain(rows: list) -> list[tuple]:
    """Wire rows as plain tuples: pickling a NamedTuple calls Python code per row (a fifth
    of the child's pickling); they are made WireRows again on the other side."""
    return [tuple(r) for r in rows]


def _child(path: str, fmt: str, opts, batch_size: int, out, with_facts: bool = False) -> None:
    from vaktpost.ingest.readers import read_wire_rows
    from vaktpost.ingest.records import Rejected
    from vaktpost.ingest.source import InputFile

    facts = _Facts(out) if with_facts else None
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
                facts.send(rows)
        out.put(("done", None))
    except UserError as exc:
        out.put(("user_error", (exc.why, exc.where)))
    except BaseException:  # noqa: BLE001 - everything else reaches the parent as a crash report
        out.put(("crash", traceback.format_exc()))


_started: dict[tuple, tuple] = {}  # reader processes started ahead of their import: key → (process, queue)


def _key(path: Path, fmt: str, opts, batch_size: int, with_facts: bool) -> tuple:
    st = Path(path).stat()
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns, fmt, opts, batch_size, with_facts)


def _start(path: Path, fmt: str, opts, batch_size: int, with_facts: bool):
    ctx = mp.get_context("spawn")
    out = ctx.Queue(maxsize=QUEUE_DEPTH)
    child = ctx.Process(target=_child, args=(str(path), fmt, opts, batch_size, out, with_facts), daemon=True)
    child.start()
    return child, out


def start_early(path: Path, fmt: str, opts, batch_size: int, with_facts: bool) -> None:
    """Start the reader process of a coming import now (`vaktpost scan` does, before it loads
    the database layer and the text stage: ~0.5 s the child spends reading instead of
    waiting). `wire_batches_in_child` takes it over if it is asked for the same file (same
    size and modification time), format, options and facts; else it is left to end with
    this process (a daemon)."""
    key = _key(path, fmt, opts, batch_size, with_facts)
    if key not in _started:
        _started[key] = _start(path, fmt, opts, batch_size, with_facts)


def wire_batches_in_child(path: Path, fmt: str, opts, batch_size: int, facts=None) -> Iterator[Batch]:
    """Batches from the child. `facts` (optional) has `fingerprint` (str), `adopt(payload)`
    and `off()` (the child will send none, or sent another configuration's: the parent
    works them out itself)."""
    with_facts = facts is not None
    try:
        early = _started.pop(_key(path, fmt, opts, batch_size, with_facts), None)
    except OSError:
        early = None
    if early is None or (not early[0].is_alive() and early[0].exitcode != 0):
        early = _start(path, fmt, opts, batch_size, with_facts)
    child, out = early
    new = tuple.__new__
    adopting = with_facts
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
                if payload != facts.fingerprint:
                    adopting = False
                    facts.off()
            elif kind == "facts":
                if adopting:
                    facts.adopt(payload)
            elif kind == "facts_off":
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
