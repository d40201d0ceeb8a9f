"""Score the text stage on a fresh-family set (`vaktpost synth --templates DIR --split fresh`)
in-process, as `vaktpost eval --split fresh` would after a scan: per-label P/R/F1 over fresh
messages, hard negatives per class, actors and funnel totals.

    python benchmarks/fresh_eval.py DIR [--model PATH | --no-learned] [--families-fold K/N] [--json OUT]

`--families-fold K/N` scores only fresh messages of families in fold K of N (the folds of
`text/training.py`: crc32(family) % N), for a model trained without those families.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def main(argv=None) -> dict:
    from dev_eval import predict

    from vaktpost.text.evaluate import evaluate
    from vaktpost.text.funnel import FunnelMessage, compute_funnels
    from vaktpost.text.learned import LearnedModel
    from vaktpost.text.training import read_truth

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--model", type=Path)
    ap.add_argument("--no-learned", action="store_true")
    ap.add_argument("--families-fold")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    model = LearnedModel.load(a.model) if a.model else None
    convs, pred = predict(a.dir, model, not a.no_learned)
    funnel_msgs = [[FunnelMessage(m.platform, m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients),
                                  frozenset(pred.get((m.platform, m.message_id), ()))) for m in conv] for conv in convs]
    by_actor = {(f.platform, f.actor_id): f.as_json() for f in compute_funnels(funnel_msgs)}
    truth = list(read_truth(a.dir, "messages.jsonl"))
    if a.families_fold:
        k, n = map(int, a.families_fold.split("/"))
        truth = [t for t in truth if t.get("split") != "fresh" or zlib.crc32(str(t.get("family")).encode()) % n == k]
    r = evaluate(truth, pred, read_truth(a.dir, "actors.jsonl"), by_actor, "fresh")
    p = lambda *x: print(*x, file=sys.stderr)
    p(f"fresh messages: {r['messages']}")
    for lab, s in r["labels"].items():
        p(f"{lab:22s} {s['tp']:6d} {s['fp']:5d} {s['fn']:5d}  {s['precision']:.3f}  {s['recall']:.3f}  {s['f1']:.3f}")
    for who, s in r["actors"].items():
        p(f"actors {who:15s} {s['tp']:6d} {s['fp']:5d} {s['fn']:5d}  {s['precision']:.3f}  {s['recall']:.3f}  F0.5 {s['f0.5']:.3f}")
    h = r["hard_negatives"]
    p(f"hard negatives {h['with_minor_label']}/{h['messages']} ({h['fp_rate']:.4%}): "
      + ", ".join(f"{c} {v['with_minor_label']}/{v['messages']}" for c, v in h["by_class"].items()))
    if a.json:
        a.json.write_text(json.dumps(r, indent=1))
    return r


if __name__ == "__main__":
    main()
