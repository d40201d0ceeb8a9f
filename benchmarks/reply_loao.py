"""Leave-one-author-out figures of the reply model (text/reply_model.py), per author and per set.

    python benchmarks/reply_loao.py DIR... [--cache PKL] [--C 1.0] [--json OUT] [--out MODEL]

Each DIR is a `vaktpost synth` output (generator train split or `--templates X --split fresh`).
Per author (fresh set → author from `benchmarks/fresh/authors.json`, as `vaktpost train --authors`; the generator's families "gen"):
the model fitted without that author scores its candidate turns; the threshold is chosen on
the pooled out-of-author scores (as `vaktpost train` does); then per set, `evaluate` (what
`vaktpost eval --split fresh|train` computes) with the pipeline's labels before and after
the out-of-author additions: MINOR_CONFIRMED P/R/F1, offered F0.5, hard negatives.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def main(argv=None) -> None:
    import numpy as np

    from vaktpost.text import reply_training as rt
    from vaktpost.text.evaluate import evaluate
    from vaktpost.text.funnel import FunnelMessage, compute_funnels
    from vaktpost.text.loao import read_authors
    from vaktpost.text.reply_model import ReplyModel
    from vaktpost.text.training import load_labelled, read_truth

    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--bar", default=None, help="KIND:PRECISION (text/thresholds.py kinds: additions, label); default: the shipped reply bar")
    ap.add_argument("--without-confirmed", action="store_true", help="learn only from turns the pipeline did not confirm")
    ap.add_argument("--p-cache", type=Path, help="keep the out-of-author probabilities here and reuse them (fits skipped)")
    ap.add_argument("--curve", type=Path, help="write the out-of-author curve (threshold -> per set MC, offered, hard) as JSON here")
    a = ap.parse_args(argv)
    log = lambda *x: print(*x, file=sys.stderr, flush=True)
    AUTHORS = read_authors(Path(__file__).parent / "fresh" / "authors.json")
    cached = pickle.loads(a.cache.read_bytes()) if a.cache and a.cache.exists() else {}
    sets = {}
    turns = rt.Turns()
    for n, d in enumerate(a.dirs):
        tag = f"{n}:"
        data = load_labelled(d, "all", tag=tag)
        if str(d) in cached:
            part = cached[str(d)]
        else:
            t0 = time.process_time()
            part = rt.collect_turns(data, authors=AUTHORS)
            log(f"{d}: {len(part.keys)} candidate turns ({time.process_time() - t0:.0f} CPU s)")
            cached[str(d)] = part
        for k in ("keys", "texts", "lines", "contexts", "y", "authors", "confirmed"):
            getattr(turns, k).extend(getattr(part, k))
        for k in ("msg_author", "msg_hard", "msg_minor", "msg_confirmed", "predicted"):
            getattr(turns, k).update(getattr(part, k))
        sets[d] = (tag, data)
    if a.cache:
        a.cache.write_bytes(pickle.dumps(cached))
    y = np.asarray(turns.y)
    conf = np.asarray(turns.confirmed)
    log(f"{len(y)} candidate turns ({int(conf.sum())} already confirmed), {int(y.sum())} true ({int((y & ~conf).sum())} missed); authors {sorted(set(turns.authors))}")
    sig = (len(y), int(y.sum()), a.C, a.without_confirmed)
    saved = pickle.loads(a.p_cache.read_bytes()) if a.p_cache and a.p_cache.exists() else None  # our own file
    if saved is not None and saved[0] == sig:
        p = saved[1]
        log(f"out-of-author probabilities from {a.p_cache}")
    else:
        p = rt.leave_one_author_out(turns, a.C, log, not a.without_confirmed)
        if a.p_cache:
            a.p_cache.write_bytes(pickle.dumps((sig, p)))
    from vaktpost.text.thresholds import Bar, bar_for

    bar = bar_for("reply")
    if a.bar:
        kind, _, value = a.bar.partition(":")
        bar = Bar(kind, float(value), bar.min_added, bar.max_hard_rise)
    log(f"bar: {bar.describe()}")
    t, curve = rt.choose_threshold(turns, p, bar)
    for k in sorted(curve):
        if round(k * 100) % 5 == 0 or k == t:
            log(f"  t {k:.3f}: out-of-author additions {curve[k][0]} / {curve[k][1]} false, worst hard rise {curve[k][2]:.4%}")
    log(f"chosen threshold {t}")
    added = rt.additions(turns, p, t) if t <= 1 else {}
    top = [(turns.keys[i], round(float(p[i]), 3), bool(y[i]), turns.authors[i], turns.texts[i], turns.contexts[i])
           for i in range(len(y)) if not conf[i] and not np.isnan(p[i]) and p[i] >= 0.5]
    result = {"top": top, "hard": {str(k): v for k, v in turns.msg_hard.items()}, "threshold": t, "curve": {f"{k:.3f}": v for k, v in curve.items()}, "sets": {}}
    if a.curve:
        from reply_curve import write_curve

        write_curve(a.curve, turns, p, sets, AUTHORS, log)
    for d, (tag, data) in sets.items():
        truth = list(read_truth(d, "messages.jsonl"))
        split = "fresh" if any(x.get("split") == "fresh" for x in truth) else "train"
        row = {}
        for name, extra in (("before", {}), ("after", added)):
            pred = {}
            for conv in data.conversations:
                for m in conv:
                    key = (m.platform, m.message_id)
                    labs = set(turns.predicted.get(key, ()))
                    if key in extra:
                        labs.add("MINOR_CONFIRMED")
                    if labs:
                        pred[(m.platform, m.message_id[len(tag):])] = labs
            fm = [[FunnelMessage(m.platform, m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients),
                                 frozenset(pred.get((m.platform, m.message_id[len(tag):]), ()))) for m in conv] for conv in data.conversations]
            by_actor = {(f.platform, f.actor_id): f.as_json() for f in compute_funnels(fm)}
            r = evaluate(truth, pred, read_truth(d, "actors.jsonl"), by_actor, split)
            mc = r["labels"]["MINOR_CONFIRMED"]
            off = r["actors"]["offered_minor"]
            h = r["hard_negatives"]
            mr = r["labels"]["MINOR_REQUEST"]
            row[name] = {"mc": [mc["tp"], mc["fp"], mc["fn"], mc["precision"], mc["recall"], mc["f1"]],
                         "mr": [mr["tp"], mr["fp"], mr["fn"], mr["precision"]],
                         "offered": [off["tp"], off["fp"], off["fn"], off["f0.5"]],
                         "hard": [h["with_minor_label"], h["messages"]],
                         "hard_by_class": {c: v["with_minor_label"] for c, v in h["by_class"].items()}}
        result["sets"][str(d)] = row
        b, af = row["before"], row["after"]
        log(f"{d.name:6s} MC {b['mc'][0]}/{b['mc'][1]}/{b['mc'][2]} P {b['mc'][3]:.3f} R {b['mc'][4]:.3f} F1 {b['mc'][5]:.3f}"
            f" -> {af['mc'][0]}/{af['mc'][1]}/{af['mc'][2]} P {af['mc'][3]:.3f} R {af['mc'][4]:.3f} F1 {af['mc'][5]:.3f};"
            f" offered F0.5 {b['offered'][3]:.3f} -> {af['offered'][3]:.3f} (fp {b['offered'][1]} -> {af['offered'][1]});"
            f" hard {b['hard'][0]} -> {af['hard'][0]} / {b['hard'][1]}; MR P {af['mr'][3]:.3f} ({af['mr'][0]}/{af['mr'][1]}/{af['mr'][2]})")
    result["per_author"] = rt.per_author(turns, added)
    if a.json:
        a.json.write_text(json.dumps(result, indent=1, default=str))
    if a.out:
        rows = np.nonzero(rt.training_rows(turns, not a.without_confirmed))[0]
        clf = rt.fit(rt.feature_matrix(turns, rows), y[rows], a.C)
        ReplyModel(clf.coef_[0], float(clf.intercept_[0]), t).save(a.out)


if __name__ == "__main__":
    main()
