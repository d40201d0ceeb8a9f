"""Ages read out of normalised text: "12yo", "twelve", "12 år", "dose anyos", "grade 5", "8 and 11".

An age is only evidence about a person when it is written as one (a unit such as "yo" or
"anyos", "age 12", "she is 12", "I'm 15", a school grade). Ages of things ("my phone is 12
years old", "room 12"), durations ("for 12 years", "12 år siden") and times ("at 9") are
not ages. Bare numbers are returned with kind "bare" so that the labeller can use them
only where the conversation is already about a child or an age was asked for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from vaktpost.text.normalise import normalise, word_alternation


@dataclass(frozen=True, slots=True)
class AgeMention:
    value: int
    start: int
    end: int
    kind: str  # person | self | third | under | grade | bare

    @property
    def minor(self) -> bool:
        return self.value < 18 if self.kind != "under" else self.value <= 18


def _flat_alt(words) -> str:
    """The words as one alternation, longest first (the form the regexes were written with)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _alt(words) -> str:
    """`_flat_alt(words)` factored by common prefixes (normalise.word_alternation): the same
    matches — of the words that match at a position, all prefixes of one another, the longest
    is tried first either way — but Python's engine no longer tries every word in turn at
    every position (the post-match checks of `find_ages` on 1M generated messages: -0.4 s)."""
    return word_alternation(words)


