"""Whose age a number in a message is, and whether it is an age at all: an adult floor
("youngest I want is 18"), a customer's bare number question ("12?"), the number right after
an "I have", the writer's own shorthand age ("14 here", "14f"), a school level that is the
writer's own. labels.py decides the labels; these readings are what it decides on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vaktpost.model import Role
from vaktpost.text.ages import AgeMention, owned_before
from vaktpost.text.asks import CHILD
from vaktpost.text.facts import inside
from vaktpost.text.matcher import Hit

if TYPE_CHECKING:
    from vaktpost.text.facts import MessageFacts


def age_span(age: AgeMention) -> tuple[int, int, str]:
    return age.start, age.end, f"age<{age.value + 1}" if age.kind == "under" else f"age={age.value}"


# "youngest I want is 18", "at least 19": a bare adult number stated as the age floor, or an
# adult range beside a young word ("young ones 18-19", "younger friends? 18 or 19 ok").
ADULT_FLOOR = re.compile(
    r"\b(?:is|are|be|least|atleast|over|min|minimum|from|fra|mula|gikan|like|around|about|rundt|mga)\s+(?:1[89]|[2-5]\d)\b(?!\s*(?:min|mins|minutes|usd|php|nok|kr|eur|\$|pesos?))"
    r"|\b(?:1[89]|[2-5]\d)\s*(?:-|to|or|/|til|hanggang|ug|o)\s*(?:1[89]|[2-5]\d)\b(?!\s*(?:min|mins|minutes|usd|php|nok|kr|eur|\$|pesos?|hours?|hrs?))"
)
# In every match of ADULT_FLOOR (speed only: most lines hold no such number, and this test is
# a fast scan where ADULT_FLOOR tries its words at every word start).
_ADULT_NUMBER = re.compile(r"1[89]|[2-5]\d")


def adult_floor(text: str) -> bool:
    """`ADULT_FLOOR.search(text)` as a truth value."""
    return _ADULT_NUMBER.search(text) is not None and ADULT_FLOOR.search(text) is not None


# A customer's whole message that is an age and a question: "12?", "11 or 12?", "is 12 possible",
# "12 ok?", "en på 12?" is covered by ages.py; bare numbers elsewhere are prices or times.
_BARE_AGE_ASK = re.compile(
    r"^\s*(?:and\s+|or\s+|so\s+|what about\s+|how about\s+|is\s+|would\s+|can\s+|maybe\s+|pwede\s+(?:ba\s+)?(?:ang\s+|yung\s+)?|kumusta\s+ang\s+)?"
    r"(?P<n>\d{1,2})(?:\s*(?:or|o|eler|/|-)\s*\d{1,2})?"
    r"\s*(?:be\s+)?(?:possible|posible|ok|okay|available|avail|fine|pwede|puwede|mulig|går det|pde)?\s*(?:ba|po|pls|please)?\s*\?+\s*$"
)


def bare_age_ask(text: str, f: MessageFacts, role: Role) -> list[AgeMention]:
    """An age asked for with the number alone — only a customer's short question, only
    numbers a child's age could be (5–15), never with a price, time or adult word."""
    if role is not Role.CUSTOMER or f.has("price", "price_word", "payment", "adult_marker", "thing", "travel", "age_probe"):
        return []
    m = _BARE_AGE_ASK.match(text)
    if m is None or not 5 <= int(m.group("n")) <= 15:
        return []
    return [a for a in f.ages if a.kind == "bare" and a.minor][:1]


def wanting_subject(f: MessageFacts) -> bool:
    """The self-reference is the one who wants ("gusto ko", "gusto nako"): not about oneself."""
    me = f.hits.get("self_ref")
    return any(inside(me, f.hits.get(c)) for c in ("want", "request"))


# From a "looking for" / "want" / "hanap" to the age it seeks: only prepositions, articles and
# the self-reference between ("im looking 4 6 years old", "hanap aq ng 12 yrs old", "searching
# for a 13 years old"). "wanna chat? im 14" has more between: the age is the writer's.
_SOUGHT_GAP = re.compile(r"\s*(?:(?:for|4|a|an|ng|ug|og|en|ei|et|på|aq|ako|ko|q|po|sir|some|someone|one|any|isang|usa)\s+){0,3}$")


def sought_age(text: str, f: MessageFacts, a: AgeMention) -> bool:
    """The age right after a want or request is the one sought, not the writer's (session 7:
    a buyer's "im looking 4 6 years old" was read as a self-disclosure)."""
    for c in ("want", "request"):
        h = f.hits.get(c)
        if h is not None and h.end <= a.start and _SOUGHT_GAP.match(text[h.end : a.start]):
            return True
    return _SEEKING.search(text, max(0, a.start - 40), a.start) is not None


# Seeking verbs the lexicons leave out of `request` (they are no request alone: "hanap buhay"),
# as written and as normalised ("looking" → "loking", "etter" → "eter").
_SEEKING = re.compile(
    r"\b(?:looking|loking|searching|seeking|hanap|naghahanap|hinahanap|nangita|nangitag|pangita|seking|ser etter|ser eter|leter etter|leter eter|leiter etter|leiter eter)"
    r"(?:\s+(?:for|4|a|an|ng|ug|og|en|ei|et|på|aq|ako|ko|q|po|sir|some|someone|one|any|isang|usa)){0,3}\s+$"
)


