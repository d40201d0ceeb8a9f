"""Dev-split evaluation of the text stage: generalisation measured inside the train split.

The generator's test template families are held out (issue 4), so phrasing work is
measured on a DEV split made from the *train* families: a family is dev when
crc32("dev-split:" + family) % 10 < 3 (~30 % of the families; the salt was chosen once so
that dev holds request and age-probe families of several languages — not by any score).
Fit and tune on the other train families; report on dev.

The script generates `synth --split train` worlds with several seeds (cached in --work),
runs the text stage in-process (`analyse_conversations`, 500 conversations per call, as
`vaktpost scan` does) and reports, over dev-family messages only and pooled over seeds:
per-label precision/recall/F1; the hard-negative minor-label rate per class; per-actor
"asked a minor" / "offered a minor" (precision, recall, F0.5) and the funnel totals. The
actor and funnel figures are computed by `compute_funnels` from labels masked to dev
messages, once with the truth labels and once with the predicted ones, so that a request
phrased by a train family cannot hide a missed dev request. With `--scenario case-2021`
the funnel of the top requester (the "hunter") is printed too.

    python benchmarks/dev_eval.py [--quick] [--seeds 5,6] [--messages 50000]
        [--scenario mixed|case-2021] [--perturb 1.0] [--model PATH | --no-learned] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from collections import defaultdict
from pathlib import Path

DEV_SALT = "dev-split:"
DEV_BUCKETS = 3  # of 10


def is_dev_family(family: str | None) -> bool:
    """A template family of the train split that is kept out of fitting and tuning."""
    return bool(family) and zlib.crc32((DEV_SALT + family).encode()) % 10 < DEV_BUCKETS


def generate(work: Path, seed: int, messages: int, scenario: str, perturb: float = 1.0) -> Path:
    from vaktpost.synth import GeneratorOptions, generate as synth

    out = work / f"{scenario}-train-{messages}-s{seed}" if perturb == 1.0 else work / f"{scenario}-train-{messages}-s{seed}-p{perturb:g}"
    if not (out / "truth" / "messages.jsonl").exists():
        synth(GeneratorOptions(out=out, scenario=scenario, messages=messages, seed=seed, split="train", fmt="jsonl", perturb=perturb))
    return out


def predict(directory: Path, model=None, use_learned: bool = True) -> tuple[list, dict]:
    """Conversations and predicted labels per (platform, message_id) from the text stage."""
    from vaktpost.text import analyse_conversations
    from vaktpost.text import learned
    from vaktpost.text.training import chats_path, group_conversations, read_messages

    convs = group_conversations(read_messages(chats_path(directory)))
    saved = learned.installed_model
    if not use_learned:
        learned.installed_model = lambda: None
    elif model is not None:
        learned.installed_model = lambda: model
    try:
        pred: dict[tuple[str, str], set[str]] = {}
        for i in range(0, len(convs), 500):
            for f in analyse_conversations(convs[i : i + 500]):
                pred[(f.platform, f.message_id)] = {s.label.value for s in f.signals}
    finally:
        learned.installed_model = saved
    return convs, pred


def score(directory: Path, convs, pred, acc: dict, scenario: str) -> None:
    """Adds this world's dev figures into `acc` (counts, pooled over seeds)."""
    from vaktpost.text.evaluate import MINOR_LABELS, Score
    from vaktpost.text.funnel import STEPS, FunnelMessage, compute_funnels
    from vaktpost.text.training import read_truth

    truth = {(t["platform"], t["message_id"]): t for t in read_truth(directory, "messages.jsonl")}
    labels = acc.setdefault("labels", defaultdict(Score))
    hard = acc.setdefault("hard", defaultdict(lambda: [0, 0]))
    hard_all = acc.setdefault("hard_all", defaultdict(lambda: [0, 0]))
    all_labels = sorted({lab for t in truth.values() for lab in t["labels"]} | {lab for p in pred.values() for lab in p})
    true_convs, pred_convs = [], []
    for conv in convs:
        tc, pc = [], []
        for m in conv:
            key = (m.platform, m.message_id)
            t = truth.get(key)
            dev = t is not None and is_dev_family(t.get("family"))
            tl = set(t["labels"]) if t else set()
            pl = pred.get(key, set())
            if t and t.get("hard_negative"):
                fp = bool(pl & set(MINOR_LABELS))
                for h in ((hard, hard_all) if dev else (hard_all,)):
                    h[t["hard_negative"]][0] += 1
                    h[t["hard_negative"]][1] += fp
            if dev:
                acc["messages"] = acc.get("messages", 0) + 1
                for lab in all_labels:
                    labels[lab].add(lab in tl, lab in pl)
            recipients = tuple(r.id for r in m.recipients)
            tc.append(FunnelMessage(m.platform, m.conversation_id, m.sender.id, recipients, frozenset(tl if dev else ())))
            pc.append(FunnelMessage(m.platform, m.conversation_id, m.sender.id, recipients, frozenset(pl if dev else ())))
        true_convs.append(tc)
        pred_convs.append(pc)
    tf = {(f.platform, f.actor_id): f for f in compute_funnels(true_convs)}
    pf = {(f.platform, f.actor_id): f for f in compute_funnels(pred_convs)}
    asked = acc.setdefault("asked_minor", Score())
    offered = acc.setdefault("offered_minor", Score())
    totals = acc.setdefault("funnel", {s: [0, 0] for s in STEPS[1:]})
    for key in tf.keys() | pf.keys():
        t, p = tf.get(key), pf.get(key)
        tcnt = t.counts if t else {}
        pcnt = p.counts if p else {}
        asked.add(tcnt.get("asked_minor", 0) > 0, pcnt.get("asked_minor", 0) > 0)
        offered.add(bool(t and t.offered_minor), bool(p and p.offered_minor))
        for s in STEPS[1:]:
            totals[s][0] += tcnt.get(s, 0)
            totals[s][1] += pcnt.get(s, 0)
    if scenario == "case-2021":
        hunter = max(tf, key=lambda k: tf[k].counts["asked_minor"])
        acc.setdefault("hunter", []).append(
            {s: [tf[hunter].counts[s], pf[hunter].counts[s] if hunter in pf else 0] for s in STEPS[1:]})


