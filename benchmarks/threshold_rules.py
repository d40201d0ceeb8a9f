"""Compare threshold choice rules on an out-of-author curve (aggregates only, never a line).

    python benchmarks/threshold_rules.py CURVE.json [--rules additions:0.97,label:0.95,f1] [--table]

CURVE.json: `benchmarks/reply_loao.py --curve` (per set and threshold: MINOR_CONFIRMED tp/fp/fn,
offered actors tp/fp/fn, hard negatives by class) or `benchmarks/learned_curve.py`. Sets are
pooled by author. For each rule (`text/thresholds.py` kinds, plus "f1": the threshold of the
best pooled F1 under the hard-negative bar) it prints
- POOLED: the threshold chosen on every author, and each author's MC P/R/F1 and offered F0.5 there;
- NESTED: for each author, the threshold chosen on the OTHER authors, applied to it — the rule's
  own out-of-author figures and how stable its choice is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from vaktpost.text.thresholds import NONE, Bar, Point, choose

BASE = "1.010"


def load(path: Path) -> tuple[list[float], dict]:
    """author -> t -> summed counts."""
    data = json.loads(path.read_text())
    by_author: dict = {}
    for s in data["sets"].values():
        acc = by_author.setdefault(s["author"], {})
        for t, row in s["curve"].items():
            a = acc.setdefault(t, {"mc": [0, 0, 0], "offered": [0, 0, 0], "hard": {}})
            for k in ("mc", "offered"):
                a[k] = [x + y for x, y in zip(a[k], row[k])]
            for c, (w, n) in row["hard_by_class"].items():
                h = a["hard"].setdefault(c, [0, 0])
                h[0] += w
                h[1] += n
    return [float(t) for t in data["grid"]], by_author


def pooled(by_author: dict, authors, t: str) -> dict:
    out = {"mc": [0, 0, 0], "offered": [0, 0, 0], "hard": {}}
    for a in authors:
        row = by_author[a][t]
        for k in ("mc", "offered"):
            out[k] = [x + y for x, y in zip(out[k], row[k])]
        for c, (w, n) in row["hard"].items():
            h = out["hard"].setdefault(c, [0, 0])
            h[0] += w
            h[1] += n
    return out


def points(by_author: dict, authors, grid) -> list[Point]:
    base = pooled(by_author, authors, BASE)
    pts = []
    for t in grid:
        if t > 1:
            continue
        now = pooled(by_author, authors, f"{t:.3f}")
        rise = max(((now["hard"][c][0] - base["hard"][c][0]) / n for c, (_, n) in base["hard"].items() if n), default=0.0)
        pts.append(Point(t, now["mc"][0] - base["mc"][0], now["mc"][1] - base["mc"][1], rise, base["mc"][0], base["mc"][1]))
    return pts


def f1(v) -> float:
    tp, fp, fn = v
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def fbeta(v, beta=0.5) -> float:
    tp, fp, fn = v
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0


def pick(rule: str, pts: list[Point], by_author, authors) -> float:
    if rule == "f1":
        ok = [pt for pt in pts if pt.hard_rise <= 0.001 and pt.added_tp >= 10]
        if not ok:
            return NONE
        best = max(ok, key=lambda pt: (round(f1(pooled(by_author, authors, f"{pt.t:.3f}")["mc"]), 5), pt.t))
        return best.t
    kind, _, bar = rule.partition(":")
    return choose(pts, Bar(kind, float(bar)))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("curve", type=Path)
    ap.add_argument("--rules", default="additions:0.97,additions:0.93,additions:0.90,label:0.97,label:0.95,label:0.93,f1")
    ap.add_argument("--table", action="store_true", help="print the pooled curve too")
    a = ap.parse_args(argv)
    grid, by_author = load(a.curve)
    authors = sorted(by_author)
    pts = points(by_author, authors, grid)
    if a.table:
        print("t      add tp/fp  addP   hard-rise  label P/R/F1 (pooled)   " + " ".join(f"{x[:9]:>9s}" for x in authors) + "  (MC F1 | offered F0.5)")
        for pt in pts:
            mc = pooled(by_author, authors, f"{pt.t:.3f}")["mc"]
            P = mc[0] / max(1, mc[0] + mc[1])
            R = mc[0] / max(1, mc[0] + mc[2])
            cells = " ".join(f"{f1(by_author[x][f'{pt.t:.3f}']['mc']):.3f}|{fbeta(by_author[x][f'{pt.t:.3f}']['offered']):.3f}"[:11].rjust(11) for x in authors)
            print(f"{pt.t:.3f}  {pt.added_tp:4d}/{pt.added_fp:<4d} {pt.precision('additions'):.3f}  {pt.hard_rise:.4%}   "
                  f"{P:.3f}/{R:.3f}/{f1(mc):.3f}   {cells}")
        b = pooled(by_author, authors, BASE)["mc"]
        print(f"none   (pipeline alone) label P/R/F1 {b[0] / max(1, b[0] + b[1]):.3f}/{b[0] / max(1, b[0] + b[2]):.3f}/{f1(b):.3f}   "
              + " ".join(f"{f1(by_author[x][BASE]['mc']):.3f}|{fbeta(by_author[x][BASE]['offered']):.3f}".rjust(11) for x in authors))
    print(f"\nauthors: {', '.join(authors)}")
    for rule in a.rules.split(","):
        t = pick(rule, pts, by_author, authors)
        key = f"{t:.3f}" if t <= 1 else BASE
        cells = []
        for x in authors:
            mc, off = by_author[x][key]["mc"], by_author[x][key]["offered"]
            d_off = fbeta(off) - fbeta(by_author[x][BASE]["offered"])
            cells.append(f"{x}: F1 {f1(by_author[x][BASE]['mc']):.3f}->{f1(mc):.3f} offF0.5 {d_off:+.3f}")
        tot = pooled(by_author, authors, key)
        print(f"\nPOOLED {rule:16s} t {t:.3f}  pooled MC {tot['mc']} F1 {f1(tot['mc']):.4f}  offered F0.5 {fbeta(tot['offered']):.4f}")
        print("   " + "\n   ".join(cells))
        nested, ts = [], []
        for x in authors:
            others = [o for o in authors if o != x]
            tx = pick(rule, points(by_author, others, grid), by_author, others)
            ts.append(tx)
            kx = f"{tx:.3f}" if tx <= 1 else BASE
            mc, off = by_author[x][kx]["mc"], by_author[x][kx]["offered"]
            nested.append((x, tx, f1(by_author[x][BASE]["mc"]), f1(mc), fbeta(off) - fbeta(by_author[x][BASE]["offered"]), mc))
        tot = [sum(n[5][i] for n in nested) for i in range(3)]
        print(f"NESTED {rule:16s} thresholds {min(ts):.3f}-{max(ts):.3f}; pooled MC {tot} F1 {f1(tot):.4f}; mean author F1 gain "
              f"{sum(n[3] - n[2] for n in nested) / len(nested):+.4f}; worst offered F0.5 change {min(n[4] for n in nested):+.3f}")
        print("   " + "  ".join(f"{x}@{tx:.2f} {b:.3f}->{f:.3f} ({d:+.3f})" for x, tx, b, f, d, _ in nested))


if __name__ == "__main__":
    main()
