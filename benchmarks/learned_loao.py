"""The learned stage measured leave-one-author-out: for each author, its sets scored by the
rules alone, by a given model (the one shipped on main) and by the model trained WITHOUT that
author with every choice made without its messages (`text/training.train_model(per_author=True)`).

    python benchmarks/learned_loao.py DIR [DIR ...] --authors benchmarks/fresh/authors.json
        [--cache /tmp/x/cache] [--main-model PATH] [--settings 4,1,4b] [--stable] [--oof-cache FILE]
        [--out-dir DIR] [--json OUT]

DIRs are `vaktpost synth` outputs (the train split, fresh sets `--split fresh`); a message's
author comes from its family id and the authors map (`text/loao.py`). Scoring is the whole text
stage (rules, learned stage, dialogue) as `vaktpost eval` does it, over the author's messages of
each DIR, pooled over its DIRs. `--out-dir` keeps the per-author models and the all-author one
(`all.npz`, what `vaktpost train` ships with the same arguments).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

LABELS = ("MINOR_REQUEST", "MINOR_CONFIRMED", "CONTENT_REQUEST", "SELF_DISCLOSED_MINOR", "AGE_PROBE", "PRICE_NEGOTIATION", "TRAVEL_MEETING")
SHORT = {"MINOR_REQUEST": "MREQ", "MINOR_CONFIRMED": "MCONF", "CONTENT_REQUEST": "CONT", "SELF_DISCLOSED_MINOR": "SELF",
         "AGE_PROBE": "AGEP", "PRICE_NEGOTIATION": "PRICE", "TRAVEL_MEETING": "TRAV"}


def score_dir(directory: Path, author: str, authors: dict, model, use_learned: bool) -> dict:
    """Counts (tp/fp/fn per label, actors, hard negatives) over `author`'s messages of a dir."""
    from dev_eval import predict

    from vaktpost.text.evaluate import evaluate
    from vaktpost.text.funnel import FunnelMessage, compute_funnels
    from vaktpost.text.loao import LEARN_SPLITS, author_of
    from vaktpost.text.training import read_truth

    convs, pred = predict(directory, model, use_learned)
    funnel_msgs = [[FunnelMessage(m.platform, m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients),
                                  frozenset(pred.get((m.platform, m.message_id), ()))) for m in conv] for conv in convs]
    by_actor = {(f.platform, f.actor_id): f.as_json() for f in compute_funnels(funnel_msgs)}
    truth = [t for t in read_truth(directory, "messages.jsonl") if t.get("split") in LEARN_SPLITS and author_of(t, authors) == author]
    r = evaluate(truth, pred, read_truth(directory, "actors.jsonl"), by_actor, "all")
    return {"labels": {k: [v["tp"], v["fp"], v["fn"]] for k, v in r["labels"].items()},
            "actors": {k: [v["tp"], v["fp"], v["fn"]] for k, v in r["actors"].items()},
            "hard": [r["hard_negatives"]["with_minor_label"], r["hard_negatives"]["messages"]],
            "hard_by_class": {c: [v["with_minor_label"], v["messages"]] for c, v in r["hard_negatives"]["by_class"].items()}}


def _add(acc: dict, s: dict) -> None:
    for part in ("labels", "actors"):
        for k, v in s[part].items():
            a = acc.setdefault(part, {}).setdefault(k, [0, 0, 0])
            for i in range(3):
                a[i] += v[i]
    h = acc.setdefault("hard", [0, 0])
    h[0] += s["hard"][0]
    h[1] += s["hard"][1]
    for c, v in s.get("hard_by_class", {}).items():
        a = acc.setdefault("hard_by_class", {}).setdefault(c, [0, 0])
        a[0] += v[0]
        a[1] += v[1]


def prf(v, beta=1.0):
    tp, fp, fn = v
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    b2 = beta * beta
    return p, r, ((1 + b2) * p * r / (b2 * p + r) if p + r else 0.0)


