"""The seller's side of a line: structural forms of an offer that the offer lexicon's single
phrases miss (session 4, performer side).

Every text here is the *normalised* form (lower case, repeated letters folded: "add" is
"ad", "pataas" "patas", "little" "litle"). The forms are the shapes a performer's or a
facilitator's offer takes in chat, in en / tl / ceb / nb / Taglish, not any one author's
sentences:

- a first-person offer to add, bring or include one's own child in the show ("i can add my
  niece", "pwede ko isama pamangkin ko", "isama q anak q", "pwede nako iapil akong ig-agaw");
- the addressee invited to take a child ("u can take my little sister too", "pde mo rin
  kunin", "pwede pud nimo makuha", "imo na akong anak");
- a menu line ("special tonight: young one, 11yo", "special ngayong gabi: ...");
- an existential with an age floor: children said to be here, from an age up ("got little
  ones here, from 11", "naay mga bata diri, 7 pataas", "may kids here, 8 anyos pataas");
- an offer question whose subject is the addressee ("interested ka ba sa 15 for live",
  "hey, interested in a 10 yrs for show", "andito rin pamangkin ko, interested ka?").

A line in which the child is the addressee's ("pwede ba isama mo anak mo") is not one:
`labels._addressees_child` sees those first. A customer's line is always an ask (the role
decides where the platform knows it).
"""

from __future__ import annotations

import re

# I / we can add, bring, include, get: en, tl (ko / q = I), ceb (nako = I), nb.
_INCLUDE_MINE = re.compile(
    r"\b(?:i|we)\s+(?:can|could|wil|'l|l)\s+(?:also\s+)?(?:ad|bring|include|get|put|have)\s+(?:my|our|mine)\b"
    r"|\b(?:i'l|il|we'l)\s+(?:ad|bring|include)\s+(?:my|our)\b"
    r"|\b(?:pwede|puwede|pde|kaya)\s+(?:ko|q|kong)\s+(?:rin\s+|din\s+|ding\s+)?(?:isama|isali|idagdag|dalhin)\b"
    r"|(?:^|[,.!]\s*)(?:isama|isali|idagdag|dadalhin|isasama|isasali)\s+(?:ko|q)\b"
    r"|\b(?:pwede|puwede|pde)\s+(?:nako|ko)\s+(?:pud\s+|sad\s+)?(?:iapil|iuban|dad-on|dalhon)\b"
    r"|(?:^|[,.!]\s*)(?:iapil|iuban)\s+(?:nako|nako\s+pud)\b"
    r"|\bjeg\s+kan\s+(?:også\s+)?(?:ta\s+med|legge\s+til|ha\s+med)\s+(?:min|mi|mit|dater|niesen|lilesøster)\b"
)
# You can take / have her too: the addressee is offered a child ("pde mo rin kunin").
_YOU_CAN_TAKE = re.compile(
    r"\b(?:u|you)\s+(?:can|could)\s+(?:also\s+)?(?:take|have|get|add)\s+(?:my|our|the|her|him|them|both)\b"
    r"|\b(?:pwede|puwede|pde)\s+(?:mo|nyo)\s+(?:rin\s+|din\s+|ring\s+|ding\s+)?(?:kunin|makuha|kuhanin|isama|isali)\b"
    r"|\b(?:pwede|puwede|pde)\s+(?:pud\s+|sad\s+)?(?:nimo|ninyo)\s+(?:pud\s+|sad\s+)?(?:makuha|kuhaon|kuhaa|iapil)\b"
    r"|\bimo\s+na\s+(?:akong|ang|si)\b"
    r"|\bdu\s+kan\s+(?:også\s+)?få\s+(?:min|mi|mit|henne|dater)\b"
)
# A menu: "special tonight:", "tonight's special", "special ngayong gabi", "special karong gabii".
_MENU = re.compile(
    r"\b(?:special|specials)\s+(?:for\s+)?(?:tonight|tonite|2nite|2night|today|now|ngayon|ngayong\s+gabi|karon|karong\s+gabi|ikveld|i\s+kveld)\b"
    r"|\btonight'?s\s+special\b|\bi\s+kveld\s*:\s"
)
# Children said to be here, from an age up: "got little ones here, from 11", "naay mga bata
# diri, 7 pataas", "may kids here, 8 anyos pataas", "har små her, fra 10".
_HERE = r"(?:here|dito|diri|dinhi|her)"
_FLOOR = re.compile(
    r"(?:\b(?:from|fra|mula|gikan)\s+\d{1,2}\b|\b\d{1,2}\s*(?:yo|y/o|yrs?|years?(?:\s+old)?|anyos|ka\s+tuig|taon|år)?\s*(?:patas|and\s+up|up|\+\s*only|og\s+opover)\b)"
)
_HERE_RE = re.compile(r"\b(?:got|have|i\s+have|we\s+have|may|mey|meron|nay|naa|naay|duna|aduna|har)\b[^,.!?]{0,30}\b" + _HERE + r"\b|\b" + _HERE + r"\s*[:,]")
# An offer question with the addressee as the subject: "interested ka ba", "interested in a
# 10 yrs for show" (opening the line, no "i"), "interested?" as the line's tag.
_INTERESTED = re.compile(
    r"\binterested\s+(?:ka|kayo|ba\s+ka|mo)\b|\binteresado\s+(?:ka|mo|kayo)\b"
    r"|^\W*(?:(?:hey|hi|helo|hello|yo|so|ok|oh)\W+)?(?:(?:are|r)\s+(?:u|you)\s+)?interested\s+(?:in|sa)\s+(?:a|an|my|the|\d)"
    r"|\binterested\s*(?:po\s*)?\?\s*$"
)


def seller_line(text: str) -> str | None:
    """The rule name of the seller's offer form this normalised line takes, or None."""
    if _INCLUDE_MINE.search(text):
        return "offer.include"
    if _YOU_CAN_TAKE.search(text):
        return "offer.take"
    if _MENU.search(text):
        return "offer.menu"
    if _FLOOR.search(text) and _HERE_RE.search(text):
        return "offer.floor"
    if _INTERESTED.search(text):
        return "offer.interested"
    return None


# A leading "ok" / "oo" that opens a question is no yes: "ok and does the niece do shows too,
# shes 8 right", "ok so is she there?", "sige, pwede ba siya?".
_OK_THEN_QUESTION = re.compile(
    r"^\W*(?:ok|okay|oki|alright|so|sige|oo|ja|ok\s+da)\W+(?:(?:and|so|but|then|og|men)\s+)?"
    r"(?:does|do|did|is|are|can|could|wil|would|has|have|how|what|which|when|where|who|er|kan|har|vil|pwede\s+ba|puwede\s+ba|may\s+.{0,20}\bba\b|naa\s+ba)\b"
)


def ok_opens_question(text: str) -> bool:
    """The line's leading yes-word opens a question: it says no yes."""
    return _OK_THEN_QUESTION.match(text) is not None


# "no problem", "no worries": the refusal pattern's leading "no" that says yes.
_NO_PROBLEM = re.compile(r"^\W*(?:no|nah)\s+(?:problem|problemo|prob|probs|worries|worry|biggie|isues?)\b")


def no_problem(text: str) -> bool:
    return _NO_PROBLEM.match(text) is not None
