"""The turns the reply model scores, and their features (text/reply_model.py says why).

A *candidate* turn is a line that could be a confirmation: the first line about a child in
its conversation, or an answer to a counterpart's line about one. Its features are the line's
own 0/1 features (`line_features`, a function of the text and the role: remembered with the
text part of the score) and its context (`CONTEXT`, a function of the conversation so far)
with a few context x line crosses. The same functions serve training and scan time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from vaktpost.model import Label, Message, Role
from vaktpost.text.asks import CHILD
from vaktpost.text.dialogue import Turn, turns_of  # noqa: F401 (turns_of: re-exported for the reply modules)
from vaktpost.text.facts import NOTHING, MessageFacts
from vaktpost.text.labels import _innocent

WINDOW = 3  # the counterpart's latest line at most this many messages back

_STATED = ("person", "third", "grade", "under")
_ASK_LABELS = (Label.MINOR_REQUEST, Label.CONTENT_REQUEST)
_ABOUT = frozenset((Label.MINOR_REQUEST, Label.CONTENT_REQUEST, Label.MINOR_CONFIRMED))

# The line's own 0/1 features (a function of its hits, ages and role: cached with the text part)
CATEGORIES = (
    "child", "young_ref", "relative", "codeword", "request", "want", "offer", "affirm", "refusal",
    "innocent", "have", "offer_question", "self_young", "join", "media", "media_third", "age_probe", "self_ref",
    "third_ref", "thing", "price", "price_word", "payment", "off_platform", "adult_marker", "trust_gifts",
    "secrecy", "travel", "coercion",
)
AGE_FLAGS = ("minor_stated", "minor_bare", "adult_stated", "self_age")
ROLES = ("performer", "facilitator", "unknown")
# Session 8 (appended, so a model trained before them loads with zero weights: `ReplyModel.load`):
# the answer gives a time of day (`MessageFacts.when`), refers back to what was asked ("same age
# as u asked", "kaedad nung asked mo": `reply_cues.json`), or gives the deal's terms for a third
# person ("$50 for her and 7pm", "around 9 works, she's home by then").
ANSWER_FORMS = ("when", "refers_back", "terms_third")
LINE_FEATURES = CATEGORIES + AGE_FLAGS + tuple("role_" + r for r in ROLES) + ("question", "nothing") + ANSWER_FORMS
_LINE_INDEX = {name: i for i, name in enumerate(LINE_FEATURES)}

# The turn's context (0/1): the counterpart's latest line, distance, the sender's history,
# the line's labels after the dialogue rules.
CONTEXT = (
    "g_minor_request", "g_content_request", "g_age_probe", "g_minor_confirmed", "g_self_minor",
    "g_child", "g_minor_stated", "g_minor_bare", "g_question", "g_request", "g_media", "g_price",
    "g_travel", "g_innocent", "g_adult", "g_nothing", "g_refusal", "g_offer",
    "dist1", "dist2", "dist3", "first_reply", "several_since",
    "s_refused_before", "s_self_minor", "s_first_line",
    "ask_pending", "c_confirmed_before", "prev_g_ask", "line_about_only", "g_none",
    "l_minor_request", "l_content_request", "l_self_minor", "l_age_probe", "l_price", "l_payment",
    # session 8 (appended): the counterpart's line asks for a young one ("or younger", "the
    # youngest", a code word) or names a relative; the pending request states a child's age
    "g_young", "g_relative", "ask_pending_age",
)
_CTX_INDEX = {name: i for i, name in enumerate(CONTEXT)}
# context x line interactions: the ones a linear model cannot add up on its own
CROSS_CTX = ("g_ask", "g_age_probe", "g_child_any", "first_reply", "dist1", "line_about_only", "s_first_line")
CROSS_LINE = (
    "affirm", "offer", "have", "child", "minor_stated", "minor_bare", "price", "third_ref", "question",
    "nothing", "travel", "media", "innocent", "self_ref", "payment",
    "when", "refers_back", "terms_third",  # session 8 (appended)
)
_CROSS_LINE_INDEX = [_LINE_INDEX[n] if n in _LINE_INDEX else _LINE_INDEX["child"] for n in CROSS_LINE]
N_LINE, N_CTX, N_CROSS = len(LINE_FEATURES), len(CONTEXT), len(CROSS_CTX) * len(CROSS_LINE)
N_DENSE = N_LINE + N_CTX + N_CROSS


def line_features(f: MessageFacts, text: str, role: Role) -> list[int]:
    """Indices (into LINE_FEATURES) of the line's own 0/1 features."""
    idx = _LINE_INDEX
    on = [idx[c] for c in f.hits if c in idx]
    stated, bare, adult, own = _age_flags(f)
    for name, v in (("minor_stated", stated), ("minor_bare", bare), ("adult_stated", adult), ("self_age", own)):
        if v:
            on.append(idx[name])
    r = "role_" + role.value
    if r in idx:
        on.append(idx[r])
    if "?" in text:
        on.append(idx["question"])
    if f is NOTHING or not f.hits:
        on.append(idx["nothing"])
    on.extend(_answer_forms(f, text))
    on.sort()
    return on


