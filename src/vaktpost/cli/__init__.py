"""The `vaktpost` command. Thin: every command parses options and calls the library.

Each area registers its commands in its own module below; add the module's name to
COMMAND_MODULES to put it on the command line. They, and typer itself, are loaded when `app`
is first asked for (PEP 562), so that `main()` can start a scan's reader process first
(cli/early.py) and run the scan without them (cli/scan_command.py).
"""

from __future__ import annotations

import gc
import importlib
import sys

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

_app = None


def _version(value: bool) -> None:
    if value:
        import typer

        from vaktpost import __version__

        print(f"vaktpost {__version__}")
        raise typer.Exit()


def _root_app():
    import typer

    app = typer.Typer(
        name="vaktpost",
        help="Find, review and report child exploitation traded over chat and streaming platforms.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ) -> None:
        """Find, review and report child exploitation traded over chat and streaming platforms."""

    return app


def _full_app():
    global _app
    if _app is None:
        app = _root_app()
        for name in COMMAND_MODULES:
            importlib.import_module(f"{__name__}.{name}").register(app)
        _app = app
    return _app


def __getattr__(name: str):
    if name == "app":
        return _full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    was_enabled = gc.isenabled()
    gc.disable()  # until it is known whether this is a plain scan (below)
    from vaktpost.cli.early import is_plain_scan, run_scan, start_scan_reader

    argv = sys.argv[1:]
    # A plain scan's collector waits for the whole command (cli/scan_command.py pauses it for
    # the work): so it also skips the collections that loading ~480 modules sets off
    # (~0.04 s), and the one that switching it back on after the work set off over every
    # object the work had made (~0.08 s per 100,000 messages) — both found next to nothing
    # (records and text facts are acyclic). What the command made is then exempted from the
    # collector (`gc.freeze`, as at exit) before it goes on for whatever runs after: the
    # interpreter's exit, or a caller that runs `main()` in-process.
    paused = was_enabled and is_plain_scan(argv)
    if was_enabled and not paused:
        gc.enable()
    try:
        start_scan_reader(argv)
        handled = run_scan(argv)
    finally:
        if paused:
            gc.freeze()
            gc.enable()
    if not handled:
        _full_app()()
