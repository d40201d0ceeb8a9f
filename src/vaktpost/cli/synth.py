"""`vaktpost synth`: write a synthetic world (chats + ground truth) to a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vaktpost.cli.common import console, user_errors, write_json
from vaktpost.errors import UserError


def register(app: typer.Typer) -> None:
    @app.command("synth")
    @user_errors
    def synth(
        out: Annotated[Path, typer.Option("--out", help="Folder to write chats, truth/ and world.json into.")],
        scenario: Annotated[str | None, typer.Option(help="Preset: mixed (default), case-2021, demo.")] = None,
        messages: Annotated[int | None, typer.Option(help="How many messages (mixed: exactly; presets: scales the background).")] = None,
        seed: Annotated[int, typer.Option(help="Same seed, same world, byte for byte.")] = 0,
        split: Annotated[str | None, typer.Option(help="Template families to phrase with: train, test, all (default), or fresh (default with --templates).")] = None,
        templates: Annotated[Path | None, typer.Option("--templates", help="Folder of <lang>.json files with fresh families (split fresh); slots come from the shipped lexicon.")] = None,
        gzip_: Annotated[bool, typer.Option("--gzip", help="Write chats.jsonl.gz.")] = False,
        parquet: Annotated[bool, typer.Option("--parquet", help="Write chats.parquet.")] = False,
        perturb: Annotated[float, typer.Option(help="Scale of typo/leet/homoglyph/... rates; 0 = clean text.")] = 1.0,
        perturb_rate: Annotated[list[str] | None, typer.Option("--perturb-rate", help="NAME=RATE for one perturbation (typo, leet, spaced, homoglyph, zero_width, repeat, emoji, abbreviate, po); repeatable.")] = None,
        fmt: Annotated[str, typer.Option("--format", help="text (summary on stderr) or json (world.json on stdout).")] = "text",
    ) -> None:
        """Generate a synthetic, non-explicit world of platform chats with ground truth."""
        from vaktpost.synth import GeneratorOptions, generate

        if gzip_ and parquet:
            raise UserError("choose one of --gzip and --parquet", "--gzip/--parquet")
        if perturb < 0:
            raise UserError("must be 0 or more", "--perturb")
        if fmt not in ("text", "json"):
            raise UserError("must be text or json", "--format")
        rates: dict[str, float] = {}
        for item in perturb_rate or []:
            name, _, value = item.partition("=")
            try:
                rates[name.strip()] = float(value)
            except ValueError:
                raise UserError(f"{item!r} is not NAME=RATE", "--perturb-rate") from None
        if split is None:
            split = "fresh" if templates is not None else "all"
        if templates is not None and split != "fresh":
            raise UserError("--templates phrases with fresh families: use it with --split fresh", "--split")
        if out.exists() and not out.is_dir():
            raise UserError("exists and is not a folder", str(out))
        opts = GeneratorOptions(
            out=out, scenario=scenario or "mixed", messages=messages, seed=seed, split=split,
            fmt="gzip" if gzip_ else "parquet" if parquet else "jsonl", perturb=perturb,
            perturb_rates=rates or None, templates=templates,
        )
        if console.is_terminal and fmt == "text":
            with console.status("generating ...") as status:
                opts.progress = lambda n: status.update(f"generating ... {n:,} messages")
                summary = generate(opts)
        else:
            summary = generate(opts)
        if fmt == "json":
            write_json(summary)
            return
        c = summary["counts"]
        console.print(
            f"wrote {c['messages']:,} messages in {c['conversations']:,} conversations by "
            f"{sum(c['actors'].values()):,} actors to {out / summary['chats']} "
            f"(scenario {summary['scenario']}, seed {summary['seed']}, split {summary['split']})")
