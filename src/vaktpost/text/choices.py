"""The learned stage's choices: per label, from out-of-group probabilities, which mode, gate and
threshold (text/training.py fits; this module decides). Choices are cheap, fits are not: the
benchmark re-makes them from saved probabilities (`benchmarks/learned_loao.py --oof-cache`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vaktpost.model import Label
from vaktpost.text.learned import (
    ADD,
    ADD_ONLY,
    DECIDE,
    GATE_CANDIDATE,
    GATE_EVIDENCE,
    LABELS,
    RULES_ONLY,
)
from vaktpost.text.loao import Corpus
from vaktpost.text.thresholds import Bar, Point, bar_for, label_entries


@dataclass(frozen=True)
class FitSetting:
    """How one label's logistic regression is fitted (chosen per label, out of author)."""

    C: float = 4.0
    balanced: bool = False

    @property
    def name(self) -> str:
        return f"C={self.C:g}" + (" balanced" if self.balanced else "")


@dataclass
class Choice:
    mode: int = RULES_ONLY
    threshold: float = 1.01
    gate: int = GATE_EVIDENCE
    beside: bool = False  # CONTENT_REQUEST may be added where the rules chose MINOR_REQUEST
    setting: FitSetting = FitSetting()
    entry: dict = field(default_factory=dict)
    adds: np.ndarray | None = None  # messages the chosen mode adds (minor labels: the hard-negative chain)


# The bars are data (`text/thresholds.json`, "learned"; read by `text/thresholds.py`): the
# default bar of an add-only label's additions and, per label, its own where it has one (see
# "Session 6: SELF_DISCLOSED_MINOR" in
# docs/sessions/6-request-object-asks-self-confirm-speed.md, and docs/sessions/7-mc-thresholds.md):
# the bar is a product decision (what a false addition costs against a missed one); the
# threshold under it is chosen out of author like every other.
DEFAULT_BAR: Bar = bar_for("learned")
_OWN = label_entries("learned")
LABEL_MIN_PRECISION: dict[Label, float] = {Label[k]: float(v["min_precision"]) for k, v in _OWN.items() if "min_precision" in v}
LABEL_BAR_KIND: dict[Label, str] = {Label[k]: str(v["kind"]) for k, v in _OWN.items() if "kind" in v}


def parse_label_bars(items) -> dict[Label, float]:
    """`LABEL=P` pairs (`vaktpost train --label-min-precision`) as {Label: P}; only add-only labels."""
    from vaktpost.errors import UserError

    out = {}
    for item in items or ():
        name, _, value = item.partition("=")
        try:
            lab, bar = Label[name.strip()], float(value)
        except (KeyError, ValueError):
            raise UserError("takes LABEL=PRECISION, e.g. SELF_DISCLOSED_MINOR=0.9", item) from None
        if lab not in ADD_ONLY or not 0.5 <= bar <= 1.0:
            raise UserError("a bar is for an add-only label (the minor labels, AGE_PROBE), between 0.5 and 1", item)
        out[lab] = bar
    return out


@dataclass
class Options:
    min_precision: float = DEFAULT_BAR.min_precision  # pooled out-of-author precision an add-only label must reach
    min_added: int = DEFAULT_BAR.min_added  # true additions at least (fewer is no evidence)
    max_hard_rise: float = DEFAULT_BAR.max_hard_rise  # any hard-negative class's minor-label rate, pooled
    min_author_precision: float = 0.9  # each left-out author's additions (where it has >= 5)
    min_author_adds: int = 5
    stable: bool = False  # an add-only label stays on with each author of the scope left out (threshold: their highest)
    label_min_precision: dict = field(default_factory=lambda: dict(LABEL_MIN_PRECISION))  # Label -> its own bar
    kind: str = DEFAULT_BAR.kind  # what the bar is on: "additions" or "label" (rules + additions), text/thresholds.py
    label_kind: dict = field(default_factory=lambda: dict(LABEL_BAR_KIND))  # Label -> its own kind

    def precision_for(self, lab: Label) -> float:
        """The pooled precision bar of `lab`."""
        return self.label_min_precision.get(lab, self.min_precision)

    def bar(self, lab: Label) -> Bar:
        """`lab`'s bar: kind, precision, true additions at least, hard-negative rise at most."""
        return Bar(self.label_kind.get(lab, self.kind), self.precision_for(lab), self.min_added, self.max_hard_rise)


