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


def _start(argv: list[str]) -> None:
    if not argv or argv[0] != "scan":
        return
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
                return  # --help, or a form not understood here
        else:
            paths.append(a)
    if not paths or values.get("--engine", ["local"])[-1] != "local":
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