@lru_cache(maxsize=1)
def _config():
    data = json.loads((resources.files("vaktpost.text") / "lexicons" / "ages.json").read_text(encoding="utf-8"))
    amb = data["ambiguous_numbers"]
    num = rf"(?:\d{{1,2}}|{_alt(amb)})"
    # A number word is a word of its own before its unit: tl "niyo" ("your") and "tiyo"
    # ("uncle") are not "ni yo" / "ti yo" (9 / 10 years old).
    num_unit = rf"(?:\d{{1,2}}|(?:{_alt(amb)})(?![a-zæøå]))"
    guard = r"(?!\s*(?:min|mins|minutes|hours|hrs|km|%|:|\d|usd|php|nok|kr|eur|pesos?|dolars?|\$|k\b|x\b|am\b|pm\b))"
    patterns = {
        "self": rf"(?:^|(?<=[^\w']))(?:{_alt(data['self_before'])})\s+(?:only\s+|just\s+|bare\s+)?(?P<ns>{num})(?:yo|y/o|yrs?)?(?![0-9a-z]){guard}",  # "i'm 16yo": the unit glued on
        "self_after": rf"(?<![\w$€£₱.,])(?P<ns>\d{{1,2}})\s+(?:{_alt(data['self_after'])})\b",
        "under_after": rf"(?<![\w$€£₱.,])(?P<ns>\d{{1,2}})\s*(?:yo\s+|y/o\s+|years?\s+old\s+)?(?:{_alt(data['under_after'])})\b",
        # "someone 12 or so", "anyone 9 yrsish"; session 4: a bare number right after the
        # one asked for, closing the clause ("if u have someone 8", "any 10 available")
        "approx": rf"\b(?:someone|somebody|anyone|anybody|a girl|a boy)\s+(?P<ns>{num_unit})\s*(?:[a-z]{{2,6}}\s+old\s*|yo\s*|y/o\s*|yrs\s*)?(?:{_alt(data['approx_after'])})\b"
        rf"|\b(?:someone|somebody|anyone|anybody|any)\s+(?P<ns2>[5-9]|1[0-7])(?=\s*(?:$|[?!.,]|available|availabe|avail|pls|please|po)){guard}"
        rf"|\b(?:young|younger|yngre|ung|bata|batan-on),?\s+(?:like|around|about|mga|rundt|ca)\s+(?P<ns3>\d{{1,2}})(?![\w.,:/%+-])(?!\s+\w+\s+(?:ago|siden|nakalipas)){guard}",  # "i prefer young, like 15"
        "third": rf"\b(?:{_alt(data['third_before'])})\s+(?P<ns>\d{{1,2}}(?:\s*(?:,|and|&|og|at|ug)\s*\d{{1,2}})*)\b{guard}",
        "person": rf"(?<![\w$€£₱.,])(?P<ns>{num_unit}(?:\s*(?:,|and|&|og|at|ug|/|y|or|eler|o)\s*{num_unit})*)\s*-?\s*(?:{_alt(data['unit_after'])})(?![\w])(?!\s+(?:{_alt(data['not_after'])})\b)",
        "person_before": rf"\b(?:{_alt(data['unit_before'])})\s*:?\s*(?P<ns>{num}(?:\s*(?:,|and|&|og|at|ug|/|-)\s*{num})*)\b",
        "under": rf"\b(?:{_alt(data['under'])})\s*(?P<ns>\d{{1,2}})\b(?!\s*\+)(?:(?=\s+[24]\s+(?!usd|php|nok|eur|kr|pesos?|dolars?|bucks|min|mins|hours?|hrs)[a-z])|{guard})",  # "not yet 18 4 show": 4 is "for"
        "self_grade": rf"(?:{_alt(data['self_grade_prefix'])})\s+(?:in\s+|on\s+)?(?:the\s+)?(?:(?:{_alt(data['grade'])})[.-]?\s*(?P<ns>\d{{1,2}})\b|(?P<ns2>\d{{1,2}})(?:st|nd|rd|th|\.)?[\s-]*(?:grade|klasse|klase|trinn)\b)"
        rf"|\b(?:{_alt(data['grade'])})[.-]?\s*(?P<ns3>\d{{1,2}})\s+(?:{_alt(data['self_after'])})\b",
        "grade": rf"\b(?:{_alt(data['grade'])})[.-]?\s*(?P<ns>\d{{1,2}})\b|\b(?P<ns2>\d{{1,2}})(?:st|nd|rd|th|\.)?[\s-]*(?:klasse|klase|trinn|grade)(?:rs?)?\b|\bika-?(?P<ns3>\d{{1,2}})\s*(?:na\s*)?baitang"
        rf"|\b(?P<ns4>{_alt(data['grade_ordinals'])})\s*(?:grade|baitang)(?:rs?)?\b",
        "bare": rf"(?<![\w$€£₱.,:/#+-])(?P<ns>\d{{1,2}})(?![\w.:/%+-])(?!,\d){guard}",
    }
    # One alternation, most specific kind first: one scan per message, and at any position
    # the earlier kind wins ("i am 12 years old" is self, "8 and 11 yo" is one person match).
    parts, groups = [], {}
    for kind, rx in patterns.items():
        for g in ("ns4", "ns3", "ns2", "ns"):
            rx = rx.replace(f"(?P<{g}>", f"(?P<{kind}_{g}>")
        groups[kind] = [f"{kind}_{g}" for g in ("ns", "ns2", "ns3", "ns4") if f"(?P<{kind}_{g}>" in rx]
        parts.append(f"(?P<{kind}>{rx})")
    compiled = (re.compile(_opening(data, amb) + "(?:" + "|".join(parts) + ")"), groups)
    thing = re.compile(r"\b(?:" + _alt(_thing_words()) + r")\b")
    not_before = re.compile(r"\b(?:" + _alt(data["not_before"]) + r")\s*$")
    bare_not_before = re.compile(r"(?:^|\W)(?:" + _alt(data["not_before"] + data["bare_not_before"]) + r")\s*$")
    not_after = re.compile(r"\s*(?:\S+\s+)?(?:" + _alt(data["not_after"]) + r")\b")
    # "this tablet is 13 years old": a possessive or demonstrative, a noun that is not a
    # person, a verb — the age belongs to a thing even when the thing is in no word list.
    subject = re.compile(
        r"(?:\b(?:" + _alt(data["thing_subject_before"]) + r")\s+([a-zæøå]+)|\b([a-zæøå]{3,})\s+(?:min|mit|mi|ko|nako|nimo))"
        r"\s+(?:is|was|er|var|ay|kay)?\s*(?:already\s+|about\s+|almost\s+|na\s+|like\s+)?$"
    )
    return data, amb, compiled, thing, (not_before, bare_not_before, not_after, subject, _person_words(data))


# The words the "approx" kind opens with (its three alternatives in `_config`).
_APPROX_OPENERS = ("someone", "somebody", "anyone", "anybody", "a girl", "a boy", "any", "young", "younger", "yngre", "ung", "bata", "batan-on")


