"""A travel hit that plans nothing: a place alone, a time alone or a loose word ("catch u
next week", "ulan dito sa Cebu") is small talk or a goodbye, not TRAVEL_MEETING (fifth pass,
set c). The place, time and loose words are data (`lexicons/ask_forms.json`).
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
    loose word ("catch u next week", "ulan nmn dito sa Cebu", "hindi q trip yan, bye"):
    small talk and goodbyes, not a plan to meet (fifth pass: most of set c's false
    TRAVEL_MEETING). A travel word of its own (fly, hotel, visit, "I'll be in") or a
    place and a time together ("Cebu next month") still plan."""
    if "travel" not in f.hits:
        return
    kinds = _travel_kinds()
    found = set()
    for h in hits:
        if h.pattern.category == "travel":
            kind = kinds.get(text[h.start : h.end].strip())
            if kind is None:
                return
            found.add(kind)
    if len(found - {"travel_loose"}) < 2 and not _PLAN_CONTEXT.search(text):
        del f.hits["travel"]


# What makes a place or a time a plan: a date or a day, or a verb of going or staying
# ("visiting family in Davao 3/14", "staying at <hotel> during the holiday", "off to Manila
# on the 5th", "punta ako Bangkok"); folded text ("tomorow"). Tagalog "may" is left out.
_PLAN_CONTEXT = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)?|\d{1,2}/\d{1,2}|january|february|march|april|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorow|tonight|weekend"
    r"|visit\w*|stay\w*|fly\w*|flight\w*|of+ to|going to|headed to|heading to|punta|pupunta|uwi|uuwi|check in|checking in|layover|arriv\w*|landing"
    r"|adto|moadto|mouli|reiser?|flyr|kommer)\b"
)
