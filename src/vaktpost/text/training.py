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
from vaktpost.text.choices import (  # noqa: F401 (re-exported)
    Choice,
    FitSetting,
    Options,
    choose_add_only,
    choose_all,
    choose_other,
)
from vaktpost.text.learned import (
    ADD,
    ADD_ONLY,
    CATEGORIES,
    DECIDE,
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
    # the dual solver (same objective, ~40 % less time with more features than distinct rows),
    # stopped at tol 0.01: half the time of 1e-4, probabilities within 5e-4 (measured, AGE_PROBE,
    # 90,678 rows), far below the 0.01 steps of the thresholds; a fixed seed for its coordinate order
    clf = LogisticRegression(C=setting.C, max_iter=300, solver="liblinear", dual=True, tol=0.01, random_state=0)
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
