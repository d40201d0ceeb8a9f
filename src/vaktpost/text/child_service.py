"""A child-serving business or a carer speaking: the words of an offer or a request of a child
(an age, "available", "has a place for", a price) in a trade that is not the trade.

A swimming school with a free place for children of 13, a dance school's price by age, an
under-12 team's practice, a class photo for everyone aged 4, a party place booked for the
youngest's birthday, a clinic, a tutor, "I mind my niece after school, her mum collects her":
these name a child, an age and often a price or "available" in the same words a seller's
offer uses. On unseen hands most of the false minor labels on hard negatives were such lines
(held-out aa: 278 of 1,086 `own_children` messages; session 9).

The service context (lexicon category `child_service`, per language) takes the minor reading
away only where the line holds nothing of the trade: no picture, show, call or session word
(`media`, `media_third` — "private session" and "cam" are media words), no code word, no
secrecy, no move off the platform, no payment route, no threat, no gift. A price alone stays
allowed: schools and clubs quote one by age. The line's other labels (a price, a travel plan)
stay. So "swim school has a place for a 9 yo, 40/month" carries no minor label, while "my
daughter does dance class, 12 yo, private session 50 usd" keeps its offer.
"""

from __future__ import annotations

import re

from vaktpost.text.facts import MessageFacts
from vaktpost.text.matcher import Hit

SERVICE = "child_service"
# The writer speaking of themself (en, nb, tl, ceb): then a grade or age in the line may be theirs.
# (nb "går i 5. klasse": the preposition, not the English "I")
FIRST_PERSON = re.compile(r"(?<!går )(?<!gar )\bi\b|\b(?:im|i'm|me|my|mine|jeg|eg|meg|min|mi|mitt|ako|aq|ko|nako|akong)\b")
# What keeps a line the trade's even beside a school, a club or a carer.
TRADE = ("media", "media_third", "codeword", "secrecy", "off_platform", "payment", "coercion", "trust_gifts")


def serves_children(f: MessageFacts, hits: list[Hit]) -> bool:
    """The line speaks as a child-serving business or a carer and holds nothing of the trade.
    A picture word inside the service's own name ("class photo", "school pictures",
    "klassebildet") is the service's, not a picture of a child asked for or offered."""
    found = f.hits
    if SERVICE not in found:
        return False
    for c in TRADE:
        if c in found:
            if c != "media":
                return False
            service = [h for h in hits if h.pattern.category == SERVICE]
            for h in hits:
                if h.pattern.category == "media" and not any(s.start <= h.start and h.end <= s.end for s in service):
                    return False
    return True


def pupils_not_writer(text: str, f: MessageFacts) -> bool:
    """A grade or age read as the writer's own ("går i 5. klasse") in a service's line that has
    no first person in it: the pupils the class, photo or course is for, not the writer."""
    return f.serves_children and FIRST_PERSON.search(text) is None
