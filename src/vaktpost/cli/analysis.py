"""train, eval, links: the conversation-analysis commands."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vaktpost.cli.common import (
    DbOption,
    Output,
    console,
    resolve_db,
    user_errors,
    write_json,
    write_jsonl,
)
from vaktpost.errors import UserError


class Split(str, enum.Enum):
    train = "train"
    test = "test"
    all = "all"
    fresh = "fresh"  # families from `vaktpost synth --templates DIR`


@user_errors
def train(
    data: Annotated[list[Path], typer.Argument(help="Generator output dirs (`vaktpost synth --out`: the train split, fresh sets) or labelled chat JSONL files.", show_default=False)],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the model; default: the one shipped in the package.")] = None,
    authors: Annotated[Path | None, typer.Option("--authors", help="JSON map fresh set -> author (e.g. benchmarks/fresh/authors.json): the folds are authors, each left out in turn. Without it each fresh set is its own author.")] = None,
    select: Annotated[list[Path] | None, typer.Option("--select", help="More generator output dirs (as the arguments; kept for old commands).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Directory for each input's scanned facts, reused while the rules and the data are unchanged.")] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Folds by template family when every message has one author.")] = 5,
    min_precision: Annotated[float | None, typer.Option("--min-precision", min=0.5, max=1.0, show_default=False, help="Pooled out-of-author precision an add-only label (minor labels, AGE_PROBE) must reach with the model's additions: of the additions alone or of the label with them, per --bar-kind. Default: the learned stage's bar in text/thresholds.json.")] = None,
    bar_kind: Annotated[str | None, typer.Option("--bar-kind", metavar="additions|label", show_default=False, help="What --min-precision is a bar on: 'additions' (the model's additions alone) or 'label' (the rules' labels and the additions pooled). Default: text/thresholds.json.")] = None,
    label_min_precision: Annotated[list[str] | None, typer.Option("--label-min-precision", metavar="LABEL=P", help="An add-only label's own pooled precision bar, over --min-precision (defaults: the labels' own bars in text/thresholds.json), e.g. SELF_DISCLOSED_MINOR=0.9.")] = None,
    reply_bar: Annotated[str | None, typer.Option("--reply-bar", metavar="KIND:P", show_default=False, help="The reply model's threshold bar, e.g. additions:0.97 or label:0.95 (kinds as --bar-kind). Default: the reply bar in text/thresholds.json.")] = None,
    min_author_precision: Annotated[float, typer.Option("--min-author-precision", min=0.0, max=1.0, help="Precision of a minor label's additions on each left-out author (with 5 or more).")] = 0.9,
    min_added: Annotated[int | None, typer.Option("--min-added", min=1, show_default=False, help="True additions out of author a minor label's mode needs at least. Default: text/thresholds.json (10).")] = None,
    settings: Annotated[str, typer.Option("--settings", help="Fit settings each label chooses from out of author: C values, a 'b' suffix for balanced class weights (e.g. 4,1,4b).")] = "4",
    stable: Annotated[bool, typer.Option("--stable/--no-stable", help="A minor label only if it stays on with each author left out of the choice too (at the highest threshold those choices need).")] = False,
    word_features: Annotated[bool, typer.Option("--word-features/--no-word-features", help="Hashed word unigrams and bigrams beside the char n-grams.")] = True,
    reply: Annotated[bool, typer.Option("--reply/--no-reply", help="Also train the reply model (text/reply_model.py), its threshold chosen leave-one-author-out.")] = True,
    reply_out: Annotated[Path | None, typer.Option("--reply-out", help="Where to write the reply model; default: beside --out as <name>.reply.npz, else the one shipped in the package.")] = None,
) -> None:
    """Train the learned stage on labelled conversations and write it as a small .npz file.

    Every label's mode, threshold, gate and fit setting is chosen leave-one-author-out:
    on each author's messages as scored by the model fitted without that author."""
    from vaktpost.text.choices import parse_label_bars
    from vaktpost.text.learned import N_WORD, installed_model, shipped_model_path
    from vaktpost.text.loao import build_corpus, read_authors
    from vaktpost.text.thresholds import KINDS, parse_reply_bar
    from vaktpost.text.training import FitSetting, Options, train_model

    paths = list(data) + list(select or ())
    for path in select or ():
        if not path.is_dir():
            raise UserError("--select takes a `vaktpost synth` output directory", str(path))
    try:
        fit_settings = tuple(FitSetting(float(s.strip().rstrip("b")), s.strip().endswith("b")) for s in settings.split(","))
    except ValueError:
        raise UserError("--settings takes C values separated by commas, each with an optional 'b'", settings) from None
    options = Options(min_author_precision=min_author_precision, stable=stable)
    if min_precision is not None:
        options.min_precision = min_precision
    if min_added is not None:
        options.min_added = min_added
    if bar_kind is not None:
        if bar_kind not in KINDS:
            raise UserError(f"--bar-kind is one of {', '.join(KINDS)}", bar_kind)
        options.kind = bar_kind
    options.label_min_precision.update(parse_label_bars(label_min_precision))
    the_reply_bar = parse_reply_bar(reply_bar)
    log = lambda s: console.print(s, highlight=False)
    corpus = build_corpus(paths, read_authors(authors), N_WORD if word_features else 0, cache, log)
    model, _, _ = train_model(
        corpus, fit_settings, options, folds=folds,
        n_word=N_WORD if word_features else 0, log=log,
    )
    target = out or shipped_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    if out is None and hasattr(installed_model, "cache_clear"):
        installed_model.cache_clear()  # this process now uses the new model
    console.print(f"model written to {target} ({target.stat().st_size // 1024} KiB)")
    if reply:
        _train_reply(paths, read_authors(authors), target if out is not None else None,
                     reply_out or (out.with_name(out.stem + ".reply.npz") if out else None), the_reply_bar)