# After an offered number: the end, a stop, or a word that goes with a person ("I have a 12
# if you want", "may 12 ako dito", "jeg har en på 12 her") — not a unit ("12 inch", "13 hour").
_ENDS_AGE = re.compile(
    r"\s*(?:$|[,.!?;:)]|(?:if|for|here|now|tonight|available|ready|and|or|y|po|ako|aq|kami|dito|diri|ko|koy|mi|her|hvis|til|klar|ledig|din|rin)\b)"
)
_MAY_AKO = re.compile(r"\s*(?:din\s+|rin\s+)?(?:po\s+)?(?:ako|aq|kami)\b")  # tl "may 12 ako": not the month "May 12" ("busy until May 5 po")
_NUMBER = re.compile(r"\d{1,2}")


def shorthand_age(text: str, hit: Hit) -> list[AgeMention]:
    """The age in a chat-shorthand self statement ("14f", "age 13", "13 years old here")."""
    m = _NUMBER.search(text, hit.start, hit.end)
    if m is None or int(m.group()) >= 18:
        return []
    return [AgeMention(int(m.group()), m.start(), m.end(), "self")]


_SCHOOL = re.compile(r"\b(?:schol|elementary|grade|klase|skole|ungdomskole|barneskole|eskwela|elementarya)")


def child_first(f: MessageFacts, age: AgeMention) -> bool:
    """A child or relative is named before the age: the age is theirs."""
    return any(c in f.hits and f.hits[c].start < age.start for c in CHILD)


def own_school(text: str, f: MessageFacts) -> bool:
    """The only child words are a school level named after one's own shorthand age ("only 14
    yrs, in middle school", "bare 12, går i 7. klasse"): the school is the writer's."""
    me = f.hits.get("self_age")
    if me is None:
        return False
    kids = [f.hits[c] for c in CHILD if c in f.hits]
    # after the shorthand age, or inside it ("går på ungdomsskolen, 15": the school attended)
    return bool(kids) and all(h.start >= me.start and _SCHOOL.search(text, h.start, h.end) for h in kids)


def number_after_have(text: str, f: MessageFacts) -> list[AgeMention]:
    """The bare minor number right after an "I have" ("I have a 12", "jeg har en på 12", "may
    12 ako", "naa koy 12"): the one offered, where a person's word or the end follows it."""
    h = f.hits["have"]
    return [
        a for a in f.ages
        if a.kind == "bare" and a.minor and h.start <= a.start <= h.end + 12 and _ENDS_AGE.match(text, a.end)
        and not (text.startswith("may", h.start) and not _MAY_AKO.match(text, a.end))  # "on May 2 for work"
    ]


# tl "nandito ako", "andito aq po": the writer is here — an offer word only when someone else is.
_HERE_MYSELF = re.compile(r"\s+(?:na\s+)?(?:po\s+)?(?:ako|aq|ko)\b")


def _subject_of(text: str, me, a: AgeMention, gap: int = 8) -> bool:
    """The writer is the one in that grade: a subject form anywhere in the line ("i'm", "ako",
    "jeg er"), an object or genitive form ("me", tl "ko") only next to the grade ("grade 6 ko",
    "grade 5 pa me"): in "gagawin ko yung grade 4 project" the "ko" does, it is not in grade 4."""
    if me is None:
        return False
    if text[me.start : me.end] not in _NOT_SUBJECT:
        return True
    return 0 <= a.start - me.end <= gap or 0 <= me.start - a.end <= gap


_NOT_SUBJECT = frozenset({"me", "ko", "q"})


def _beside(me, a: AgeMention, gap: int = 8) -> bool:
    """A self-reference right before or after the age ("grade 5 pa ko", "ako grade 4")."""
    return me is not None and (0 <= a.start - me.end <= gap or 0 <= me.start - a.end <= gap)


# What makes a stated age someone else's (a relative, a third person, one's eldest), an adult's
# school talk, or the line an offer: then no own stage is read.
_OTHERS = ("relative", "codeword", "third_ref", "kin_subject", "adult_stage", "offer", "offer_question", "price", "price_word", "payment")


