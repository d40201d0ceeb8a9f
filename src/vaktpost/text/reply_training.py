"""Training the reply model (text/reply_model.py) — run by `vaktpost train` after the learned stage.

The rows are the candidate turns of the labelled conversations (the turns the model may
label at scan time, found by the same `reply_model.candidates` on the pipeline's facts —
rules, learned stage and dialogue — with the reply model off); the target is the truth's
`MINOR_CONFIRMED`. Every candidate lacks the label from the pipeline, so every positive
prediction is an addition.

Whether it ships and at which threshold is chosen LEAVE-ONE-AUTHOR-OUT: an author is one
independent hand (the generator's own families, or a fresh set's writer: sets a and b are
one author, c and d another, …), read from the family id of each message. For each author,
the model is fitted on the other authors' rows and scores that author's; over the pooled
out-of-author scores the threshold is the lowest one that passes the reply model's bar
(`text/thresholds.py`, the bar itself in `thresholds.json`): a pooled precision (of the
additions, or of the label with them), at least `min_added` true additions, no hard-negative
class's minor-label rate raised by more than `max_hard_rise`; if none passes, the model is
written with a threshold above 1 and adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from vaktpost.model import Label
from vaktpost.text import loao, reply_model
from vaktpost.text.known_sender import confirmed_elsewhere
from vaktpost.text.reply_model import (
    N_DENSE,
    N_HASH,
    N_TEXT,
    N_WORD,
    ReplyModel,
    candidates,
    dense_features,
    line_features,
    turns_of,
)
from vaktpost.text.thresholds import Bar, Point, bar_for, choose

GRID = [*np.round(np.arange(0.30, 1.0, 0.01), 2), 0.992, 0.995, 0.998]  # thresholds tried
MINOR_LABELS = {Label.MINOR_REQUEST, Label.MINOR_CONFIRMED, Label.CONTENT_REQUEST, Label.SELF_DISCLOSED_MINOR}
def author_of(family: str | None, authors: Mapping[str, str]) -> str:
    """The hand that wrote a message's wording, as in the learned stage's folds (`loao.author_of`):
    "gen" for the generator's families (`en.greeting.a`), else the fresh set's author (`….fe`)."""
    tail = (family or "").rsplit(".", 1)[-1]
    if len(tail) >= 2 and tail[0] == "f":
        return loao.author_of({"split": "fresh", "family": family}, authors)
    return loao.GEN


@dataclass
class Turns:
    """Candidate turns (rows) and, per message, what scoring needs."""

    keys: list = field(default_factory=list)  # per row: (platform, message_id)
    texts: list[str] = field(default_factory=list)
    lines: list[list[int]] = field(default_factory=list)
    contexts: list[list[int]] = field(default_factory=list)
    y: list[bool] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    confirmed: list[bool] = field(default_factory=list)  # per row: the pipeline already confirmed it (learned from, never added)
    # per message
    msg_author: dict = field(default_factory=dict)
    msg_hard: dict = field(default_factory=dict)  # key → hard-negative class
    msg_minor: dict = field(default_factory=dict)  # key → the pipeline gave a minor label
    msg_confirmed: dict = field(default_factory=dict)  # key → (truth MINOR_CONFIRMED, pipeline MINOR_CONFIRMED)
    predicted: dict = field(default_factory=dict)  # key → the pipeline's labels (values)
    msg_sender: dict = field(default_factory=dict)  # key → (input tag, platform, sender id): who sent it
    msg_conversation: dict = field(default_factory=dict)  # key → conversation id


def collect_turns(data, turns: Turns | None = None, authors: Mapping[str, str] | None = None) -> Turns:
    """The candidate turns of a `training.LabelledSet` (conversations whole), with the
    pipeline's facts as at scan time, the reply model off."""
    from vaktpost.text import _analyse

    turns = turns or Turns()
    flat = [m for conv in data.conversations for m in conv]
    with reply_model.switched_off():
        facts_by_conv, texts, _, _ = _analyse(data.conversations, flat, True, copy_all=True)
    i = 0
    for conv, facts in zip(data.conversations, facts_by_conv):
        j = i + len(conv)
        conv_texts = texts[i:j]
        for m, f in zip(conv, facts):
            key = (m.platform, m.message_id)
            labels = f.labels()
            turns.predicted[key] = {lab.value for lab in labels}
            turns.msg_author[key] = author_of(data.groups.get(key), authors or {})
            if key in data.hard:
                turns.msg_hard[key] = data.hard[key]
            turns.msg_minor[key] = bool(labels & MINOR_LABELS)
            turns.msg_confirmed[key] = (Label.MINOR_CONFIRMED.value in data.labels.get(key, ()), Label.MINOR_CONFIRMED in labels)
            turns.msg_sender[key] = (_input_tag(m), m.platform, m.sender.id)
            turns.msg_conversation[key] = m.conversation_id
        for c in candidates(conv, turns_of(conv, facts), conv_texts, confirmed_ok=True):
            m, f, t = conv[c.index], facts[c.index], conv_texts[c.index]
            key = (m.platform, m.message_id)
            turns.keys.append(key)
            turns.texts.append(t)
            turns.lines.append(line_features(f, t, m.sender.role))
            turns.contexts.append(c.context)
            turns.y.append(Label.MINOR_CONFIRMED.value in data.labels.get(key, ()))
            turns.authors.append(turns.msg_author[key])
            turns.confirmed.append(Label.MINOR_CONFIRMED in f.labels())
        i = j
    return turns


