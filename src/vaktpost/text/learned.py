"""The learned stage: a linear model on character n-grams plus the rule features.

Rules are precise on what they were written for; the model catches phrasings the lexicons
miss and learns where a rule misfires. It is a logistic regression per label (its
probabilities are calibrated by its log loss) over hashed character 2–4-grams of the
normalised text and indicator features of the matcher's categories, ages and the rules
that fired. It ships as `model/learned.npz` (weights only, float16) and needs nothing
downloaded: hashing needs no vocabulary.

Guard rails, because the hard negatives matter more than recall: the model may add a minor
label only to a message that carries message-level minor evidence (a child term, a
younger-one phrase, a code word or an age under 18), and it never removes a decisive age
rule. Dialogue-only confirmations (a bare "yes") are left to the dialogue rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from vaktpost.model import Label, Message
from vaktpost.text.labels import CHILD, MessageFacts, Proposed

MODEL_FILE = "learned.npz"
N_HASH = 2**16
NGRAMS = (2, 4)
LABELS = tuple(lab for lab in Label if lab is not Label.NONE)
MINOR = {Label.MINOR_REQUEST, Label.MINOR_CONFIRMED, Label.CONTENT_REQUEST, Label.SELF_DISCLOSED_MINOR}
CATEGORIES = (
    "child", "young_ref", "relative", "codeword", "request", "want", "offer", "affirm", "refusal",
    "innocent", "have", "offer_question", "self_young", "join", "media", "media_third", "age_probe", "self_ref", "third_ref", "thing", "price", "price_word",
    "payment", "off_platform", "adult_marker", "trust_gifts", "secrecy", "travel", "coercion",
)
ROLES = ("customer", "performer", "facilitator", "unknown")


def rule_features(f: MessageFacts, role: str) -> list[int]:
    """Indices (after the hashed n-grams) of the rule features that are on."""
    on = [i for i, c in enumerate(CATEGORIES) if c in f.hits]
    k = len(CATEGORIES)
    ages = f.ages
    flags = [
        any(a.minor and a.kind != "bare" for a in ages),
        any(a.minor and a.kind == "bare" for a in ages),
        any(not a.minor and a.kind != "bare" for a in ages),
        any(a.kind == "self" for a in ages),
        f.adult_only,
    ]
    on += [k + i for i, v in enumerate(flags) if v]
    k += len(flags)
    labels = f.labels()
    on += [k + i for i, lab in enumerate(LABELS) if lab in labels]
    k += len(LABELS)
    if role in ROLES:
        on.append(k + ROLES.index(role))
    return on


N_RULE = len(CATEGORIES) + 5 + len(LABELS) + len(ROLES)


def _vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb", ngram_range=NGRAMS, n_features=N_HASH, alternate_sign=False, norm="l2", lowercase=False
    )


def feature_matrix(texts: Sequence[str], facts: Sequence[MessageFacts], roles: Sequence[str]):
    from scipy import sparse

    grams = _vectorizer().transform(texts)
    rows, cols = [], []
    for i, (f, role) in enumerate(zip(facts, roles)):
        for j in rule_features(f, role):
            rows.append(i)
            cols.append(j)
    rule = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), N_RULE))
    return sparse.hstack([grams, rule], format="csr")


RULES_ONLY, ADD, DECIDE = 0, 1, 2  # per label: ignore the model; rule OR model; model decides


@dataclass
class LearnedModel:
    coef: np.ndarray  # (labels, features)
    intercept: np.ndarray  # (labels,)
    thresholds: np.ndarray  # (labels,)
    labels: tuple[Label, ...]
    modes: np.ndarray | None = None  # (labels,) RULES_ONLY | ADD | DECIDE; None: ADD where threshold <= 1

    def mode(self, j: int) -> int:
        if self.modes is not None:
            return int(self.modes[j])
        return ADD if self.thresholds[j] <= 1.0 else RULES_ONLY

    def proba(self, X) -> np.ndarray:
        z = X @ self.coef.T.astype(np.float32) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            labels=np.array([lab.value for lab in self.labels]),
            modes=np.array([self.mode(j) for j in range(len(self.labels))], dtype=np.int8),
            n_hash=np.array([N_HASH]),
        )

    @classmethod
    def load(cls, path) -> "LearnedModel":
        with np.load(path) as d:
            if int(d["n_hash"][0]) != N_HASH or d["coef"].shape[1] != N_HASH + N_RULE:
                raise ValueError(f"{path}: model was trained with other features; run `vaktpost train` again")
            modes = d["modes"] if "modes" in d.files else None
            return cls(d["coef"].astype(np.float32), d["intercept"], d["thresholds"], tuple(Label(v) for v in d["labels"]), modes)


EVIDENCE = {  # categories whose hit is the evidence span of a label the model adds
    Label.MINOR_REQUEST: ("child", "young_ref", "relative", "codeword"),
    Label.MINOR_CONFIRMED: ("child", "young_ref", "relative", "codeword"),
    Label.CONTENT_REQUEST: ("media", "media_third", "child", "young_ref"),
    Label.SELF_DISCLOSED_MINOR: ("self_young", "self_ref"),
    Label.PRICE_NEGOTIATION: ("price", "price_word"),
    Label.PAYMENT_CHANNEL: ("payment",),
    Label.OFF_PLATFORM_MOVE: ("off_platform",),
    Label.TRAVEL_MEETING: ("travel",),
    Label.SECRECY: ("secrecy",),
    Label.TRUST_GIFTS: ("trust_gifts",),
    Label.COERCION_SEXTORTION: ("coercion",),
    Label.AGE_PROBE: ("age_probe",),
    Label.EVASION_CODEWORD: ("codeword",),
}


def shipped_model_path() -> Path:
    return Path(str(resources.files("vaktpost.text") / "model" / MODEL_FILE))


@lru_cache(maxsize=1)
def installed_model() -> LearnedModel | None:
    path = shipped_model_path()
    return LearnedModel.load(path) if path.exists() else None


def _candidate(f: MessageFacts) -> bool:
    """Messages worth the model's time: any hit that can carry a label."""
    return bool(f.proposed) or f.has(*CHILD, "media", "price_word", "age_probe", "travel", "trust_gifts", "secrecy") or bool(f.ages)


