"""How an add-only model (the reply model, the learned stage's add-only labels) chooses its
threshold from pooled out-of-author counts — the one place the bar is read from.

A model that only adds a label is judged on what it adds: each threshold t gives pooled
out-of-author additions (true / false), the worst rise of a hard-negative class's minor-label
rate, and — beside it — what the rules (pipeline) already label (true / false / missed). Two
kinds of bar:

- "additions": the additions' own precision >= the bar (the bar of sessions 4-6, 0.97).
- "label": the LABEL's precision after the additions (pipeline's plus the additions, pooled)
  >= the bar. Where the rules are already precise, this lets the model add at the precision
  the label's F1 can afford, not at a bar stricter than the rules' own; where the rules are
  not, it adds nothing that would take the label under the bar.

Either way: at least `min_added` true additions, no hard-negative class rising over
`max_hard_rise`, and the LOWEST threshold that passes (more true additions); none passing,
the model adds nothing (threshold above 1).

The bars themselves are data (`thresholds.json`, shipped in the package): a default per model
and, for the learned stage, per label.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

KINDS = ("additions", "label")
NONE = 1.01  # a threshold above every probability: the model adds nothing
BARS_FILE = Path(__file__).with_name("thresholds.json")


@dataclass(frozen=True)
class Bar:
    """What a threshold's pooled out-of-author counts must pass."""

    kind: str = "additions"
    min_precision: float = 0.97
    min_added: int = 10
    max_hard_rise: float = 0.001

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"bar kind must be one of {KINDS}, not {self.kind!r}")
        if not 0.5 <= self.min_precision <= 1.0:
            raise ValueError(f"a precision bar is between 0.5 and 1, not {self.min_precision}")

    def describe(self) -> str:
        what = "additions'" if self.kind == "additions" else "label's (rules + additions)"
        return f"{what} pooled out-of-author precision >= {self.min_precision:g}"


@dataclass(frozen=True)
class Point:
    """Pooled out-of-author counts at one threshold."""

    t: float
    added_tp: int
    added_fp: int
    hard_rise: float = 0.0  # worst hard-negative class's rise of its minor-label rate
    base_tp: int = 0  # the rules' (pipeline's) own labels, the same scope
    base_fp: int = 0

    def precision(self, kind: str) -> float:
        tp, fp = self.added_tp, self.added_fp
        if kind == "label":
            tp, fp = tp + self.base_tp, fp + self.base_fp
        return tp / (tp + fp) if tp + fp else 0.0


def passes(pt: Point, bar: Bar) -> bool:
    return (pt.added_tp >= bar.min_added and pt.precision(bar.kind) >= bar.min_precision - 1e-12
            and pt.hard_rise <= bar.max_hard_rise + 1e-12)


def choose(points: Iterable[Point], bar: Bar) -> float:
    """The lowest threshold whose counts pass `bar`; `NONE` if none does."""
    ok = [pt.t for pt in points if passes(pt, bar)]
    return min(ok) if ok else NONE


@lru_cache(maxsize=4)
def _read(path: Path) -> dict:
    return json.loads(path.read_text())


def bar_for(model: str, label: str | None = None, path: Path | None = None) -> Bar:
    """The shipped bar of `model` ("reply", "learned"), a label's own where it has one."""
    data = _read(path or BARS_FILE)[model]
    entry: Mapping = {**data["default"], **(data.get("labels", {}).get(label, {}) if label else {})}
    return Bar(**{k: entry[k] for k in ("kind", "min_precision", "min_added", "max_hard_rise") if k in entry})


def label_entries(model: str, path: Path | None = None) -> dict[str, dict]:
    """The labels that have a bar (or a term of one) of their own under `model`: label -> the terms it sets."""
    return {k: dict(v) for k, v in sorted(_read(path or BARS_FILE)[model].get("labels", {}).items())}


def parse_reply_bar(text: str | None) -> Bar | None:
    """`KIND:P` (`vaktpost train --reply-bar`) over the shipped reply bar's other terms; None: the shipped one."""
    from vaktpost.errors import UserError

    if text is None:
        return None
    kind, _, value = text.partition(":")
    shipped = bar_for("reply")
    try:
        return Bar(kind.strip(), float(value), shipped.min_added, shipped.max_hard_rise)
    except ValueError:
        raise UserError(f"takes KIND:PRECISION, KIND one of {', '.join(KINDS)}, PRECISION between 0.5 and 1, e.g. additions:0.97", text) from None