def _input_tag(m) -> str:
    """The prefix `vaktpost train` gives the ids of each input (`N:`): sender ids are not
    prefixed, and two inputs generated apart reuse them."""
    head, sep, _ = m.message_id.partition(":")
    return head if sep and m.conversation_id.startswith(head + ":") else ""


def feature_matrix(turns: Turns, rows=None):
    """Rows of [char n-grams | word n-grams | line, context and cross 0/1 features], built
    with the same hashers the model uses at scan time (so the decision functions agree)."""
    from scipy import sparse

    rows = np.arange(len(turns.keys)) if rows is None else np.asarray(rows)
    texts = [turns.texts[i] for i in rows]
    n = len(rows)
    blocks = []
    for weighted, width in ((reply_model._hasher().weighted(texts), N_HASH), (reply_model._word_hasher().weighted(texts), N_WORD)):
        r, c, v = weighted
        blocks.append(sparse.csr_matrix((v, (r, c)), shape=(n, width)))
    rr, cc = [], []
    for k, i in enumerate(rows):
        on = dense_features(turns.contexts[i], turns.lines[i])
        rr.extend([k] * len(on))
        cc.extend(on)
    blocks.append(sparse.csr_matrix((np.ones(len(rr)), (rr, cc)), shape=(n, N_DENSE)))
    return sparse.hstack(blocks, format="csr")


def fit(X, y, C: float = 1.0):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=500, solver="liblinear")
    clf.fit(X, y)
    return clf


def training_rows(turns: Turns, with_confirmed: bool = True) -> np.ndarray:
    """Rows learned from: all candidate turns, or only those the pipeline did not confirm."""
    return np.ones(len(turns.keys), dtype=bool) if with_confirmed else ~np.asarray(turns.confirmed, dtype=bool)


def leave_one_author_out(turns: Turns, C: float = 1.0, log: Callable = print, with_confirmed: bool = True) -> np.ndarray:
    """Each row's probability from a model fitted without its author's rows."""
    X = feature_matrix(turns)
    y = np.asarray(turns.y, dtype=bool)
    authors = np.asarray(turns.authors)
    learn = training_rows(turns, with_confirmed)
    p = np.full(len(y), np.nan)
    for a in sorted(set(turns.authors)):
        te = authors == a
        tr = ~te & learn
        if y[tr].sum() < 5 or te.sum() == 0:
            continue
        p[te] = fit(X[tr], y[tr], C).predict_proba(X[te])[:, 1]
        log(f"  reply model without author {a}: {int(te.sum())} candidate turns scored, {int(y[te].sum())} true")
    return p