def report(acc: dict) -> dict:
    out = {
        "dev_messages": acc.get("messages", 0),
        "labels": {k: v.as_json() for k, v in sorted(acc["labels"].items())},
        "actors": {k: acc[k].as_json(0.5) for k in ("asked_minor", "offered_minor")},
        "hard_negatives_dev": {k: {"messages": v[0], "with_minor_label": v[1]} for k, v in sorted(acc["hard"].items())},
        "hard_negatives_all": {k: {"messages": v[0], "with_minor_label": v[1]} for k, v in sorted(acc["hard_all"].items())},
        "funnel_totals": {s: {"true": t, "found": f, "relative_error": round((f - t) / t, 4) if t else 0.0}
                          for s, (t, f) in acc["funnel"].items()},
    }
    if "hunter" in acc:
        out["hunter"] = acc["hunter"]
    for name in ("hard_negatives_dev", "hard_negatives_all"):
        h = out[name]
        n, fp = sum(v["messages"] for v in h.values()), sum(v["with_minor_label"] for v in h.values())
        h["_total"] = {"messages": n, "with_minor_label": fp, "rate": round(fp / n, 5) if n else 0.0}
    return out


def print_report(r: dict) -> None:
    p = lambda *a: print(*a, file=sys.stderr)  # noqa: E731
    p(f"dev messages: {r['dev_messages']}")
    p(f"{'label':22s} {'tp':>6s} {'fp':>5s} {'fn':>5s}  {'P':>5s}  {'R':>5s}  {'F1':>5s}")
    for lab, s in r["labels"].items():
        p(f"{lab:22s} {s['tp']:6d} {s['fp']:5d} {s['fn']:5d}  {s['precision']:.3f}  {s['recall']:.3f}  {s['f1']:.3f}")
    for who, s in r["actors"].items():
        p(f"actors {who:15s} {s['tp']:6d} {s['fp']:5d} {s['fn']:5d}  {s['precision']:.3f}  {s['recall']:.3f}  F0.5 {s['f0.5']:.3f}")
    for name in ("hard_negatives_dev", "hard_negatives_all"):
        h = r[name]
        p(f"{name}: " + ", ".join(f"{k} {v['with_minor_label']}/{v['messages']}" for k, v in h.items() if k != "_total")
          + f"  (rate {h['_total']['rate']:.4%})")
    p("funnel totals (true/found): " + ", ".join(f"{s} {v['true']}/{v['found']} ({v['relative_error']:+.1%})" for s, v in r["funnel_totals"].items()))
    for h in r.get("hunter", []):
        p("hunter (dev-masked, true/found): " + ", ".join(f"{s} {t}/{f}" for s, (t, f) in h.items()))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="5,6")
    ap.add_argument("--messages", type=int, default=50_000)
    ap.add_argument("--scenario", default="mixed")
    ap.add_argument("--perturb", type=float, default=1.0, help="scale of the generator's typo/leet/... rates (robustness check)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/vaktpost-dev-eval"))
    ap.add_argument("--model", type=Path, help="a learned model file to use instead of the installed one")
    ap.add_argument("--no-learned", action="store_true", help="rules only")
    ap.add_argument("--json", type=Path, help="write the figures here as JSON")
    ap.add_argument("--quick", action="store_true", help="one seed, 10,000 messages")
    a = ap.parse_args(argv)
    seeds = [int(s) for s in a.seeds.split(",")]
    if a.quick:
        seeds, a.messages = seeds[:1], 10_000
    model = None
    if a.model:
        from vaktpost.text.learned import LearnedModel

        model = LearnedModel.load(a.model)
    acc: dict = {}
    t0 = time.perf_counter()
    for seed in seeds:
        d = generate(a.work, seed, a.messages, a.scenario, a.perturb)
        convs, pred = predict(d, model, not a.no_learned)
        score(d, convs, pred, acc, a.scenario)
    r = report(acc)
    r["seeds"], r["messages_per_seed"], r["scenario"] = seeds, a.messages, a.scenario
    print_report(r)
    print(f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    if a.json:
        a.json.write_text(json.dumps(r, indent=1))
    return r


if __name__ == "__main__":
    main()
