"""The learned stage: a linear model on character n-grams, word n-grams and the rule features.

Rules are precise on what they were written for; the model catches phrasings the lexicons
miss and learns where a rule misfires. It is a logistic regression per label (its
probabilities are calibrated by its log loss) over hashed character 2–4-grams of the
normalised text, hashed word unigrams and bigrams (a block of its own; models trained before
it have none), and indicator features of the matcher's categories, ages, the rules that
fired and the sender's role. It ships as `model/learned.npz` (weights only, float16) and
needs nothing downloaded: hashing needs no vocabulary.

Guard rails, because the hard negatives matter more than recall: the minor labels and the
age probe are *add-only* — the model may add one only where the rules did not, never to an
adult-only message, and behind a per-label gate chosen at training (message-level minor
evidence — a child term, a younger-one phrase, a code word or an age under 18 — or any
candidate message); it never removes a rule's label. Dialogue-only confirmations (a bare
"yes") are left to the dialogue rules. Which labels the model may touch, and at which
threshold and gate, is chosen by `vaktpost train` leaving one author out (text/training.py,
text/loao.py): on the messages of each author as scored by a model that never read it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from vaktpost.model import MINOR_LABELS, Label, Message
from vaktpost.text.facts import inside
from vaktpost.text.labels import CHILD, LEARNED_RULE, MessageFacts, Proposed

MODEL_FILE = "learned.npz"
N_HASH = 2**16
N_WORD = 2**15  # hashed word unigrams + bigrams (models trained before it have none: n_word 0)
NGRAMS = (2, 4)
LABELS = tuple(lab for lab in Label if lab is not Label.NONE)
MINOR = {Label.MINOR_REQUEST, Label.MINOR_CONFIRMED, Label.CONTENT_REQUEST, Label.SELF_DISCLOSED_MINOR}
# Labels the model may only add (never take away, never against an adult-only message): the
# minor labels and the age probe, whose false positives on adults cost the most.
ADD_ONLY = MINOR | {Label.AGE_PROBE}
GATE_EVIDENCE, GATE_CANDIDATE = 0, 1  # per add-only label: needs a child term / minor age, or any candidate
CATEGORIES = (
    "child", "young_ref", "relative", "codeword", "request", "want", "offer", "affirm", "refusal",
    "innocent", "have", "offer_question", "self_young", "join", "media", "media_third", "age_probe", "self_ref", "third_ref", "thing", "price", "price_word",
    "payment", "off_platform", "adult_marker", "trust_gifts", "secrecy", "travel", "coercion",
)
ROLES = ("customer", "performer", "facilitator", "unknown")


def rule_features(f: MessageFacts, role: str) -> list[int]:
    """Indices (after the hashed n-grams) of the rule features that are on, ascending:
    the matcher's categories, five age flags, the rules' labels, the sender's role."""
    hits = f.hits
    on = sorted([_CATEGORY_INDEX[c] for c in hits if c in _CATEGORY_INDEX])
    k = _N_CATEGORIES
    ages = f.ages
    if ages or "adult_marker" in hits:
        # any(minor, not bare), any(minor, bare), any(adult, not bare), any(self), adult_only
        minor_stated = minor_bare = adult_stated = own = False
        for a in ages:
            minor, bare = a.minor, a.kind == "bare"
            if minor:
                if bare:
                    minor_bare = True
                else:
                    minor_stated = True
            elif not bare:
                adult_stated = True
            if a.kind == "self":
                own = True
        adult_only = (adult_stated or "adult_marker" in hits) and not minor_stated
        for i, v in enumerate((minor_stated, minor_bare, adult_stated, own, adult_only)):
            if v:
                on.append(k + i)
    k += N_AGE_FLAGS
    if f.proposed:
        on += sorted({_LABEL_INDEX[p.label] for p in f.proposed if p.label in _LABEL_INDEX})
    r = _ROLE_INDEX.get(role)
    if r is not None:
        on.append(r)
    return on


