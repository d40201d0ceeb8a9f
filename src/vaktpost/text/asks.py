"""The forms of a buyer's ask (fourth pass): what makes a line with a child in it a request,
small talk, a travel plan or a request for pictures, and a seller's subject-less opening.
(The age-question forms beside an ask are probes.py's; a travel word that plans nothing is
travel_plans.py's.)

Written against unseen adult-commerce wording, where the question mark and the generic
question forms ("do you have", "is your", "can we") made small talk about the performer's
or the customer's own family a request, and any media word made a request for a child "for
a show" a content request. The word lists are data (`lexicons/ask_forms.json`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from vaktpost.model import Role
from vaktpost.text.ages import AgeMention
from vaktpost.text.matcher import Hit
from vaktpost.text.normalise import normalise

if TYPE_CHECKING:
    from vaktpost.text.facts import MessageFacts

CHILD = ("child", "young_ref", "codeword", "relative")


# A line that opens with what the sender has or sells (the subject left out, as in chat
# ads): "have a little one for session", "got 2 available", "offering show with ..." (folded).
_OFFER_OPENING = re.compile(
    r"\s*(?:have|got|ofering|seling|for sale|avail|available now)\s+(?:a|an|one|two|some|\d|show|private|live|my)\b"
    r"(?!\s+(?:nice|god|great|lovely|hapy|safe|wonderful|fun|blesed|good)\b)"  # "have a nice day" (folded)
)
def offer_opening(text: str) -> bool:
    """A seller's subject-less opening; "got a nephew who can come on cam?" is a question."""
    return "?" not in text and _OFFER_OPENING.match(text) is not None


# A customer who rules adults out ("no adults pls", "not an adult", "ayaw ko ng adult",
# "ikke voksne") is asking for someone younger: not a refusal.
NO_ADULTS = re.compile(
    r"\b(?:no|not|nothing|none|never|ayaw(?:\s+ko)?(?:\s+(?:ng|og|ug|sa))?|walang|wala|dili|ikke|ingen)\s+(?:an?\s+|mga\s+)?"
    r"(?:adults?|adulto|grown\s?-?ups?|voksne?|matanda|tigulang|old(?:er)?\s+(?:ones|women|girls|ladies))\b"
)
# Speed only: NO_ADULTS needs one of these words (each of its adult words spells one).
_ADULT_WORDS = ("adult", "grown", "voksn", "matanda", "tigulang", "old")


def rules_out_adults(text: str) -> bool:
    """`NO_ADULTS.search(text)` as a truth value, run only where an adult word is."""
    for w in _ADULT_WORDS:
        if w in text:
            return NO_ADULTS.search(text) is not None
    return False


# Media words of a meeting, not of a picture or a show: "want to see the kid in person".
IN_PERSON = re.compile(r"\b(?:in person|irl|face to face|personally|in real life|sa personal|personal)\b")
# Media words that are the verb of being shown, not a picture or a show asked for: "show me
# your niece", "let me see her" ask for the child (MINOR_REQUEST: "can be shown").
SHOWN = re.compile(r"(?:show|vis|see|se|makita|patingin|ipakita|pakita|pakit-a)\b")


def asks_for_media(text: str, hits: list[Hit], ages: list[AgeMention]) -> bool:
    """Whether a customer's ask with a media word asks for the media (CONTENT_REQUEST) or
    for the child (MINOR_REQUEST) — by the order of the words (fourth pass): media before
    the child asks for pictures or a show *of* them ("clips of your cousin", "a private show
    with your niece", "photo of the small one"); the child before the media asks for the
    child, and the show is what for ("a kid for a session", "can your son join the cam
    show", "cheese pizza available 4 a cam show"). Being shown ("show me your niece") and a
    meeting ("see the little one in person") are asks for the child. On unseen wording the
    old rule (any media word → CONTENT_REQUEST) made most requests for a child "for a show"
    content requests.
    """
    child = [h.start for h in hits if h.pattern.category in CHILD] + [a.start for a in ages]
    if not child:
        return True
    first_child = min(child)
    if IN_PERSON.search(text, first_child):
        return False
    for h in hits:
        if h.pattern.category != "media" or h.start >= first_child:
            continue
        said = text[h.start : h.end]
        if said.startswith("show") and text.startswith(" me", h.end):
            continue  # "show me your niece"
        if SHOWN.match(said) and not said.endswith(("show", "of")):
            continue  # "let me see her", "gusto ko makita"
        return True
    return False


_DEFINITE_BEFORE = re.compile(r"(?:^|\W)(?:the|your|ur|yor|her|his|that|this|yung|ung|ang|si|kay|ni|imong|ang imong|ning)\s+(?:\w+\s+)?$")


