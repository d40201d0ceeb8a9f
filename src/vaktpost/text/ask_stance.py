"""The stance of a line: whether it asks (a buyer's request), offers (a seller's offer or
confirmation) or tells, and the word forms that turn one into another.

`speech_act` gives the first reading (the sender's role where the platform knows it,
otherwise the words); labels.py then corrects it with the forms here and in offers.py.
Session 4 (fresh sets b and d) added the stance of an unknown role's line with a child in it,
and words that look like a buyer's ask but are not one — one's own child put forward, a
question whether *you* are interested, a third person's age stated, a negated media verb,
ceb "gamay" meaning "a little" — beside the ask rules of asks.py. The addressee's child
asked about, a possessive "have", a leading yes decide between ask and offer too."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from vaktpost.model import Role
from vaktpost.text.asks import own_only, rules_out_adults, strong_request
from vaktpost.text.facts import inside
from vaktpost.text.matcher import Hit

if TYPE_CHECKING:
    from vaktpost.text.facts import MessageFacts


# Session 4 (sets b, d). A line from an unknown role whose every child is the writer's own
# ("andito rin pamangkin q 12yo, interested ka po?", "isama q anak q 11 anyos") or that asks
# whether *you* are interested in one ("interested ka ba sa 9yo for show") offers: a buyer
# does not put his own niece forward, nor ask the seller whether she wants a child.
_INTEREST_YOU = re.compile(
    r"\b(?:interested|intrested|inetrested|interesado|interesert)\s+(?:ka|kayo|ba)\b|\b(?:are|r)?\s*(?:you|u)\s+interested\b|\ber\s+du\s+interesert\b"
)


def offers_own(text: str, f: MessageFacts, hits: list[Hit], decisive: bool) -> bool:
    if f.has("want", "refusal") or rules_out_adults(text):
        return False
    if _INTEREST_YOU.search(text) and decisive:
        return True
    return own_only(text, hits) and (decisive or f.has("offer", "join", "have"))


# A media word under a negation ("dont show this to anyone", "ikke vis dette", "wag mo ipakita")
# asks for no picture: it keeps one secret.
_NEGATION_BEFORE = re.compile(r"(?:^|\W)(?:dont|don't|do not|never|not|ikke|ike|aldri|wag|huwag|ayaw|dili|ayaw\s+\w+)\s+(?:\w+\s+)?$")


def negated_media(text: str, hits: list[Hit]) -> bool:
    media = [h for h in hits if h.pattern.category == "media"]
    return bool(media) and all(_NEGATION_BEFORE.search(text[max(0, h.start - 24) : h.start]) for h in media)


# Ceb "gamay" is "small" and "a little": after an adjective it is the second ("mahal gamay,
# P3700?" — a bit expensive), no small one.
_A_LITTLE = re.compile(
    r"\b(?:mahal|mahalon|barato|taas|dako|mubo|layo|dugay|hinay|paspas|gahi|lisod"
    # session 6 (asked6): haggling — "ubsi gamay", "hangyo gamay", "discount gamay" (lower it a bit)
    r"|ubos|ubsi|ubsa|ubsan|menos|discount|diskwento|diskwentohi|hangyo|kunhod|kunhori|kunhoran|pakunhod|less|dugangi|dungagi)\s+gamay\b"
)


def a_little(text: str, f: MessageFacts) -> bool:
    """The only young word is ceb "gamay" meaning "a little" (the young_ref hit is dropped)."""
    h = f.hits.get("young_ref")
    return h is not None and text[h.start : h.end] == "gamay" and _A_LITTLE.search(text, max(0, h.start - 12), h.end) is not None


def states_age(text: str, f: MessageFacts, hits: list[Hit]) -> bool:
    """An unknown role's line that states a third person's age ("we can, she's 10yo and home
    now") with no question and no ask but a weak form: it tells, it asks for no one."""
    return "?" not in text and not strong_request(text, hits) and not f.has("want") and any(
        h.pattern.category == "third_ref" for h in hits
    ) and any(a.minor and a.kind in ("person", "third") for a in f.ages)


def speech_act(f: MessageFacts, role: Role) -> str:
    """"ask" (a buyer's request) or "offer" (a seller's offer or confirmation).

    The sender's role decides where the platform knows it; otherwise the words do: "do
    you want…", "I have…", "yes…" offer; a request, a wish or "under N" asks, and so does a
    media word with nothing else; a plain statement ("she is 11") counts as an offer (the
    message rules then keep an age in a plain statement from offering anyone).
    """
    if role is Role.CUSTOMER:
        return "ask"
    if role in (Role.PERFORMER, Role.FACILITATOR):
        return "offer"
    if (f.has("offer_question") and not inside(f.hits.get("offer_question"), f.hits.get("request"))) or (f.has("have") and not inside(f.hits.get("have"), f.hits.get("request"))) or (f.has("affirm") and not f.has("want", "request")):
        return "offer"
    if f.has("request", "want") or any(a.kind == "under" for a in f.ages):
        return "ask"  # "any small ones available?" asks, though "available" is there
    if f.has("offer"):
        return "offer"  # "available for a live show"
    if f.has("media"):
        return "ask"
    return "offer"


# The child is the addressee's: "is ur nephew available too", "pwede ba ang anak mo",
# "imong anak", "er dattera di ledig". No one offers someone else's child back to them.
_YOUR_BEFORE = re.compile(r"\b(?:your|ur|yur|yr|imong|imo|din|di|ditt|dine)\s+(?:[a-z']+\s+)?$")
_YOUR_AFTER = re.compile(r"^\s+(?:mo|nimo|nimu|mu|din|di|ditt)\b")


def addressees_child(text: str, hits: list[Hit]) -> bool:
    """Every child or relative word of the line belongs to the one addressed: the line asks
    about their child ("is ur niece available too, 16yo is fine"), it offers no one."""
    terms = [h for h in hits if h.pattern.category in ("child", "relative", "young_ref")]
    return bool(terms) and all(
        _YOUR_BEFORE.search(text[max(0, h.start - 24) : h.start]) or _YOUR_AFTER.match(text[h.end : h.end + 8]) for h in terms
    )


_POSSESSIVE = re.compile(r"^(?:my|our|akong|min|mi|mit)\b|\b(?:ko|min|mi|mit|nako)$")


def possessive_only(text: str, hits: list[Hit]) -> bool:
    """Every "have" hit is a possessive ("my niece", "pamangkin ko", "datteren min"), which
    names one's relative; "I have", "meron ako", "naa koy", "jeg har" offer one."""
    return all(_POSSESSIVE.search(text[h.start : h.end]) for h in hits if h.pattern.category == "have")


_QUESTION_PARTICLE = re.compile(r"\b(?:ba|bah|bay|kaya|eh)\b")


def affirmed(text: str, f: MessageFacts) -> bool:
    """The only request word is the yes the line opens with ("pwede po, grade 5 siya",
    "pwede, 10 anyos"): no question mark, no question particle, no wish."""
    a, r = f.hits.get("affirm"), f.hits.get("request")
    return (
        a is not None and r is not None and a.start <= 2 and (r.start, r.end) == (a.start, a.end)
        and not f.has("want") and "?" not in text and _QUESTION_PARTICLE.search(text) is None
    )


def leading(f: MessageFacts, category: str) -> bool:
    """The message opens with this category ("yes, 13", "oo, dose anyos")."""
    h = f.hits.get(category)
    return h is not None and h.start <= 2