_THIRD = ("third_ref", "relative", *CHILD)


def _answer_forms(f: MessageFacts, text: str) -> list[int]:
    """The session-8 line features (`ANSWER_FORMS`): a time of day, a reference back to what
    was asked, the terms (a price or a time) for a third person."""
    idx = _LINE_INDEX
    on = []
    when = f.when is not None
    if when:
        on.append(idx["when"])
    if _refers_back().search(text) is not None:
        on.append(idx["refers_back"])
    if (when or "price" in f.hits) and f.has(*_THIRD):
        on.append(idx["terms_third"])
    return on


@lru_cache(maxsize=1)
def _refers_back() -> re.Pattern:
    data = json.loads((resources.files("vaktpost.text") / "lexicons" / "reply_cues.json").read_text(encoding="utf-8"))
    return re.compile("|".join(f"(?:{x[3:]})" for x in data["refers_back"]))


def _child_flags(f: MessageFacts) -> tuple[bool, bool, bool]:
    """(child word, a minor's age as one, a bare number under 18)."""
    child = False
    hits = f.hits
    for c in CHILD:
        if c in hits:
            child = True
            break
    stated, bare, _, _ = _age_flags(f)
    return child, stated, bare


def _age_flags(f: MessageFacts) -> tuple[bool, bool, bool, bool]:
    """(a minor's age stated as one, a bare number under 18, an adult's age stated, the writer's own age)."""
    stated = bare = adult = own = False
    for a in f.ages:
        if a.minor:
            if a.kind == "bare":
                bare = True
            elif a.kind in _STATED:
                stated = True
        elif a.kind != "bare":
            adult = True
        if a.kind == "self":
            own = True
    return stated, bare, adult, own


def _about_child(f: MessageFacts) -> bool:
    """The line carries a request for a child, a show of one or a confirmation, names a child
    or states a minor's age."""
    hits = f.hits
    if "child" in hits or "young_ref" in hits or "relative" in hits or "codeword" in hits:
        return True
    for p in f.proposed:
        if p.label in _ABOUT:
            return True
    for a in f.ages:
        if a.minor and a.kind in _STATED:
            return True
    return False


_ANSWERABLE_HITS = CHILD
_ANSWERABLE_LABELS = frozenset((Label.MINOR_REQUEST, Label.CONTENT_REQUEST, Label.MINOR_CONFIRMED, Label.AGE_PROBE))


def _busy(f: MessageFacts) -> bool:
    """The dialogue rules' own guard: a child in an innocent context ("they are at school
    now", "tulog na sya") with no offer word is a parent's news, not a confirmation."""
    if f.serves_children:  # a school, club or carer speaking (child_service.py)
        return True
    return "innocent" in f.hits and "offer" not in f.hits and _innocent(f, list(f.hits.values()))


def _answerable(g: MessageFacts) -> bool:
    """The counterpart's line could be what a confirmation answers: a request for a child, an
    age question, an offer, a child named or a minor's age. (An ask with none of these —
    a request, wish, show or "I have" word alone — had no true confirmation answering it
    among 5,400 candidate turns of seven sets; nor had a later line naming a child with no
    such line before it.)"""
    if g is NOTHING:
        return False
    hits = g.hits
    for c in _ANSWERABLE_HITS:
        if c in hits:
            return True
    for p in g.proposed:
        if p.label in _ANSWERABLE_LABELS:
            return True
    for a in g.ages:
        if a.minor:
            return True
    return False


