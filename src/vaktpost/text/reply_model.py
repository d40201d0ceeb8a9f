"""The reply model: is this line a confirmation, given what the counterpart just said?

Facilitators confirm a child in words no lexicon has ("she is free tonight", "same age as u
said", a price, a time), and the dialogue rules only catch a bare yes or a line that states
a child. The message-level learned stage sees one line alone. This model scores a *turn*:
the line itself (hashed character and word n-grams, the matcher's categories, age flags,
the sender's role) plus its context — what the counterpart's latest line carried (a request
for a child, a show, an age question, a child word, a minor's age, a question), whether this
is the first reply to it, and what the sender said before (an earlier confirmation or
refusal). It is a logistic regression; `vaktpost train` fits it (text/reply_training.py) and
ships it as `model/reply.npz` (float16).

Guard rails: add-only (`MINOR_CONFIRMED` only, never a label taken away); only in a
conversation already about a child before this line (an earlier line with a minor label, a
child word or a minor's age — the taxonomy: a confirmation is an answer to, or an offer in,
a conversation about a child); never on a refusal, an adult-only line or a customer's line;
only within three messages of the counterpart's latest line.

Cost: the line's part of the score is a function of the normalised text and the role, worked
out once per distinct pair in one vectorised pass per batch and remembered; the context part
is a sum over a few dozen 0/1 features per candidate turn (pure Python).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from vaktpost.model import Label, Message, Role
from vaktpost.text.dialogue import Turn
from vaktpost.text.facts import NOTHING, MessageFacts, Proposed
from vaktpost.text.memo import own_copy
from vaktpost.text.reply_turns import (  # noqa: F401 (re-exported: the model's features)
    CONTEXT,
    CROSS_CTX,
    CROSS_LINE,
    LINE_FEATURES,
    N_CROSS,
    N_CTX,
    N_DENSE,
    N_LINE,
    WINDOW,
    Candidate,
    candidates,
    cross_features,
    dense_features,
    line_features,
    turns_of,
)

MODEL_FILE = "reply.npz"
RULE = "reply"  # the rule name of the labels this model adds
N_HASH = 2**16  # char 2-4-grams (char_wb, as learned.py)
N_WORD = 2**15  # word uni/bigrams (as learned.py)
NGRAMS = (2, 4)
N_TEXT = N_HASH + N_WORD  # the hashed blocks before the dense one


@dataclass
class ReplyModel:
    coef: np.ndarray  # (N_HASH + N_WORD + N_DENSE,)
    intercept: float
    threshold: float  # MINOR_CONFIRMED is added at probability >= threshold; > 1: never
    # Candidates scoring in [low, threshold) are reported as BORDERLINE (never labelled by the
    # text stage): a store pass (text/known_sender.py) adds MINOR_CONFIRMED where their sender
    # confirmed a child in another conversation. None (files before session 7): none reported.
    low: float | None = None

    def __post_init__(self) -> None:
        self.coef = np.asarray(self.coef, dtype=np.float64)
        w = self.coef
        self._grams = np.ascontiguousarray(w[:N_HASH])
        self._words = np.ascontiguousarray(w[N_HASH : N_HASH + N_WORD])
        dense = w[N_TEXT:]
        self._line = dense[:N_LINE].tolist()
        self._ctx = dense[N_LINE : N_LINE + N_CTX].tolist()
        self._cross = dense[N_LINE + N_CTX :].tolist()
        self._text_cache: dict[tuple[str, Role], tuple[float, list[int]]] = {}
        # the score a turn's context must add for the line to pass: logit(threshold)
        t = min(max(self.threshold, 1e-9), 1 - 1e-9)
        self.logit_threshold = float(np.log(t / (1 - t))) if self.threshold <= 1 else float("inf")
        lo = self.low
        self.logit_low = float(np.log(lo / (1 - lo))) if lo is not None and 0 < lo < min(self.threshold, 1.0) else None

    @property
    def active(self) -> bool:
        return self.threshold <= 1.0

    def text_scores(self, items: Sequence[tuple[str, MessageFacts, Role]]) -> list[tuple[float, list[int]]]:
        """The line's part of the logit (n-grams and its own 0/1 features) and those 0/1
        features, per (text, facts, role); remembered per (normalised text, role)."""
        cache = self._text_cache
        todo = {}
        for t, f, role in items:
            key = (t, role)
            if key not in cache and key not in todo:
                todo[key] = f
        if todo:
            keys = list(todo)
            texts = [t for t, _ in keys]
            z = _dot(_hasher().weighted(texts), self._grams, len(keys)) + _dot(_word_hasher().weighted(texts), self._words, len(keys))
            line_w = self._line
            if len(cache) + len(keys) > 200_000:
                cache.clear()
            for (t, role), f, zz in zip(keys, todo.values(), z.tolist()):
                line = line_features(f, t, role)
                cache[(t, role)] = (zz + sum([line_w[i] for i in line]), line)
        return [cache[(t, role)] for t, _, role in items]

    def context_score(self, context: list[int], line: list[int]) -> float:
        ctx, cross = self._ctx, self._cross
        z = self.intercept
        for i in context:
            z += ctx[i]
        for i in cross_features(context, line):
            z += cross[i]
        return z

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, coef=self.coef.astype(np.float16), intercept=np.array([self.intercept], dtype=np.float32),
            threshold=np.array([self.threshold], dtype=np.float32),
            **({"low": np.array([self.low], dtype=np.float32)} if self.low is not None else {}),
            shape=np.array([N_HASH, N_WORD, N_LINE, N_CTX, N_CROSS]),
        )

    @classmethod
    def load(cls, path) -> ReplyModel:
        with np.load(path) as d:
            shape = tuple(d["shape"].tolist())
            coef = d["coef"].astype(np.float32)
            if shape != (N_HASH, N_WORD, N_LINE, N_CTX, N_CROSS):
                coef = _widened(coef, shape, path)
            low = round(float(d["low"][0]), 4) if "low" in d.files else None  # older files: no borderline
            return cls(coef, float(d["intercept"][0]), float(d["threshold"][0]), low)


def _widened(coef: np.ndarray, shape: tuple, path) -> np.ndarray:
    """A model trained before features were APPENDED to the line, context or cross lists
    (session 8: `ANSWER_FORMS`, three context features, three cross columns): its weights in
    today's layout, zero for the new features, so it scores every turn as it did."""
    n_hash, n_word, n_line, n_ctx, n_cross = shape
    n_rows = len(CROSS_CTX)
    if (n_hash, n_word) != (N_HASH, N_WORD) or n_line > N_LINE or n_ctx > N_CTX or n_cross % n_rows \
            or n_cross // n_rows > len(CROSS_LINE) or len(coef) != N_TEXT + n_line + n_ctx + n_cross:
        raise ValueError(f"{path}: reply model was trained with other features; run `vaktpost train` again")
    old_cols = n_cross // n_rows
    out = np.zeros(N_TEXT + N_DENSE, dtype=coef.dtype)
    out[:N_TEXT] = coef[:N_TEXT]
    dense = coef[N_TEXT:]
    out[N_TEXT : N_TEXT + n_line] = dense[:n_line]
    out[N_TEXT + N_LINE : N_TEXT + N_LINE + n_ctx] = dense[n_line : n_line + n_ctx]
    cross = dense[n_line + n_ctx :].reshape(n_rows, old_cols)
    base = N_TEXT + N_LINE + N_CTX
    for r in range(n_rows):
        out[base + r * len(CROSS_LINE) : base + r * len(CROSS_LINE) + old_cols] = cross[r]
    return out


