"""Scoring findings and funnels against a generator's ground truth (`vaktpost eval`).

Message level: precision, recall and F1 per taxonomy label, and the false-positive rate of
the minor labels on hard negatives. Actor level: precision, recall and F0.5 for "asked for
a minor" (a buyer with asked_minor > 0) and "offered a minor" (an actor that sent a
MINOR_CONFIRMED to someone). Funnels: mean relative error of each step, over actors whose
true count is not zero, and the error of each step's total.
Pure: takes dicts read from the truth files and from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from vaktpost.model import Label

MINOR_LABELS = ("MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST")
STEPS = ("contacted", "asked_minor", "confirmed_minor", "price", "payment", "off_platform", "travel")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def f(self, beta: float = 1.0) -> float:
        p, r = self.precision, self.recall
        if p + r == 0:
            return 0.0
        b2 = beta * beta
        return (1 + b2) * p * r / (b2 * p + r)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1

    def as_json(self, beta: float = 1.0) -> dict:
        key = "f1" if beta == 1.0 else f"f{beta:g}"
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), key: round(self.f(beta), 4)}


def evaluate(
    truth_messages: Iterable[Mapping],
    predicted_labels: Mapping[tuple[str, str], set[str]],
    truth_actors: Iterable[Mapping],
    funnels: Mapping[tuple[str, str], Mapping],
    split: str = "all",
) -> dict:
    """`predicted_labels`: (platform, message_id) → labels; `funnels`: (platform, actor) → funnel json."""
    per_label = {lab.value: Score() for lab in Label if lab is not Label.NONE}
    hard = {"messages": 0, "with_minor_label": 0}
    hard_by_class: dict[str, list[int]] = {}
    n = 0
    for t in truth_messages:
        if split != "all" and t.get("split") != split:
            continue
        n += 1
        truth = set(t.get("labels") or ())
        pred = predicted_labels.get((t["platform"], t["message_id"]), set())
        for lab, score in per_label.items():
            score.add(lab in truth, lab in pred)
        if t.get("hard_negative"):
            fp = bool(pred & set(MINOR_LABELS))
            hard["messages"] += 1
            hard["with_minor_label"] += fp
            c = hard_by_class.setdefault(t["hard_negative"], [0, 0])
            c[0] += 1
            c[1] += fp
    hard["fp_rate"] = round(hard["with_minor_label"] / hard["messages"], 5) if hard["messages"] else 0.0
    hard["by_class"] = {k: {"messages": v[0], "with_minor_label": v[1]} for k, v in sorted(hard_by_class.items())}

    asked, offered = Score(), Score()
    errors: dict[str, list[float]] = {s: [] for s in STEPS}
    totals = {s: [0, 0] for s in STEPS}
    for a in truth_actors:
        key = (a["platform"], a["actor_id"])
        f = funnels.get(key, {})
        asked.add(bool(a.get("asked_minor")), f.get("asked_minor", 0) > 0)
        offered.add(bool(a.get("offered_minor")), f.get("offered_minor", 0) > 0)
        true_funnel = a.get("funnel") or {}
        for s in STEPS:
            tv, pv = int(true_funnel.get(s, 0)), int(f.get(s, 0))
            totals[s][0] += tv
            totals[s][1] += pv
            if tv:
                errors[s].append(abs(pv - tv) / tv)
    funnel_error = {
        s: {
            "mean_relative_error": round(sum(errors[s]) / len(errors[s]), 4) if errors[s] else 0.0,
            "actors": len(errors[s]),
            "true_total": totals[s][0],
            "found_total": totals[s][1],
            "total_relative_error": round(abs(totals[s][1] - totals[s][0]) / totals[s][0], 4) if totals[s][0] else 0.0,
        }
        for s in STEPS
    }
    return {
        "split": split,
        "messages": n,
        "labels": {k: v.as_json() for k, v in per_label.items()},
        "hard_negatives": hard,
        "actors": {"asked_minor": asked.as_json(0.5), "offered_minor": offered.as_json(0.5)},
        "funnel": funnel_error,
    }
