"""What a sender-aware reply-model threshold would do out of author (measure only; nothing at scan
time reads it yet). Aggregates only, never a line.

    python benchmarks/reply_sender_prior.py DIR... --cache TURNS.pkl --p-cache P.pkl
        [--high 0.94] [--lows 0.9,0.8,0.7,0.6,0.5] [--chunk N] [--bar 0.97]

Reads `benchmarks/reply_loao.py`'s caches (run it first with the same DIRs, `--cache`, `--p-cache`):
the candidate turns and each one's out-of-author probability. A turn's sender is KNOWN when the
pipeline (rules, learned stage, dialogue; reply model off) already gave MINOR_CONFIRMED to another
message of that sender in the same set (`--chunk N`: only within the same block of N
conversations, file order — what a scan that decides per chunk could see). The rule: add at
p >= --high for every candidate, at p >= LOW for a known sender's. Per LOW, per author: MC P/R/F1
and offered F0.5 as `vaktpost eval` computes them, pooled additions; then LOW chosen as the lowest
whose known-sender additions reach --bar pooled (and, NESTED, on the other authors only).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))


def main(argv=None) -> None:
    from reply_curve import set_scorer
    from threshold_rules import f1, fbeta

    from vaktpost.text import reply_training as rt
    from vaktpost.text.loao import read_authors
    from vaktpost.text.training import load_labelled

    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--p-cache", type=Path, required=True)
    ap.add_argument("--high", type=float, default=0.94)
    ap.add_argument("--lows", default="0.94,0.9,0.85,0.8,0.7,0.6,0.5,0.4")
    ap.add_argument("--chunk", type=int, default=0)
    ap.add_argument("--bar", type=float, default=0.97)
    ap.add_argument("--earlier", action="store_true", help="known only from a confirmation sent BEFORE the turn (what a stream could see)")
    a = ap.parse_args(argv)
    authors = read_authors(Path(__file__).parent / "fresh" / "authors.json")
    cached = pickle.loads(a.cache.read_bytes())  # our own files (reply_loao.py)
    turns = rt.Turns()
    sender, block, scorers, set_author, sent = {}, {}, {}, {}, {}
    for n, d in enumerate(a.dirs):
        part = cached[str(d)]
        for k in ("keys", "texts", "lines", "contexts", "y", "authors", "confirmed"):
            getattr(turns, k).extend(getattr(part, k))
        for k in ("msg_author", "msg_hard", "msg_minor", "msg_confirmed", "predicted"):
            getattr(turns, k).update(getattr(part, k))
        tag = f"{n}:"
        data = load_labelled(d, "all", tag=tag)
        for ci, conv in enumerate(data.conversations):
            for m in conv:
                sender[(m.platform, m.message_id)] = (n, m.platform, m.sender.id)
                block[(m.platform, m.message_id)] = ci // a.chunk if a.chunk else 0
                sent[(m.platform, m.message_id)] = m.sent_at
        scorers[d] = set_scorer(d, tag, data, turns)
        set_author[d] = "gen" if d.name == "gen" else authors.get(d.name, d.name)
    _, p = pickle.loads(a.p_cache.read_bytes())
    first: dict = {}  # (sender, block) -> when the pipeline first confirmed a child from it
    for k, (_, pred) in turns.msg_confirmed.items():
        if pred and k in sender:
            s_b = (sender[k], block[k])
            first[s_b] = min(first.get(s_b, sent[k]), sent[k])
    known = np.array([(sender.get(k), block.get(k)) in first and (not a.earlier or first[(sender[k], block[k])] < sent[k])
                      for k in turns.keys])
    y = np.asarray(turns.y, dtype=bool)
    ok = ~np.isnan(p) & ~np.asarray(turns.confirmed, dtype=bool)
    row_author = np.asarray(turns.authors)
    print(f"candidate turns scored {int(ok.sum())}, true {int((ok & y).sum())}; of a known sender {int((ok & known).sum())}, "
          f"true {int((ok & known & y).sum())}" + (f" (known within blocks of {a.chunk} conversations)" if a.chunk else "")
          + (" (known from earlier confirmations only)" if a.earlier else ""))

    def per_author(low: float) -> tuple[dict, int, int]:
        on = ok & ((p >= a.high) | (known & (p >= low)))
        added = {turns.keys[i] for i in np.flatnonzero(on)}
        out: dict = {}
        for d, (keys, score) in scorers.items():
            s = score({k: 1 for k in added & keys})
            e = out.setdefault(set_author[d], {"mc": [0, 0, 0], "off": [0, 0, 0], "hard": 0})
            e["mc"] = [x + z for x, z in zip(e["mc"], s["mc"])]
            e["off"] = [x + z for x, z in zip(e["off"], s["offered"])]
            e["hard"] += s["hard"][0]
        return out, int((on & y).sum()), int((on & ~y).sum())

    base, _, _ = per_author(2.0)
    base_hi, _, _ = per_author(a.high)
    names = sorted(base)
    rows = {}
    for low in [float(x) for x in a.lows.split(",")]:
        per, tp, fp = per_author(low)
        rows[low] = per
        tot = [sum(per[x]["mc"][i] for x in names) for i in range(3)]
        off = [sum(per[x]["off"][i] for x in names) for i in range(3)]
        print(f"\nhigh {a.high} low {low}: additions {tp}/{fp}; pooled MC {tot} F1 {f1(tot):.4f}; offered F0.5 {fbeta(off):.4f}; "
              f"hard negatives with a minor label {sum(per[x]['hard'] for x in names)} (reply off {sum(base[x]['hard'] for x in names)})")
        print("   " + "  ".join(f"{x}: {f1(base_hi[x]['mc']):.3f}->{f1(per[x]['mc']):.3f} off {fbeta(per[x]['off']) - fbeta(base_hi[x]['off']):+.3f}"
                                for x in names))

    def choose_low(scope: set[str]) -> float:
        m = ok & known & (p < a.high) & np.isin(row_author, list(scope))
        for low in sorted(rows):
            on = m & (p >= low)
            tp, fp = int((on & y).sum()), int((on & ~y).sum())
            if tp >= 10 and tp / (tp + fp) >= a.bar:
                return low
        return a.high

    everyone = set(row_author[ok])
    print(f"\nchoice: lowest LOW whose known-sender additions (below --high) reach {a.bar} pooled: {choose_low(everyone)}")
    nested = {x: choose_low(everyone - {x}) for x in sorted(everyone)}
    tot = [sum(rows[nested[x]][x]["mc"][i] for x in names if x in nested) for i in range(3)]
    print("NESTED (chosen without the author, applied to it): " + "  ".join(
        f"{x}@{nested[x]:.2f} {f1(base_hi[x]['mc']):.3f}->{f1(rows[nested[x]][x]['mc']):.3f} off {fbeta(rows[nested[x]][x]['off']) - fbeta(base_hi[x]['off']):+.3f}"
        for x in names if x in nested) + f"; pooled MC {tot} F1 {f1(tot):.4f}")


if __name__ == "__main__":
    main()
