"""Session 4 (fresh sets b and d): the stance of an unknown role's line with a child in it,
and words that look like a buyer's ask but are not one — one's own child put forward, a
question whether *you* are interested, a third person's age stated, a negated media verb,
ceb "gamay" meaning "a little". labels.py calls these beside the ask rules of asks.py."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from vaktpost.text.asks import NO_ADULTS, _strong_request, own_only
from vaktpost.text.matcher import Hit

if TYPE_CHECKING:
    from vaktpost.text.labels import MessageFacts


# Session 4 (sets b, d). A line from an unknown role whose every child is the writer's own
# ("andito rin pamangkin q 12yo, interested ka po?", "isama q anak q 11 anyos") or that asks
# whether *you* are interested in one ("interested ka ba sa 9yo for show") offers: a buyer
# does not put his own niece forward, nor ask the seller whether she wants a child.
_INTEREST_YOU = re.compile(
    r"\b(?:interested|intrested|inetrested|interesado|interesert)\s+(?:ka|kayo|ba)\b|\b(?:are|r)?\s*(?:you|u)\s+interested\b|\ber\s+du\s+interesert\b"
)


def offers_own(text: str, f: MessageFacts, hits: list[Hit], decisive: bool) -> bool:
    if f.has("want", "refusal") or NO_ADULTS.search(text):
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
_A_LITTLE = re.compile(r"\b(?:mahal|mahalon|barato|taas|dako|mubo|layo|dugay|hinay|paspas|gahi|lisod)\s+gamay\b")


def a_little(text: str, f: MessageFacts) -> bool:
    """The only young word is ceb "gamay" meaning "a little" (the young_ref hit is dropped)."""
    h = f.hits.get("young_ref")
    return h is not None and text[h.start : h.end] == "gamay" and _A_LITTLE.search(text, max(0, h.start - 12), h.end) is not None


def states_age(text: str, f: MessageFacts, hits: list[Hit]) -> bool:
    """An unknown role's line that states a third person's age ("we can, she's 10yo and home
    now") with no question and no ask but a weak form: it tells, it asks for no one."""
    return "?" not in text and not _strong_request(text, hits) and not f.has("want") and any(
        h.pattern.category == "third_ref" for h in hits
    ) and any(a.minor and a.kind in ("person", "third") for a in f.ages)