@dataclass(slots=True)
class Candidate:
    index: int  # the message's place in the conversation
    context: list[int]  # indices into CONTEXT that are on
    asked: int  # the counterpart's latest line answered (its place), -1: none within WINDOW
    facts: MessageFacts  # the line's


def candidates(conv: Sequence[Message], turns: Sequence[Turn], texts: Sequence[str], confirmed_ok: bool = False,
               base: int = 0) -> list[Candidate]:
    """The turns of one conversation (`turns_of`, facts after the dialogue rules) the model
    may label, with their context features. `texts[base + k]`: the normalised text of
    message k. `confirmed_ok` (training): also the turns the pipeline already confirmed.

    A candidate either is the first line about a child in the conversation (an offer made on
    one's own) or answers a counterpart's line about one (`_answerable`). A line with no hit
    and no number is never a candidate (1 of 146 out-of-author true additions was one,
    against 7,000 candidates), nor what a candidate answers. A sender who
    already confirmed a child in the conversation is past the answer: their later lines are
    the deal's steps (price, payment, time), as in the dialogue rules."""
    out: list[Candidate] = []
    start = next((i for i, t in enumerate(turns) if _about_child(t.facts)), -1)
    if start < 0:
        return out  # no line about a child: nothing to confirm (a fifth of the dialogue's conversations)
    last: dict[tuple[str, str], Turn] = {}  # (sender, recipient) → their latest turn
    spoke: dict[str, int] = {}  # sender → the position of their latest turn
    confirmed: set[str] = set()  # senders of a line with MINOR_CONFIRMED
    refused: set[str] = set()
    self_minor: set[str] = set()
    asked: dict[str, int] = {}  # asker → position of their latest request for a child
    asked_age: set[str] = set()  # askers whose latest request states a child's age
    everyone: tuple[str, ...] | None = None
    customer = Role.CUSTOMER
    for i, t in enumerate(turns):
        f = t.facts
        s = t.sender
        k = t.pos
        to = t.recipients
        if not to:
            if everyone is None:
                seen: dict[str, None] = {}
                for x in turns:
                    seen[x.sender] = None
                    for r in x.recipients:
                        seen[r] = None
                everyone = tuple(seen)
            to = tuple([p for p in everyone if p != s])
        mc = ask = sm = False
        if f.proposed:
            for p in f.proposed:
                lab = p.label
                if lab is Label.MINOR_CONFIRMED:
                    mc = True
                elif lab is Label.MINOR_REQUEST or lab is Label.CONTENT_REQUEST:
                    ask = True
                elif lab is Label.SELF_DISCLOSED_MINOR:
                    sm = True
        refusal = "refusal" in f.hits
        # before `start` no line is about a child (no candidate); at it, the line itself is
        if i >= start and not refusal and s not in confirmed and not (mc and not confirmed_ok) \
                and conv[k].sender.role is not customer and not (f.adult_only or _busy(f)):
            about = i > start
            g, g_from = None, None
            for r in to:
                x = last.get((r, s))
                if x is not None and (g is None or x.pos > g.pos):
                    g, g_from = x, r
            if g is not None and k - g.pos > WINDOW:
                g = None  # no counterpart line close enough: an offer made on one's own
            if not about or (g is not None and _answerable(g.facts)):
                context = _context(k, g, g_from, s, about, f, texts[base + g.pos] if g is not None else "",
                                   spoke, refused, self_minor, asked, confirmed, asked_age)
                out.append(Candidate(k, context, g.pos if g is not None else -1, f))
        for r in to:
            last[(s, r)] = t
        spoke[s] = k
        if mc:
            confirmed.add(s)
        if sm:
            self_minor.add(s)
        if refusal:
            refused.add(s)
        if ask:
            asked[s] = k
            if any(a.minor and a.kind != "self" for a in f.ages):
                asked_age.add(s)
            else:
                asked_age.discard(s)
    return out


