"""rescore: the store passes that run after analysis, alone (text/known_sender.py).

`vaktpost scan` runs them at its end. A store filled by another path (a stream worker, the
ingest API) stores the reply model's borderline turns with its findings but never runs the
pass: `vaktpost rescore` brings it up to date (idempotent; safe to run on a schedule).
"""

from __future__ import annotations

from typing import Annotated

import typer

from vaktpost.cli.common import DbOption, Output, console, resolve_db, user_errors, write_json
from vaktpost.store.db import open_store
from vaktpost.store.known_sender import promote_known_senders


def rescore(
    db: DbOption = None,
    output: Annotated[Output, typer.Option("--output", help="table for people, json for scripts (on stdout).")] = Output.table,
) -> None:
    """Re-examine the reply model's borderline confirmations of senders known elsewhere.

    A borderline turn (reply score in [low, threshold) of the reply model) gets MINOR_CONFIRMED
    (rule reply_model.known_sender) when its sender has a MINOR_CONFIRMED in another
    conversation of the store; one no longer due loses it. One transaction; idempotent.
    """
    counts = promote_known_senders(open_store(resolve_db(db)))
    if output is Output.table:
        console.print(f"known senders: {counts['promoted']:,} borderline confirmation(s) promoted "
                      f"({counts['added']:,} added, {counts['removed']:,} taken back).")
    else:
        write_json({"known_sender": counts})


def register(app: typer.Typer) -> None:
    app.command()(user_errors(rescore))
