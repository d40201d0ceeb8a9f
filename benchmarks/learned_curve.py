"""The learned stage's out-of-author curve for one add-only label (aggregates only, never a line).

    python benchmarks/learned_curve.py DIR... --authors benchmarks/fresh/authors.json --cache C
        --oof-cache F [--label MINOR_CONFIRMED] [--grid 0.5,0.6,...] --out CURVE.json

For each author, the model fitted without it (`training.train_model(per_author=True)`, every
choice made without its messages) with the label's threshold forced to t (mode "rules or model",
the gate the fold chose, or the all-author one where the fold chose rules only) scores the
author's messages of each DIR through the whole text stage, the reply model switched off (the
shipped one is in-sample on every training set). Written in `reply_curve.py`'s format, so
`threshold_rules.py CURVE.json` compares choice rules on it: per set and t, the label's tp/fp/fn
(as "mc"), offered actors and hard negatives by class; t = 1.01 is the rules alone for the label.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

DEFAULT_GRID = "0.5,0.6,0.7,0.75,0.8,0.85,0.88,0.9,0.92,0.94,0.96,0.97,0.98,0.99,1.01"


def main(argv=None) -> None:
    from learned_loao import _has_author, score_dir

    from vaktpost.model import Label
    from vaktpost.text import reply_model
    from vaktpost.text.choices import Options
    from vaktpost.text.learned import ADD, LABELS, N_WORD
    from vaktpost.text.loao import build_corpus, read_authors
    from vaktpost.text.training import FitSetting, _without_rule_labels, train_model

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", type=Path, nargs="+")
    ap.add_argument("--authors", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--oof-cache", type=Path, required=True)
    ap.add_argument("--label", default="MINOR_CONFIRMED")
    ap.add_argument("--grid", default=DEFAULT_GRID)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    log = lambda s: print(s, file=sys.stderr, flush=True)
    authors = read_authors(a.authors)
    lab = Label[a.label]
    j = LABELS.index(lab)
    grid = [float(x) for x in a.grid.split(",")]
    corpus = build_corpus(a.dirs, authors, N_WORD, a.cache, log=log)
    with a.oof_cache.open("rb") as fh:
        saved = pickle.load(fh)  # our own file (learned_loao.py --oof-cache)
    oof = (saved["P"], saved["kept"], _without_rule_labels(corpus.X), saved["unit"])
    setting = FitSetting()
    everyone, report, per_author = train_model(corpus, (setting,), Options(), per_author=True, log=lambda s: None, oof=oof)
    log(f"{lab.value} all authors: {report['labels'][lab.value]['mode']} {report['labels'][lab.value]['threshold']}")
    kept = saved["kept"][(setting, j)]
    result = {"grid": grid, "label": lab.value, "sets": {}}
    for ai, name in enumerate(corpus.authors):
        fold = per_author.get(name)
        if fold is None or ai not in kept:
            continue
        w, b = kept[ai]
        gates = fold.gates.copy()
        if fold.mode(j) != ADD:
            gates[j] = everyone.gate(j)
        for d in [d for d in a.dirs if _has_author(d, name, authors)]:
            rows = {}
            for t in grid:
                coef, icpt, th, modes = fold.coef.copy(), fold.intercept.copy(), fold.thresholds.copy(), fold.modes.copy()
                coef[j], icpt[j], th[j], modes[j] = w, b, t, ADD if t <= 1 else 0
                model = replace(fold, coef=coef, intercept=icpt, thresholds=th, modes=modes, gates=gates)
                t0 = time.perf_counter()
                with reply_model.switched_off():
                    s = score_dir(d, name, authors, model, True)
                rows[f"{t:.3f}"] = {"mc": s["labels"][lab.value], "offered": s["actors"]["offered_minor"],
                                    "asked": s["actors"]["asked_minor"], "hard": s["hard"], "hard_by_class": s["hard_by_class"]}
            log(f"{name} {d.name}: rules {rows['1.010']['mc']}, at {grid[0]} {rows[f'{grid[0]:.3f}']['mc']} "
                f"(fold: {fold.mode(j)} {fold.thresholds[j]:.2f}; {time.perf_counter() - t0:.1f} s per pass)")
            result["sets"][f"{d.name}"] = {"author": name, "fold_threshold": float(fold.thresholds[j]) if fold.mode(j) == ADD else None,
                                           "curve": rows}
            a.out.write_text(json.dumps(result))
    a.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
