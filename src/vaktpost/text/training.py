"""Training the learned stage (`vaktpost train`) and reading labelled data.

Training data is a generator output directory (chats + truth/messages.jsonl; only messages
whose phrasing came from the train split are used unless told otherwise) or a canonical
chat JSONL whose records carry their labels in a "labels" key. Thresholds are chosen on
out-of-fold predictions where the folds are template families (or conversations, for user
files), so each threshold is set on phrasings the model did not see — the same situation as
the held-out test families.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
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
    _candidate,
    feature_matrix,
    may_add,
)

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


def _fold_of(groups: Sequence[str], k: int) -> np.ndarray:
    import zlib

    return np.array([zlib.crc32(g.encode()) % k for g in groups])


def train_model(
    data: LabelledSet,
    folds: int = 5,
    C: float = 4.0,
    log=print,
    n_word: int = N_WORD,
    class_weight: str | None = None,
    min_precision: float = 0.97,
    min_added: int = 10,
    max_hard_rise: float = 0.001,
    rule_labels_for_add_only: bool = False,
    force_threshold: float | None = None,
) -> tuple[LearnedModel, dict]:
    """Fits one logistic regression per label; returns the model and out-of-fold figures.

    Every prediction used to choose a mode is out of fold, the folds being template families.
    Non-minor labels: the mode (rules only / rules or model / model decides) with the best
    F1 over all messages. Add-only labels (minor labels, age probe): over the *selection*
    messages (`data.select`, e.g. fresh families, where the rules are not in-sample; all
    messages if none), the gate and the lowest threshold whose additions — messages the
    model labels and the rules (dialogue included) do not — have precision >= `min_precision`,
    number at least `min_added` true ones (fewer is no evidence: a retrain on rules tuned on
    the selection set chose a mode on 9 additions, and added only false positives on set c), and raise no hard-negative class's minor-label
    rate by more than `max_hard_rise` (over the selection messages and over all); else rules only.

    The add-only labels are fitted without the rules' own labels as features (unless
    `rule_labels_for_add_only`): where the rules were written against the training families
    those features are nearly the truth, and a model leaning on them has nothing to say where
    the rules are silent — the only place an add-only label can add anything.
    `force_threshold` (diagnostics only): every add-only label "rules or model" at that threshold.
    """
    from sklearn.linear_model import LogisticRegression

    from vaktpost.text import analyse_messages
    from vaktpost.text.memo import facts_before_dialogue

    after = analyse_messages(data.conversations, use_learned=False)  # rules and dialogue
    flat = [m for conv in data.conversations for m in conv]
    before, texts_all, _ = facts_before_dialogue(flat, use_learned=False)  # what the model sees at run time
    post = [f for fs in after for f in fs]
    keys_all = [(m.platform, m.message_id) for m in flat]
    idx = np.array([i for i, f in enumerate(before) if _candidate(f)], dtype=np.int64)
    texts = [texts_all[i] for i in idx]
    cand_facts = [before[i] for i in idx]
    X = feature_matrix(texts, cand_facts, [flat[i].sender.role.value for i in idx], n_word)
    keys = [keys_all[i] for i in idx]
    fold = _fold_of([data.groups.get(k, k[1]) for k in keys], folds)
    Y_all = np.array([[lab.value in data.labels.get(k, ()) for lab in LABELS] for k in keys_all], dtype=bool)
    rule_all = np.array([[lab in f.labels() for lab in LABELS] for f in post], dtype=bool)
    Y, rule_has = Y_all[idx], rule_all[idx]
    sel = np.array([k in data.select for k in keys_all], dtype=bool) if data.select else np.ones(len(flat), dtype=bool)
    hard_cls = [data.hard.get(k) for k in keys_all]
    minor_cols = [j for j, lab in enumerate(LABELS) if lab in ADD_ONLY and lab is not Label.AGE_PROBE]
    hard_before = rule_all[:, minor_cols].any(axis=1)
    log(f"training on {len(idx)} candidate messages of {len(flat)}; {folds} folds by template family; "
        f"add-only modes chosen on {int(sel.sum())} messages" + (" (selection set)" if data.select else " (all)"))

    X_add = X
    if not rule_labels_for_add_only:
        from scipy import sparse

        keep = np.ones(X.shape[1], dtype=np.float32)
        first = X.shape[1] - N_RULE + len(CATEGORIES) + N_AGE_FLAGS
        keep[first : first + len(LABELS)] = 0.0
        X_add = (X @ sparse.diags(keep)).tocsr()
        X_add.eliminate_zeros()

    def fit(rows, y, M=X):
        clf = LogisticRegression(C=C, max_iter=300, solver="liblinear", class_weight=class_weight)
        clf.fit(M[rows], y)
        return clf

    coef = np.zeros((len(LABELS), X.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    thresholds = np.full(len(LABELS), 1.01, dtype=np.float32)
    modes = np.full(len(LABELS), RULES_ONLY, dtype=np.int8)
    gates = np.array([GATE_CANDIDATE if lab is Label.AGE_PROBE else GATE_EVIDENCE for lab in LABELS], dtype=np.int8)
    added_any = np.zeros(len(flat), dtype=bool)  # minor labels the chosen modes add (hard-negative check)
    report = {}
    for j, lab in enumerate(LABELS):
        y = Y[:, j]
        if y.sum() < 5 or (~y).sum() < 5:
            report[lab.value] = {"positives": int(y.sum()), "used": False}
            continue
        M = X_add if lab in ADD_ONLY else X
        oof = np.zeros(len(y))
        for k in range(folds):
            tr, te = fold != k, fold == k
            if te.sum() == 0 or y[tr].sum() == 0 or (~y[tr]).sum() == 0:
                continue
            oof[te] = fit(tr, y[tr], M).predict_proba(M[te])[:, 1]
        if lab in ADD_ONLY and force_threshold is not None:
            entry, mode, thr = {"forced": True}, ADD, force_threshold
        elif lab in ADD_ONLY:
            entry, mode, thr, gate, adds = _choose_add_only(
                lab, oof, idx, cand_facts, Y_all[:, j], rule_all[:, j], sel, hard_cls, hard_before | added_any,
                min_precision, min_added, max_hard_rise,
            )
            if mode == ADD and lab is not Label.AGE_PROBE:
                added_any |= adds
            gates[j] = gate
        else:
            rule_f = _f1(y, rule_has[:, j])
            best = (rule_f, RULES_ONLY, 1.01)
            for t in np.arange(0.2, 0.96, 0.05):
                add = _f1(y, rule_has[:, j] | (oof >= t))
                if add > best[0] + 0.002:
                    best = (add, ADD, float(t))
                decide = _f1(y, oof >= t)
                if decide > best[0] + 0.002:
                    best = (decide, DECIDE, float(t))
            best_f, mode, thr = best
            entry = {"rules_f1_oof": round(rule_f, 4), "chosen_f1_oof": round(best_f, 4)}
        name = {RULES_ONLY: "rules only", ADD: "rules or model", DECIDE: "model decides"}[mode]
        if mode != RULES_ONLY:
            clf = fit(np.arange(len(y)), y, M)
            coef[j] = clf.coef_[0]
            intercept[j] = clf.intercept_[0]
        thresholds[j] = thr
        modes[j] = mode
        report[lab.value] = {"positives": int(y.sum()), "mode": name, "threshold": round(thr, 2), **entry}
        log(f"  {lab.value:22s} {name:14s} threshold {thr:.2f}  " + "  ".join(f"{k} {v}" for k, v in entry.items()))
    model = LearnedModel(coef, intercept, thresholds, LABELS, modes, n_word, gates)
    return model, report


def _choose_add_only(lab, oof, idx, cand_facts, y_all, rule_all, sel, hard_cls, hard_before, min_precision, min_added, max_hard_rise):
    """Mode, threshold and gate of one add-only label from out-of-fold predictions (see train_model)."""
    n = len(y_all)
    p_all = np.zeros(n)
    p_all[idx] = oof
    gates = (GATE_CANDIDATE,) if lab is Label.AGE_PROBE else (GATE_EVIDENCE, GATE_CANDIDATE)
    allowed = {g: np.zeros(n, dtype=bool) for g in gates}
    for g in gates:
        allowed[g][idx] = [may_add(f, g) for f in cand_facts]
    ys, rs = y_all & sel, rule_all & sel
    tp_r, fp_r = int((ys & rs).sum()), int((~y_all & rs).sum())
    pos = int(ys.sum())
    entry = {"select_positives": pos, "rules_P": round(tp_r / max(1, tp_r + fp_r), 4), "rules_R": round(tp_r / max(1, pos), 4)}
    classes = sorted({c for c in hard_cls if c})
    hard_idx = {c: np.array([h == c for h in hard_cls]) for c in classes}
    best = None
    for g in gates:
        for t in np.arange(0.30, 1.0, 0.01):
            adds = (p_all >= t) & allowed[g] & ~rule_all
            a_sel = adds & sel
            tp, fp = int((a_sel & y_all).sum()), int((a_sel & ~y_all).sum())
            if tp < min_added or tp / (tp + fp) < min_precision:
                continue
            rise = 0.0
            for c in classes:
                for scope in (sel, np.ones(n, dtype=bool)):
                    m = hard_idx[c] & scope
                    if m.any():
                        rise = max(rise, float((adds & m & ~hard_before).sum()) / float(m.sum()))
            if rise > max_hard_rise:
                continue
            if best is None or tp > best[0]:
                best = (tp, fp, float(t), g, rise, adds)
    curve = []  # what the widest gate would add on the selection messages (tp/fp) at a few thresholds
    for t in (0.5, 0.7, 0.9):
        a_sel = (p_all >= t) & allowed[gates[-1]] & ~rule_all & sel
        curve.append(f"{t:.1f}:{int((a_sel & y_all).sum())}/{int((a_sel & ~y_all).sum())}")
    entry["adds_tp/fp"] = " ".join(curve)
    if best is None:
        return {**entry, "added_tp": 0, "added_fp": 0}, RULES_ONLY, 1.01, gates[0], np.zeros(n, dtype=bool)
    tp, fp, t, g, rise, adds = best
    entry.update(added_tp=tp, added_fp=fp, recall_gain=round(tp / max(1, pos), 4), gate="candidate" if g == GATE_CANDIDATE else "evidence",
                 hard_rise=round(rise, 5), combined_P=round((tp_r + tp) / max(1, tp_r + fp_r + tp + fp), 4))
    return entry, ADD, t, g, adds


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float((y & p).sum())
    fp = float((~y & p).sum())
    fn = float((y & ~p).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
