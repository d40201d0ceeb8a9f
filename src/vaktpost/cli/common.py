"""What every command shares: the --db option, machine output on stdout, one-line errors.

typer and rich are loaded only when asked for (`console`, `DbOption`, an error's exit), so
that `vaktpost scan` (cli/scan_command.py) can run without either.
"""

from __future__ import annotations

import enum
import functools
import sys
from typing import Annotated, Any, Callable, Iterable

import orjson

from vaktpost.errors import UserError


class Output(str, enum.Enum):
    """`--format`/`--output` of the commands that print results: a table (stderr) for people,
    JSON or JSON lines (stdout) for scripts."""

    table = "table"
    json = "json"
    jsonl = "jsonl"


def _console():
    from rich.console import Console

    # Human output (tables, progress) goes to stderr so stdout stays clean for --format json.
    return Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def _db_option():
    import typer

    return Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL. Defaults to $VAKTPOST_DB, else sqlite:///vaktpost.db here.",
            show_default=False,
        ),
    ]


_LAZY = {"console": _console, "DbOption": _db_option}


def __getattr__(name: str):
    """`console` and `DbOption`, made on first use (PEP 562) and then kept as globals."""
    make = _LAZY.get(name)
    if make is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = make()
    return value


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
            _exit(1)
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            print(f"error: {exc.filename}: {exc.strerror}", file=sys.stderr)
            _exit(1)
        except KeyboardInterrupt:
            print("interrupted; nothing of the unfinished step was written", file=sys.stderr)
            _exit(130)

    return wrapper


def _exit(code: int):
    import typer

    raise typer.Exit(code) from None


def write_json(value: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def write_jsonl(rows: Iterable[Any]) -> None:
    out = sys.stdout.buffer
    for row in rows:
        out.write(orjson.dumps(row) + b"\n")
    out.flush()