def _opening_lookahead(data, amb) -> str:
    """A test, after `_word_start_prefix`, that lets the combined regex give up at a position
    where no kind can start: every kind opens with a digit, a number word (`amb`) or a word
    of its list (self_before, third_before, unit_before, under, the self-grade prefixes, grade
    words and ordinals, "ika", the approx openers). Speed only (one prefix-factored test
    instead of eleven kinds tried in turn: the regex on 1M generated messages 1.07 -> 0.65 s);
    tests/text/test_speed_paths.py pins every match to the regex without it."""
    words = set(amb) | set(_APPROX_OPENERS) | {"ika"} | set(data["grade_ordinals"])
    for key in ("self_before", "third_before", "unit_before", "under", "self_grade_prefix", "grade"):
        words.update(data[key])
    return r"(?=\d|" + word_alternation(words) + ")"


def _opening(data, amb) -> str:
    """The two tests above as one: at a word start, a digit or a word a kind opens with
    (`_opening_lookahead`); inside a word, a self-grade prefix itself — the only kind that can
    start there — instead of `_word_start_prefix`'s first letters of it followed by the whole
    word test (a, e, i are a quarter of all letters: the combined regex ~9 % cheaper; session 9).
    Speed only, like both: tests/text/test_speed_paths.py pins every match to the regex without it."""
    look, prefix = _opening_lookahead(data, amb), _word_start_prefix(data, amb)
    if not prefix:
        return look
    return r"(?:(?<!\w)" + look + r"|(?=" + word_alternation(data["self_grade_prefix"]) + "))"


def _word_start_prefix(data, amb) -> str:
    """A test that lets the combined regex give up at once at a position inside a word.

    Speed only: every kind starts with a word start — a look-behind for no word character
    before it, or a `\\b` before a word of its list — except the first form of
    `self_grade`, whose prefix ("i'm", "ako ay") has no boundary; so a match can start only
    where no word character comes before, or on a first letter of that prefix. Python's
    engine otherwise tries all eleven kinds at every position. Where a list word does not
    begin with a word character, a `\\b` before it means the opposite, and no prefix is used."""
    lists = ("self_before", "third_before", "unit_before", "under", "grade", "grade_ordinals")
    words = [w for k in lists for w in data[k]] + list(amb)
    if not data["self_grade_prefix"] or not all(re.match(r"\w", w) for w in words):
        return ""
    first = sorted({w[0] for w in data["self_grade_prefix"]})
    return r"(?:(?<!\w)|(?=[" + "".join(re.escape(c) for c in first) + "]))"


@lru_cache(maxsize=1)
def _person_nouns() -> frozenset[str]:
    from vaktpost.text.normalise import normalise

    return frozenset(normalise(w) for w in _config()[0]["person_words"] if len(w) > 3)


def _person_words(data) -> frozenset[str]:
    from vaktpost.text.lexicon import lexicon_phrases

    words = set(data["person_words"])
    for category in ("child", "relative", "young_ref", "third_ref"):
        for phrase in lexicon_phrases(category):
            words.update(phrase.split())
    from vaktpost.text.normalise import normalise

    return frozenset(normalise(w) for w in words)


@lru_cache(maxsize=1)
def _thing_words() -> tuple[str, ...]:
    from vaktpost.text.lexicon import lexicon_phrases

    return lexicon_phrases("thing")


@lru_cache(maxsize=1)
def _number_finder() -> re.Pattern:
    """A number word or a grade ordinal (the digits are `_ANY_DIGIT`'s)."""
    data, amb = _config()[:2]
    ordinal_grade = r"|\b(?:" + _alt(data["grade_ordinals"]) + r")\s*(?:grade|baitang)"
    return re.compile(r"\b(?:" + _alt(amb) + r")\b" + ordinal_grade)


_ANY_DIGIT = re.compile(r"\d")


def maybe_number(text: str) -> re.Match | None:
    """A digit, else a number word or grade ordinal, in `text` (a match, or None): every age
    `find_ages` reads holds one. The digit first: a search for one class is a C-level scan,
    where the one pattern of all three (`\d|\b(?:…)`) entered the matcher at every position
    before the first digit (session 9)."""
    return _ANY_DIGIT.search(text) or _number_finder().search(text)