N_AGE_FLAGS = 5
N_RULE = len(CATEGORIES) + N_AGE_FLAGS + len(LABELS) + len(ROLES)
_N_CATEGORIES = len(CATEGORIES)
_CATEGORY_INDEX = {c: i for i, c in enumerate(CATEGORIES)}
_LABEL_INDEX = {lab: _N_CATEGORIES + N_AGE_FLAGS + i for i, lab in enumerate(LABELS)}
_ROLE_INDEX = {r: _N_CATEGORIES + N_AGE_FLAGS + len(LABELS) + i for i, r in enumerate(ROLES)}


def _vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb", ngram_range=NGRAMS, n_features=N_HASH, alternate_sign=False, norm="l2", lowercase=False
    )


def feature_matrix(texts: Sequence[str], facts: Sequence[MessageFacts], roles: Sequence[str], n_word: int = N_WORD):
    """Char n-grams (scikit-learn's hasher), word uni/bigrams (`n_word` columns), rule features."""
    from scipy import sparse

    blocks = [_vectorizer().transform(texts)]
    if n_word:
        from vaktpost.text.ngram_hash import WordHasher

        r, c, v = WordHasher(n_word).weighted(list(texts))
        blocks.append(sparse.csr_matrix((v.astype(np.float32), (r, c)), shape=(len(texts), n_word)))
    rows, cols = [], []
    for i, (f, role) in enumerate(zip(facts, roles)):
        for j in rule_features(f, role):
            rows.append(i)
            cols.append(j)
    blocks.append(sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), N_RULE)))
    return sparse.hstack(blocks, format="csr")


RULES_ONLY, ADD, DECIDE = 0, 1, 2  # per label: ignore the model; rule OR model; model decides


