"""bank create|import|export|list|disable and media hash|match (spec/cli.md, Media)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from vaktpost.cli.common import DbOption, console, resolve_db, user_errors, write_jsonl
from vaktpost.errors import UserError


class OutFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"


class ListFormat(str, Enum):
    csv = "csv"
    vics = "vics"
    ncmec = "ncmec"


class ExportFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


IndexOption = Annotated[
    Optional[Path],
    typer.Option("--index", help="Folder of the PDQ index. Default: $VAKTPOST_MEDIA_INDEX, "
                 "else beside the SQLite file.", show_default=False),
]
FpsOption = Annotated[
    Optional[float], typer.Option("--fps", help="Video frames hashed per second (default 1).")
]


def _store(db):
    from vaktpost.store.db import open_store

    url = resolve_db(db)
    return url, open_store(url)


def _index_path(url: str, index: Path | None) -> Path:
    from vaktpost.media.matcher import default_index_path

    return index or default_index_path(url)


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file()))
        else:
            out.append(p)
    return out


def register(app: typer.Typer) -> None:
    bank = typer.Typer(help="Hash banks: lists of known media to match against.",
                       no_args_is_help=True)
    media = typer.Typer(help="Hash media files and match them against the banks.",
                        no_args_is_help=True)
    app.add_typer(bank, name="bank")
    app.add_typer(media, name="media")

    @bank.command("create")
    @user_errors
    def bank_create(
        name: str,
        threshold: Annotated[int, typer.Option(help="Largest PDQ distance that matches.")] = 31,
        min_quality: Annotated[int, typer.Option(help="PDQ quality below which a picture's "
                                                 "PDQ is not matched.")] = 50,
        negative: Annotated[bool, typer.Option("--negative", help="Known-benign media: a match "
                                               "here cancels all other matches.")] = False,
        db: DbOption = None,
    ) -> None:
        """Create an empty bank."""
        from vaktpost.media.banks import create_bank

        _, engine = _store(db)
        b = create_bank(engine, name, threshold, min_quality, negative)
        console.print(f"bank {b.name!r} created (threshold {b.threshold}, min quality "
                      f"{b.min_quality}{', negative' if b.negative else ''})")

    @bank.command("import")
    @user_errors
    def bank_import(
        name: str,
        file: Path,
        format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.csv,
        signal_type: Annotated[Optional[str], typer.Option(
            help="Type of bare 64-digit hashes in an ncmec list: pdq or sha256.")] = None,
        source: Annotated[Optional[str], typer.Option(
            help="Where the list came from (default: the file's name).")] = None,
        index: IndexOption = None,
        db: DbOption = None,
    ) -> None:
        """Add a list's hashes to a bank (hashes already there are kept as they are)."""
        from vaktpost.media.bank_formats import read_list
        from vaktpost.media.banks import import_hashes
        from vaktpost.media.matcher import sync_index

        url, engine = _store(db)
        if not file.is_file():
            raise UserError("no such file", str(file))
        try:
            entries = read_list(file, format.value, signal_type)
            outcome = import_hashes(engine, name, entries, source or file.name)
        except UnicodeDecodeError as exc:
            raise UserError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", str(file))
        for p in outcome.problems[:20]:
            print(f"skipped: {file}: {p.where}: {p.why}", file=sys.stderr)
        if len(outcome.problems) > 20:
            print(f"skipped: {file}: … and {len(outcome.problems) - 20} more", file=sys.stderr)
        sync_index(engine, _index_path(url, index))
        console.print(f"{name}: {outcome.added} added, {outcome.already_there} already there, "
                      f"{len(outcome.problems)} skipped")

    @bank.command("export")
    @user_errors
    def bank_export(
        name: str,
        format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.csv,
        output: Annotated[Optional[Path], typer.Option("--output", "-o")] = None,
        db: DbOption = None,
    ) -> None:
        """Write a bank's hashes with their provenance (CSV importable again)."""
        from vaktpost.media.bank_formats import write_csv
        from vaktpost.media.banks import export_rows

        _, engine = _store(db)
        rows = export_rows(engine, name)
        if format is ExportFormat.jsonl and output is None:
            write_jsonl(rows)
            return
        out = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            if format is ExportFormat.csv:
                write_csv(rows, out)
            else:
                import orjson

                for r in rows:
                    out.write(orjson.dumps(r).decode() + "\n")
        finally:
            if output:
                out.close()

    @bank.command("list")
    @user_errors
    def bank_list(
        format: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
        db: DbOption = None,
    ) -> None:
        """Banks with their settings and hash counts."""
        from rich.table import Table

        from vaktpost.media.banks import list_banks

        _, engine = _store(db)
        banks = list_banks(engine)
        if format is OutFormat.jsonl:
            write_jsonl(banks)
            return
        table = Table("bank", "threshold", "min quality", "negative", "enabled", "hashes",
                      "disabled")
        for b in banks:
            table.add_row(b["name"], str(b["threshold"]), str(b["min_quality"]),
                          "yes" if b["negative"] else "", "yes" if b["enabled"] else "no",
                          ", ".join(f"{k} {v}" for k, v in b["hashes"].items()),
                          str(b["disabled_hashes"]))
        console.print(table)

    @bank.command("disable")
    @user_errors
    def bank_disable(
        name: str,
        hash: Annotated[Optional[str], typer.Argument(help="One hash to stop matching; "
                                                      "without it the whole bank.")] = None,
        signal_type: Annotated[Optional[str], typer.Option()] = None,
        reason: Annotated[Optional[str], typer.Option()] = None,
        index: IndexOption = None,
        db: DbOption = None,
    ) -> None:
        """Stop a hash (or a whole bank) matching, keeping its record; no index rebuild."""
        from vaktpost.media.banks import disable_hash, set_bank_enabled

        url, engine = _store(db)
        if hash is None:
            set_bank_enabled(engine, name, False)
            console.print(f"bank {name!r} disabled")
            return
        n = disable_hash(engine, name, hash, signal_type, reason, _index_path(url, index))
        console.print(f"{name}: {n} hash{'es' if n != 1 else ''} disabled")

    @media.command("hash")
    @user_errors
    def media_hash(
        paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
        format: Annotated[str, typer.Option("--format", help="jsonl")] = "jsonl",
        fps: FpsOption = None,
        full_decode: Annotated[bool, typer.Option(help="Decode at full size before PDQ.")] = False,
    ) -> None:
        """SHA-256, MD5 and PDQ of each file; videos: one line per sampled frame and one whole."""
        from vaktpost.media.files import hash_files

        _check_jsonl(format)
        failed = 0
        for result in hash_files(_expand(paths), fast=not full_decode, fps=fps):
            if isinstance(result, UserError):
                failed += 1
                print(f"error: {result}", file=sys.stderr)
                write_jsonl([{"path": result.where, "error": result.why}])
                continue
            write_jsonl(_hash_lines(result))
        if failed:
            raise typer.Exit(1)

    @media.command("match")
    @user_errors
    def media_match(
        paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
        format: Annotated[str, typer.Option("--format", help="jsonl")] = "jsonl",
        fps: FpsOption = None,
        record: Annotated[bool, typer.Option(help="Write matches as findings.")] = True,
        index: IndexOption = None,
        db: DbOption = None,
    ) -> None:
        """Match files against every enabled bank; matches become findings for review."""
        from vaktpost.media.files import hash_files
        from vaktpost.media.matcher import Matcher, record_finding

        _check_jsonl(format)
        url, engine = _store(db)
        matcher = Matcher(engine, _index_path(url, index))
        failed = 0
        for result in hash_files(_expand(paths), fps=fps):
            if isinstance(result, UserError):
                failed += 1
                print(f"error: {result}", file=sys.stderr)
                write_jsonl([{"path": result.where, "error": result.why, "matches": []}])
                continue
            outcome = matcher.match(result)
            line = {"path": result.path, "matches": [m.public() for m in outcome.matches]}
            if outcome.suppressed:
                line["suppressed"] = [m.public() for m in outcome.suppressed]
            if record:
                fid = record_finding(engine, outcome, matcher)
                if fid is not None:
                    line["finding_id"] = fid
            write_jsonl([line])
        if failed:
            raise typer.Exit(1)


def _check_jsonl(fmt: str) -> None:
    if fmt != "jsonl":
        raise typer.BadParameter(f"only jsonl is written, not {fmt!r}", param_hint="--format")


def _hash_lines(result) -> list[dict]:
    d = result.digests
    whole = {"path": result.path, "sha256": d.sha256, "md5": d.md5, "sha1": d.sha1,
             "pdq": result.pdq.hash if result.pdq else None,
             "pdq_quality": result.pdq.quality if result.pdq else None}
    if result.kind == "image":
        return [whole]
    frames = [{"path": result.path, "sha256": d.sha256, "md5": d.md5, "pdq": f.pdq.hash,
               "pdq_quality": f.pdq.quality, "frame_ts": f.frame_ts} for f in result.frames]
    return frames + [whole | {"frames": len(frames)}]