# tl/ceb personal articles naming someone ("grade 5 na si junior", "13 na ni Ana"; not ceb
# "kay", which is also "because"): a person is named whose stage it may be — then only a
# self-reference next to the age makes it the writer's ("sabi ni ate homework muna, grade 5 pa
# ko"). A parent's word after the article is one of a minor's own circumstances ("sabi ni
# mama", "ingon si papa"), not a person named.
_NAMED = re.compile(
    r"\b(?:si|ni|kang|sina|nina|nila)\s+(?!(?:mama|mommy|mami|mamu|nanay|inay|nay|papa|daddy|dad|tatay|tay|mom|mum|ma|pa|ako|aq|ko|ikaw|ka)\b)[a-z]{2,}"
)
# Before a bare number: a clock time, not an age ("human sa 12", "home by 11", "free at 10",
# "hjemme til 11", "mga alas 10"); after it: "pm", "am", ":30", "o'clock", "ng gabi".
_CLOCK_BEFORE = re.compile(
    r"\b(?:at|by|til|till|until|untill|kl|klokka|klokken|sa|around|mga|alas|from|after|before|past|hanggang|gikan|pagkahuman|human|fra|før|etter|rundt|ca)\s+(?:mga\s+|alas\s+)?$"
)
_CLOCK_AFTER = re.compile(r"\s*(?:pm|am|p\.m|a\.m|:\d|o'?clock|oclock|ng gabi|ng umaga|sa gabii|sa buntag|tida|i kveld)\b")


# Before a grade: what it is for ("school tomorrow for grade 4", "para sa grade 3", "til 2.
# klasse"): a class someone else is in, the writer's errand for it.
_FOR_BEFORE = re.compile(r"\b(?:for|4|para sa|para|alang sa|til|for the|4 the)\s+$")


def _clock_time(text: str, a: AgeMention) -> bool:
    """A bare number that reads as a time of day: "naay klase ugma, human sa 12"."""
    return a.kind == "bare" and (
        _CLOCK_BEFORE.search(text, max(0, a.start - 20), a.start) is not None or _CLOCK_AFTER.match(text, a.end) is not None
    )


def _several_children(ages: list[AgeMention]) -> bool:
    """Two different minor grades, or two different minor ages of one kind, in one line
    ("both of mine have school tomorrow, grade 1 and grade 4", "my 2 are 8 and 12"): a carer
    speaking of children; a minor states one stage of her own."""
    seen: dict[str, int] = {}
    for a in ages:
        if a.minor and a.kind in ("grade", "bare", "person"):
            if seen.setdefault(a.kind, a.value) != a.value:
                return True
    return False


def own_stage(text: str, f: MessageFacts, role: Role, hits: Sequence[Hit] = ()) -> list[AgeMention]:
    """A minor age the writer states of themselves through their own school stage or a minor's
    own circumstances: "ako grade 4 pa", "brb mom says finish homework first, grade 5 stuff",
    "12yo next month, cant go out late", "e 13 år og må være hjemme tidlig".

    A school grade beside a self-reference ("ako", "im"), or any minor age (a grade, a person's
    age, a bare 10-17) beside a minor's own circumstance (lexicon category `minor_life`: a
    curfew, a parent's permission or ignorance, homework first, school tomorrow), when the line
    names no one else whose age it could be (a relative, a child word other than a school
    level, a third person, one's eldest: `kin_subject`), offers nothing, and is not an adult's
    school talk (`adult_stage`: "I teach grade 5", "finished grade 10", "back in grade 6").
    A carer's school day is not read as her own either (session 7): two children's grades or
    ages in the line, a person named by a tl/ceb article with no self-reference beside the
    age ("grade 5 na si junior"), a grade something is for ("school tomorrow for grade 4"),
    a bare number that is a clock time ("human sa 12"); one's children as the subject
    ("mine is", "the twins", nb "gutten", "jenta mi") are `kin_subject`.
    A customer's lines are left alone: the buyer's school talk is the rules' old reading.
    `hits`: all the line's matcher hits, so that a "have" inside any `minor_life` phrase (not
    only the first: "ingon si mama naa koy klase ugma, grade 6 ko") is the writer's own day."""
    if role is Role.CUSTOMER or f.adult_only:
        return []
    for c in _OTHERS:
        h = f.hits.get(c)
        if h is not None and not (c == "offer" and _HERE_MYSELF.match(text, h.end)):
            return []
    child = f.hits.get("child") or f.hits.get("young_ref")
    if child is not None and _SCHOOL.search(text, child.start, child.end) is None:
        return []
    have = f.hits.get("have")
    life = f.hits.get("minor_life")
    if have is not None and (inside(have, life) or any(h.pattern.category == "minor_life" and inside(have, h) for h in hits)):
        have = None  # ceb "naa koy klase ugma": the "have" of one's own school day
    if _several_children(f.ages):
        return []  # "grade 1 and grade 4", "8 and 12": children, not the writer
    me = f.hits.get("self_ref") if not wanting_subject(f) else None
    named = _NAMED.search(text) is not None
    for a in f.ages:
        if not a.minor or (have is not None and have.start <= a.start):
            continue
        if owned_before(text, a.start) or _clock_time(text, a) or (a.kind == "grade" and _FOR_BEFORE.search(text, max(0, a.start - 12), a.start)):
            continue  # "my d4ughter is grade 2 and taller than me": the subject's grade; "human sa 12": a time
        if named and not _beside(me, a):
            continue  # "grade 5 na si junior, may pasok bukas": junior's grade; "grade 5 pa ko, si ate grade 8" is hers
        if (a.kind == "grade" and (_subject_of(text, me, a) or life is not None)) or (life is not None and (a.kind in ("person", "self") or (a.kind == "bare" and 10 <= a.value))):
            return [a]
    return []
