"""Training the learned stage (`vaktpost train`) and reading labelled data.

Training data is generator output directories (chats + truth/messages.jsonl: the train split
and fresh sets by independent hands) or canonical chat JSONL files whose records carry their
labels in a "labels" key. What the model learns from and is chosen on is a `loao.Corpus`;
every mode, threshold, gate and fit setting is chosen on predictions for each author's
messages by the model fitted without that author (text/loao.py says why), so each choice is
made where the model meets a hand it never read — the situation of every new platform.
"""

from __future__ import annotations

import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import orjson

from vaktpost.errors import UserError
from vaktpost.ingest.jsonl import read_jsonl
from vaktpost.ingest.records import Rejected
from vaktpost.ingest.source import InputFile
from vaktpost.model import Label, Message
from vaktpost.text.learned import (
    ADD,
    ADD_ONLY,
    CATEGORIES,
    DECIDE,
    GATE_CANDIDATE,
    GATE_EVIDENCE,
    LABELS,
    N_AGE_FLAGS,
    N_RULE,
    N_WORD,
    RULES_ONLY,
    LearnedModel,
)
from vaktpost.text.loao import Corpus

Key = tuple[str, str]


@dataclass
class LabelledSet:
    conversations: list[list[Message]]
    labels: dict[Key, set[str]]  # (platform, message_id) → true labels
    groups: dict[Key, str]  # (platform, message_id) → fold group (template family)
    select: set[Key] = field(default_factory=set)  # messages the add-only modes are chosen on
    hard: dict[Key, str] = field(default_factory=dict)  # hard-negative class of a message

    def merge(self, other: LabelledSet) -> None:
        self.conversations.extend(other.conversations)
        self.labels.update(other.labels)
        self.groups.update(other.groups)
        self.select |= other.select
        self.hard.update(other.hard)


def chats_path(directory: Path) -> Path:
    for name in ("chats.jsonl", "chats.jsonl.gz"):
        if (directory / name).exists():
            return directory / name
    if (directory / "chats.parquet").exists():
        raise UserError("parquet chats are not read by train/eval; write the set with JSONL (no --parquet)", str(directory))
    raise UserError("no chats.jsonl or chats.jsonl.gz here", str(directory))


def read_messages(path: Path) -> Iterator[Message]:
    with InputFile(path) as source:
        for item in read_jsonl(source):
            if isinstance(item, Rejected):
                raise UserError(f"line {item.line}: {item.error}", str(path))
            yield item


def read_truth(directory: Path, name: str) -> Iterator[dict]:
    path = directory / "truth" / name
    if not path.exists():
        raise UserError(f"no truth/{name} (is this a `vaktpost synth` output?)", str(directory))
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise UserError(f"line {number}: not valid JSON ({exc})", str(path)) from None


def group_conversations(messages) -> list[list[Message]]:
    convs: dict[tuple[str, str], list[Message]] = defaultdict(list)
    for m in messages:
        convs[(m.platform, m.conversation_id)].append(m)
    for conv in convs.values():
        conv.sort(key=lambda m: m.sent_at)
    return list(convs.values())


def _tagged(messages, tag: str):
    """Message and conversation ids made unique across several labelled sets."""
    if not tag:
        yield from messages
        return
    for m in messages:
        yield replace(m, message_id=tag + m.message_id, conversation_id=tag + m.conversation_id)


def load_labelled(path: Path, split: str = "train", tag: str = "", select=False, exclude=None) -> LabelledSet:
    """`tag` prefixes every id, so that sets generated apart (same ids) can be merged.

    `select` (True, or a predicate of the truth record): the set's messages (those it
    accepts) are where the add-only labels' modes and thresholds are chosen — phrasings the
    rules were not written against, e.g. the fresh messages of a `--split fresh` set (load it
    with split "all" so that conversations stay whole for the dialogue).
    `exclude(family)`: families left out altogether (e.g. the dev split)."""
    labels, groups, hard, chosen = {}, {}, {}, set()
    if path.is_dir():
        keep = set()
        for t in read_truth(path, "messages.jsonl"):
            if (split == "all" or t.get("split") == split) and not (exclude and exclude(t.get("family"))):
                key = (t["platform"], tag + t["message_id"])
                keep.add(key)
                labels[key] = set(t.get("labels") or ())
                groups[key] = str(t.get("family") or t.get("conversation_id"))
                if t.get("hard_negative"):
                    hard[key] = t["hard_negative"]
                if select is True or (callable(select) and select(t)):
                    chosen.add(key)
        msgs = (m for m in _tagged(read_messages(chats_path(path)), tag) if (m.platform, m.message_id) in keep)
        convs = group_conversations(msgs)
    else:
        convs = group_conversations(_tagged(read_messages(path), tag))
        for conv in convs:
            for m in conv:
                if "labels" not in m.meta:
                    raise UserError(f"message {m.message_id} has no \"labels\" key", str(path))
                labels[(m.platform, m.message_id)] = set(m.meta["labels"] or ())
                groups[(m.platform, m.message_id)] = m.conversation_id
    if not labels:
        raise UserError(f"no labelled messages for split {split!r}", str(path))
    if select is True:
        chosen = set(labels)
    return LabelledSet(convs, labels, groups, chosen, hard)


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