def _dot(weighted, w: np.ndarray, n: int) -> np.ndarray:
    r, c, v = weighted
    if not len(r):
        return np.zeros(n)
    return np.bincount(r, weights=w[c] * v, minlength=n)


@lru_cache(maxsize=1)
def _hasher():
    """The learned stage's hasher where the features agree (its per-word cache is shared)."""
    from vaktpost.text import learned

    if (learned.N_HASH, learned.NGRAMS) == (N_HASH, NGRAMS):
        return learned._hasher()
    from vaktpost.text.ngram_hash import NgramHasher

    return NgramHasher(N_HASH, NGRAMS)


@lru_cache(maxsize=1)
def _word_hasher():
    from vaktpost.text import learned

    return learned._word_hasher(N_WORD)


def shipped_model_path() -> Path:
    return Path(str(resources.files("vaktpost.text") / "model" / MODEL_FILE))


@lru_cache(maxsize=1)
def installed_model() -> ReplyModel | None:
    path = shipped_model_path()
    if not path.exists():
        return None
    model = ReplyModel.load(path)
    return model if model.active else None


class Pending:
    """Candidate turns of a batch, collected conversation by conversation and decided at the
    end in one pass (the text parts of the score are worked out together)."""

    def __init__(self, model: ReplyModel) -> None:
        self.model = model
        self.items: list[tuple[int, int, str, MessageFacts, Role, list[int]]] = []
        self.texts: dict[tuple[int, int], str] = {}
        self._logits: list[float] = []

    def collect(self, n_conv: int, conv: Sequence[Message], turns: Sequence[Turn], texts: Sequence[str], base: int = 0) -> None:
        """`turns`: the dialogue's (`turns_of`); `texts[base + k]`: the normalised text of message k."""
        for c in candidates(conv, turns, texts, base=base):
            k = c.index
            t = texts[base + k]
            self.items.append((n_conv, k, t, c.facts, conv[k].sender.role, c.context))
            self.texts[(n_conv, k)] = t

    def logits(self) -> list[float]:
        """The logit of every collected turn, in the order collected."""
        if not self.items:
            return []
        model = self.model
        zt = model.text_scores([(t, f, role) for _, _, t, f, role, _ in self.items])
        return [z + model.context_score(ctx, line) for (*_, ctx), (z, line) in zip(self.items, zt)]

    def decide(self) -> list[tuple[int, int, float]]:
        """(conversation, message index, probability) of the turns the model labels."""
        bar = self.model.logit_threshold
        self._logits = self.logits()
        return [(ci, k, float(1.0 / (1.0 + np.exp(-z)))) for (ci, k, *_), z in zip(self.items, self._logits) if z >= bar]

    def borderline(self) -> list[tuple[int, int, float]]:
        """(conversation, message index, probability) of the turns scoring in [low, threshold):
        not labelled here; the store pass `promote_known_senders` decides them."""
        low = self.model.logit_low
        if low is None:
            return []
        bar = self.model.logit_threshold
        return [(ci, k, float(1.0 / (1.0 + np.exp(-z)))) for (ci, k, *_), z in zip(self.items, self._logits) if low <= z < bar]

    def apply(self, out: list[list[MessageFacts]]) -> None:
        """Adds the model's confirmations to the facts per conversation (copies: the facts
        may be shared)."""
        for ci, k, p in self.decide():
            out[ci][k] = confirmed(out[ci][k], self.texts[(ci, k)], p)


def clear() -> None:
    """Forget the remembered text parts of the scores (with the memo's tables)."""
    if installed_model.cache_info().currsize:
        model = installed_model()
        if model is not None:
            model._text_cache.clear()


_switched_off = [False]


class switched_off:
    """`with reply_model.switched_off():` the text stage runs without the reply model (training
    reads the pipeline's labels without it)."""

    def __enter__(self):
        self.was = _switched_off[0]
        _switched_off[0] = True

    def __exit__(self, *exc):
        _switched_off[0] = self.was


def pending() -> Pending | None:
    if _switched_off[0]:
        return None
    model = installed_model()
    return Pending(model) if model is not None else None


def confirmed(f: MessageFacts, text: str, p: float) -> MessageFacts:
    """A copy of `f` with the model's MINOR_CONFIRMED (evidence: the whole line)."""
    g = own_copy(f) if f is not NOTHING else MessageFacts()  # NOTHING is shared: never changed
    g.proposed.append(Proposed(Label.MINOR_CONFIRMED, 0, len(text), RULE, round(p, 4)))
    return g