def definite_child(text: str, hits: list[Hit]) -> bool:
    """Every child term names one already spoken of ("the kid", "your son", "yung bata").

    A buyer's travel plan about such a child ("can u bring your son to the hotel on the
    12th", "I'll be in Cebu next month, want to see the little one in person") is the
    plan (TRAVEL_MEETING), made after the ask; a new ask names someone not yet spoken of
    ("any young ones when I visit?"). Should the performer confirm after it, the dialogue's
    implied request still makes the line the request it answers.
    """
    terms = [h for h in hits if h.pattern.category in CHILD]
    return bool(terms) and all(
        h.pattern.category == "relative" or text.startswith("the ", h.start) or _DEFINITE_BEFORE.search(text, 0, h.start)
        for h in terms
    )


# Words to the performer about herself ("you are the youngest here?", "you look so young"):
# no one else is asked for.
ABOUT_YOU = re.compile(  # folded, as normalise() leaves the text: "you look" is "you lok"
    r"\b(?:you are|you're|youre|ur the|are you|are u|you lok|u lok|ikaw ba|ikaw ang|ikaw ay|ikaw na|ka ba|du er|er du|ikaw ra|ka ra"
    r"|mukha kang|mukha ka|kang bata|bata mo|ka pa ba|ka na ba|bata pa ka|ka tan-awon|ka tanawon|murag bata ka|du ser|ser du)\b"
)


# A customer stating a child of his own with "I have" ("i have a son 10 yrs old", "i got 2 kids, 8 and 11").
_OWN_CHILD_HAD = re.compile(r"\bi\s+(?:have|got|'?ve got|ve got)\s+(?:a\s+|an\s+|one\s+|two\s+|\d\s+)?(?:son|daughter|kid|child|children|boy|baby)s?\b")


def young_you(text: str, hits: list[Hit]) -> bool:
    """Every child term is a tl / ceb predicate of the addressee: the young word, a few
    particles, then "ka" / "ikaw" ("bata pa kaayo ka", "bata ka pa", "ang bata mo pa"):
    she is said to be young, no other child is named (ask_forms.json `young_you_*`)."""
    terms = [h for h in hits if h.pattern.category in CHILD]
    forms = _ask_forms()
    return bool(terms) and all(
        forms.young_you_after.match(text, h.end) and not forms.young_you_not_after.search(text, max(0, h.start - 12), h.start)
        for h in terms
    )


def states_own_child(text: str) -> bool:
    return _OWN_CHILD_HAD.search(text) is not None


def question_about_you(text: str, f: MessageFacts, hits: list[Hit]) -> bool:
    """The only ask is a question form ("?", "ba", "is your"), and the question is about
    the one asked ("you look younger than 20?", "bata ka pa ba?", "bunso ka ba?"); or every
    child word of the line says the one asked is young ("bata pa kaayo ka, pila sa cam?")."""
    if young_you(text, hits) and not f.has("codeword", "join"):
        return True
    if f.has("want", "join", "media", "price", "price_word", "offer", "codeword"):
        return False  # "may bata ka ba para sa show?": a deal, not a question about her
    return not strong_request(text, hits) and ABOUT_YOU.search(text) is not None


class _AskForms(NamedTuple):
    weak: frozenset[str]  # request hits that are only a question form or an ask about "us"/"you"
    weak_rx: re.Pattern
    you_before: re.Pattern  # "your kids", "imong anak" (searched up to the term)
    you_after: re.Pattern  # "anak mo", "barna dine" (matched after the term)
    own_before: re.Pattern  # "my son", "akong anak"
    own_after: re.Pattern  # "anak ko", "sønnen min"
    own_inside: re.Pattern  # a term that starts with "my" (the lexicon's "my girl")
    adult_after: re.Pattern  # "young women", "unge damer"
    please: re.Pattern
    kin: frozenset[str]  # family words: "kids", "children", "anak", "barn"
    have_question: re.Pattern  # "do u have", "how many", "may anak ka", "har du barn"
    young_you_after: re.Pattern  # after a young word: " pa kaayo ka", " ka pa", " mo pa"
    young_you_not_after: re.Pattern  # before it: "may ", "naa ", "ug " (she is asked whether she has one)
    rhetorical: re.Pattern  # "can you believe it?", "kan du tro det", "akalain mo"