@dataclass
class Options:
    min_precision: float = 0.97  # pooled out-of-author precision of an add-only label's additions
    min_added: int = 10  # true additions at least (fewer is no evidence)
    max_hard_rise: float = 0.001  # any hard-negative class's minor-label rate, pooled
    min_author_precision: float = 0.9  # each left-out author's additions (where it has >= 5)
    min_author_adds: int = 5
    stable: bool = False  # an add-only label stays on with each author of the scope left out (threshold: their highest)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _fit(M, rows: np.ndarray, y: np.ndarray, setting: FitSetting) -> tuple[np.ndarray, float]:
    """Logistic regression on candidate rows, one weighted row per distinct (row, label)."""
    from sklearn.linear_model import LogisticRegression

    uniq, counts = np.unique(rows * 2 + y, return_counts=True)
    r, yy = uniq // 2, (uniq % 2).astype(bool)
    w = counts.astype(np.float64)
    if setting.balanced:
        pos, neg = w[yy].sum(), w[~yy].sum()
        w = w * np.where(yy, (pos + neg) / (2 * pos), (pos + neg) / (2 * neg))
    # the dual solver: same objective, ~40 % less time with more features than distinct rows
    clf = LogisticRegression(C=setting.C, max_iter=300, solver="liblinear", dual=True)
    clf.fit(M[r], yy, sample_weight=w)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def out_of_group(c: Corpus, M, j: int, setting: FitSetting, groups: np.ndarray, keep: dict | None = None) -> np.ndarray:
    """Each candidate message's probability from the model fitted without its group."""
    p = np.zeros(c.n, dtype=np.float32)
    cand = c.row >= 0
    y = c.y[:, j]
    for g in np.unique(groups[cand]):
        tr, te = cand & (groups != g), cand & (groups == g)
        if not y[tr].any() or y[tr].all():
            continue
        coef, b = _fit(M, c.row[tr], y[tr], setting)
        rows = np.unique(c.row[te])
        prob = np.zeros(M.shape[0], dtype=np.float32)
        prob[rows] = _sigmoid(M[rows] @ coef + b)
        p[te] = prob[c.row[te]]
        if keep is not None:
            keep[int(g)] = (coef.astype(np.float16), b)
    return p


def choose_add_only(c: Corpus, j: int, p: np.ndarray, scope: np.ndarray, hard_before: np.ndarray, o: Options, floor: float = 0.30) -> Choice:
    """The gate, CONTENT_REQUEST's word-order gate and the lowest threshold whose additions
    (messages the model labels and the rules, dialogue included, do not) over `scope` have
    pooled precision >= `min_precision`, at least `min_added` true ones, precision >=
    `min_author_precision` on every author with `min_author_adds` of them, and raise no
    hard-negative class's minor-label rate by more than `max_hard_rise`; else rules only."""
    lab = LABELS[j]
    r = np.maximum(c.row, 0)
    y = c.y[:, j]
    new = (c.row >= 0) & ~c.before[r, j] & ~c.rules[:, j] & scope
    pos, tp_r, fp_r = int((y & scope).sum()), int((y & c.rules[:, j] & scope).sum()), int((~y & c.rules[:, j] & scope).sum())
    entry = {"positives": pos, "rules_P": round(tp_r / max(1, tp_r + fp_r), 4), "rules_R": round(tp_r / max(1, pos), 4)}
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
                if tp < o.min_added or tp / (tp + fp) < o.min_precision or (best and tp <= best[0]):
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


def _groups(c: Corpus, folds: int) -> tuple[np.ndarray, str]:
    if len(c.authors) >= 2:
        return c.author.astype(np.int64), "author"
    groups = np.array([zlib.crc32(f.encode()) % folds for f in c.family], dtype=np.int64)
    return groups, "template-family fold (one author only: these folds flatter the model)"


def _without_rule_labels(X):
    """The feature matrix with the rules' own labels zeroed (for the add-only labels)."""
    from scipy import sparse

    keep = np.ones(X.shape[1], dtype=np.float32)
    first = X.shape[1] - N_RULE + len(CATEGORIES) + N_AGE_FLAGS
    keep[first : first + len(LABELS)] = 0.0
    out = (X @ sparse.diags(keep)).tocsr()
    out.eliminate_zeros()
    return out


