"""Hard negatives that get a minor label, by class and by the rule that fired, per set (with the
set's MINOR_REQUEST / MINOR_CONFIRMED tp/fp/fn and offered-actor figures beside them).

    python benchmarks/hard_negatives.py DIR... [--json OUT] [--show N] [--limit N]

Each DIR is a `vaktpost synth` output (train split or `--split fresh`; the split scored is the
one most of its truth lines carry). The text stage runs in-process with the installed models.
For every hard-negative message (truth `hard_negative` set) that the pipeline gives a minor label
(MINOR_REQUEST, MINOR_CONFIRMED, CONTENT_REQUEST, SELF_DISCLOSED_MINOR, AGE_PROBE), it counts the
class, the labels found, the rule of each minor signal (up to its first ":") and the lexicon
categories the line hits (`request_fp.categories`) — counts only.
`--show N` prints N such lines with their rules — only for DEVELOPMENT authors' sets
(`DEV_SETS`: session 9's `hn10` brief names author15's ac); every other set prints aggregates.
`--limit N` scores only the first N conversations' messages (for quick loops).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

DEV_SETS = {"ac"}  # session 9 (`hn10`): author15's ac (ad is the same hand: aggregates only)
MINOR = {"MINOR_REQUEST", "CONTENT_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "AGE_PROBE"}


def one_set(directory: Path, show: int, limit: int | None) -> dict:
    from request_fp import categories, signals_by_message

    from vaktpost.text.evaluate import evaluate
    from vaktpost.text.funnel import FunnelMessage, compute_funnels
    from vaktpost.text.training import read_truth

    convs, found = signals_by_message(directory)
    if limit:
        convs = convs[:limit]
    keys = {(m.platform, m.message_id) for conv in convs for m in conv}
    truth = {(t["platform"], t["message_id"]): t for t in read_truth(directory, "messages.jsonl")}
    truth = {k: t for k, t in truth.items() if k in keys}
    split = Counter(t.get("split") for t in truth.values()).most_common(1)[0][0]
    pred = {k: {s.label.value for s in sig} for k, sig in found.items() if k in keys}
    funnel_msgs = [[FunnelMessage(m.platform, m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients),
                                  frozenset(pred.get((m.platform, m.message_id), ()))) for m in conv] for conv in convs]
    by_actor = {(f.platform, f.actor_id): f.as_json() for f in compute_funnels(funnel_msgs)}
    r = evaluate(list(truth.values()), pred, read_truth(directory, "actors.jsonl"), by_actor, split)
    kinds: dict[str, Counter] = defaultdict(Counter)
    shown = []
    for conv in convs:
        for m in conv:
            key = (m.platform, m.message_id)
            t = truth.get(key)
            if t is None or t.get("split") != split or not t.get("hard_negative"):
                continue
            minor = [s for s in found.get(key, ()) if s.label.value in MINOR]
            if not minor:
                continue
            hn = t["hard_negative"]
            kinds["class"][hn] += 1
            kinds["class x labels"][f"{hn} | {'+'.join(sorted({s.label.value for s in minor}))}"] += 1
            for rule in sorted({f"{s.label.value}:{s.rule.split(':')[0]}" for s in minor}):
                kinds["class x rule"][f"{hn} | {rule}"] += 1
            kinds["class x categories"][f"{hn} | {categories(m.text)}"] += 1  # lexicon categories hit, no words
            if directory.name in DEV_SETS and len(shown) < show:
                shown.append({"class": hn, "text": m.text, "signals": [f"{s.label.value} {s.rule}" for s in minor]})
    lab = r["labels"]
    pick = lambda name: {k: lab.get(name, {}).get(k) for k in ("tp", "fp", "fn", "f1")}
    h = r["hard_negatives"]
    return {"set": directory.name, "split": split,
            "hard_negatives": {"with_minor_label": h["with_minor_label"], "messages": h["messages"],
                               "by_class": {c: v["with_minor_label"] for c, v in h["by_class"].items()}},
            "MINOR_REQUEST": pick("MINOR_REQUEST"), "MINOR_CONFIRMED": pick("MINOR_CONFIRMED"),
            "offered": {k: r["actors"]["offered_minor"][k] for k in ("tp", "fp", "fn", "f0.5")},
            "asked": {k: r["actors"]["asked_minor"][k] for k in ("tp", "fp", "fn", "f0.5")},
            "kinds": {k: dict(v.most_common()) for k, v in kinds.items()}, "shown": shown}


def main(argv=None) -> list:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", type=Path, nargs="+")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--limit", type=int)
    a = ap.parse_args(argv)
    out = []
    for d in a.dirs:
        o = one_set(d, a.show, a.limit)
        out.append(o)
        mr, mc, h = o["MINOR_REQUEST"], o["MINOR_CONFIRMED"], o["hard_negatives"]
        print(f"{o['set']:4s} hard {h['with_minor_label']}/{h['messages']} {h['by_class']}  "
              f"MR {mr['tp']}/{mr['fp']}/{mr['fn']}  MC {mc['tp']}/{mc['fp']}/{mc['fn']}  "
              f"offered {o['offered']['tp']}/{o['offered']['fp']}/{o['offered']['fn']}", flush=True)
        for s in o["shown"]:
            print(f"   [{s['class']}] {s['text']!r}  <- {'; '.join(s['signals'])}")
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
