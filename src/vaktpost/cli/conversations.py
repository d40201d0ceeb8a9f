"""scan, funnel, findings: the conversation commands of spec/cli.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from vaktpost.cli.common import (
    DbOption,
    Output,
    console,
    resolve_db,
    user_errors,
    write_json,
    write_jsonl,
)
from vaktpost.cli.scan_command import InputFormat, ScanEngine, scan_files
from vaktpost.store.db import open_store
from vaktpost.store.queries import funnels, iter_text_findings

__all__ = ["InputFormat", "ScanEngine", "findings", "funnel", "register", "scan"]


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
    scan_files(inputs, db, format, skip_invalid, timezone, platform, column, pan12_date, output, engine_name, ray_address)


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