def _train_reply(paths: list[Path], authors: dict[str, str], learned_at: Path | None, out: Path | None, bar=None) -> None:
    """The reply model learns from the pipeline as it will run: the learned model just written."""
    from vaktpost.text import learned, reply_model
    from vaktpost.text.reply_training import train_reply
    from vaktpost.text.training import LabelledSet

    merged = LabelledSet([], {}, {})
    for n, path in enumerate(paths):
        merged.merge(_without_test_conversations(path, tag=f"{n}:" if len(paths) > 1 else ""))

    saved = learned.installed_model
    if learned_at is not None:  # a model written elsewhere than the package: use it for the pipeline here
        model = learned.LearnedModel.load(learned_at)
        learned.installed_model = lambda: model
    try:
        model_r, _ = train_reply(merged, bar=bar, log=lambda s: console.print(s, highlight=False), authors=authors)
    finally:
        learned.installed_model = saved
    target = out or reply_model.shipped_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    model_r.save(target)
    if out is None:
        reply_model.installed_model.cache_clear()
    console.print(f"reply model written to {target} ({target.stat().st_size // 1024} KiB)")


def _without_test_conversations(path: Path, tag: str):
    """A training input for the reply model: whole conversations (its context is the line
    before; a fresh set's conversations mix fresh and train lines), but none that holds a line
    of the held-out test families (a `synth --split all` world mixes them), as the learned
    stage learns from the train and fresh splits only."""
    from vaktpost.text.training import LabelledSet, load_labelled, read_truth

    data = load_labelled(path, "all", tag=tag)
    if not path.is_dir():
        return data
    test = {(t["platform"], tag + t["message_id"]) for t in read_truth(path, "messages.jsonl") if t.get("split") == "test"}
    if not test:
        return data
    keep = [c for c in data.conversations if not any((m.platform, m.message_id) in test for m in c)]
    kept = {(m.platform, m.message_id) for c in keep for m in c}
    return LabelledSet(keep, {k: v for k, v in data.labels.items() if k in kept}, {k: v for k, v in data.groups.items() if k in kept},
                       data.select & kept, {k: v for k, v in data.hard.items() if k in kept})


def _predicted(conn) -> dict[tuple[str, str], set[str]]:
    from vaktpost.store.queries import iter_text_findings

    return {(r["platform"], r["message_id"]): set(r["labels"]) for r in iter_text_findings(conn)}