def out_of_author(c: Corpus, settings, folds: int = 5, rule_labels_for_add_only: bool = False, per_author: bool = False, log=print):
    """Every label's out-of-group probabilities per fit setting (and, with `per_author`, each
    fold's weights): the expensive part of training, kept apart so that choices can be re-made."""
    groups, unit = _groups(c, folds)
    n_cand = int((c.row >= 0).sum())
    log(f"training on {n_cand} candidate messages of {c.n} ({c.X.shape[0]} distinct texts); left out one {unit} at a time: "
        + ", ".join(f"{a} {int((c.author == i).sum())}" for i, a in enumerate(c.authors)))
    X_add = c.X if rule_labels_for_add_only else _without_rule_labels(c.X)
    P = {s: np.zeros((c.n, len(LABELS)), dtype=np.float32) for s in settings}
    kept: dict = {}
    for j, lab in enumerate(LABELS):
        y = c.y[c.row >= 0, j]
        if y.sum() < 5 or (~y).sum() < 5:
            continue
        M = X_add if lab in ADD_ONLY else c.X
        t0 = time.perf_counter()
        for s in settings:
            keep_j = kept.setdefault((s, j), {}) if per_author else None
            P[s][:, j] = out_of_group(c, M, j, s, groups, keep_j)
        log(f"  fitted {lab.value} without each {unit.split()[0]} ({time.perf_counter() - t0:.0f} s)")
    return P, kept, X_add, unit


def train_model(
    c: Corpus,
    settings: tuple[FitSetting, ...] = (FitSetting(),),
    options: Options | None = None,
    folds: int = 5,
    n_word: int = N_WORD,
    rule_labels_for_add_only: bool = False,
    per_author: bool = False,
    log=print,
    oof: tuple | None = None,
) -> tuple[LearnedModel, dict, dict[str, LearnedModel]]:
    """Fits one logistic regression per label; every choice on leave-one-author-out predictions.

    Returns the model fitted on every author, the report (per label: mode, setting, threshold,
    gate, pooled out-of-author additions and their split by author) and, with `per_author`, for
    each author the model fitted without it with every choice made without its messages (the
    honest model to score that author with; its choices still rest on predictions for the other
    authors by models that saw it).

    The add-only labels are fitted without the rules' own labels as features (unless
    `rule_labels_for_add_only`): where the rules were written against the training wording
    those features are nearly the truth, and a model leaning on them has nothing to say where
    the rules are silent — the only place an add-only label can add anything.
    `oof`: `out_of_author`'s result, to re-make the choices without fitting again."""
    o = options or Options()
    P, kept, X_add, unit = oof if oof is not None else out_of_author(c, settings, folds, rule_labels_for_add_only, per_author, log)
    everyone = np.ones(c.n, dtype=bool)
    choices = choose_all(c, P, everyone, o)
    coef = np.zeros((len(LABELS), c.X.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    report = {"folds": unit, "authors": {a: int((c.author == i).sum()) for i, a in enumerate(c.authors)}, "labels": {}}
    for j, (lab, ch) in enumerate(zip(LABELS, choices)):
        name = {RULES_ONLY: "rules only", ADD: "rules or model", DECIDE: "model decides"}[ch.mode]
        if ch.mode != RULES_ONLY:
            M = X_add if lab in ADD_ONLY else c.X
            cand = c.row >= 0
            coef[j], intercept[j] = _fit(M, c.row[cand], c.y[cand, j], ch.setting)
        report["labels"][lab.value] = {"mode": name, "threshold": round(ch.threshold, 2), "setting": ch.setting.name, **ch.entry}
        log(f"  {lab.value:22s} {name:14s} {ch.setting.name:12s} threshold {ch.threshold:.2f}  "
            + "  ".join(f"{k} {v}" for k, v in ch.entry.items()))
    model = _model(choices, coef, intercept, n_word)
    fold_models = {}
    if per_author and unit == "author":
        for a, name in enumerate(c.authors):
            mine = choose_all(c, P, c.author != a, o)
            cf = np.zeros_like(coef)
            ic = np.zeros_like(intercept)
            for j, ch in enumerate(mine):
                if ch.mode != RULES_ONLY and a in kept.get((ch.setting, j), {}):
                    w, b = kept[(ch.setting, j)][a]
                    cf[j], ic[j] = w, b
                elif ch.mode != RULES_ONLY:
                    ch.mode = RULES_ONLY  # no fit without this author (too few positives elsewhere)
            fold_models[name] = _model(mine, cf, ic, n_word)
            report.setdefault("without_author", {})[name] = {
                LABELS[j].value: f"{['rules only', 'rules or model', 'model decides'][ch.mode]} {ch.threshold:.2f}"
                for j, ch in enumerate(mine)}
    return model, report, fold_models


def _model(choices: list[Choice], coef, intercept, n_word) -> LearnedModel:
    modes = np.array([ch.mode for ch in choices], dtype=np.int8)
    thresholds = np.array([ch.threshold for ch in choices], dtype=np.float32)
    gates = np.array([ch.gate for ch in choices], dtype=np.int8)
    beside = bool(choices[LABELS.index(Label.CONTENT_REQUEST)].beside)
    return LearnedModel(coef, intercept, thresholds, LABELS, modes, n_word, gates, beside)


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float((y & p).sum())
    fp = float((~y & p).sum())
    fn = float((y & ~p).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