def _context(k, g, g_from, s, about, f, g_text, spoke, refused, self_minor, asked, confirmed, asked_age=frozenset()) -> list[int]:
    idx = _CTX_INDEX
    on: list[int] = []
    if not about:
        on.append(idx["line_about_only"])
    if g is None:
        on.append(idx["g_none"])
    else:
        j = g.pos
        g = g.facts
        labels = g.labels()
        for lab, name in ((Label.MINOR_REQUEST, "g_minor_request"), (Label.CONTENT_REQUEST, "g_content_request"),
                          (Label.AGE_PROBE, "g_age_probe"), (Label.MINOR_CONFIRMED, "g_minor_confirmed"),
                          (Label.SELF_DISCLOSED_MINOR, "g_self_minor")):
            if lab in labels:
                on.append(idx[name])
        child, stated, bare = _child_flags(g)
        for v, name in ((child, "g_child"), (stated, "g_minor_stated"), (bare, "g_minor_bare")):
            if v:
                on.append(idx[name])
        h = g.hits
        if "request" in h or "want" in h:
            on.append(idx["g_request"])
        if "media" in h or "media_third" in h:
            on.append(idx["g_media"])
        if "price" in h or "price_word" in h or "payment" in h:
            on.append(idx["g_price"])
        if "travel" in h:
            on.append(idx["g_travel"])
        if "innocent" in h or "thing" in h:
            on.append(idx["g_innocent"])
        if g.adult_only:
            on.append(idx["g_adult"])
        if "refusal" in h:
            on.append(idx["g_refusal"])
        if "offer" in h or "have" in h:
            on.append(idx["g_offer"])
        if "?" in g_text:
            on.append(idx["g_question"])
        if "young_ref" in h or "codeword" in h:
            on.append(idx["g_young"])
        if "relative" in h:
            on.append(idx["g_relative"])
        on.append(idx[("dist1", "dist2", "dist3")[min(k - j, 3) - 1]])
    mine = spoke.get(s, -1)
    if mine < 0:
        on.append(idx["s_first_line"])
    if g is not None:
        if mine < j:
            on.append(idx["first_reply"])
        if j - mine > 1:  # the counterpart said more than one line since
            on.append(idx["several_since"])
    if s in refused:
        on.append(idx["s_refused_before"])
    if s in self_minor:
        on.append(idx["s_self_minor"])
    a = asked.get(g_from, -1) if g_from is not None else -1
    if a >= 0 and mine < a:
        on.append(idx["ask_pending"])
        if g_from in asked_age:
            on.append(idx["ask_pending_age"])
    if g_from is not None and g_from in confirmed:
        on.append(idx["c_confirmed_before"])
    if g is not None and 0 <= a < j:
        on.append(idx["prev_g_ask"])
    labels = f.labels()
    for lab, name in ((Label.MINOR_REQUEST, "l_minor_request"), (Label.CONTENT_REQUEST, "l_content_request"),
                      (Label.SELF_DISCLOSED_MINOR, "l_self_minor"), (Label.AGE_PROBE, "l_age_probe"),
                      (Label.PRICE_NEGOTIATION, "l_price"), (Label.PAYMENT_CHANNEL, "l_payment")):
        if lab in labels:
            on.append(idx[name])
    on.sort()
    return on


def cross_features(context: list[int], line: list[int]) -> list[int]:
    """Indices (into the cross block) of context x line pairs that are on."""
    c = set(context)
    idx = _CTX_INDEX
    rows = []
    if idx["g_minor_request"] in c or idx["g_content_request"] in c or idx["g_request"] in c:
        rows.append(0)
    if idx["g_age_probe"] in c:
        rows.append(1)
    if idx["g_child"] in c or idx["g_minor_stated"] in c:
        rows.append(2)
    if idx["first_reply"] in c:
        rows.append(3)
    if idx["dist1"] in c:
        rows.append(4)
    if idx["line_about_only"] in c:
        rows.append(5)
    if idx["s_first_line"] in c:
        rows.append(6)
    if not rows:
        return []
    ln = set(line)
    cols = [q for q, li in enumerate(_CROSS_LINE_INDEX) if li in ln]
    n = len(CROSS_LINE)
    return [r * n + q for r in rows for q in cols]


def dense_features(context: list[int], line: list[int]) -> list[int]:
    """Indices into the dense block (line, context, cross), ascending."""
    return line + [N_LINE + i for i in context] + [N_LINE + N_CTX + i for i in cross_features(context, line)]
