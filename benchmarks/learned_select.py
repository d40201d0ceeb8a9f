"""Train the learned stage with its minor-label modes chosen on held-out families, and say what
it would add: the out-of-fold figures per add-only label (see `text/training.train_model`).

    python benchmarks/learned_select.py --train DIR [DIR ...] [--select FRESH_DIR ...]
        [--dev-select] [--exclude-dev] [--no-words] [--balanced] [--out model.npz] [--json OUT]

`--select` dirs are `vaktpost synth --templates benchmarks/fresh/a --split fresh` outputs: their
fresh messages are learned from and are where the minor labels' modes are chosen (out of fold,
the folds being template families). `--dev-select` instead chooses on the dev families of the
train dirs (benchmarks/dev_eval.py's split) — a check of the machinery only, since the rules
were written against those families too. `--exclude-dev` leaves the dev families out altogether
(then `dev_eval.py --model OUT` is a held-out check of the model).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def main(argv=None) -> dict:
    from dev_eval import is_dev_family

    from vaktpost.text.learned import N_WORD
    from vaktpost.text.training import LabelledSet, load_labelled, train_model

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=Path, nargs="+", required=True)
    ap.add_argument("--select", type=Path, nargs="*", default=[])
    ap.add_argument("--dev-select", action="store_true")
    ap.add_argument("--exclude-dev", action="store_true")
    ap.add_argument("--no-words", action="store_true")
    ap.add_argument("--balanced", action="store_true")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-precision", type=float, default=0.97)
    ap.add_argument("--exclude-fold", help="K/N: leave out the fresh families in fold K of N (crc32(family) %% N == K), "
                    "so that `fresh_eval.py --families-fold K/N` checks the whole pipeline on them")
    ap.add_argument("--min-added", type=int, default=10)
    ap.add_argument("--C", type=float, default=4.0)
    ap.add_argument("--rule-labels", action="store_true", help="fit the minor labels with the rules' labels as features too")
    ap.add_argument("--force-threshold", type=float, help="diagnostics: every minor label 'rules or model' at this threshold")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    dev = (lambda t: is_dev_family(t.get("family"))) if a.dev_select else False
    fresh = lambda t: t.get("split") == "fresh"
    sources = [(p, "train", dev) for p in a.train] + [(p, "all", fresh) for p in a.select]
    exclude = is_dev_family if a.exclude_dev else None
    if a.exclude_fold:
        import zlib

        k, n = map(int, a.exclude_fold.split("/"))
        fresh_families = set()
        for path in a.select:
            from vaktpost.text.training import read_truth

            fresh_families |= {t.get("family") for t in read_truth(path, "messages.jsonl") if t.get("split") == "fresh"}
        left_out = {f for f in fresh_families if zlib.crc32(str(f).encode()) % n == k}
        exclude = lambda f, dev=exclude: f in left_out or bool(dev and dev(f))
    merged = LabelledSet([], {}, {})
    t0 = time.perf_counter()
    for n, (path, split, select) in enumerate(sources):
        merged.merge(load_labelled(path, split, tag=f"{n}:", select=select, exclude=exclude))
    model, report = train_model(merged, folds=a.folds, n_word=0 if a.no_words else N_WORD,
                                class_weight="balanced" if a.balanced else None, min_precision=a.min_precision, min_added=a.min_added, C=a.C,
                                rule_labels_for_add_only=a.rule_labels, force_threshold=a.force_threshold,
                                log=lambda s: print(s, file=sys.stderr))
    print(f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    if a.out:
        model.save(a.out)
        print(f"model written to {a.out} ({a.out.stat().st_size // 1024} KiB)", file=sys.stderr)
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
