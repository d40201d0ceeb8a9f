"""`vaktpost worker --source URL`: a stream worker, and the Ray path behind `scan --engine ray`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from vaktpost.cli.common import DbOption, console, resolve_db, user_errors, write_json
from vaktpost.errors import UserError
from vaktpost.store.db import open_store


def worker(
    source: Annotated[str, typer.Option("--source", help="nats://HOST:PORT/SUBJECT?stream=&durable=&dead= or kafka://BROKER/TOPIC?group=&dead= (see docs/operations.md).", show_default=False)],
    db: DbOption = None,
    idle_exit: Annotated[float | None, typer.Option("--idle-exit", help="Stop after this many seconds with nothing to consume (default: run until stopped).")] = None,
) -> None:
    """Consume canonical message records, import them idempotently, analyse the conversations they
    touch, and acknowledge only after the findings are committed. Bad records go to the dead-letter
    subject/topic with the reason. Run as many workers as the stream has partitions."""
    from vaktpost.engines.stream.source import parse_source

    src = parse_source(source)
    engine = open_store(resolve_db(db))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if src.scheme == "nats":
        from vaktpost.engines.stream.nats_worker import run_worker
    else:
        from vaktpost.engines.stream.kafka_worker import run_worker
    try:
        stats = run_worker(engine, src, idle_exit=idle_exit)
    except OSError as exc:
        raise UserError(f"cannot reach the broker ({exc})", where=source) from None
    console.print(f"{stats.acked:,} message(s) committed, {stats.dead:,} dead-lettered, {stats.findings:,} finding(s) stored.")


def scan_with_ray(inputs: list[Path], db: str | None, address: str | None, workers: int | None) -> dict:
    """The body of `scan --engine ray` (the scan command stays the lead's; it hands over here)."""
    from vaktpost.engines.ray_engine import RayOptions, scan_files

    for path in inputs:
        if not path.exists():
            raise UserError("no such file or folder", where=str(path))
    engine = open_store(resolve_db(db))
    result = scan_files(engine, inputs, RayOptions(address=address, workers=workers))
    console.print(
        f"ray: {result.messages_new:,} new message(s) of {result.messages_read:,}, "
        f"{result.conversations:,} conversation(s) analysed, {result.findings:,} labelled message(s), "
        f"{result.rejected:,} rejected."
    )
    return result.summary()


def register(app: typer.Typer) -> None:
    app.command()(user_errors(worker))


__all__ = ["register", "scan_with_ray", "write_json"]
