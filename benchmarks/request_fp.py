"""Where the false MINOR_REQUESTs come from, by kind, per set (and the set's MR figures).

    python benchmarks/request_fp.py DIR... [--json OUT] [--show N] [--dump FP.jsonl] [--eval-json FOLDER]

Each DIR is a `vaktpost synth` output (train split or `--split fresh`; the split scored is
the one most of its truth lines carry). The text stage runs in-process with the installed
models. Each message the pipeline labels MINOR_REQUEST that the truth does not is counted
  by what the truth has on that line (CONTENT_REQUEST, AGE_PROBE, SELF_DISCLOSED_MINOR, ...
  or "nothing"), by the move (the family's kind, e.g. `self_minor`), by the sender's true
  role, and by the rule that put MINOR_REQUEST there (the signal's rule name up to its
  first ":"; `learned...` = the learned stage's column, `dialogue...` = a dialogue step,
  `reply` = the reply model).
It also prints MINOR_REQUEST P/R/F1 (tp/fp/fn), asked-actor F0.5 and the hard negatives with a
minor label, so one run gives the before or after figures of a rule change.
`--show N` prints N false lines (text, truth, rule) — only for DEVELOPMENT authors' sets
(`DEV_SETS`: session 8's `mrfp9` brief names author10's t and author8's o; session 7 had t and p);
other sets print aggregates alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

DEV_SETS = {"gen", "gen21", "gen22", "case", "o", "p"}  # session 9 (`mrfp10`): gen (train split, any seed; case-2021 on train families), author8 o, p
MINOR = {"MINOR_REQUEST", "CONTENT_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "AGE_PROBE"}


def signals_by_message(directory: Path):
    from vaktpost.text import analyse_conversations
    from vaktpost.text.training import chats_path, group_conversations, read_messages

    convs = group_conversations(read_messages(chats_path(directory)))
    found: dict[tuple[str, str], tuple] = {}
    for i in range(0, len(convs), 500):
        for f in analyse_conversations(convs[i : i + 500]):
            found[(f.platform, f.message_id)] = f.signals
    return convs, found


def categories(text: str) -> str:
    """The lexicon categories hit on a line, with "?" and age kinds (counts only, no words)."""
    from vaktpost.text.ages import find_ages
    from vaktpost.text.matcher import default_matcher
    from vaktpost.text.normalise import normalise

    n = normalise(text)
    hits = default_matcher().scan_batch([n])[0]
    cats = sorted({h.pattern.category for h in hits} - {"request"} | {"?" if "?" in n else ""} - {""})
    cats += sorted({h.pattern.rule for h in hits if h.pattern.category == "request" and n[h.start : h.end] != "?"})  # rule ids, no words
    ages = sorted({a.kind for a in find_ages(n) if a.minor})
    return ",".join(cats) + (" ages:" + ",".join(ages) if ages else "")


def content_shape(text: str) -> str:
    """The parts of request_object's reading of a line (counts only, no words): a question about
    the child, a definite child, a media word after the child, the appear form between them."""
    import re

    from vaktpost.text.ages import find_ages
    from vaktpost.text.asks import CHILD
    from vaktpost.text.matcher import default_matcher
    from vaktpost.text.normalise import normalise
    from vaktpost.text import request_object as ro

    n = normalise(text)
    hits = default_matcher().scan_batch([n])[0]
    terms = [h for h in hits if h.pattern.category in CHILD]
    media = [h for h in hits if h.pattern.category == "media"]
    forms = ro._forms()
    after = [m for m in media if terms and m.start >= min(h.end for h in terms)]
    gap_words = min((len(n[h.end : m.start].split()) for h in terms for m in after), default=-1)
    parts = {
        "about_child": ro.asks_about_child(n, [a for a in find_ages(n) if a.minor]),
        "definite": any(ro._definite(n, h) for h in terms),
        "media_after": bool(after),
        "appear": any(forms.appear.match(n[h.end : m.start]) for h in terms for m in after),
        "q": "?" in n,
        "gap": gap_words,
        "starts_with_term": bool(terms) and min(h.start for h in terms) < 3,
        "if": re.search(r"\b(?:if|kung|hvis|kon)\b", n) is not None,
    }
    return " ".join(f"{k}={int(v) if isinstance(v, bool) else v}" for k, v in parts.items())


def one_set(directory: Path, show: int, dump, eval_dir: Path | None = None) -> dict:
    from vaktpost.text.evaluate import evaluate
    from vaktpost.text.funnel import FunnelMessage, compute_funnels
    from vaktpost.text.training import read_truth

    convs, found = signals_by_message(directory)
    truth = {(t["platform"], t["message_id"]): t for t in read_truth(directory, "messages.jsonl")}
    split = Counter(t.get("split") for t in truth.values()).most_common(1)[0][0]
    roles = {(a["platform"], a["actor_id"]): a["role"] for a in read_truth(directory, "actors.jsonl")}
    pred = {k: {s.label.value for s in sig} for k, sig in found.items()}
    funnel_msgs = [[FunnelMessage(m.platform, m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients),
                                  frozenset(pred.get((m.platform, m.message_id), ()))) for m in conv] for conv in convs]
    by_actor = {(f.platform, f.actor_id): f.as_json() for f in compute_funnels(funnel_msgs)}
    r = evaluate(list(truth.values()), pred, read_truth(directory, "actors.jsonl"), by_actor, split)
    if eval_dir is not None:  # the whole eval, as `vaktpost eval` writes it, to compare two runs
        eval_dir.mkdir(parents=True, exist_ok=True)
        (eval_dir / f"{directory.name}.json").write_text(json.dumps(r, indent=1, sort_keys=True))
    kinds = defaultdict(Counter)
    shown = []
    for conv in convs:
        before = []
        for m in conv:
            key = (m.platform, m.message_id)
            t = truth.get(key)
            sig = found.get(key, ())
            if t is not None and t.get("split") == split and "MINOR_REQUEST" not in t["labels"] and any(
                s.label.value == "MINOR_REQUEST" for s in sig
            ):
                rule = next(s.rule for s in sig if s.label.value == "MINOR_REQUEST")
                tl = "+".join(sorted(set(t["labels"]) & MINOR)) or ("other" if t["labels"] else "nothing")
                move = (t.get("family") or "?").split(".")[1] if "." in (t.get("family") or "") else "?"
                role = roles.get((m.platform, m.sender.id), "?")
                kinds["truth"][tl] += 1
                kinds["move"][move] += 1
                kinds["role"][role] += 1
                kinds["rule"][rule.split(":")[0]] += 1
                kinds["rule_full"][rule] += 1
                kinds["truth x rule"][f"{tl} | {rule.split(':')[0]}"] += 1
                kinds["truth x found"][f"{tl} | {'+'.join(sorted(s.label.value for s in sig))}"] += 1
                kinds["categories"][f"{tl} | {categories(m.text)}"] += 1
                if "CONTENT_REQUEST" in t["labels"]:
                    kinds["content shape"][content_shape(m.text)] += 1
                if t.get("hard_negative"):
                    kinds["hard_negative"][t["hard_negative"]] += 1
                shown.append({"text": m.text, "truth": t["labels"], "move": move, "role": role, "rule": rule,
                              "labels": sorted(s.label.value for s in sig), "before": before[-3:]})
            before.append(f"[{roles.get((m.platform, m.sender.id), '?')[:4]}] {m.text}")
    mr = r["labels"].get("MINOR_REQUEST", {})
    out = {"set": directory.name, "split": split, "MINOR_REQUEST": {k: mr.get(k) for k in ("tp", "fp", "fn", "precision", "recall", "f1")},
           "CONTENT_REQUEST": {k: r["labels"].get("CONTENT_REQUEST", {}).get(k) for k in ("tp", "fp", "fn", "f1")},
           "asked": {k: r["actors"]["asked_minor"].get(k) for k in ("tp", "fp", "fn", "f0.5")},
           "other_labels": {lab: {k: r["labels"].get(lab, {}).get(k) for k in ("tp", "fp", "fn", "f1")}
                            for lab in ("MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "AGE_PROBE", "TRAVEL_MEETING")},
           "hard_negatives": r["hard_negatives"]["with_minor_label"], "fp_kinds": {k: dict(v.most_common()) for k, v in kinds.items()}}
    dev = directory.name in DEV_SETS
    if dev and dump:
        for s in shown:
            dump.write(json.dumps({"set": directory.name, **s}, ensure_ascii=False) + "\n")
    if dev and show:
        for s in shown[:show]:
            print(f"  {s['truth']} {s['move']} {s['role']} {s['rule']}: {s['text']!r}", file=sys.stderr)
    return out


def main(argv=None) -> list:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", type=Path, nargs="+")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--eval-json", type=Path, help="folder: the whole eval of each set as SET.json")
    a = ap.parse_args(argv)
    dump = a.dump.open("w") if a.dump else None
    res = []
    for d in a.dirs:
        o = one_set(d, a.show, dump, a.eval_json)
        res.append(o)
        m, ak = o["MINOR_REQUEST"], o["asked"]
        print(f"{o['set']}: MR P/R/F1 {m['precision']:.3f}/{m['recall']:.3f}/{m['f1']:.3f} ({m['tp']}/{m['fp']}/{m['fn']})"
              f"  CONTENT F1 {o['CONTENT_REQUEST']['f1']:.3f}  asked F0.5 {ak['f0.5']:.3f} ({ak['tp']}/{ak['fp']}/{ak['fn']})"
              f"  hard neg {o['hard_negatives']}", flush=True)
        for k in ("truth", "rule", "role", "move"):
            print(f"   fp by {k}: {o['fp_kinds'].get(k, {})}", flush=True)
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))
    return res


if __name__ == "__main__":
    main()