@dataclass
class LearnedModel:
    coef: np.ndarray  # (labels, features)
    intercept: np.ndarray  # (labels,)
    thresholds: np.ndarray  # (labels,)
    labels: tuple[Label, ...]
    modes: np.ndarray | None = None  # (labels,) RULES_ONLY | ADD | DECIDE; None: ADD where threshold <= 1
    n_word: int = 0  # columns of hashed word uni/bigrams after the char n-grams
    gates: np.ndarray | None = None  # (labels,) GATE_EVIDENCE | GATE_CANDIDATE for add-only labels
    # whether the model may add CONTENT_REQUEST where the rules chose MINOR_REQUEST (chosen
    # leave-one-author-out by `vaktpost train`; models saved before it: False, the old gate)
    content_beside_request: bool = False

    def gate(self, j: int) -> int:
        if self.gates is not None:
            return int(self.gates[j])
        return GATE_CANDIDATE if self.labels[j] is Label.AGE_PROBE else GATE_EVIDENCE

    def mode(self, j: int) -> int:
        if self.modes is not None:
            return int(self.modes[j])
        return ADD if self.thresholds[j] <= 1.0 else RULES_ONLY

    def proba(self, X) -> np.ndarray:
        z = X @ self.coef.T.astype(np.float32) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def active(self) -> list[int]:
        """Label columns the model can change (the others are rules only)."""
        return [j for j in range(len(self.labels)) if self.mode(j) != RULES_ONLY]

    def proba_texts(self, texts: Sequence[str], facts: Sequence[MessageFacts], roles: Sequence[str], cols: Sequence[int]) -> np.ndarray:
        """`proba(feature_matrix(...))[:, cols]` with numpy alone (no scikit-learn, no scipy):
        per-word cached n-gram hashes, and only the label columns asked for."""
        # the n-gram part once per distinct text (a text sent by two roles is two rows)
        where = {}
        row_of = [where.setdefault(t, len(where)) for t in texts]
        distinct, n = list(where), len(where)
        z = _dot_rows(_hasher().weighted(distinct), self._gram_weights(tuple(cols)), n)
        if self.n_word:
            z += _dot_rows(_word_hasher(self.n_word).weighted(distinct), self._word_weights(tuple(cols)), n)
        if n != len(texts):
            z = z[np.asarray(row_of)]
        R = self._rule_weights(tuple(cols))
        rows: list[int] = []
        on: list[int] = []
        for i, (f, role) in enumerate(zip(facts, roles)):
            js = rule_features(f, role)
            rows.extend([i] * len(js))
            on.extend(js)
        if on:
            M = np.zeros((len(texts), R.shape[0]))
            M[np.asarray(rows), np.asarray(on)] = 1.0  # rule features are 0/1, each once
            z += M @ R
        z += self.intercept[np.asarray(cols)]
        return 1.0 / (1.0 + np.exp(-z))

    def _rule_weights(self, cols: tuple[int, ...]) -> np.ndarray:
        cached = getattr(self, "_rw", None)
        if cached is None or cached[0] != cols:
            cached = (cols, np.ascontiguousarray(self.coef[np.asarray(cols)][:, N_HASH + self.n_word :].T, dtype=np.float64))
            self._rw = cached
        return cached[1]

    def _word_weights(self, cols: tuple[int, ...]) -> np.ndarray:
        cached = getattr(self, "_ww", None)
        if cached is None or cached[0] != cols:
            block = self.coef[np.asarray(cols)][:, N_HASH : N_HASH + self.n_word]
            cached = (cols, np.ascontiguousarray(block, dtype=np.float64))
            self._ww = cached
        return cached[1]

    def _gram_weights(self, cols: tuple[int, ...]) -> np.ndarray:
        cached = getattr(self, "_gw", None)
        if cached is None or cached[0] != cols:
            cached = (cols, np.ascontiguousarray(self.coef[np.asarray(cols)][:, :N_HASH], dtype=np.float64))
            self._gw = cached
        return cached[1]

    def save(self, path: Path) -> None:
        """Weights of "rules only" labels are never read: stored as zeros (they compress away)."""
        coef = self.coef.astype(np.float16)
        for j in range(len(self.labels)):
            if self.mode(j) == RULES_ONLY:
                coef[j] = 0
        np.savez_compressed(
            path,
            coef=coef,
            intercept=self.intercept.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            labels=np.array([lab.value for lab in self.labels]),
            modes=np.array([self.mode(j) for j in range(len(self.labels))], dtype=np.int8),
            n_hash=np.array([N_HASH]),
            n_word=np.array([self.n_word]),
            gates=np.array([self.gate(j) for j in range(len(self.labels))], dtype=np.int8),
            content_beside_request=np.array([self.content_beside_request]),
        )

    @classmethod
    def load(cls, path) -> LearnedModel:
        """Every process that analyses loads the shipped model: its weights are read (an
        npz member is decompressed on every access) and widened once (`_as_float32`)."""
        with np.load(path) as d:
            n_word = int(d["n_word"][0]) if "n_word" in d.files else 0
            coef = d["coef"]
            if int(d["n_hash"][0]) != N_HASH or coef.shape[1] != N_HASH + n_word + N_RULE:
                raise ValueError(f"{path}: model was trained with other features; run `vaktpost train` again")
            modes = d["modes"] if "modes" in d.files else None
            gates = d["gates"] if "gates" in d.files else None
            labels = tuple(Label(v) for v in d["labels"])
            beside = bool(d["content_beside_request"][0]) if "content_beside_request" in d.files else False
            return cls(_as_float32(coef), d["intercept"], d["thresholds"], labels, modes, n_word, gates, beside)


def _as_float32(a: np.ndarray) -> np.ndarray:
    """`a.astype(np.float32)`, bit for bit. Saved weights are float16, whose conversion numpy
    does value by value (~8 ms for the shipped 1.3M weights, in every analysing process); a
    table of all 65,536 float16 values, converted by numpy itself, and one gather (~2 ms)."""
    if a.dtype != np.float16:
        return a.astype(np.float32)
    table = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)
    return table[np.ascontiguousarray(a).view(np.uint16)]


def _dot_rows(weighted: tuple[np.ndarray, np.ndarray, np.ndarray], W: np.ndarray, n: int) -> np.ndarray:
    """(n, len(W)): each row's sum of value x weight over its (row, column, value) triples,
    with `W` one row of feature weights per label column. One gather and one `bincount`
    per label column: no (non-zeros x labels) temporary, as a gather of whole rows made."""
    r, c, v = weighted
    z = np.zeros((n, len(W)))
    if len(r):
        for j, w in enumerate(W):
            z[:, j] = np.bincount(r, weights=w[c] * v, minlength=n)
    return z


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


