"""Where the MINOR_CONFIRMED misses are, by kind, per set (and the set's eval figures).

    python benchmarks/confirm_misses.py DIR... [--json OUT] [--show KIND:N] [--seed 1] [--dump MISSES.jsonl]

Each DIR is a `vaktpost synth` output (train split or `--split fresh`). The text stage runs
in-process with the installed models; each true `MINOR_CONFIRMED` it misses is put in ONE
kind, checked in this order (the truth's labels give the request the line answers: the
latest earlier line of another sender with `MINOR_REQUEST`, `CONTENT_REQUEST` or
`AGE_PROBE`, or an earlier confirmation of the same sender for a child's later mention):
  e_refusal    the line has a refusal hit (a refusal rule could have cancelled it)
  f_threshold  a reply-model candidate scored >= 0.5 but under the model's threshold
  d_offer      no truth request before it (an unprompted offer) — not recognised
  a_request    the request was never recognised (no minor label or age probe by the
               pipeline on the request or on any earlier line of the conversation)
  b_distance   the request was recognised but lies > 2 messages back or the sender spoke
               between the request and this line
  c_wording    the request was recognised and close: the confirmation's wording is unknown
A sub-tag says whether the line had no hit and no number at all ("nothing": the matcher saw
nothing in it), and whether it was a reply-model candidate.
`--show KIND:N` prints N example (request, line) pairs of KIND — only for DEVELOPMENT
sets (`--dev`, default: sets a, b, c, d, q, r and the generator's train split — session 6's; a
session names its own, e.g. `--dev g,o`); `--dump` appends every miss of those sets as JSONL.
`--rules` prints, per set, each MINOR_CONFIRMED rule's firings, true/false (aggregates only).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

DEV_SETS = {"gen", "a", "b", "c", "d", "q", "r"}
ASK = {"MINOR_REQUEST", "CONTENT_REQUEST", "AGE_PROBE"}
MINOR = {"MINOR_REQUEST", "CONTENT_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "AGE_PROBE"}


def analyse(directory: Path):
    import numpy as np

    from vaktpost.model import Label
    from vaktpost.text import _analyse, reply_model
    from vaktpost.text.dialogue import turns_of
    from vaktpost.text.training import chats_path, group_conversations, read_messages

    convs = group_conversations(read_messages(chats_path(directory)))
    model = reply_model.installed_model()
    facts_all, probs, texts_all = [], {}, []
    for b in range(0, len(convs), 500):
        batch = convs[b : b + 500]
        flat = [m for c in batch for m in c]
        with reply_model.switched_off():
            facts, texts, _, _ = _analyse(batch, flat, True, copy_all=True)
        i = 0
        for ci, (conv, f) in enumerate(zip(batch, facts)):
            if model is not None:
                pend = reply_model.Pending(model)
                pend.collect(0, conv, turns_of(conv, f), texts, i)
                for (_, k, *_), z in zip(pend.items, pend.logits()):
                    probs[(b + ci, k)] = float(1 / (1 + np.exp(-z)))
            texts_all.append(texts[i : i + len(conv)])
            i += len(conv)
        facts_all.extend(facts)
    t = model.threshold if model is not None else 2.0
    pred = {}
    for ci, (conv, facts) in enumerate(zip(convs, facts_all)):
        for k, (m, f) in enumerate(zip(conv, facts)):
            labs = {p.label.value for p in f.proposed}
            if probs.get((ci, k), -1) >= t:
                labs.add(Label.MINOR_CONFIRMED.value)
            if labs:
                pred[(m.platform, m.message_id)] = labs
    return convs, facts_all, texts_all, probs, pred, t


def classify(convs, facts_all, probs, pred, truth, t):
    kinds = {}
    for ci, (conv, facts) in enumerate(zip(convs, facts_all)):
        for k, m in enumerate(conv):
            key = (m.platform, m.message_id)
            tl = set(truth.get(key, {}).get("labels") or ())
            if "MINOR_CONFIRMED" not in tl or "MINOR_CONFIRMED" in pred.get(key, ()):
                continue
            f = facts[k]
            p = probs.get((ci, k))
            sub = ("nothing" if not f.hits and not f.ages else "hits") + ("+cand" if p is not None else "")
            req = None
            for j in range(k - 1, -1, -1):
                mj = conv[j]
                lj = set(truth.get((mj.platform, mj.message_id), {}).get("labels") or ())
                if mj.sender.id != m.sender.id and lj & ASK:
                    req = j
                    break
            if "refusal" in f.hits:
                kind = "e_refusal"
            elif p is not None and p >= 0.5:
                kind = "f_threshold"
            elif req is None:
                kind = "d_offer"
            elif not any(set(pred.get((conv[j].platform, conv[j].message_id), ())) & MINOR for j in range(req + 1)):
                kind = "a_request"
            elif k - req > 2 or any(conv[j].sender.id == m.sender.id for j in range(req + 1, k)):
                kind = "b_distance"
            else:
                kind = "c_wording"
            kinds[(ci, k)] = (kind, sub, req, p)
    return kinds


def main(argv=None) -> dict:
    from vaktpost.model import Label
    from vaktpost.text.evaluate import evaluate
    from vaktpost.text.funnel import FunnelMessage, compute_funnels
    from vaktpost.text.training import read_truth

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--show", action="append", default=[])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dump", type=Path, help="JSONL of every miss (development sets only)")
    ap.add_argument("--dev", default=",".join(sorted(DEV_SETS)), help="comma-separated development sets whose lines may be shown")
    ap.add_argument("--rules", action="store_true", help="per set, MINOR_CONFIRMED firings per rule, true/false")
    a = ap.parse_args(argv)
    dev_sets = set(a.dev.split(","))
    out = {}
    for d in a.dirs:
        convs, facts_all, _texts, probs, pred, t = analyse(d)
        truth_rows = list(read_truth(d, "messages.jsonl"))
        truth = {(x["platform"], x["message_id"]): x for x in truth_rows}
        split = "fresh" if any(x.get("split") == "fresh" for x in truth_rows) else "train"
        funnel_msgs = [[FunnelMessage(m.platform, m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients),
                                      frozenset(pred.get((m.platform, m.message_id), ()))) for m in conv] for conv in convs]
        by_actor = {(f.platform, f.actor_id): f.as_json() for f in compute_funnels(funnel_msgs)}
        r = evaluate(truth_rows, pred, read_truth(d, "actors.jsonl"), by_actor, split)
        kinds = classify(convs, facts_all, probs, pred, {k: v for k, v in truth.items() if v.get("split") == split}, t)
        mc = r["labels"]["MINOR_CONFIRMED"]
        counts = Counter(v[0] for v in kinds.values())
        subs = Counter(f"{v[0]}/{v[1]}" for v in kinds.values())
        h = r["hard_negatives"]
        row = {
            "mc": [mc["tp"], mc["fp"], mc["fn"], mc["precision"], mc["recall"], mc["f1"]],
            "offered_f05": r["actors"]["offered_minor"]["f0.5"],
            "asked_f05": r["actors"]["asked_minor"]["f0.5"],
            "mr_f1": r["labels"]["MINOR_REQUEST"]["f1"],
            "self_f1": r["labels"]["SELF_DISCLOSED_MINOR"]["f1"],
            "hard": [h["with_minor_label"], h["messages"]],
            "misses": dict(sorted(counts.items())), "subs": dict(sorted(subs.items())),
        }
        if a.rules:
            fired = Counter()
            for ci, (conv, facts) in enumerate(zip(convs, facts_all)):
                for k, (m, f) in enumerate(zip(conv, facts)):
                    key = (m.platform, m.message_id)
                    if key not in truth or truth[key].get("split") != split:
                        continue
                    ok = "MINOR_CONFIRMED" in (truth[key].get("labels") or ())
                    rules = {x.rule if x.rule.startswith("seller.") else x.rule.partition(":")[0]
                             for x in f.proposed if x.label is Label.MINOR_CONFIRMED}
                    if probs.get((ci, k), -1) >= t and not rules:
                        rules = {"reply_model"}
                    for rule in rules:
                        fired[(rule, ok)] += 1
            row["rules"] = {rule: [fired[(rule, True)], fired[(rule, False)]] for rule in sorted({r for r, _ in fired})}
            print(f"   rules (true/false): {row['rules']}", file=sys.stderr, flush=True)
        out[d.name] = row
        print(f"{d.name}: MC tp/fp/fn {mc['tp']}/{mc['fp']}/{mc['fn']} P {mc['precision']:.3f} R {mc['recall']:.3f} "
              f"F1 {mc['f1']:.3f}; offered F0.5 {row['offered_f05']:.3f}; asked {row['asked_f05']:.3f}; MR F1 {row['mr_f1']:.3f}; "
              f"SELF {row['self_f1']:.3f}; hard {h['with_minor_label']}/{h['messages']}; misses {dict(sorted(counts.items()))}",
              file=sys.stderr, flush=True)
        print(f"   {dict(sorted(subs.items()))}", file=sys.stderr, flush=True)
        name = d.name
        if a.dump and name in dev_sets:
            with a.dump.open("a") as fh:
                for (ci, k), (kind, sub, req, p) in kinds.items():
                    conv, f = convs[ci], facts_all[ci][k]
                    g = conv[req] if req is not None else None
                    fh.write(json.dumps({
                        "set": name, "kind": kind, "p": p, "text": conv[k].text, "hits": sorted(f.hits),
                        "ages": [(x.value, x.kind) for x in f.ages], "role": conv[k].sender.role.value,
                        "req": g.text if g is not None else None, "dist": (k - req) if req is not None else None,
                        "req_pred": sorted(pred.get((g.platform, g.message_id), ())) if g is not None else None,
                        "req_hits": sorted(facts_all[ci][req].hits) if g is not None else None,
                    }) + "\n")
        for spec in a.show:
            kind, n = spec.split(":")
            if name not in dev_sets:
                continue
            if kind == "fp":
                rows = [(ci, k, ("fp", "", None, probs.get((ci, k)))) for ci, conv in enumerate(convs) for k, m in enumerate(conv)
                        if "MINOR_CONFIRMED" in pred.get((m.platform, m.message_id), ())
                        and "MINOR_CONFIRMED" not in (truth.get((m.platform, m.message_id), {}).get("labels") or ())]
            else:
                rows = [(ci, k, v) for (ci, k), v in kinds.items() if v[0] == kind]
            random.Random(a.seed).shuffle(rows)
            for ci, k, (kind_, sub, req, p) in rows[: int(n)]:
                conv = convs[ci]
                lo = max(0, (req if req is not None else k - 2) - 1)
                print(f"--- {name} {kind_} {sub} p={p}")
                for j in range(lo, k + 1):
                    mj = conv[j]
                    tl = truth.get((mj.platform, mj.message_id), {}).get("labels") or []
                    pl = sorted(pred.get((mj.platform, mj.message_id), ()))
                    f = facts_all[ci][j]
                    rules = ",".join(sorted({x.rule for x in f.proposed if x.label.value == "MINOR_CONFIRMED"}))
                    print(f"  [{j}] {mj.sender.id[:10]:10s} {mj.sender.role.value[:4]} T={tl} P={pl} H={sorted(f.hits)} "
                          f"A={[(x.value, x.kind) for x in f.ages]} {rules} | {mj.text}")
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
