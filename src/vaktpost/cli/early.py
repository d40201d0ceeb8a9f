"""`vaktpost scan FILE…`: start the first file's reader process before anything heavy loads.

The command itself loads the database layer, the text stage and every other command's module
(~0.5 s) before it imports a line; the import's reader process (ingest/parallel.py) needs
none of that. So `main()` reads the scan's arguments here first — only the plain forms, with
the light modules the reader loads anyway — and starts that process at once
(`parallel.start_early`): it reads and converts while this process starts. The import later
takes it over only if it asks for the very same file, format and options (else it starts its
own), so a form not understood here costs speed at most, never correctness.
"""

from __future__ import annotations

from pathlib import Path

_WITH_VALUE = {"--db", "--output", "--format", "--timezone", "--platform", "--column", "--pan12-date", "--engine", "--ray-address"}


def start_scan_reader(argv: list[str]) -> None:
    """Start the reader process of `vaktpost scan ARGV…`'s first file, where it will get one."""
    try:
        _start(argv)
    except Exception:  # noqa: BLE001 - the command itself reports whatever is wrong with its arguments
        return


def _parse(argv: list[str]) -> tuple[dict[str, list[str]], set[str], list[str]] | None:
    """(option values, flags, paths) of `scan ARGV…` in the plain forms, or None for anything
    else (another command, --help, a form not understood here)."""
    if not argv or argv[0] != "scan":
        return None
    values: dict[str, list[str]] = {}
    flags, paths = set(), []
    args = iter(argv[1:])
    for a in args:
        if a == "--":
            paths.extend(args)
            break
        if a.startswith("-"):
            name, eq, value = a.partition("=")
            if name in _WITH_VALUE:
                values.setdefault(name, []).append(value if eq else next(args))
            elif name == "--skip-invalid" and not eq:
                flags.add(name)
            else:
                return None
        else:
            paths.append(a)
    return (values, flags, paths) if paths else None


def is_plain_scan(argv: list[str]) -> bool:
    """Whether ARGV is `scan` in the plain forms understood here (run_scan may run it)."""
    try:
        return _parse(argv) is not None
    except StopIteration:
        return False


def _start(argv: list[str]) -> None:
    parsed = _parse(argv)
    if parsed is None:
        return
    values, flags, paths = parsed
    if values.get("--engine", ["local"])[-1] != "local":
        return
    from datetime import date

    from vaktpost.ingest.parallel import start_early
    from vaktpost.ingest.readers import ImportOptions, detect_format, use_child_process
    from vaktpost.ingest.records import parse_zone
    from vaktpost.ingest.source import check_input

    path = Path(paths[0])
    check_input(path)
    one = {k: v[-1] for k, v in values.items()}
    opts = ImportOptions(
        format=one.get("--format", "auto"),
        skip_invalid="--skip-invalid" in flags,
        zone=parse_zone(one.get("--timezone")),
        platform=one.get("--platform"),
        csv_columns=tuple(values.get("--column", ())),
        pan12_date=date.fromisoformat(one["--pan12-date"]) if one.get("--pan12-date") else ImportOptions.pan12_date,
    )
    if not use_child_process(path, opts):
        return
    fmt = detect_format(path) if opts.format == "auto" else opts.format
    start_early(path, fmt, opts, opts.batch_size, with_findings=True)


def run_scan(argv: list[str]) -> bool:
    """Run `vaktpost scan ARGV…` without building the typer app, where the arguments are in
    the plain forms understood here and every value is one the command accepts; False (and
    nothing done) otherwise — the typer app then parses, reports usage errors and runs it.
    Typer coerces each parameter through a pydantic adapter: ~0.07 CPU s of every scan's
    start-up; and typer and rich themselves are not loaded at all (cli/scan_command.py).
    tests/cli/test_early_scan.py checks both ways call `scan_files` alike."""
    try:
        parsed = _parse(argv)
    except StopIteration:  # an option without its value: typer's usage error
        return False
    if parsed is None:
        return False
    values, flags, paths = parsed
    from vaktpost.cli.common import Output, user_errors
    from vaktpost.cli.scan_command import InputFormat, ScanEngine, scan_files

    one = {k: v[-1] for k, v in values.items()}
    try:
        kwargs = {
            "inputs": [Path(p) for p in paths],
            "db": one.get("--db"),
            "format": InputFormat(one.get("--format", "auto")),
            "skip_invalid": "--skip-invalid" in flags,
            "timezone": one.get("--timezone"),
            "platform": one.get("--platform"),
            "column": values.get("--column"),
            "pan12_date": one.get("--pan12-date"),
            "output": Output(one.get("--output", "table")),
            "engine_name": ScanEngine(one.get("--engine", "local")),
            "ray_address": one.get("--ray-address"),
        }
    except ValueError:  # a choice the command does not have: typer's usage error
        return False
    try:
        user_errors(scan_files)(**kwargs)
    except Exception as exc:  # typer (loaded only for an error's exit) is asked which it is
        import typer

        if isinstance(exc, typer.Exit):
            raise SystemExit(exc.exit_code) from None
        raise
    return True
