"""What `vaktpost scan` does, apart from its command-line signature (cli/conversations.py).

A scan run from the command line (cli/early.run_scan) calls `scan_files` without building
the typer app, and this module loads neither typer nor rich unless they are needed: the
progress bar is drawn only on a terminal and the table only for `--output table`. Loading
them is ~0.035 CPU s of every scan's start-up, paid before the first message is stored.
"""

from __future__ import annotations

import atexit
import enum
import gc
import os
import sys
from datetime import date
from pathlib import Path
from typing import Self

from vaktpost.bulkwork import collector_paused
from vaktpost.cli.common import Output, resolve_db, write_json
from vaktpost.engines.local import HeldMessages, analyse_conversations
from vaktpost.ingest.importer import ImportOptions, import_file
from vaktpost.ingest.records import parse_zone
from vaktpost.ingest.source import check_input
from vaktpost.store.db import open_store
from vaktpost.store.known_sender import promote_known_senders


class InputFormat(str, enum.Enum):
    auto = "auto"
    jsonl = "jsonl"
    csv = "csv"
    pan12 = "pan12"


class ScanEngine(str, enum.Enum):
    local = "local"
    ray = "ray"


def scan_files(
    inputs: list[Path],
    db: str | None = None,
    format: InputFormat = InputFormat.auto,
    skip_invalid: bool = False,
    timezone: str | None = None,
    platform: str | None = None,
    column: list[str] | None = None,
    pan12_date: str | None = None,
    output: Output = Output.table,
    engine_name: ScanEngine = ScanEngine.local,
    ray_address: str | None = None,
) -> None:
    """Import chat files and analyse them (`vaktpost scan`; the options are its own)."""
    if engine_name is ScanEngine.ray:  # files or folders of partitions; the scale module owns this path
        from vaktpost.cli.scale import scan_with_ray

        summary = scan_with_ray(inputs, db, ray_address, None)
        summary["known_sender"] = promote_known_senders(open_store(resolve_db(db)))
        if output is not Output.table:
            write_json(summary)
        return
    for path in inputs:
        check_input(path)
    opts = ImportOptions(
        format=format.value,
        skip_invalid=skip_invalid,
        zone=parse_zone(timezone),
        platform=platform,
        csv_columns=tuple(column or ()),
        pan12_date=date.fromisoformat(pan12_date) if pan12_date else ImportOptions.pan12_date,
    )
    engine = open_store(resolve_db(db))
    results, touched = [], set()
    held = HeldMessages()  # conversations these imports create are analysed without a reload
    # The collector waits for the whole command (records are acyclic; reference counting
    # frees them): between the analysis's chunks it re-walked the held rows and the text
    # facts, ~0.2 s per 100,000 messages. What is left at exit is never walked (below).
    with _progress() as progress, collector_paused():
        for path in inputs:
            task = progress.add_task(f"import {path.name}", total=path.stat().st_size)
            result = import_file(engine, path, opts, on_progress=lambda pos, t=task: progress.update(t, completed=pos), on_written=held.on_written, facts=held)
            progress.update(task, completed=path.stat().st_size)
            results.append(result)
            touched |= result.conversation_keys
        task = progress.add_task("analyse conversations", total=len(touched))
        found = analyse_conversations(engine, touched, on_progress=lambda n: progress.advance(task, n), held=held)
        # after every file: a sender's confirmations anywhere in the store (text/known_sender.py)
        known = promote_known_senders(engine)
    if output is Output.table:
        _print_table(results, len(touched), found, known)
    else:
        write_json({"imports": [r.summary() for r in results], "conversations_analysed": len(touched), "findings": found,
                    "known_sender": known})
    _leave_quickly(engine)


def _print_table(results, analysed: int, found: int, known: dict) -> None:
    from rich.table import Table

    from vaktpost.cli.common import console

    table = Table(title="scan", title_justify="left")
    for name in ("file", "format", "read", "new", "seen before", "rejected", "msg/s"):
        table.add_column(name, justify="left" if name in ("file", "format") else "right")
    for r in results:
        rate = r.messages_read / r.seconds if r.seconds else 0
        table.add_row(r.path, r.format, f"{r.messages_read:,}", f"{r.messages_new:,}", f"{r.messages_seen_before:,}", f"{r.rejected:,}", f"{rate:,.0f}")
    console.print(table)
    for r in results:
        if r.rejects_path:
            console.print(f"[yellow]{r.rejected:,} bad record(s) set aside in {r.rejects_path}")
    console.print(f"{analysed:,} conversation(s) analysed, {found:,} labelled message(s).")
    if known["added"] or known["removed"]:
        console.print(f"known senders: {known['added']:,} borderline confirmation(s) promoted, {known['removed']:,} taken back.")


class _NoProgress:
    """The progress bar where none is drawn (stderr is not a terminal)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, *args, **kwargs) -> int:
        return 0

    def update(self, *args, **kwargs) -> None:
        return None

    def advance(self, *args, **kwargs) -> None:
        return None


def plainly_not_a_terminal() -> bool:
    """True where rich's console (cli/common.console, on stderr) certainly finds no terminal
    and so draws nothing: stderr is no tty and neither FORCE_COLOR nor TTY_COMPATIBLE=1 says
    otherwise. False: rich itself decides."""
    if os.environ.get("FORCE_COLOR") is not None or os.environ.get("TTY_COMPATIBLE") == "1":
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return isatty is None or not isatty()
    except ValueError:
        return True


def _progress():
    if plainly_not_a_terminal():
        return _NoProgress()
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from vaktpost.cli.common import console

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _leave_quickly(engine) -> None:
    """After a big scan the heap holds millions of objects (the text stage's remembered facts
    above all), and the interpreter's last garbage collection at exit walks every one of them
    — 0.7 s per 100,000 messages, a tenth of the command. Close the database connections
    now (SQLite checkpoints its log on the last close), then exempt what is left from that
    walk: nothing after this needs a cycle collected. Runs only at exit, so a process that
    calls the command in-process (tests) keeps its collector until it ends."""
    engine.dispose()
    atexit.register(gc.freeze)
