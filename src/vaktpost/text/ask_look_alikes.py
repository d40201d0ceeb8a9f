"""Seller lines shaped like a buyer's ask (session 6, asked6): an offer put as a question to
the buyer, or a seller's "pwede" (can) after stating the child's age. Read as asks, they made
their writers "askers" on authors the rules were not written on.

Every text here is the *normalised* form (lower case, repeated letters folded: "need" is
"ned", "small" is "smal"). The forms, in en / tl / ceb / Taglish:

- an offer question to the buyer about one on offer: "u need one of 16 yrs?", "you want one
  of grade 3?", "would you like a young one?" — the buyer is asked whether he wants one;
- the buyer told what he gets: "for 55 usd u get me and the small one", "you get both of us";
- Taglish / ceb "game ka (po)?" ("are you up for it?") after a child is put forward: "16
  taon anak ng kapitbahay ko free ngayon, game ka po?" (as "interested ka?" in offers.py);
- a tl / ceb statement of her age with "pwede" (she can) and no question: "yes sir 7 anyos
  siya, pwede mamaya", "grade 3 pa lang na sya sir, after class pwede" — and any "pwede"
  statement about a child (`pwede_statement`);
- a broadcast or second-person interest question: "anyone want my niece tonight", "if u r
  interested in my little sister".

A line whose child is the addressee's ("game ka ba isama anak mo?") is not one. A customer's
line is always an ask (the caller asks only for other roles).
"""

from __future__ import annotations

import re

from typing import TYPE_CHECKING

from vaktpost.text.asks import CHILD, _yours, strong_request
from vaktpost.text.matcher import Hit

if TYPE_CHECKING:
    from vaktpost.text.facts import MessageFacts

_AGE = r"(?:\d{1,2}|grade\s+\d{1,2})"
_FORMS = (
    # "u need one of 16 yrs?", "you want one of grade 3", "would you like a young one"
    ("offer.you_want_one", ("ned", "want", "wana", "like"), re.compile(
        r"\b(?:u|you|ya)\s+(?:ned|want|wana|like)\s+(?:one|a\s+(?:young|smal|litle|younger)\s+one|someone)\s+(?:of|who\s+is|whos|aged?|that\s+is)\s+(?:\d|grade|[a-z]+\s+(?:years?|yrs?|yo)\b|[a-z]+teen\b|ten|twelve|eleven|nine|eight|seven|six|five)"
        r"|\b(?:u|you|ya)\s+(?:ned|want|wana|like)\s+(?:a\s+)?(?:young|smal|litle|younger)\s+one\s*\?"
    )),
    # "for 55 usd u get me and the small one", "you get both of us"
    ("offer.you_get", ("get",), re.compile(
        r"\b(?:u|you)\s+get\s+(?:me\s+(?:and|\+|plus|with|&)|both\s+of\s+us|us\s+both|us\s+two)\b"
    )),
    # "anyone want my niece tonight", "if anyone is interested in ...": a broadcast offer
    ("offer.anyone", ("anyone", "any1", "anybody"), re.compile(
        r"\b(?:anyone|any1|anybody)\s+(?:(?:is|here|else)\s+)?(?:wants?|interested|intrested|keen)\b"
    )),
    # "if u r interested in my niece", "you interested in a 10yo show": the buyer asked whether he wants one
    ("offer.you_interested", ("interested", "intrested"), re.compile(
        r"\b(?:u|you|ur|you're|youre|ya)\s+(?:are\s+|r\s+)?(?:interested|intrested)\s+(?:in|sa)\b"
    )),
    # tl / ceb "game ka po?", "game kayo?": are you up for it
    ("offer.game_ka", ("game",), re.compile(r"\bgame\s+(?:ka|kayo|ba\s+ka)\b")),
    # "yes sir 7 anyos siya, pwede mamaya", "grade 3 pa lang na sya sir, after class pwede"
    ("offer.her_age_can", ("siya", "sya", "xa", "cya"), re.compile(
        rf"\b{_AGE}\b[^?]{{0,30}}\b(?:siya|sya|xa|cya)\b[^?]*\b(?:pwede|puwede|pde|pwd|available|avail|free|libre)\b"
    )),
)


# A tl / ceb "pwede" (can, possible) in a statement — no question mark, no question particle —
# is a yes or an offer ("pwede isama pamangkin ko mamaya", "pwede siya later, 10 anyos"); asked,
# it takes "?" or "ba"/"kaya" ("pwede ba isama ...?"). On the eight development authors no
# unknown-role line of this shape asked for a child; on authors 4 and 8 such offers made their
# writers "askers".
_PWEDE = re.compile(r"\b(?:pwede|puwede|pde|pwd|pwde)\b")
_QUESTION = re.compile(r"\?|\b(?:ba|kaya|bah|diay)\b")
# A negated "pwede" ("hindi pwede", "di po pwede", "dili pwede") is a no, not a yes (session 7).
_NOT_PWEDE = re.compile(r"\b(?:hindi|indi|di|dili|dle)\s+(?:(?:po|pa|na|man|pud|sad|talaga)\s+)?(?:pwede|puwede|pde|pwd|pwde)\b")


