"""The `vaktpost` command. Thin: every command parses options and calls the library.

Each area registers its commands in its own module below; add the module's name to
COMMAND_MODULES to put it on the command line.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
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


@app.callback()
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
]

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def main() -> None:
    app()