@lru_cache(maxsize=1)
def ask_forms_data() -> dict:
    """The word lists of `lexicons/ask_forms.json`, read once for the ask forms here and the
    travel kinds of travel_plans.py."""
    return json.loads((resources.files("vaktpost.text") / "lexicons" / "ask_forms.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _ask_forms() -> _AskForms:
    data = ask_forms_data()

    def words(key: str) -> str:
        return "|".join(re.escape(normalise(w)) for w in sorted(data[key], key=len, reverse=True))

    return _AskForms(
        weak=frozenset(normalise(w).strip() for w in data["weak_request"]) | {"?"},
        weak_rx=re.compile(data["weak_request_regex"]),
        you_before=re.compile(rf"(?:^|\W)(?:{words('addressee_before')})\s+(?:\w+\s+)?$"),
        you_after=re.compile(rf"^(?:'s)?\s+(?:{words('addressee_after')})\b"),
        own_before=re.compile(rf"(?:^|\W)(?:{words('own_before')})\s+(?:\w+\s+)?$"),
        own_after=re.compile(rf"^(?:'s)?\s+(?:{words('own_after')})\b"),
        own_inside=re.compile(rf"(?:{words('own_before')})\s"),  # .match at the term's start (no "^")
        adult_after=re.compile(rf"^\s+(?:{words('adult_nouns')})\b"),
        please=re.compile(rf"\b(?:{words('please')})\b"),
        kin=frozenset(normalise(w).strip() for w in data["kin_terms"]),
        have_question=re.compile(data["have_question_regex"]),
        rhetorical=re.compile(rf"\b(?:{words('rhetorical')})\b(?:\s+(?:it|that|this|det|dette|yan|kana|that one))?\s*[?!.]*"),
        young_you_not_after=re.compile(rf"(?:^|\W)(?:{words('young_you_not_after')})\s+$"),
        young_you_after=re.compile(rf"(?:\s+(?:{words('young_you_particles')}))*\s+(?:{words('young_you_pronouns')})\b"),
    )


def young_adults(text: str, hits: list[Hit]) -> bool:
    """Every child term is a young word before an adult noun ("young women", "unge damer")."""
    terms = [h for h in hits if h.pattern.category in CHILD]
    adult_after = _ask_forms().adult_after
    return bool(terms) and all(adult_after.match(text[h.end : h.end + 24]) for h in terms)


def strong_request(text: str, hits: list[Hit]) -> bool:
    """A request hit other than a bare question form or an ask about "us"/"you" (ask_forms.json)."""
    forms = _ask_forms()
    for h in hits:
        if h.pattern.category == "request":
            said = text[h.start : h.end].strip()
            if said not in forms.weak and not forms.weak_rx.match(said):
                return True
    return False


# What makes a customer's line a deal, not small talk: a wish, a join, a show or picture,
# money, availability, a trip, a younger one, a code word.
_DEAL = ("want", "join", "media", "media_third", "price", "price_word", "offer", "offer_question", "payment", "travel", "codeword", "young_ref", "age_probe")


_DEAL_BUT_YOUNG = tuple(c for c in _DEAL if c not in ("young_ref", "age_probe"))


def rhetorical_only(text: str, hits: list[Hit]) -> bool:
    """Every ask form of the line lies inside an exclamation shaped as a question ("can you
    believe it?", "kan du tro det", "akalain mo"; ask_forms.json `rhetorical`)."""
    asks = [h for h in hits if h.pattern.category == "request"]
    if not asks:
        return False
    spans = [m.span() for m in _ask_forms().rhetorical.finditer(text)]
    return bool(spans) and all(any(s <= h.start and h.end <= e for s, e in spans) for h in asks)


def _own(text: str, h: Hit) -> bool:
    """The child term is the writer's own ("my son", "anak ko", "akong anak", the lexicon's "my girl")."""
    forms = _ask_forms()
    return (
        forms.own_before.search(text, 0, h.start) is not None
        or forms.own_after.match(text[h.end : h.end + 12]) is not None
        or forms.own_inside.match(text, h.start) is not None
    )


def own_only(text: str, hits: list[Hit]) -> bool:
    terms = [h for h in hits if h.pattern.category in CHILD]
    return bool(terms) and all(_own(text, h) for h in terms)


def small_talk(text: str, f: MessageFacts, hits: list[Hit], innocent: bool) -> bool:
    """A customer's line that names a child without asking for one (fourth pass).

    The writer's own child or partner ("my son is calling", "my girl, send a pic") is never
    what a customer asks for. With no deal word and only question forms as the ask, a child
    in an innocent context ("kids are at school until 3, can we do it then?"), the
    performer's own family ("is your son home?", "anak mo ba yan?") is small talk. A
    have-question about family words only ("do you have kids?", "how many kids u have", "may
    anak ka ba?") is small talk too (session 4, the lead's probes): a request names what is
    asked for — a young one, an age, availability, a show — and any of those is a deal word.
    On unseen adult-commerce wording the bare question mark and the generic question forms
    made such lines requests and their writers "askers".
    """
    forms = _ask_forms()
    terms = [h for h in hits if h.pattern.category in CHILD]
    if not terms:
        return False
    if own_only(text, hits) and not f.has("codeword", "join"):
        return True
    if not f.has(*_DEAL_BUT_YOUNG) and rhetorical_only(text, hits):
        return True  # "the youngest got a new bike, can you believe it": an exclamation
    if f.has(*_DEAL) or strong_request(text, hits) or forms.please.search(text):
        return False
    if innocent:
        return True
    if all(any(w in forms.kin for w in text[h.start : h.end].split()) and _had(text, h, forms.have_question) for h in terms) and not f.ages:
        return True  # "do u have kids?", "how many kids u have", "may anak ka na ba?": her own family
    def small(h: Hit) -> bool:
        return (
            _own(text, h)
            or forms.you_before.search(text, 0, h.start) is not None
            or forms.you_after.match(text[h.end : h.end + 12]) is not None
        )
    return all(small(h) for h in terms)


_FILLER = re.compile(r"\s*(?:(?:any|a|an|some|own|noen|mga|ng|na|ba|ka|imong|your|ur)\s+){0,2}$")


def _had(text: str, h: Hit, question: re.Pattern) -> bool:
    """The family word is what the have-question asks about, right after it ("do u have
    (any) kids", "how many kids", "har du barn") — not "do u have access to kids"."""
    return any(m.end() <= h.start and _FILLER.match(text, m.end(), h.start) for m in question.finditer(text))


def implicit_ask(text: str, f: MessageFacts, role: Role, refused: bool, innocent: bool) -> bool:
    """A buyer's ask without a request verb: a child or a younger one named by a customer
    ("someone still in elementary school?", "a kiddo would be perfect"), joining ("can ur
    niece join"), or asking the age of the youngest ("ilang taon ang pinakabata mo")."""
    if refused or innocent:
        return False
    if f.has("join") and f.has(*CHILD):
        return True
    if f.has("age_probe") and f.has("young_ref"):
        return True
    if role is not Role.CUSTOMER or f.has("self_ref", "third_ref", "have"):
        return False
    if f.has("codeword"):
        return True  # "heard ur the one for <code word>": the code word is what is asked for
    if ABOUT_YOU.search(text):
        return False
    # A child named in small talk ("kids are expensive", "the kids next door are loud",
    # "happy children's day") asks for no one: it takes the form of an ask — a question, or
    # words of a deal (a show, a price, availability) — to be one.
    named = f.has("child", "young_ref") or (f.has("relative") and (_yours(text, f.hits["relative"]) or media_of(text, f.hits["relative"])))  # "video of your daughter", "vid of the nephew first"
    return named and ("?" in text or f.has("media", "price", "price_word", "offer", "offer_question"))


def _yours(text: str, h: Hit) -> bool:
    """The child term is the addressee's ("your daughter", "anak mo", "datteren din")."""
    forms = _ask_forms()
    return (
        forms.you_before.search(text, 0, h.start) is not None
        or forms.you_after.match(text[h.end : h.end + 12]) is not None
        or forms.you_after.match(" " + text[h.start : h.end].split()[-1]) is not None  # the lexicon's "anak mo"
    )


def says_please(text: str) -> bool:
    """"pls", "please", "plis", "vær så snill": a bare wish ("photos of her pls") asks."""
    return _ask_forms().please.search(text) is not None


# "is ur niece available too?", "are your kids free tonight", "available ba ang pamangkin
# mo": a yes/no question about the availability of someone of the addressee's (folded).
_AVAILABILITY_QUESTION = re.compile(
    r"^\W*(?:is|are|r|iz)\s+(?:ur|your|yor|the)\s+(?:[\w']+\s+){1,3}?(?:available|avail|avilable|availble|free)\b"
    r"|^\W*(?:(?:ok|okay|and|so)\W+){0,2}(?:does|do|can|will|would)\s+(?:ur|your|yor|the)\s+(?:[\w']+\s+){1,3}?(?:do|join|take|go on)\s+(?:shows?|cam|sesions?|cals?|video cals?)\b"
    r"|^\W*(?:available|avail|libre|bakante)\s+(?:ba|na ba)\b"
)


def availability_question(text: str) -> bool:
    """A question to the seller whether one of theirs is available asks, though "available"
    is an offer word: for exports with unknown roles, where the words decide (fifth pass)."""
    return _AVAILABILITY_QUESTION.search(text) is not None


# A relative named as what a picture or video is of ("vid of the nephew first", "pics of the
# niece") is the one asked for, as "your niece" would be.
_MEDIA_OF_BEFORE = re.compile(r"\b(?:pics?|photos?|pictures?|vids?|videos?|clips?|recordings?|selfies?|bilder?|video)\s+(?:of|av|ni|ng|sa)\s+(?:the\s+|that\s+|this\s+|ur\s+|your\s+)?(?:\w+\s+)?$")


def media_of(text: str, h: Hit) -> bool:
    return _MEDIA_OF_BEFORE.search(text[max(0, h.start - 40) : h.start]) is not None
