"""The reply model's out-of-author curve, per set: for each threshold, what `vaktpost eval` would
say of MINOR_CONFIRMED, the offered actors and the hard negatives with the pipeline's labels plus
the out-of-author additions at that threshold (`benchmarks/reply_loao.py --curve OUT`).

Only aggregates are written (counts per set and threshold), never a line. `thresholds.py`
(`benchmarks/threshold_rules.py`) reads the file and compares choice rules on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

GRID = [*(round(x, 2) for x in np.arange(0.50, 0.995, 0.01)), 0.992, 0.995, 0.998, 1.01]


def set_scorer(d: Path, tag: str, data, turns):
    """A function added-keys -> counts for one set, with everything that does not depend on the
    additions computed once."""
    from vaktpost.text.evaluate import evaluate
    from vaktpost.text.funnel import FunnelMessage, compute_funnels
    from vaktpost.text.training import read_truth

    truth = list(read_truth(d, "messages.jsonl"))
    actors = list(read_truth(d, "actors.jsonl"))
    split = "fresh" if any(x.get("split") == "fresh" for x in truth) else "train"
    base = {}
    keys = []
    for conv in data.conversations:
        for m in conv:
            key = (m.platform, m.message_id)
            keys.append(key)
            base[key] = set(turns.predicted.get(key, ()))

    def score(added: dict) -> dict:
        pred = {}
        for key, labs in base.items():
            if key in added:
                labs = labs | {"MINOR_CONFIRMED"}
            if labs:
                pred[(key[0], key[1][len(tag):])] = labs
        fm = [[FunnelMessage(m.platform, m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients),
                             frozenset(pred.get((m.platform, m.message_id[len(tag):]), ()))) for m in conv]
              for conv in data.conversations]
        by_actor = {(f.platform, f.actor_id): f.as_json() for f in compute_funnels(fm)}
        r = evaluate(truth, pred, actors, by_actor, split)
        mc, off, h = r["labels"]["MINOR_CONFIRMED"], r["actors"]["offered_minor"], r["hard_negatives"]
        return {"mc": [mc["tp"], mc["fp"], mc["fn"]], "offered": [off["tp"], off["fp"], off["fn"]],
                "hard": [h["with_minor_label"], h["messages"]],
                "hard_by_class": {c: [v["with_minor_label"], v["messages"]] for c, v in h["by_class"].items()}}

    return set(keys), score


def write_curve(out: Path, turns, p: np.ndarray, sets: dict, authors: dict, log) -> None:
    from vaktpost.text import reply_training as rt

    result = {"grid": GRID, "sets": {}}
    y = np.asarray(turns.y, dtype=bool)
    for d, (tag, data) in sets.items():
        name = Path(d).name
        keys, score = set_scorer(Path(d), tag, data, turns)
        rows = {}
        last_added, last = None, None
        for t in GRID:
            added = {k: v for k, v in rt.additions(turns, p, t).items() if k in keys} if t <= 1 else {}
            if last_added is not None and added.keys() == last_added:
                s = last
            else:
                s = score(added)
            idx = [i for i, k in enumerate(turns.keys) if k in added]
            s = {**s, "add": [int(y[idx].sum()), int((~y[idx]).sum())]}
            rows[f"{t:.3f}"] = s
            last_added, last = added.keys(), s
        result["sets"][name] = {"author": "gen" if name == "gen" else authors.get(name, name), "curve": rows}
        b, a = rows["1.010"]["mc"], rows["0.500"]["mc"]
        log(f"curve {name}: MC before {b}, at 0.50 {a}")
    out.write_text(json.dumps(result))
