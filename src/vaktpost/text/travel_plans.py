"""A travel hit that plans nothing: a place alone, a time alone or a loose word ("catch u
next week", "ulan dito sa Cebu", "Visa only") is small talk, a goodbye or a payment, not
TRAVEL_MEETING (fifth pass, set c; session 5). The place, time and loose words are data
(`lexicons/ask_forms.json`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from vaktpost.text.asks import ask_forms_data
from vaktpost.text.matcher import Hit
from vaktpost.text.normalise import normalise

if TYPE_CHECKING:
    from vaktpost.text.facts import MessageFacts


@lru_cache(maxsize=1)
def _travel_kinds() -> dict[str, str]:
    data = ask_forms_data()
    return {normalise(w).strip(): kind for kind in ("travel_places", "travel_times", "travel_loose") for w in data[kind]}


def travel_without_plan(text: str, f: MessageFacts, hits: list[Hit]) -> None:
    """Takes the travel hit away when the line names only a place, only a time or only a
    loose word ("catch u next week", "ulan nmn dito sa Cebu", "hindi q trip yan, bye",
    "Visa only", "then we book"): small talk, goodbyes, a card, a show booked — not a plan
    to meet (fifth pass: most of set c's false TRAVEL_MEETING). A travel word of its own
    (fly, hotel, an airline, "I'll be in"), a place with a time or a loose word ("Cebu next
    month", "bakasyon sa Tokyo") or a date ("Bergen on the 5th") still plan. A loose word
    with a time is no plan ("book u again next week"); neither is a time with a bare number
    ("turning 12 next month": an age, not a date), nor a meeting word beside an amount and
    no other travel word ("meet me at 20 dollars": haggling). A school-run word inside a
    travel phrase ("need pickup from airport") is the trip's, not an innocent context
    (session 5)."""
    if "travel" not in f.hits:
        return
    travel = [h for h in hits if h.pattern.category == "travel"]
    if "innocent" in f.hits and all(
        any(t.start <= h.start and h.end <= t.end for t in travel) for h in hits if h.pattern.category == "innocent"
    ):
        del f.hits["innocent"]  # "need pickup from airport": the school-run word is the trip's
    if "price" in f.hits and all(_MEET.fullmatch(text[h.start : h.end]) for h in travel):
        del f.hits["travel"]  # "meet me at 20 dollars", "meet halfway, 1500": haggling
        return
    kinds = _travel_kinds()
    found = set()
    for h in travel:
        kind = kinds.get(text[h.start : h.end].strip())
        if kind is None:
            return
        found.add(kind)
    if ("travel_places" in found and len(found) >= 2) or _PLAN_CONTEXT.search(text):
        return
    del f.hits["travel"]


# "meet" folded; beside an amount and nothing else of travel it is haggling
_MEET = re.compile(r"met(?:\s+(?:up|you|u))?|magkita|kita tayo|treffes|møtes")
_MONTHS = (
    r"january|february|march|april|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    r"|januar|februar|mars|mai|juni|juli|desember|oktober"  # nb
    r"|enero|pebrero|marso|abril|mayo|hunyo|hulyo|agosto|setyembre|oktubre|nobyembre|disyembre"  # tl, ceb
)
# What makes a place or a time a plan: a date or a day (not a bare number: "turning 12 next
# month" is an age), or a verb of going or staying ("visiting family in Davao 3/14", "staying
# at <hotel> during the holiday", "off to Manila on the 5th", "punta ako Bangkok", "going to
# Bergen for work"); folded text ("tomorow"). Tagalog "may" is left out.
_PLAN_CONTEXT = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)|\d{1,2}[/.]\d{1,2}|(?:on|the|den|sa|ika|til|te|from)\s+\d{1,2}\b|\d{1,2}\.?\s+(?:" + _MONTHS + r")"
    r"|" + _MONTHS + r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorow|tonight|weekend|bukas|ugma|i morgen|imorgen|i helgen"
    r"|visit\w*|stay\w*|fly\w*|flight\w*|of+ to|going to|headed to|heading to|for work|for \d+ (?:days|nights)|punta|pupunta|uwi|uuwi|check in|checking in|layover|arriv\w*|landing"
    r"|adto|moadto|mouli|reiser?|flyr|kommer|drar|skal til|neter|dager)\b"
)