_NUM = re.compile(r"\d{1,2}|[a-zæøå]+")
_CLAUSE = re.compile(r"[.!?\n;]")
_TAIL_CLAUSE = re.compile(r"[.!?\n;,]")
_KIND = {"approx": "third", "under_after": "under", "self_grade": "self", "person": "person", "person_before": "person", "self": "self", "self_after": "self", "third": "third", "under": "under", "grade": "grade", "bare": "bare"}


_CHAT_WORD = re.compile(r"\s+(?:a|an|the|me|u|you|my|your|ur|se|go|be|get|sale|real|sure|fre|him|her|them|us|met|chat|talk|ever|now|later|tonight|cam|webcam|camera)\b")


@lru_cache(maxsize=1)
def _month_end() -> re.Pattern:
    return re.compile(r"\b(?:" + _alt(_config()[0]["month_words"]) + r")\s*$")


def _not_bare_age(text: str, m: re.Match, head: str) -> bool:
    """A day after a month ("April 17"), or 2/4 standing for "to"/"for" ("want 2 see", "4 a show")."""
    said = m.group().strip()
    return _month_end().search(head) is not None or (said in ("2", "4") and _CHAT_WORD.match(text, m.end()) is not None)


# A unit only an age takes: "for 12 years old", "for a 9yo" are ages, not durations.
_AGE_UNIT = re.compile(r"(?:\bold|(?<![a-z])yo|y/o|(?<![a-z])anyos|\bgammel|\bgamle)\s*$")


# What the age is for, not whose: "8 anyos for cam show", "a 9 for cam session".
_FOR_A_SHOW = re.compile(r"\s*(?:yo\s+|y/o\s+|anyos\s+|years\s+old\s+|yrs\s+)?(?:for|4|sa|para\s+sa)\s+(?:a\s+|the\s+|ur\s+|your\s+)?(?:cam|webcam|camera|video)\s*(?:show|session|sesh|call|chat|live)\b")


# A camera word that names the show, not a device: "cam show", "webcam session", "camera call".
# A show is booked, not aged, so an age beside it is a person's (session 9): "13 years old yo
# cam show", "16 ka tuig cam show", "selling cam show with my niece 10 anyos".
_SHOW_COMPOUND = re.compile(r"\b(?:web)?cam(?:era)?\s*-?\s*(?:shows?|sesions?|sesh|cals?|chat|live)\b")


def _only_shows(s: str, thing: re.Pattern) -> bool:
    """Every thing word in `s` is the camera of a show compound ("cam show")."""
    shows = [x.span() for x in _SHOW_COMPOUND.finditer(s)]
    return bool(shows) and all(any(a <= t.start() and t.end() <= b for a, b in shows) for t in thing.finditer(s))


def _show_then_person(head: str, thing: re.Pattern, unit: bool) -> bool:
    """The only things before the age are show compounds, and the age is a person's by its
    unit ("yo", "years old", "anyos") or by a person named after the show ("selling cam show
    with my niece 10 anyos"). "doing cam shows 5 yrs now" (no person, a unit a duration also
    takes) stays no age."""
    if not _only_shows(head, thing):
        return False
    last = [x.end() for x in _SHOW_COMPOUND.finditer(head)][-1]
    return unit or _CHILD_NAMED.search(head, last) is not None


def _person_then_comma(head: str, thing: re.Pattern) -> bool:
    """The thing word sits in an earlier comma clause of a line that names a person: "i can
    bring my niece on cam, 9 years old", "nasa bahay po sya later, grade 3" — the cam and
    the house have no age here; the niece and "sya" do. ("my phone, 3 years old" names no
    person: still the phone's.)"""
    cut = head.rfind(",")
    if cut < 0 or thing.search(head, cut) is not None:
        return False
    named = _CHILD_NAMED.search(head, 0, cut)
    return named is not None


# A child or a third person named in the earlier clause (folded forms: "litle", "pamangkin").
_CHILD_NAMED = re.compile(
    r"\b(?:girl|boy|kid|kids|child|niece|nephew|cousin|daughter|son|sister|sis|brother|baby|one|ones|bata|anak|pamangkin|"
    r"pamankin|pinsan|apo|bunso|kapatid|ig-agaw|igsoon|manghod|umangkon|she|he|siya|sya|niya|nya|jente|jenta|gut|niese|datera?|hun|han)\b"
)


