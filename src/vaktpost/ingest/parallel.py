"""Reading and converting a file in a second process while this one writes to the database.

On a machine with two cores an import is otherwise one core parsing and validating while the
other waits. The child reads the file, validates each record and turns it into a `WireRow`;
batches come back through a bounded queue (so memory stays flat whatever the file size) with
the file position for the progress bar. A file-level error in the child (a truncated gzip,
malformed XML) is raised here as the same `UserError`.

Asked to (`facts_fingerprint`, the scan command), the child also works out the text stage's
facts of its share of each batch's texts (text/memo.py, `wire.in_reader_share`: about half)
right after sending the batch, and sends them after it: the parent takes them into its own
table (`facts.adopt`) and works out only the other share between its inserts — alone, the
facts were the longer part of the parent's import. It does so only when its own
configuration has the parent's fingerprint (same patterns, model and rule scores); else it
says so and the parent works them out itself. Either way the findings are the same: facts
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
    text stage takes ~0.3 s to load, and the parent waits for that batch)."""

    def __init__(self, fingerprint: str, out) -> None:
        self.wanted, self.out, self.ready = fingerprint, out, None

    def send(self, rows) -> None:
        try:
            if self.ready is None:
                from vaktpost.text import memo

                self.ready = memo.fingerprint() == self.wanted
                if not self.ready:
                    self.out.put(("facts_off", None))
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


def _child(path: str, fmt: str, opts, batch_size: int, out, facts_fingerprint: str | None = None) -> None:
    from vaktpost.ingest.readers import read_wire_rows
    from vaktpost.ingest.records import Rejected
    from vaktpost.ingest.source import InputFile

    facts = _Facts(facts_fingerprint, out) if facts_fingerprint else None
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


def wire_batches_in_child(path: Path, fmt: str, opts, batch_size: int, facts=None) -> Iterator[Batch]:
    """Batches from the child. `facts` (optional) has `fingerprint` (str), `adopt(payload)`
    and `off()` (the child will send none: the parent works them out itself)."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue(maxsize=QUEUE_DEPTH)
    fingerprint = facts.fingerprint if facts is not None else None
    new = tuple.__new__
    child = ctx.Process(target=_child, args=(str(path), fmt, opts, batch_size, out, fingerprint), daemon=True)
    child.start()
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
            elif kind == "facts":
                facts.adopt(payload)
            elif kind == "facts_off":
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