def main(argv=None) -> dict:
    from vaktpost.text.learned import N_WORD, LearnedModel
    from vaktpost.text.loao import build_corpus, read_authors
    from vaktpost.text.memo import fingerprint
    from vaktpost.text.choices import parse_label_bars
    from vaktpost.text.training import FitSetting, Options, out_of_author, train_model

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", type=Path, nargs="+")
    ap.add_argument("--authors", type=Path, required=True)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--main-model", type=Path)
    ap.add_argument("--settings", default="4", help="fit settings to choose from per label: C values, 'b' suffix = balanced")
    ap.add_argument("--min-author-precision", type=float, default=0.9)
    ap.add_argument("--label-min-precision", action="append", default=[], metavar="LABEL=P",
                    help="a label's own pooled precision bar for its additions (text/choices.py LABEL_MIN_PRECISION), e.g. SELF_DISCLOSED_MINOR=0.9")
    ap.add_argument("--stable", action="store_true", help="an add-only label on only if it stays on with each author left out")
    ap.add_argument("--oof-cache", type=Path, help="keep the out-of-author predictions here and reuse them (choices re-made)")
    ap.add_argument("--out-dir", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--only-train", action="store_true", help="train and save, score nothing")
    a = ap.parse_args(argv)
    authors = read_authors(a.authors)
    settings = tuple(FitSetting(float(s.rstrip("b")), s.endswith("b")) for s in a.settings.split(","))
    t0 = time.perf_counter()
    corpus = build_corpus(a.dirs, authors, N_WORD, a.cache, log=lambda s: print(s, file=sys.stderr))
    print(f"corpus ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    t0 = time.perf_counter()
    log = lambda s: print(s, file=sys.stderr)
    oof = None
    signature = (tuple(corpus.authors), corpus.n, corpus.X.shape, corpus.X.nnz, settings)
    if a.oof_cache and a.oof_cache.exists():
        with a.oof_cache.open("rb") as fh:
            saved = pickle.load(fh)  # our own file, written below
        if saved["signature"] == signature:
            from vaktpost.text.training import _without_rule_labels

            oof = (saved["P"], saved["kept"], _without_rule_labels(corpus.X), saved["unit"])
            log(f"out-of-author predictions from {a.oof_cache}")
    if oof is None:
        oof = out_of_author(corpus, settings, per_author=True, log=log)
        if a.oof_cache:
            with a.oof_cache.open("wb") as fh:
                pickle.dump({"signature": signature, "P": oof[0], "kept": oof[1], "unit": oof[3]}, fh, protocol=pickle.HIGHEST_PROTOCOL)
    options = Options(min_author_precision=a.min_author_precision, stable=a.stable)
    options.label_min_precision.update(parse_label_bars(a.label_min_precision))
    model, report, per_author = train_model(corpus, settings, options, per_author=True, log=log, oof=oof)
    print(f"trained ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    if a.out_dir:
        a.out_dir.mkdir(parents=True, exist_ok=True)
        model.save(a.out_dir / "all.npz")
        for name, m in per_author.items():
            m.save(a.out_dir / f"without-{name}.npz")
    out = {"train": report, "authors": {}}
    if a.only_train:
        if a.json:
            a.json.write_text(json.dumps(out, indent=1, default=str))
        return out
    main_model = LearnedModel.load(a.main_model) if a.main_model else None
    cache_dir = (a.cache or Path("/tmp")) / "scores"
    cache_dir.mkdir(parents=True, exist_ok=True)
    rules_fp = fingerprint(use_learned=False)[:16]
    for name in corpus.authors:
        dirs = [d for d in a.dirs if _has_author(d, name, authors)]
        acc: dict = {}
        for variant, model_v, learned in (("rules", None, False), ("main", main_model, True), ("new", per_author.get(name), True)):
            if learned and model_v is None:
                continue
            tot: dict = {}
            for d in dirs:
                mh = hashlib.sha256(model_v.coef.tobytes() + model_v.thresholds.tobytes() + model_v.modes.tobytes()
                                    + bytes([model_v.content_beside_request])).hexdigest()[:12] if model_v else "none"
                f = cache_dir / f"{d.resolve().as_posix().replace('/', '_')}-{name}-{mh}-{rules_fp}.json"
                if f.exists() and variant != "new":
                    s = json.loads(f.read_text())
                else:
                    s = score_dir(d, name, authors, model_v, learned)
                    f.write_text(json.dumps(s))
                _add(tot, s)
            acc[variant] = tot
        out["authors"][name] = acc
        print_author(name, acc)
    if a.json:
        a.json.write_text(json.dumps(out, indent=1, default=str))
    return out


def _has_author(d: Path, name: str, authors: dict) -> bool:
    from vaktpost.text.loao import LEARN_SPLITS, author_of
    from vaktpost.text.training import read_truth

    return any(t.get("split") in LEARN_SPLITS and author_of(t, authors) == name for t in read_truth(d, "messages.jsonl"))


def print_author(name: str, acc: dict) -> None:
    p = lambda *x: print(*x, file=sys.stderr)
    p(f"\n== {name}: " + "  ".join(f"{v}" for v in acc))
    for lab in LABELS:
        cells = []
        for v, s in acc.items():
            c = s["labels"].get(lab, [0, 0, 0])
            P, R, F = prf(c)
            cells.append(f"{v} {P:.3f}/{R:.3f}/{F:.3f}")
        p(f"  {SHORT[lab]:6s} " + " | ".join(cells))
    for who in ("asked_minor", "offered_minor"):
        p(f"  {who:13s} " + " | ".join(f"{v} F0.5 {prf(s['actors'].get(who, [0, 0, 0]), 0.5)[2]:.3f} ({s['actors'].get(who, [0, 0, 0])[1]} fp)"
                                    for v, s in acc.items()))
    p("  hard neg.     " + " | ".join(f"{v} {s['hard'][0]}/{s['hard'][1]} ({s['hard'][0] / max(1, s['hard'][1]):.2%})" for v, s in acc.items()))


if __name__ == "__main__":
    main()
