"""Reading and converting a file in a second process while this one writes to the database.

On a machine with two cores an import is otherwise one core parsing and validating while the
other waits. The child reads the file, validates each record and turns it into a `WireRow`;
batches come back through a bounded queue (so memory stays flat whatever the file size) with
the file position for the progress bar. A file-level error in the child (a truncated gzip,
malformed XML) is raised here as the same `UserError`.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import traceback
from collections.abc import Iterator
from pathlib import Path

from vaktpost.errors import UserError

QUEUE_DEPTH = 8
Batch = tuple[list, list, int]  # (wire rows, rejected, file position)


def _child(path: str, fmt: str, opts, batch_size: int, out) -> None:
    from vaktpost.ingest.readers import read_messages
    from vaktpost.ingest.records import Rejected
    from vaktpost.ingest.source import InputFile
    from vaktpost.ingest.wire import wire_row

    try:
        with InputFile(Path(path)) as source:
            rows, rejected = [], []
            for item in read_messages(source, fmt, opts):
                if isinstance(item, Rejected):
                    rejected.append(item)
                else:
                    rows.append(wire_row(item))
                if len(rows) + len(rejected) >= batch_size:
                    out.put(("batch", (rows, rejected, source.position())))
                    rows, rejected = [], []
            out.put(("batch", (rows, rejected, source.position())))
        out.put(("done", None))
    except UserError as exc:
        out.put(("user_error", (exc.why, exc.where)))
    except BaseException:  # noqa: BLE001 - everything else reaches the parent as a crash report
        out.put(("crash", traceback.format_exc()))


def wire_batches_in_child(path: Path, fmt: str, opts, batch_size: int) -> Iterator[Batch]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue(maxsize=QUEUE_DEPTH)
    child = ctx.Process(target=_child, args=(str(path), fmt, opts, batch_size, out), daemon=True)
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
                yield payload
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