def _evidence(f: MessageFacts) -> bool:
    return f.has(*CHILD) or any(a.minor and a.kind != "bare" for a in f.ages)


def apply_learned(
    messages: Sequence[Message], texts: Sequence[str], facts: Sequence[MessageFacts], model: LearnedModel | None = None
) -> None:
    """Adds labels the model is sure of to `facts` in place (see module docstring)."""
    model = model or installed_model()
    if model is None:
        return
    idx = [i for i, f in enumerate(facts) if _candidate(f)]
    if not idx:
        return
    X = feature_matrix([texts[i] for i in idx], [facts[i] for i in idx], [messages[i].sender.role.value for i in idx])
    P = model.proba(X)
    modes = [model.mode(j) for j in range(len(model.labels))]
    for row, i in enumerate(idx):
        f = facts[i]
        have = f.labels()
        for j, lab in enumerate(model.labels):
            mode = modes[j]
            if mode == RULES_ONLY:
                continue
            p = float(P[row, j])
            sure = p >= model.thresholds[j]
            if lab in MINOR:
                if not sure or lab in have or not _evidence(f) or f.adult_only:
                    continue  # minor labels: the model only adds, and only with evidence
            elif mode == DECIDE and not sure:
                if lab in have:
                    f.proposed = [q for q in f.proposed if q.label is not lab]
                continue
            elif not sure or lab in have:
                continue
            s, e, rule = f.span(*EVIDENCE.get(lab, ()))
            f.proposed.append(Proposed(lab, s, e, "learned" + (f":{rule}" if rule else ""), round(p, 4)))