def choose_add_only(c: Corpus, j: int, p: np.ndarray, scope: np.ndarray, hard_before: np.ndarray, o: Options, floor: float = 0.30) -> Choice:
    """The gate, CONTENT_REQUEST's word-order gate and the lowest threshold whose additions
    (messages the model labels and the rules, dialogue included, do not) over `scope` pass
    `o.bar(label)` (pooled precision of the additions, or of the label with them, per the bar's
    kind: `text/thresholds.py`), at least `min_added` true ones, precision >=
    `min_author_precision` on every author with `min_author_adds` of them, and raise no
    hard-negative class's minor-label rate by more than `max_hard_rise`; else rules only."""
    lab = LABELS[j]
    the_bar = o.bar(lab)
    r = np.maximum(c.row, 0)
    y = c.y[:, j]
    new = (c.row >= 0) & ~c.before[r, j] & ~c.rules[:, j] & scope
    pos, tp_r, fp_r = int((y & scope).sum()), int((y & c.rules[:, j] & scope).sum()), int((~y & c.rules[:, j] & scope).sum())
    entry = {"positives": pos, "rules_P": round(tp_r / max(1, tp_r + fp_r), 4), "rules_R": round(tp_r / max(1, pos), 4), "bar": the_bar.min_precision}
    if the_bar.kind != "additions":
        entry["bar_kind"] = the_bar.kind
    in_scope = [(k, (c.hard == k) & scope) for k in range(len(c.hard_classes))]
    denom = {k: int(m.sum()) for k, m in in_scope}
    gates = (GATE_CANDIDATE,) if lab is Label.AGE_PROBE else (GATE_EVIDENCE, GATE_CANDIDATE)
    besides = (False, True) if lab is Label.CONTENT_REQUEST else (False,)
    best = None
    variants = {}  # what each gate (and CONTENT_REQUEST's word-order gate) would add at its best
    for g in gates:
        for beside in besides:
            best_here = best
            best = None
            idx = np.flatnonzero(new & c.allowed[r, g] & ~c.refused[r, j, int(beside)])
            pv, yv, av, hv, hb = p[idx], y[idx], c.author[idx], c.hard[idx], hard_before[idx]
            for t in np.arange(0.30, 1.0, 0.01):
                if t < floor - 1e-9:
                    continue
                on = pv >= t
                tp, fp = int((on & yv).sum()), int((on & ~yv).sum())
                if tp < o.min_added or (best and tp <= best[0]):
                    continue
                if Point(float(t), tp, fp, 0.0, tp_r, fp_r).precision(the_bar.kind) < the_bar.min_precision - 1e-12:
                    continue
                worst = min((float((on & yv & (av == a)).sum()) / n for a in np.unique(av[on])
                             if (n := int((on & (av == a)).sum())) >= o.min_author_adds), default=1.0)
                if worst < o.min_author_precision:
                    continue
                rise = max((float((on & ~hb & (hv == k)).sum()) / denom[k] for k in denom if denom[k]), default=0.0)
                if rise > o.max_hard_rise:
                    continue
                best = (tp, fp, float(t), g, beside, rise, idx[on])
            variants[("candidate" if g == GATE_CANDIDATE else "evidence") + (" beside" if beside else "")] = (
                f"{best[0]}/{best[1]}@{best[2]:.2f}" if best else "none")
            if best_here is not None and (best is None or best[0] <= best_here[0]):
                best = best_here
    curve = []
    idx = np.flatnonzero(new & c.allowed[r, gates[-1]] & ~c.refused[r, j, 1 if lab is Label.CONTENT_REQUEST else 0])
    for t in (0.5, 0.7, 0.9):
        on = p[idx] >= t
        curve.append(f"{t:.1f}:{int((on & y[idx]).sum())}/{int((on & ~y[idx]).sum())}")
    entry["adds_tp/fp"] = " ".join(curve)
    entry["variants"] = variants
    if best is None:
        return Choice(entry={**entry, "added_tp": 0, "added_fp": 0})
    tp, fp, t, g, beside, rise, where = best
    adds = np.zeros(c.n, dtype=bool)
    adds[where] = True
    by_author = {c.authors[a]: f"{int((adds & y & (c.author == a)).sum())}/{int((adds & ~y & (c.author == a)).sum())}"
                 for a in np.unique(c.author[where])}
    entry.update(added_tp=tp, added_fp=fp, recall_gain=round(tp / max(1, pos), 4), gate="candidate" if g == GATE_CANDIDATE else "evidence",
                 hard_rise=round(rise, 5), combined_P=round((tp_r + tp) / max(1, tp_r + fp_r + tp + fp), 4), by_author=by_author)
    if lab is Label.CONTENT_REQUEST:
        entry["beside_minor_request"] = beside
    return Choice(ADD, t, g, beside, entry=entry, adds=adds)