@lru_cache(maxsize=1)
def _grade_thing() -> re.Pattern:
    words = [normalise(w) for w in _config()[0]["grade_thing_after"]]
    return re.compile(r"(?:\s+[a-zæøå]+){0,2}?\s+(?:" + _flat_alt(words) + r")\b")


def _grade_of_a_thing(text: str, end: int) -> bool:
    """A word of `grade_thing_after` within three words after the grade."""
    return _grade_thing().match(text, end) is not None


def owned_before(text: str, start: int) -> bool:
    """A possessive subject closes the clause before `start` ("my d4ughter is", "your son is",
    "anak ko ay"): the age or grade that follows is that subject's, person or thing."""
    data = _config()[0]
    head = _CLAUSE.split(text[max(0, start - data["thing_window"]) : start])[-1]
    return _owner_subject().search(head) is not None


@lru_cache(maxsize=1)
def _owner_subject() -> re.Pattern:
    """`thing_subject_before` and any word (leetspeak left in it: "my dau9hter is"), then a copula."""
    return re.compile(r"\b(?:" + _alt(_config()[0]["thing_subject_before"]) + r")\s+\S+\s+(?:is|was|er|var|ay|kay)\s+(?:in\s+|i\s+|na\s+|nasa\s+)?(?:the\s+)?$")


@lru_cache(maxsize=1)
def _nobody_under() -> re.Pattern:
    """"no one ", "nobody here ", "walang " closing the text before an 'under' limit."""
    data = _config()[0]
    filler = rf"(?:\s+(?:{_alt(data['nobody_under_filler'])}))" + "{0,2}"
    return re.compile(rf"\b(?:{_alt(data['nobody_under'])}){filler}\s*$")


def find_ages(text: str) -> list[AgeMention]:
    """Every age expression in normalised `text`, without overlaps."""
    data, amb, compiled, thing, not_before = _config()
    if not maybe_number(text):
        return []
    out: list[AgeMention] = []
    window = data["thing_window"]
    before, bare_before, after, subject, persons = not_before
    nouns = _person_nouns()
    combined, groups = compiled
    for m in combined.finditer(text):
        name = m.lastgroup
        group = next(g for g in groups[name] if m.group(g))
        s = m.start(group)
        head = text[max(0, s - window) : s]
        head = _CLAUSE.split(head)[-1]
        if (thing.search(head) and not _person_then_comma(head, thing) and not _show_then_person(head, thing, _AGE_UNIT.search(m.group(0)) is not None)) or (
            name == "person" and before.search(head) and not _AGE_UNIT.search(m.group(0))
        ):
            continue  # "for 12 years" is a duration; "looking for 12 years old" is an age
        if name in ("person", "bare", "third"):
            owner = subject.search(head)
            if owner and (owner.group(1) or owner.group(2)) not in persons:
                continue
            tail = _TAIL_CLAUSE.split(text[m.end() : m.end() + window])[0]
            if thing.search(tail) and not any(w in nouns for w in tail.split()) and not _FOR_A_SHOW.match(tail) and not _only_shows(tail, thing):
                continue  # "4 ka tuig na akong cellphone"
        if name in ("grade", "self_grade") and _grade_of_a_thing(text, m.end()):
            continue  # "a 5th grade math book", "grade 5 teacher"
        if name == "bare" and (bare_before.search(head) or after.match(text, m.end()) or _not_bare_age(text, m, head)):
            continue
        if group.endswith("_ns4"):
            values = [data["grade_ordinals"][m.group(group)]]
        else:
            values = [int(t) if t.isdigit() else amb.get(t) for t in _NUM.findall(m.group(group))]
        values = [v for v in values if v is not None]
        if name in ("grade", "self_grade"):
            values = [v + data["grade_to_age"] for v in values if 0 < v <= 12]
        kind = _KIND[name]
        if kind == "under" and values and min(values) >= 18 and _nobody_under().search(text, max(0, m.start() - 40), m.start()):
            kind = "person"  # "no one under 18 here": an adult floor (a refusal of minors), not a minor's age
        for v in values:
            if 0 < v < 100:
                out.append(AgeMention(v, m.start(), m.end(), kind))
    return out
