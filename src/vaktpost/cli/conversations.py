"""scan, funnel, findings: the conversation commands of spec/cli.md."""

from __future__ import annotations

import atexit
import enum
import gc
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from vaktpost.bulkwork import collector_paused
from vaktpost.cli.common import (
    DbOption,
    Output,
    console,
    resolve_db,
    user_errors,
    write_json,
    write_jsonl,
)
from vaktpost.cli.scale import ScanEngine, scan_with_ray
from vaktpost.engines.local import HeldMessages, analyse_conversations
from vaktpost.ingest.importer import ImportOptions, import_file
from vaktpost.ingest.records import parse_zone
from vaktpost.ingest.source import check_input
from vaktpost.store.db import open_store
from vaktpost.store.known_sender import promote_known_senders
from vaktpost.store.queries import funnels, iter_text_findings


class InputFormat(str, enum.Enum):
    auto = "auto"
    jsonl = "jsonl"
    csv = "csv"
    pan12 = "pan12"


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def scan(
    inputs: Annotated[list[Path], typer.Argument(help="Chat files: canonical JSONL, CSV or PAN12 XML, optionally gzip.", show_default=False)],
    db: DbOption = None,
    format: Annotated[InputFormat, typer.Option("--format", help="Input format; auto looks at the name, then the content.")] = InputFormat.auto,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Set bad lines aside in FILE.rejects.jsonl and import the rest.")] = False,
    timezone: Annotated[Optional[str], typer.Option("--timezone", help="IANA zone for times without one (else they are errors).")] = None,
    platform: Annotated[Optional[str], typer.Option("--platform", help="Platform name for CSV without a platform column and for PAN12.")] = None,
    column: Annotated[Optional[list[str]], typer.Option("--column", help="CSV column mapping canonical=header, repeatable (see docs/formats.md).")] = None,
    pan12_date: Annotated[Optional[str], typer.Option("--pan12-date", help="Date the PAN12 conversations start on (YYYY-MM-DD).")] = None,
    output: Annotated[Output, typer.Option("--output", help="table for people, json for scripts (on stdout).")] = Output.table,
    engine_name: Annotated[ScanEngine, typer.Option("--engine", help="local: this process; ray: Ray Data over JSONL/Parquet partitions (docs/operations.md).")] = ScanEngine.local,
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster address (auto, ray://HOST:10001); default: a local Ray.")] = None,
) -> None:
    """Import chat files and analyse them. Idempotent: re-importing the same message ids changes nothing.

    Each file is imported whole or not at all. The conversations a file touched are then
    analysed again as a whole, so findings see every message of a conversation.
    """
    if engine_name is ScanEngine.ray:  # files or folders of partitions; the scale module owns this path
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
        console.print(f"{len(touched):,} conversation(s) analysed, {found:,} labelled message(s).")
        if known["added"] or known["removed"]:
            console.print(f"known senders: {known['added']:,} borderline confirmation(s) promoted, {known['removed']:,} taken back.")
    else:
        write_json({"imports": [r.summary() for r in results], "conversations_analysed": len(touched), "findings": found,
                    "known_sender": known})
    _leave_quickly(engine)


def _leave_quickly(engine) -> None:
    """After a big scan the heap holds millions of objects (the text stage's remembered facts
    above all), and the interpreter's last garbage collection at exit walks every one of them
    — 0.7 s per 100,000 messages, a tenth of the command. Close the database connections
    now (SQLite checkpoints its log on the last close), then exempt what is left from that
    walk: nothing after this needs a cycle collected. Runs only at exit, so a process that
    calls the command in-process (tests) keeps its collector until it ends."""
    engine.dispose()
    atexit.register(gc.freeze)


def funnel(
    db: DbOption = None,
    format: Annotated[Output, typer.Option("--format", help="json: every actor, for scripts; table: the riskiest, for people.")] = Output.table,
    top: Annotated[int, typer.Option("--top", help="Rows in the table (by risk).")] = 20,
    min_risk: Annotated[float, typer.Option("--min-risk", help="Leave out actors below this risk.")] = 0.0,
) -> None:
    """Per-actor funnels: contacted → asked for a minor → minor confirmed → price → payment.

    Counted over distinct counterparts, per spec/taxonomy.md. `risk` is in [0, 1].
    """
    engine = open_store(resolve_db(db))
    with engine.connect() as conn:
        rows = [f for f in funnels(conn) if f.risk >= min_risk]
    rows.sort(key=lambda f: (-f.risk, f.platform, f.actor_id))
    if format is not Output.table:
        write_json([f.as_json() for f in rows])
        return
    table = Table(title=f"funnels — top {min(top, len(rows))} of {len(rows):,} actors by risk", title_justify="left")
    table.add_column("actor")
    table.add_column("platform")
    for step in ("contacted", "asked", "confirmed", "price", "payment", "off-platform", "travel", "offered", "risk"):
        table.add_column(step, justify="right")
    for f in rows[:top]:
        c = f.counts
        style = "bold red" if f.risk >= 0.9 else ("yellow" if f.risk >= 0.5 else None)
        table.add_row(
            f.actor_id, f.platform, *(f"{c[s]:,}" for s in ("contacted", "asked_minor", "confirmed_minor", "price", "payment", "off_platform", "travel")),
            f"{f.offered_minor:,}", f"{f.risk:.2f}", style=style,
        )
    console.print(table)


def findings(
    db: DbOption = None,
    format: Annotated[Output, typer.Option("--format", help="jsonl: one object per labelled message, for scripts.")] = Output.table,
    min_score: Annotated[float, typer.Option("--min-score", help="Leave out findings below this score.")] = 0.0,
    limit: Annotated[int, typer.Option("--limit", help="Rows in the table (jsonl prints all).")] = 50,
) -> None:
    """Labelled messages with their evidence spans (`start`, `end` into the text as written)."""
    engine = open_store(resolve_db(db))
    with engine.connect() as conn:
        rows = iter_text_findings(conn, min_score)
        if format is not Output.table:
            write_jsonl(rows)
            return
        table = Table(title="findings", title_justify="left")
        for name in ("message", "conversation", "actor", "labels", "score"):
            table.add_column(name)
        for i, r in enumerate(rows):
            if i >= limit:
                break
            table.add_row(r["message_id"], r["conversation_id"], r["actor_id"], ", ".join(r["labels"]), f"{r['score']:.2f}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(user_errors(scan))
    app.command()(user_errors(funnel))
    app.command()(user_errors(findings))