def pwede_statement(text: str, hits: list[Hit]) -> bool:
    """A "pwede" line with no question form, no negated "pwede" and no child of the addressee's."""
    return (
        "pw" in text or "pde" in text
    ) and _PWEDE.search(text) is not None and _QUESTION.search(text) is None and _NOT_PWEDE.search(text) is None and not any(
        h.pattern.category in CHILD and _yours(text, h) for h in hits
    ) and not any(h.pattern.category == "want" for h in hits)


def seller_question(text: str, hits: list[Hit]) -> str | None:
    """The rule name of the seller's ask-shaped offer form this normalised line takes, or None
    (never where a child named is the addressee's: "game ka ba isama anak mo?" asks)."""
    if any(h.pattern.category in CHILD and _yours(text, h) for h in hits):
        return None
    for rule, words, form in _FORMS:
        if any(w in text for w in words) and form.search(text):
            if rule == "offer.her_age_can" and "?" in text:
                continue  # "7 anyos siya, pwede ba?": asks whether she can
            return rule
    return None


# What makes a line more than a question form: a child, a wish, a show, a join, a code word,
# an age question (the dialogue's own rules read those).
_CONTENT = (*CHILD, "want", "join", "media", "media_third", "age_probe", "offer", "offer_question", "have")


# "what else do you have?", "ano pa meron ka?", "hva annet har du?": asks what is on offer —
# answered with a child, it was the request (tests/text/test_confirmations.py).
_MENU_QUESTION = re.compile(r"\b(?:else|other|others|more|iba pa|ano pa|unsa pa|lain pa|annet|andre|mer)\b")


def only_question_forms(text: str, f: MessageFacts, hits: list[Hit]) -> bool:
    """The line's only ask forms are bare question forms ("?", "ba", "do u do", "can u",
    ask_forms.json `weak_request`) and it names no child, no age under 18, no wish, show or
    join, and does not ask what else is on offer: "hello po, anjan ka pa ba?", "cold ba
    talaga jan?", "do u do weekends?" (not "what else do you have?"). A seller's
    offer after it ("yes available, 7yo") answers no request for a child: the dialogue's
    implied request (`dialogue._implied_request`) passes it by. On the development authors
    such greetings and small talk made their writers askers; on authors 4, 8 and 9 the same
    kind of line did (aggregates)."""
    if f.has(*_CONTENT) or f.labels() or any(a.minor for a in f.ages) or _MENU_QUESTION.search(text):
        return False
    return not strong_request(text, hits)


# The ages of one's own children after "mine are" / "mine is" (lexicon `kin_subject`): only
# numbers, units and "and" between the "mine" and each age.
_MINE = re.compile(r"(?:mine|mines|ours|both\s+of\s+mine|all\s+of\s+mine)\b")
_AGE_LIST = re.compile(r"(?:[\s,&+/]|\d|\b(?:and|n|yo|y/o|yrs?|years?|old|both|just|turned)\b)*")
_NOT_SMALL_TALK = ("want", "join", "codeword", "young_ref", "price", "price_word", "offer", "offer_question", "payment", "travel")


def own_childrens_ages(text: str, f: MessageFacts, hits: list[Hit], minor_ages: list) -> bool:
    """"do u have kids? mine are 5 and 7, heres a pic": a have-question about the reader's
    family and the ages of the writer's own children after "mine are" — small talk with the
    question back, no ask for a child (session 7). Every minor age follows the "mine"; every
    child word is one's own or what the have-question asks about ("do u have kids"); no wish,
    join, young one, price, trip or code word, no request verb ("send pics of yours")."""
    from vaktpost.text.asks import _ask_forms, _had, _own

    k = f.hits.get("kin_subject")
    if k is None or not minor_ages or not _MINE.match(text, k.start) or f.has(*_NOT_SMALL_TALK):
        return False
    if strong_request(text, hits) or _ask_forms().please.search(text):
        return False  # "..., send pics of yours": a request after all
    if not all(k.end <= a.start and _AGE_LIST.fullmatch(text, k.end, a.start) for a in minor_ages):
        return False
    forms = _ask_forms()
    terms = [h for h in hits if h.pattern.category in CHILD]
    return all(
        _own(text, h) or (any(w in forms.kin for w in text[h.start : h.end].split()) and _had(text, h, forms.have_question))
        for h in terms
    )
