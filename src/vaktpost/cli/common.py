"""What every command shares: the --db option, machine output on stdout, one-line errors."""

from __future__ import annotations

import enum
import functools
import sys
from typing import Annotated, Any, Callable, Iterable

import orjson
import typer
from rich.console import Console

from vaktpost.errors import UserError


class Output(str, enum.Enum):
    """`--format`/`--output` of the commands that print results: a table (stderr) for people,
    JSON or JSON lines (stdout) for scripts."""

    table = "table"
    json = "json"
    jsonl = "jsonl"

# Human output (tables, progress) goes to stderr so stdout stays clean for --format json.
console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL. Defaults to $VAKTPOST_DB, else sqlite:///vaktpost.db here.",
        show_default=False,
    ),
]


def resolve_db(db: str | None) -> str:
    if db:
        return db
    # Loaded only when needed: pydantic-settings is ~0.07 CPU s of a `vaktpost scan --db URL`'s start-up.
    from vaktpost.settings import get_settings

    return get_settings().db


def user_errors(fn: Callable) -> Callable:
    """Turn a UserError into a one-line message on stderr and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any):
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(1) from None
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            print(f"error: {exc.filename}: {exc.strerror}", file=sys.stderr)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            print("interrupted; nothing of the unfinished step was written", file=sys.stderr)
            raise typer.Exit(130) from None

    return wrapper


def write_json(value: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def write_jsonl(rows: Iterable[Any]) -> None:
    out = sys.stdout.buffer
    for row in rows:
        out.write(orjson.dumps(row) + b"\n")
    out.flush()