def additions(turns: Turns, p: np.ndarray, t: float) -> dict:
    """key → probability of the rows the model labels at threshold t (rows the pipeline did not confirm)."""
    done = turns.confirmed
    return {turns.keys[i]: float(p[i]) for i in np.nonzero(np.nan_to_num(p, nan=-1.0) >= t)[0] if not done[i]}


def hard_rise(turns: Turns, added: dict, authors=None) -> dict[str, float]:
    """Per hard-negative class: the rise of its minor-label rate the additions make."""
    size, rise = defaultdict(int), defaultdict(int)
    for key, c in turns.msg_hard.items():
        if authors is not None and turns.msg_author[key] not in authors:
            continue
        size[c] += 1
        if key in added and not turns.msg_minor[key]:
            rise[c] += 1
    return {c: rise[c] / size[c] for c in size}


def curve_points(turns: Turns, p: np.ndarray) -> list[Point]:
    """Per threshold of `GRID`, the pooled out-of-author additions, the worst hard-negative rise
    and the pipeline's own MINOR_CONFIRMED (true / false) over the scored authors' messages."""
    y = np.asarray(turns.y, dtype=bool)
    ok = ~np.isnan(p) & ~np.asarray(turns.confirmed, dtype=bool)
    scored = {a for a, v in zip(turns.authors, p) if not np.isnan(v)}
    base_tp = base_fp = 0
    for key, (truth, pred) in turns.msg_confirmed.items():
        if pred and turns.msg_author[key] in scored:
            base_tp += truth
            base_fp += not truth
    points = []
    for t in GRID:
        a = ok & (p >= t)
        worst = max(hard_rise(turns, additions(turns, p, t)).values(), default=0.0)
        points.append(Point(float(t), int((a & y).sum()), int((a & ~y).sum()), worst, base_tp, base_fp))
    return points


def choose_threshold(turns: Turns, p: np.ndarray, bar: Bar | None = None) -> tuple[float, dict]:
    """The lowest threshold whose pooled out-of-author counts pass `bar` (default: the shipped
    reply bar, `thresholds.json`); `thresholds.NONE` if none does. Also the curve:
    threshold -> (true additions, false additions, worst hard-negative rise)."""
    bar = bar or bar_for("reply")
    points = curve_points(turns, p)
    return choose(points, bar), {pt.t: (pt.added_tp, pt.added_fp, pt.hard_rise) for pt in points}


LOW_GRID = [float(x) for x in np.round(np.arange(0.40, 0.96, 0.05), 2)]  # known-sender thresholds tried


def known_sender_rows(turns: Turns, p: np.ndarray, t: float) -> np.ndarray:
    """Per candidate row: its sender has a MINOR_CONFIRMED in ANOTHER conversation of the same
    input — the pipeline's (reply model off) or the reply model's at threshold t (out of author),
    as the store pass (text/known_sender.py) sees it after a scan."""
    senders, convs = getattr(turns, "msg_sender", {}), getattr(turns, "msg_conversation", {})
    where: dict = defaultdict(set)
    for key, (_, pred) in turns.msg_confirmed.items():
        if pred and key in senders:
            where[senders[key]].add(convs[key])
    for key in additions(turns, p, t):
        if key in senders:
            where[senders[key]].add(convs[key])
    out = np.zeros(len(turns.keys), dtype=bool)
    for i, key in enumerate(turns.keys):
        out[i] = confirmed_elsewhere(where.get(senders.get(key)), convs.get(key))
    return out


