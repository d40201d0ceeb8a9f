"""The `vaktpost` command. Thin: every command parses options and calls the library.

Each area registers its commands in its own module below; add the module's name to
COMMAND_MODULES to put it on the command line. They are loaded when `app` is first asked for
(PEP 562), so that `main()` can start a scan's reader process first (cli/early.py).
"""

from __future__ import annotations

import importlib
import sys

import typer

_app = typer.Typer(
    name="vaktpost",
    help="Find, review and report child exploitation traded over chat and streaming platforms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _version(value: bool) -> None:
    if value:
        from vaktpost import __version__

        print(f"vaktpost {__version__}")
        raise typer.Exit()


@_app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Find, review and report child exploitation traded over chat and streaming platforms."""


COMMAND_MODULES = [
    "conversations",
    "review",
    "synth",
    "media",
    "report",
    "analysis",
    "scale",
    "known_sender",
]

_registered = False


def _full_app() -> typer.Typer:
    global _registered
    if not _registered:
        _registered = True
        for name in COMMAND_MODULES:
            importlib.import_module(f"{__name__}.{name}").register(_app)
    return _app


def __getattr__(name: str):
    if name == "app":
        return _full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    from vaktpost.cli.early import run_scan, start_scan_reader

    start_scan_reader(sys.argv[1:])
    if not run_scan(sys.argv[1:]):
        _full_app()()
