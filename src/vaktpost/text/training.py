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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import orjson

from vaktpost.errors import UserError
from vaktpost.ingest.jsonl import read_jsonl
from vaktpost.ingest.records import Rejected
from vaktpost.ingest.source import InputFile
from vaktpost.model import Label, Message
from vaktpost.text.learned import ADD, DECIDE, LABELS, MINOR, RULES_ONLY, LearnedModel, _candidate, _evidence, feature_matrix


@dataclass
class LabelledSet:
    conversations: list[list[Message]]
    labels: dict[tuple[str, str], set[str]]  # (platform, message_id) → true labels
    groups: dict[tuple[str, str], str]  # (platform, message_id) → fold group (template family)


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


def load_labelled(path: Path, split: str = "train", tag: str = "") -> LabelledSet:
    """`tag` prefixes every id, so that sets generated apart (same ids) can be merged."""
    labels, groups = {}, {}
    if path.is_dir():
        keep = set()
        for t in read_truth(path, "messages.jsonl"):
            if split == "all" or t.get("split") == split:
                key = (t["platform"], tag + t["message_id"])
                keep.add(key)
                labels[key] = set(t.get("labels") or ())
                groups[key] = str(t.get("family") or t.get("conversation_id"))
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
    return LabelledSet(convs, labels, groups)


def _fold_of(groups: Sequence[str], k: int) -> np.ndarray:
    import zlib

    return np.array([zlib.crc32(g.encode()) % k for g in groups])


def train_model(data: LabelledSet, folds: int = 3, C: float = 4.0, log=print) -> tuple[LearnedModel, dict]:
    """Fits one logistic regression per label; returns the model and out-of-fold figures."""
    from sklearn.linear_model import LogisticRegression

    from vaktpost.text import analyse_messages

    facts_by_conv = analyse_messages(data.conversations, use_learned=False)
    from vaktpost.text.normalise import normalise

    msgs, facts = [], []
    for conv, fs in zip(data.conversations, facts_by_conv):
        msgs.extend(conv)
        facts.extend(fs)
    idx = [i for i, f in enumerate(facts) if _candidate(f)]
    texts = [normalise(msgs[i].text or "") for i in idx]
    X = feature_matrix(texts, [facts[i] for i in idx], [msgs[i].sender.role.value for i in idx])
    keys = [(msgs[i].platform, msgs[i].message_id) for i in idx]
    fold = _fold_of([data.groups.get(k, k[1]) for k in keys], folds)
    rule_has = np.array([[lab in facts[i].labels() for lab in LABELS] for i in idx], dtype=bool)
    gate = np.array([[(lab not in MINOR) or (_evidence(facts[i]) and not facts[i].adult_only) for lab in LABELS] for i in idx])
    Y = np.array([[lab.value in data.labels.get(k, ()) for lab in LABELS] for k in keys], dtype=bool)
    log(f"training on {len(idx)} candidate messages of {len(msgs)}; {folds} folds by template family")

    coef = np.zeros((len(LABELS), X.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    thresholds = np.full(len(LABELS), 1.01, dtype=np.float32)
    modes = np.full(len(LABELS), RULES_ONLY, dtype=np.int8)
    report = {}
    for j, lab in enumerate(LABELS):
        y = Y[:, j]
        if y.sum() < 5 or (~y).sum() < 5:
            report[lab.value] = {"positives": int(y.sum()), "used": False}
            continue
        oof = np.zeros(len(y))
        for k in range(folds):
            tr, te = fold != k, fold == k
            if te.sum() == 0 or y[tr].sum() == 0 or (~y[tr]).sum() == 0:
                continue
            clf = LogisticRegression(C=C, max_iter=300, solver="liblinear")
            clf.fit(X[tr], y[tr])
            oof[te] = clf.predict_proba(X[te])[:, 1]
        rule_f = _f1(y, rule_has[:, j])
        best = (rule_f, RULES_ONLY, 1.01)
        for thr in np.arange(0.2, 0.96, 0.05):
            add = _f1(y, rule_has[:, j] | ((oof >= thr) & gate[:, j]))
            if add > best[0] + 0.002:
                best = (add, ADD, float(thr))
            if lab not in MINOR:  # the model may also take a non-minor label away
                decide = _f1(y, oof >= thr)
                if decide > best[0] + 0.002:
                    best = (decide, DECIDE, float(thr))
        best_f, mode, thr = best
        clf = LogisticRegression(C=C, max_iter=300, solver="liblinear")
        clf.fit(X, y)
        coef[j] = clf.coef_[0]
        intercept[j] = clf.intercept_[0]
        thresholds[j] = thr
        modes[j] = mode
        name = {RULES_ONLY: "rules only", ADD: "rules or model", DECIDE: "model decides"}[mode]
        report[lab.value] = {"positives": int(y.sum()), "rules_f1_oof": round(rule_f, 4), "chosen_f1_oof": round(best_f, 4), "threshold": round(thr, 2), "mode": name}
        log(f"  {lab.value:22s} rules F1 {rule_f:.3f} → {best_f:.3f} ({name}, threshold {thr:.2f})")
    return LearnedModel(coef, intercept, thresholds, LABELS, modes), report


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float((y & p).sum())
    fp = float((~y & p).sum())
    fn = float((y & ~p).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