def choose_low(turns: Turns, p: np.ndarray, t: float, bar: Bar | None = None) -> tuple[float | None, dict]:
    """The reply model's LOW: the lowest of `LOW_GRID` below t at which the known senders'
    candidates scoring in [LOW, t) pass `bar` as additions of their own (pooled out of author;
    the hard-negative rise counted with the additions at t); None if none passes or t is off.
    Also the curve: LOW -> (true, false, worst hard-negative rise)."""
    if t > 1:
        return None, {}
    bar = bar or bar_for("reply")
    y = np.asarray(turns.y, dtype=bool)
    ok = ~np.isnan(p) & ~np.asarray(turns.confirmed, dtype=bool)
    band = ok & known_sender_rows(turns, p, t) & (np.nan_to_num(p, nan=-1.0) < t)
    at_t = additions(turns, p, t)
    points = []
    for low in (x for x in LOW_GRID if x < t):
        on = band & (p >= low)
        added = {**at_t, **{turns.keys[i]: float(p[i]) for i in np.flatnonzero(on)}}
        worst = max(hard_rise(turns, added).values(), default=0.0)
        points.append(Point(low, int((on & y).sum()), int((on & ~y).sum()), worst))
    low = choose(points, bar)
    return (low if low < t else None), {pt.t: (pt.added_tp, pt.added_fp, pt.hard_rise) for pt in points}


def per_author(turns: Turns, added: dict) -> dict[str, dict]:
    """MINOR_CONFIRMED tp/fp/fn per author, pipeline vs pipeline + additions, and the hard-negative minor rate."""
    out: dict[str, dict] = {}
    for key, (truth, pred) in turns.msg_confirmed.items():
        a = turns.msg_author[key]
        e = out.setdefault(a, {"before": [0, 0, 0], "after": [0, 0, 0], "hard": [0, 0, 0]})
        for name, guess in (("before", pred), ("after", pred or key in added)):
            s = e[name]
            s[0] += truth and guess
            s[1] += guess and not truth
            s[2] += truth and not guess
        if key in turns.msg_hard:
            e["hard"][0] += 1
            e["hard"][1] += turns.msg_minor[key]
            e["hard"][2] += turns.msg_minor[key] or key in added
    return out


def train_reply(data, C: float = 1.0, bar: Bar | None = None,
                log: Callable = print, authors: Mapping[str, str] | None = None) -> tuple[ReplyModel, dict]:
    """Collects the candidate turns, chooses the threshold leave-one-author-out, fits on all.
    `bar`: how the threshold is chosen (default: the shipped reply bar, `thresholds.json`).
    `authors`: fresh set -> author (`vaktpost train --authors`); unmapped sets are their own author."""
    bar = bar or bar_for("reply")
    min_added = bar.min_added
    turns = collect_turns(data, authors=authors)
    y = np.asarray(turns.y, dtype=bool)
    log(f"reply model: {len(y)} candidate turns, {int(y.sum())} true confirmations the pipeline misses; "
        f"authors {', '.join(sorted(set(turns.authors)))}")
    if len(set(turns.authors)) < 2 or y.sum() < min_added:
        log("  fewer than two authors or too few true turns: not trained (adds nothing)")
        return ReplyModel(np.zeros(N_TEXT + N_DENSE), 0.0, 1.01), {"trained": False}
    p = leave_one_author_out(turns, C, log)
    t, curve = choose_threshold(turns, p, bar)
    log(f"  threshold bar: {bar.describe()}, >= {bar.min_added} true additions, hard-negative rise <= {bar.max_hard_rise:.2%}")
    low, low_curve = choose_low(turns, p, t, bar)
    clf = fit(feature_matrix(turns), y, C)
    model = ReplyModel(clf.coef_[0], float(clf.intercept_[0]), t, low)
    report = {"candidates": len(y), "true": int(y.sum()), "threshold": t, "bar": bar.describe(),
              "curve": {f"{k:.3f}": v for k, v in curve.items()},
              "low": low, "low_curve": {f"{k:.2f}": v for k, v in low_curve.items()}}
    if low is not None:
        tp, fp, worst = low_curve[low]
        log(f"  known-sender low {low:.2f}: out-of-author additions below the threshold {tp} true / {fp} false")
    elif t <= 1:
        log("  no known-sender low passes the bar: no borderline turns (the store pass adds nothing)")
    if t <= 1:
        tp, fp, worst = curve[t]
        log(f"  threshold {t:.2f}: out-of-author additions {tp} true / {fp} false, worst hard-negative rise {worst:.4%}")
        report["per_author"] = per_author(turns, additions(turns, p, t))
    else:
        log("  no threshold reaches the precision and hard-negative bars out of author: the model adds nothing")
    return model, report