@lru_cache(maxsize=1)
def _hasher():
    from vaktpost.text.ngram_hash import NgramHasher

    return NgramHasher(N_HASH, NGRAMS)


@lru_cache(maxsize=2)
def _word_hasher(n_word: int):
    from vaktpost.text.ngram_hash import WordHasher

    return WordHasher(n_word)


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


_SCHOOL_WORD = re.compile(r"schol|school|elementary|grade|klase|skole|eskwela|elementarya|baitang")


def _speaks_of_a_child(f: MessageFacts) -> bool:
    """A relative or a child word other than a school level is named: the age the line gives
    is that child's, not the writer's ("in grade 8 here" names only a school)."""
    h = f.hits.get("child")
    return f.has("relative") or (h is not None and _SCHOOL_WORD.search(h.pattern.regex) is None)


def may_add(f: MessageFacts, gate: int) -> bool:
    """Whether the model may add an add-only label to this message at all."""
    if f.adult_only:
        return False
    return gate == GATE_CANDIDATE or _evidence(f)


# What a child-serving business's or a carer's line may not be given (the minor labels and the age probe).
_NOT_FOR_SERVICES = MINOR_LABELS | {Label.AGE_PROBE}


def refused(lab: Label, f: MessageFacts, have, content_beside_request: bool = False) -> bool:
    """An addition the model may not make whatever its score (`have`: the rules' labels).

    SELF_DISCLOSED_MINOR where a relative or a child is named: the age is the child's, the
    writer a parent ("two kids ako, eldest is 5 anyos", "har to barn, den eldste er 12").
    CONTENT_REQUEST in a threat with no ask outside it ("i'll share the pics with ur class"),
    and, unless the model was trained to, where the rules chose MINOR_REQUEST by word order
    ("your son there? i want her on the show"). No minor label on a child-serving business's
    or a carer's line with nothing of the trade in it (child_service.py)."""
    if f.serves_children and lab in _NOT_FOR_SERVICES:
        return True
    if lab is Label.SELF_DISCLOSED_MINOR:
        return _speaks_of_a_child(f)
    if lab is Label.CONTENT_REQUEST:
        return (not content_beside_request and Label.MINOR_REQUEST in have) or _threat_only(f)
    return False


def _threat_only(f: MessageFacts) -> bool:
    """A threat with no ask outside it ("i'll share the pics with ur class": "share" is
    inside the threat)."""
    threat = f.hits.get("coercion")
    if threat is None or f.has("want"):
        return False
    ask = f.hits.get("request")
    return ask is None or inside(ask, threat)


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
    cols = model.active()
    if not cols:
        return
    P = model.proba_texts([texts[i] for i in idx], [facts[i] for i in idx], [messages[i].sender.role.value for i in idx], cols)
    S = P >= model.thresholds[np.asarray(cols)]  # the model is sure
    # "model decides" labels the rules gave and the model is not sure of are taken away
    decide = {model.labels[j]: k for k, j in enumerate(cols) if model.mode(j) == DECIDE}
    if decide:
        for row, i in enumerate(idx):
            f = facts[i]
            if f.proposed and any(q.label in decide and not S[row, decide[q.label]] for q in f.proposed):
                f.proposed = [q for q in f.proposed if not (q.label in decide and not S[row, decide[q.label]])]
    # labels the model is sure of and the rules did not give are added (add-only ones behind their gate)
    have_row, have = -1, set()
    rows, ks = np.nonzero(S)
    for row, k in zip(rows.tolist(), ks.tolist()):
        f = facts[idx[row]]
        if row != have_row:
            have_row, have = row, f.labels()
        j = cols[k]
        lab = model.labels[j]
        if lab in have or (lab in ADD_ONLY and not may_add(f, model.gate(j))) or refused(lab, f, have, model.content_beside_request):
            continue
        s, e, rule = f.span(*EVIDENCE.get(lab, ()))
        f.proposed.append(Proposed(lab, s, e, LEARNED_RULE + (f":{rule}" if rule else ""), round(float(P[row, k]), 4)))