def choose_other(c: Corpus, j: int, p: np.ndarray, scope: np.ndarray) -> Choice:
    """Rules only, rules or model, or model decides, and the threshold: best pooled
    out-of-author F1 (by more than 0.002 over the rules)."""
    r = np.maximum(c.row, 0)
    cand, y, rules = (c.row >= 0)[scope], c.y[scope, j], c.rules[scope, j]
    had, pv = c.before[r[scope], j] & cand, p[scope]
    rule_f = _f1(y, rules)
    best = (rule_f, RULES_ONLY, 1.01)
    for t in np.arange(0.2, 0.96, 0.05):
        sure = cand & (pv >= t)
        add = _f1(y, rules | sure)
        if add > best[0] + 0.002:
            best = (add, ADD, float(t))
        decide = _f1(y, sure | (rules & ~(had & ~sure)))
        if decide > best[0] + 0.002:
            best = (decide, DECIDE, float(t))
    f, mode, t = best
    return Choice(mode, t, entry={"rules_f1": round(rule_f, 4), "chosen_f1": round(f, 4)})


def _stable(c: Corpus, j: int, p: np.ndarray, scope: np.ndarray, hard_before: np.ndarray, o: Options, ch: Choice) -> Choice:
    """`ch` re-made so that it holds with any one author of the scope left out: rules only if
    leaving some author out switches the label off, else the choice at (or above) the highest
    threshold those choices need."""
    floor = ch.threshold
    for a in np.unique(c.author[scope]):
        sub = choose_add_only(c, j, p, scope & (c.author != a), hard_before, o)
        if sub.mode != ADD:
            return Choice(entry={**ch.entry, "added_tp": 0, "added_fp": 0, "off_without": c.authors[a]})
        floor = max(floor, sub.threshold)
    if floor <= ch.threshold:
        return ch
    again = choose_add_only(c, j, p, scope, hard_before, o, floor)
    again.entry["raised_from"] = round(ch.threshold, 2)
    return again


def _score(ch: Choice) -> tuple:
    if "added_tp" in ch.entry:
        return (ch.entry["added_tp"], -ch.entry["added_fp"])
    return (ch.entry["chosen_f1"],)


def choose_all(c: Corpus, P: dict, scope: np.ndarray, o: Options) -> list[Choice]:
    """Every label's choice over `scope` from the out-of-group probabilities `P[setting]` (n, L);
    the minor labels in order, each one's hard-negative check counting the earlier ones' additions."""
    minor = [j for j, lab in enumerate(LABELS) if lab in ADD_ONLY and lab is not Label.AGE_PROBE]
    hard_before = c.rules[:, minor].any(axis=1)
    out = []
    for j, lab in enumerate(LABELS):
        best = None
        for setting, Pj in P.items():
            if Pj is None or not Pj[:, j].any():
                continue
            ch = choose_add_only(c, j, Pj[:, j], scope, hard_before, o) if lab in ADD_ONLY else choose_other(c, j, Pj[:, j], scope)
            if o.stable and lab in ADD_ONLY and ch.mode == ADD:
                ch = _stable(c, j, Pj[:, j], scope, hard_before, o, ch)
            ch.setting = setting
            if best is None or (ch.mode != RULES_ONLY and (best.mode == RULES_ONLY or _score(ch) > _score(best))):
                best = ch
        best = best or Choice(entry={"used": False})
        if best.mode == ADD and best.adds is not None and lab is not Label.AGE_PROBE:
            hard_before = hard_before | best.adds
        out.append(best)
    return out


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float((y & p).sum())
    fp = float((~y & p).sum())
    fn = float((y & ~p).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