@user_errors
def eval_(
    truth: Annotated[Path, typer.Option("--truth", help="A `vaktpost synth` output directory (its truth/ is read).", show_default=False)],
    db: DbOption = None,
    split: Annotated[Split, typer.Option("--split", help="Score only messages whose phrasing came from this split.")] = Split.all,
    format: Annotated[Output, typer.Option("--format", help="table for people, json for scripts.")] = Output.table,
) -> None:
    """Compare the findings and funnels in a database with a generator's ground truth."""
    from vaktpost.store.db import open_store
    from vaktpost.store.queries import funnels
    from vaktpost.text.evaluate import evaluate
    from vaktpost.text.training import read_truth

    if not truth.is_dir():
        raise UserError("not a directory", str(truth))
    engine = open_store(resolve_db(db))
    with engine.connect() as conn:
        predicted = _predicted(conn)
        by_actor = {(f.platform, f.actor_id): f.as_json() for f in funnels(conn)}
    result = evaluate(read_truth(truth, "messages.jsonl"), predicted, read_truth(truth, "actors.jsonl"), by_actor, split.value)
    if format is Output.table:
        _print_eval(result)
    else:
        write_json(result)


def _print_eval(r: dict) -> None:
    t = Table(title=f"labels ({r['messages']} messages, split {r['split']})")
    for col in ("label", "tp", "fp", "fn", "precision", "recall", "F1"):
        t.add_column(col, justify="right" if col != "label" else "left")
    for lab, s in r["labels"].items():
        t.add_row(lab, str(s["tp"]), str(s["fp"]), str(s["fn"]), f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}")
    console.print(t)
    a = Table(title="actors")
    for col in ("who", "tp", "fp", "fn", "precision", "recall", "F0.5"):
        a.add_column(col)
    for who, s in r["actors"].items():
        a.add_row(who, str(s["tp"]), str(s["fp"]), str(s["fn"]), f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f0.5']:.3f}")
    console.print(a)
    h = r["hard_negatives"]
    console.print(f"hard negatives: {h['with_minor_label']} of {h['messages']} with a minor label (rate {h['fp_rate']:.4f})")
    f = Table(title="funnel")
    for col in ("step", "actors", "mean rel. error", "true total", "found total", "total rel. error"):
        f.add_column(col)
    for step, s in r["funnel"].items():
        f.add_row(step, str(s["actors"]), f"{s['mean_relative_error']:.4f}", str(s["true_total"]), str(s["found_total"]), f"{s['total_relative_error']:.4f}")
    console.print(f)


def _link_messages(conn) -> Iterator:
    from sqlalchemy import select

    from vaktpost.store.conversations import as_utc
    from vaktpost.store.tables import actors, messages, platforms
    from vaktpost.text.linking import LinkMessage

    query = (
        select(platforms.c.name, actors.c.account_id, messages.c.message_id, messages.c.text, messages.c.sent_at, messages.c.ip)
        .join(actors, actors.c.id == messages.c.sender_id)
        .join(platforms, platforms.c.id == messages.c.platform_id)
        .execution_options(yield_per=20_000)
    )
    for platform, actor, mid, text, sent_at, ip in conn.execute(query):
        yield LinkMessage(platform, actor, mid, text or "", as_utc(sent_at) if sent_at else None, ip)


@user_errors
def links(
    db: DbOption = None,
    min_shared: Annotated[int, typer.Option("--min-shared", help="Link only accounts sharing at least this many identifiers.")] = 1,
    format: Annotated[Output, typer.Option("--format", help="table, json (one array) or jsonl (one link a line).")] = Output.table,
) -> None:
    """Accounts that share a phone number, e-mail, payment or app handle, or an IP within an hour."""
    from vaktpost.store.db import open_store
    from vaktpost.text.linking import clusters, find_links

    engine = open_store(resolve_db(db))
    with engine.connect() as conn:
        found = find_links(_link_messages(conn), min_shared)
    rows = [lk.as_json() for lk in sorted(found, key=lambda lk: (lk.a, lk.b))]
    if format is Output.json:
        write_json(rows)
    elif format is Output.jsonl:
        write_jsonl(rows)
    else:
        t = Table(title=f"{len(rows)} links, {len(clusters(found))} groups")
        for col in ("account", "account", "shared"):
            t.add_column(col)
        for r in rows:
            shared = ", ".join(f"{e['kind']} {e['value']} ({len(e['message_ids'])} msgs)" for e in r["evidence"])
            t.add_row(f"{r['platform_a']}/{r['actor_a']}", f"{r['platform_b']}/{r['actor_b']}", shared)
        console.print(t)


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("eval")(eval_)
    app.command("links")(links)
