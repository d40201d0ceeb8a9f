"""The forms of an age question (AGE_PROBE) beside a buyer's ask: the addressee's own age
asked as an under-N ("are you under 18?"), age-question words that are no question (a school
describing the one asked for, an age check reported done), and an age question inside a
request or an offer, which is part of it rather than a probe of its own (fifth pass, set c).
labels.py runs the first two before its rules and `probe_inside_ask` after them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from vaktpost.model import Label
from vaktpost.text.ages import AgeMention
from vaktpost.text.asks import ABOUT_YOU, CHILD, strong_request
from vaktpost.text.matcher import Hit

if TYPE_CHECKING:
    from vaktpost.text.facts import MessageFacts


# The addressee's own age asked as an under-N ("are you under 18?", "ur not under 18 right",
# "er du under 18?"); "do you have any under 14" keeps its request (a verb between "you" and "under").
_UNDER_YOU = re.compile(r"\b(?:are you|are u|r u|you are|youre|you'?re|ur|u|you|er du|du er)\s+(?:not\s+|still\s+|really\s+|ikke\s+)?(?:under|below)\b")


def under_n_about_you(text: str, f: MessageFacts, minor_ages: list[AgeMention]) -> bool:
    """The line's one minor age is an under-N asked of "you" — an age probe (taxonomy), not a
    request for a child — and no child term but the lexicon's own "under 18" is in it
    ("are you under 18? i want a girl under 14" still asks)."""
    if len(minor_ages) != 1 or minor_ages[0].kind != "under":
        return False
    m = _UNDER_YOU.search(text)
    if m is None or not m.end() - 5 <= minor_ages[0].start <= m.end() + 1:
        return False
    return all(text.startswith(("under", "below"), f.hits[c].start) for c in CHILD if c in f.hits)


# Fifth pass (set c). Age-question words that are no question: a school named as what the
# one asked for or offered is ("need someone still in school, 12 or so", "offering my
# niece, 9, still in school") describes the child; an age check named as done ("yes 19,
# passed the age check already", "pasado na age verification") answers one.
_SCHOOL_WORDS = re.compile(r"\b(?:schol|school|elementary|grade|skole|skolen|barneskole|ungdomskole|eskwela|iskwela|eskwelahan|klase)\b")
_ADDRESSED_BEFORE = re.compile(r"(?:^|\W)(?:you|u|ur|your|yor|are|r|ka|ikaw|du|ba)\s+$")
_YOU_AFTER = re.compile(r"\s*(?:you|u|ya|du|dere)\b")
_CHECK_DONE = re.compile(
    r"\b(?:pased|pas|passed|done|did|finished|completed|verified|cleared|ok|pasado|tapos|natapos|humana|bestått|bestatt|ferdig|gjort)"
    r"\s+(?:(?:na|the|my|an|ang|ng|sa|med|with)\s+){0,2}(?:age|edad|alder|alders)[\s-]?(?:check|verification|verify|test|kontroll|sjekk)?"
)


def probe_words_of_the_ask(text: str, f: MessageFacts) -> None:
    """Takes the age-probe hit away when its words describe the one asked for or offered,
    or report an age check as done; a school phrase of the ask becomes a young one."""
    h = f.hits.get("age_probe")
    if h is None or "?" in text:
        return
    said = text[h.start : h.end]
    if _CHECK_DONE.search(text, max(0, h.start - 24), h.end):
        del f.hits["age_probe"]
    elif said.startswith(("how many", "hvor mange")) and not f.has("child", "relative", "young_ref", "third_ref", "self_ref") and not _YOU_AFTER.match(text, h.end):
        del f.hits["age_probe"]  # "how many years is the contract": years of a thing
    elif (
        _SCHOOL_WORDS.search(said)
        and (f.has("want", "request", "offer", "have", "join") or any(a.minor and a.kind != "bare" and a.end <= h.start for a in f.ages) or _AGE_THEN.search(text, 0, h.start))
        # "correct, 10 years old, still in school": the school follows the age it describes
        and not _ADDRESSED_BEFORE.search(text, 0, h.start) and not said.startswith(("u ", "you ", "ur "))
        and not _QUESTION_WORD.match(said)  # "what grade na ba sya" asks
        and not _YES_NO_QUESTION.match(said)  # "is she in school yet, how old", "nag eskwela na ba siya": asked
    ):
        del f.hits["age_probe"]
        f.hits.setdefault("young_ref", h)


def probe_inside_ask(text: str, f: MessageFacts, hits: list[Hit]) -> MessageFacts:
    """An age question inside a request for a child that gives the age ("ur cousin around?
    how old, 8?") or inside an offer ("offering my niece, 9, still in school") is part of
    that request or offer, not an age probe of its own. But an age question that names a child and asks
    nothing else — no age, no wish, no deal word, only question forms ("pila na ka tuig
    imong manghud", "how old is your daughter?") and opens the line is the probe, not a
    request."""
    labels = f.labels()
    if Label.AGE_PROBE not in labels or not labels & {Label.MINOR_REQUEST, Label.MINOR_CONFIRMED}:
        return f
    if ABOUT_YOU.search(text):
        return f  # "are you under 18?": the age of the one spoken to is asked
    only_probe = (
        Label.MINOR_CONFIRMED not in labels
        and all(p.rule.startswith("child.request") for p in f.proposed if p.label is Label.MINOR_REQUEST)
        and not f.has(*_PROBE_DEAL) and not strong_request(text, hits)
        and not (f.has("young_ref") and (_asks_form(text, hits) or _YOUNGEST.search(text)))  # "how old is the youngest you have",
        # "ilang taon ang pinakabata mo?" ask for the youngest; "ung kapatid na bunso, ilang taon" asks a sibling's age
        and all(f.hits["age_probe"].start <= h.start for h in hits if h.pattern.category == "request" and text[h.start : h.end] != "?")
    )  # the age question opens the line or follows the one it is about ("the niece, what age",
    # "ung kapatid na bunso, ilang taon"); "do u have kids? how old?" opens with the ask
    if only_probe:
        drop = Label.MINOR_REQUEST
    elif Label.MINOR_CONFIRMED in labels or any(p.rule.startswith("age.") for p in f.proposed if p.label is Label.MINOR_REQUEST):
        drop = Label.AGE_PROBE  # the age is given: the question asks for a child of that age
    else:
        return f  # "is the small one there? how old is she?": the answer ("11") is the dialogue's
    f.proposed[:] = [p for p in f.proposed if p.label is not drop]
    return f


_AGE_THEN = re.compile(r"(?:^|\W)\d{1,2}\s*,\s*$")  # "correct, 5, still in school"
# A yes/no question about someone's schooling ("is she in school yet", "does he go to school",
# "går hun på skolen"): the school phrase is asked, not given as what the child is.
_YES_NO_QUESTION = re.compile(r"(?:is|are|r|iz|does|do|did|er|går|gar)\s+(?:she|he|they|hun|han|de|ho)\b|.*\bba\b")  # tl/ceb "ba" asks
_PROBE_DEAL = ("want", "join", "media", "media_third", "price", "price_word", "offer", "offer_question", "payment", "travel", "codeword", "have")
_QUESTION_WORD = re.compile(r"(?:what|wat|wht|waht|hwat|which|whch|wich|whih|wihch|whcih|hwich|whic|ano|anong|unsa|unsang|hvilken|hvilket|hva|how|pila|ilang|sa)\b")


# A comparative or superlative young word asks for the youngest one there is.
_YOUNGEST = re.compile(r"\b(?:youngest|younger|smalest|smaler|pinakabata|pinaka bata|mas bata|mas bata pa|yngste|yngre|minste|kinamanghuran|labing bata|mas batan-on)\b")


def _asks_form(text: str, hits: list[Hit]) -> bool:
    """Any request hit but a bare question mark ("you have", "is she", "any")."""
    return any(h.pattern.category == "request" and text[h.start : h.end] != "?" for h in hits)
