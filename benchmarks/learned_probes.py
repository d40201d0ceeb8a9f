"""Hand-written probe lines for the learned stage (benchmarks/probes/learned.tsv): each line is
sent alone by its role (its role, then as "unknown"); prints what the rules alone and the rules
plus a model find, per expected label and on the negatives.

    python benchmarks/learned_probes.py [--model PATH] [--show]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST", "AGE_PROBE"}
PROBES = Path(__file__).parent / "probes" / "learned.tsv"


def probes() -> list[tuple[str, set[str], str]]:
    out = []
    for line in PROBES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            role, want, text = line.split("\t")
            out.append((role, set() if want == "-" else set(want.split(",")), text))
    return out


def labels(text: str, role: str, model) -> set[str]:
    from vaktpost.model import Message, Participant, Role
    from vaktpost.text import analyse_conversations, learned, memo

    saved = learned.installed_model
    learned.installed_model = lambda: model
    memo.clear()
    try:
        other = Participant("x-2", Role.PERFORMER if role == "customer" else Role.CUSTOMER)
        m = Message("cam", "c-1", "m-1", datetime(2021, 3, 4, tzinfo=UTC), Participant("x-1", Role(role)), text, (other,))
        return {lab.value for f in analyse_conversations([[m]]) for lab in f.labels} & MINOR
    finally:
        learned.installed_model = saved
        memo.clear()


def main(argv=None) -> dict:
    from vaktpost.text.learned import LearnedModel, installed_model

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path)
    ap.add_argument("--show", action="store_true")
    a = ap.parse_args(argv)
    model = LearnedModel.load(a.model) if a.model else installed_model()
    result = {}
    for name, m in (("rules", None), ("rules+model", model)):
        hit = miss = fp = 0
        for role, want, text in probes():
            for r in (role, "unknown"):
                got = labels(text, r, m)
                if want:
                    ok = want <= got
                    hit += ok
                    miss += not ok
                else:
                    fp += bool(got)
                if a.show and (bool(want) != bool(want <= got if want else got)):
                    print(f"  {name:11s} {r:11s} want {sorted(want) or '-'} got {sorted(got) or '-'}: {text}", file=sys.stderr)
        result[name] = {"expected_found": hit, "expected_missed": miss, "negatives_with_minor_label": fp}
        print(f"{name:12s} expected labels found {hit}/{hit + miss}; negatives with a minor label {fp}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
