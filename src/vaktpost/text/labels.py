"""Message-level labelling: lexicon hits and ages → taxonomy labels with evidence.

Labels describe what a message does, so single words never decide a minor label: a child
term needs a request, a wish or an offer beside it, and an age needs to be a person's age
under 18. The hard negatives of the taxonomy are handled here: adult ages and "18+" veto
the minor labels when no age under 18 is given; a child mentioned with an innocent context
("asleep", "school") and no offer is not an offer; ages of things never count (ages.py).
What needs the conversation (an answer "yes" to a request, an age given in answer to "how
old is she?") is dialogue.py's job; this module exposes the facts it needs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from vaktpost.model import Label, Role
from vaktpost.text.ages import AgeMention, find_ages
from vaktpost.text.ask_stance import a_little, negated_media, offers_own, states_age
from vaktpost.text.asks import (
    CHILD,
    IN_PERSON,
    NO_ADULTS,
    SHOWN,
    asks_for_media,
    availability_question,
    definite_child,
    implicit_ask,
    offer_opening,
    own_only,
    probe_inside_ask,
    probe_words_of_the_ask,
    question_about_you,
    says_please,
    small_talk,
    states_own_child,
    travel_without_plan,
    under_n_about_you,
    young_adults,
)
from vaktpost.text.matcher import Hit
from vaktpost.text.offers import age_alone, asks_whether_child, child_named_before, offered_number, reply_forms, seller_line

# Categories that label a message by themselves.
DIRECT = {
    "payment": Label.PAYMENT_CHANNEL,
    "off_platform": Label.OFF_PLATFORM_MOVE,
    "trust_gifts": Label.TRUST_GIFTS,
    "secrecy": Label.SECRECY,
    "travel": Label.TRAVEL_MEETING,
    "coercion": Label.COERCION_SEXTORTION,
    "age_probe": Label.AGE_PROBE,
    "codeword": Label.EVASION_CODEWORD,
}
BUYER_ROLES = (Role.CUSTOMER, Role.UNKNOWN)
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=1)
def rule_scores() -> dict[str, float]:
    data = json.loads((resources.files("vaktpost.text") / "lexicons" / "rules.json").read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


LEARNED_RULE = "learned"  # the rule name of the learned stage's labels ("learned" or "learned:<source>")


@dataclass(slots=True)
class Proposed:
    """A label proposed for a message, with its evidence in normalised offsets."""

    label: Label
    start: int
    end: int
    rule: str
    score: float

    @property
    def by_model(self) -> bool:
        return self.rule.partition(":")[0] == LEARNED_RULE


@dataclass(slots=True)
class MessageFacts:
    """What the matcher and the age parser found in one message (normalised offsets)."""

    hits: dict[str, Hit] = field(default_factory=dict)  # first hit per category
    ages: list[AgeMention] = field(default_factory=list)
    proposed: list[Proposed] = field(default_factory=list)
    # A customer's bare number question ("12?", "is 11 possible"): an age only in a
    # conversation already about a child — the dialogue decides; elsewhere it is a price,
    # a time, minutes or a count ("show is 20 usd" — "15?").
    age_question: AgeMention | None = None

    def has(self, *categories: str) -> bool:
        hits = self.hits
        for c in categories:
            if c in hits:
                return True
        return False

    def span(self, *categories: str) -> tuple[int, int, str]:
        for c in categories:
            h = self.hits.get(c)
            if h is not None:
                return h.start, h.end, h.pattern.rule
        return 0, 0, ""

    def minor_ages(self, kinds=("person", "third", "under", "grade")) -> list[AgeMention]:
        return [a for a in self.ages if a.kind in kinds and a.minor]

    @property
    def adult_only(self) -> bool:
        """An adult age or "18+" is given and no age under 18 is."""
        adult = any(a.kind != "bare" and not a.minor for a in self.ages) or "adult_marker" in self.hits
        return adult and not any(a.minor and a.kind != "bare" for a in self.ages)

    def labels(self) -> set[Label]:
        return {p.label for p in self.proposed}

    def add(self, label: Label, span: tuple[int, int, str], rule: str) -> None:
        s, e, source = span
        name = f"{rule}:{source}" if source else rule
        self.proposed.append(Proposed(label, s, e, name, rule_scores().get(rule, 0.8)))


NOTHING = MessageFacts()  # shared by every message with no hit and no number; never changed


def facts_for(text: str, hits: list[Hit]) -> MessageFacts:
    f = MessageFacts()
    for h in hits:
        prev = f.hits.get(h.pattern.category)
        if prev is None or (h.end - h.start) > (prev.end - prev.start) and h.start <= prev.start:
            f.hits[h.pattern.category] = h
    f.ages = find_ages(text)
    return f


def speech_act(f: MessageFacts, role: Role) -> str:
    """"ask" (a buyer's request), "offer" (a seller's offer or confirmation) or "tell".

    The sender's role decides where the platform knows it; otherwise the words do: "do
    you want…", "I have…", "yes…" offer; a request or a wish asks; a plain statement of
    an age ("she is 11") tells, and counts as an offer.
    """
    if role is Role.CUSTOMER:
        return "ask"
    if role in (Role.PERFORMER, Role.FACILITATOR):
        return "offer"
    if (f.has("offer_question") and not _inside(f.hits.get("offer_question"), f.hits.get("request"))) or (f.has("have") and not _inside(f.hits.get("have"), f.hits.get("request"))) or (f.has("affirm") and not f.has("want", "request")):
        return "offer"
    if f.has("request", "want") or any(a.kind == "under" for a in f.ages):
        return "ask"  # "any small ones available?" asks, though "available" is there
    if f.has("offer"):
        return "offer"  # "available for a live show"
    if f.has("media"):
        return "ask"
    return "offer"


def _moves_off_platform(text: str, hits: list[Hit], payment: bool) -> bool:
    """Whether the off-platform hits are a move to another app or a contact handed over.

    An app name or a phrase ("text me", "add me on") is one. A bare identifier (digits, "@"
    or "." in the match: a phone number, an e-mail, an @handle, a link) is one only where no payment
    route is named — beside GCash or PayPal the number is the account to pay into — and a
    digit run is a phone number only with at least 9 digits and no " - " (not "10 000 -
    20 000", a price range). On train data the phone pattern alone fired on ~2,300 payment
    lines per 100k messages, hidden only by the learned stage, and only for phrasings it
    had seen.
    """
    for h in hits:
        if h.pattern.category != "off_platform":
            continue
        span = text[h.start : h.end]
        digits = sum(c.isdigit() for c in span)
        address = "@" in span or "." in span  # e-mail, @handle, "gmail.com", "t.me/"
        if not digits and not address:
            return True
        if payment:
            continue
        if address or (digits >= 9 and " - " not in span):
            return True
    return False


def _age_span(age: AgeMention) -> tuple[int, int, str]:
    return age.start, age.end, f"age<{age.value + 1}" if age.kind == "under" else f"age={age.value}"


def label_message(text: str, hits: list[Hit], role: Role) -> MessageFacts:
    """Rules that need only the message itself; returns the facts with proposed labels."""
    f = facts_for(text, hits)
    if not f.hits and not f.ages:
        return f
    probe_words_of_the_ask(text, f)  # "need someone still in school", "passed the age check"
    travel_without_plan(text, f, hits)  # "catch u next week", "ulan dito sa Cebu"
    return probe_inside_ask(text, _label_rules(text, f, hits, role), hits)


def _label_rules(text: str, f: MessageFacts, hits: list[Hit], role: Role) -> MessageFacts:
    reply_forms(text, f.hits, hits)  # "ok and does she…" no yes; "no problem" no no; "we can," no ask
    for category, label in DIRECT.items():
        if category in f.hits:
            if category == "off_platform" and not _moves_off_platform(text, hits, f.has("payment")):
                continue  # "GCash 0917 123 4567", "PayPal: x@y.com": the number is the payment route
            f.add(label, f.span(category), "age_probe" if category == "age_probe" else "lexicon")
    if f.has("price") or (f.has("price_word") and _DIGIT.search(text)):
        f.add(Label.PRICE_NEGOTIATION, f.span("price", "price_word"), "price.amount")
    elif f.has("price_word"):
        f.add(Label.PRICE_NEGOTIATION, f.span("price_word"), "lexicon")

    if "media" in f.hits and IN_PERSON.search(text) and all(
        SHOWN.match(text, h.start) for h in hits if h.pattern.category == "media"
    ):
        del f.hits["media"]  # "want to see the kid in person": a meeting, not a picture or a show
    if "request" in f.hits and "coercion" in f.hits and all(
        any(_inside(h, c) for c in hits if c.pattern.category == "coercion") for h in hits if h.pattern.category == "request"
    ):
        del f.hits["request"]  # "i'll share the pics with ur class": the threat's verb asks for nothing
    if "media" in f.hits and negated_media(text, hits):
        del f.hits["media"]  # "dont show this to anyone": a secret kept, not a picture asked for
    if a_little(text, f):
        del f.hits["young_ref"]  # ceb "mahal gamay": a bit expensive
    if young_adults(text, hits):
        for c in CHILD:  # "young women", "unge damer": an adult with a young word
            f.hits.pop(c, None)
    minor_ages = f.minor_ages()
    child = f.has(*CHILD)
    if not minor_ages and child and f.has("request", "want", "offer", "have", "affirm", "offer_question") and not f.has("innocent", "thing"):
        counts = {h.start for c, h in f.hits.items() if c in CHILD}  # "2 kids" is a count, not an age
        minor_ages = [a for a in f.ages if a.kind == "bare" and a.minor and a.end + 1 not in counts]
    elif not minor_ages and f.has("have") and not f.has("innocent", "thing") and not _possessive_only(text, hits):
        # "I have a 12", "jeg har en på 12", "may 12 ako", "naa koy 12": the number right
        # after an "I have" is the one offered
        h = f.hits["have"]
        minor_ages = [
            a for a in f.ages
            if a.kind == "bare" and a.minor and h.start <= a.start <= h.end + 12 and _ENDS_AGE.match(text, a.end)
            and not (text.startswith("may", h.start) and not _MAY_AKO.match(text, a.end))  # "on May 2 for work"
        ]
    self_minor = [a for a in f.ages if a.kind == "self" and a.minor]
    if self_minor and not f.has("self_ref") and _child_first(f, self_minor[0]):
        self_minor = []  # "datteren min er går i 2. klasse": the daughter's class, not the writer's
    if f.has("self_young"):  # "mamma sier jeg er for ung ... 17 år", "bata pa ako, 11 anyos"
        self_minor += [a for a in f.ages if a.minor and a.kind in ("person", "third", "bare")]
        minor_ages = []
        child = f.has("relative", "codeword")
    elif self_minor and f.has("have", "offer_question") and not _possessive_only(text, hits):
        minor_ages, self_minor = self_minor + minor_ages, []  # "may 12 ako dito", "meron ako, 12 anyos"
    elif (
        not self_minor and f.has("self_ref") and not f.has("third_ref", "have", "offer", "offer_question", *CHILD)
        and not _wanting_subject(f)
    ):
        self_minor = [a for a in minor_ages if a.kind == "person"]
        minor_ages = [a for a in minor_ages if a not in self_minor]
    school = _own_school(text, f)  # "only 14 yrs, in middle school": the school is the writer's
    about_other = f.has("have", "offer", "offer_question") or (f.has(*CHILD) and not school) or (
        f.has("third_ref") and not _inside(f.hits.get("third_ref"), f.hits.get("self_age"))  # nb "13 år her"
    )
    if not self_minor and f.has("self_age") and not about_other and not f.has("price", "price_word", "payment") and not child_named_before(text, f.hits["self_age"].start):
        self_minor = _shorthand_age(text, f.hits["self_age"])  # "14 here", "age 13", "14f", "14 na ako"
    if self_minor:
        f.add(Label.SELF_DISCLOSED_MINOR, _age_span(self_minor[0]), "age.self")
        if not child or school:
            return f  # about oneself: no one is asked for or offered
    elif f.has("self_underage") and not about_other:  # "not 18 yet", "hindi pa ako 18", "ikke 18 enda"
        f.add(Label.SELF_DISCLOSED_MINOR, f.span("self_underage"), "self.underage")
        return f
    elif role is not Role.CUSTOMER and (alone := age_alone(text, f)) is not None:
        # "13 yrs old", "16 år gammel" as a whole line: the writer's own age. In a conversation
        # about a child the dialogue gives it to the child (an answer, a confirmation).
        f.add(Label.SELF_DISCLOSED_MINOR, _age_span(alone), "age.alone")
        return f
    no_adults = role in BUYER_ROLES and NO_ADULTS.search(text) is not None  # "no adults pls, someone in elementary"
    if (f.adult_only or (not minor_ages and _ADULT_FLOOR.search(text))) and not f.has("child", "relative", "codeword") and not no_adults:
        return f  # "youngest here, 19 y/o", "youngest I want is 18": young words of an adult
    seller = seller_line(text) if role is not Role.CUSTOMER else None
    if seller is not None and not minor_ages:
        minor_ages = offered_number(text, f)  # "interested ka ba sa 15 for live": the number is the one offered
    if not minor_ages and not child and role in BUYER_ROLES:
        f.age_question = next(iter(_bare_age_ask(text, f, role)), None)  # "12?": for the dialogue
    if not minor_ages and not child:
        if f.has("media_third") and (f.has("want", "request") or says_please(text)) and speech_act(f, role) == "ask" and not f.has("price", "price_word"):
            f.add(Label.CONTENT_REQUEST, f.span("media_third"), "content.third")  # "I want a show with her"
        return f
    stance = speech_act(f, role)
    if stance == "ask" and role is not Role.CUSTOMER and _affirmed(text, f):
        stance = "offer"  # "pwede po, grade 5 siya": tl/ceb "pwede" opening a reply is a yes
    if role is Role.UNKNOWN and offer_opening(text):
        stance = "offer"  # "have a little one for session, 12yo", "offering show with ...": a seller's opening
    if seller is not None:
        stance = "offer"  # "i can add my niece 7 yrs for extra", "special tonight: ...", "interested ka ba sa 15"
    asked_about = role in BUYER_ROLES and seller is None and asks_whether_child(text)
    if asked_about:
        stance = "ask"  # "ok and does the niece do shows too, shes 8 right": a question, no offer
    if stance == "ask" and role is Role.UNKNOWN and (offers_own(text, f, hits, bool(minor_ages)) or states_age(text, f, hits)):
        stance = "offer"  # "andito rin pamangkin q 12yo, interested ka?": one's own, put forward
    if no_adults or (role is Role.UNKNOWN and availability_question(text)):
        stance = "ask"  # "is ur niece available too, 9 is fine": asks the seller
    refused = f.has("refusal") and not no_adults
    innocent = _innocent(f, hits) and not f.has("offer")  # own children asleep, at school: no offer
    media = f.has("media")
    span = _age_span(minor_ages[0]) if minor_ages else f.span("child", "young_ref", "codeword", "relative")
    decisive = bool(minor_ages)
    if stance == "ask":
        asks = f.has("request", "want") or no_adults or implicit_ask(text, f, role, refused, innocent) or (
            asked_about and f.has("media", "join", "offer") and (decisive or f.has("young_ref", "codeword")) and not innocent
        )  # "…does the niece do shows too, shes 8 right"; not "is ur cousin available too, 19 is fine"
        if under_n_about_you(text, f, minor_ages):
            if Label.AGE_PROBE not in f.labels():
                f.add(Label.AGE_PROBE, span, "age_probe")
            return f  # "are you under 18?", "u under 18?", "er du under 18?": her own age, asked — no child asked for
        if asks and not decisive and question_about_you(text, f, hits):
            asks = False  # "you are the youngest here?": a question about the performer herself
        if asks and f.has("travel") and all(a.kind == "bare" for a in minor_ages) and definite_child(text, hits) and not (
            media and asks_for_media(text, hits, minor_ages)  # "vid of the nephew first, then we book": the video is asked
        ):
            return f  # "can u bring your son to the hotel", "next month, want to see the kid in person": a travel plan
        if decisive and own_only(text, hits) and not f.has("join", "codeword", "offer") and _possessive_only(text, hits):
            return f  # "have a nice day, my son turns 10 today": the customer's own child
        if asks and not decisive and not no_adults and small_talk(text, f, hits, innocent):
            return f  # "is your son home?", "do you have kids?", "my girl, send a pic"
        if innocent and not asks:
            return f
        if decisive and not asks and role is Role.CUSTOMER and states_own_child(text):
            return f  # "i have a son 10 yrs old": the customer's own child, stated
        if not decisive and not asks:
            return f
        if media and not f.has("join") and asks_for_media(text, hits, minor_ages):
            f.add(Label.CONTENT_REQUEST, span, "content.request")
        else:
            f.add(Label.MINOR_REQUEST, span, "age.request" if decisive else "child.request")
    elif stance == "offer" and _addressees_child(text, hits) and not own_only(text, hits):  # tl "din" is "also": "andito din pinsan q"
        # "is ur niece available too, 16yo is fine": the availability of the addressee's
        # child is asked about, not offered — a request when it gives an age or a young one
        if f.has("offer") and (decisive or f.has("young_ref", "codeword")) and not _innocent(f, hits) and not refused and not f.has("price", "price_word", "payment", "travel"):
            f.add(Label.MINOR_REQUEST, span, "age.request" if decisive else "child.request")
    elif stance == "offer" and not innocent and not (refused and not f.has("offer", "have")):
        # Without an age, a bare "yes"/"ok" or "my daughter" beside a child word offers no one:
        # an answer to a pending request is the dialogue's to confirm ("yes, my niece").
        # With an age, a plain statement ("my daughter is 12 today", "my 10 yo has homework")
        # offers no one either: only an offer, an "I have", a price or a leading "yes" does;
        # the same words answering a request are the dialogue's ("she's 12" → confirmed).
        have = f.has("have") and not _possessive_only(text, hits)
        offering = f.has("offer", "offer_question", "price", "price_word") or have or _leading(f, "affirm") or offer_opening(text)
        if seller is not None and not (decisive and offering) and not f.has("offer", "offer_question"):
            f.add(Label.MINOR_CONFIRMED, (span[0], span[1], seller), "seller.offer")
        elif (decisive and offering) or f.has("offer", "offer_question") or (have and f.has("child", "young_ref", "codeword")):
            f.add(Label.MINOR_CONFIRMED, span, "age.offer" if decisive else "child.offer")
    return f


# "youngest I want is 18", "at least 19": a bare adult number stated as the age floor, or an
# adult range beside a young word ("young ones 18-19", "younger friends? 18 or 19 ok").
_ADULT_FLOOR = re.compile(
    r"\b(?:is|are|be|least|atleast|over|min|minimum|from|fra|mula|gikan|like|around|about|rundt|mga)\s+(?:1[89]|[2-5]\d)\b(?!\s*(?:min|mins|minutes|usd|php|nok|kr|eur|\$|pesos?))"
    r"|\b(?:1[89]|[2-5]\d)\s*(?:-|to|or|/|til|hanggang|ug|o)\s*(?:1[89]|[2-5]\d)\b(?!\s*(?:min|mins|minutes|usd|php|nok|kr|eur|\$|pesos?|hours?|hrs?))"
)
# A customer's whole message that is an age and a question: "12?", "11 or 12?", "is 12 possible",
# "12 ok?", "en på 12?" is covered by ages.py; bare numbers elsewhere are prices or times.
_BARE_AGE_ASK = re.compile(
    r"^\s*(?:and\s+|or\s+|so\s+|what about\s+|how about\s+|is\s+|would\s+|can\s+|maybe\s+|pwede\s+(?:ba\s+)?(?:ang\s+|yung\s+)?|kumusta\s+ang\s+)?"
    r"(?P<n>\d{1,2})(?:\s*(?:or|o|eler|/|-)\s*\d{1,2})?"
    r"\s*(?:be\s+)?(?:possible|posible|ok|okay|available|avail|fine|pwede|puwede|mulig|går det|pde)?\s*(?:ba|po|pls|please)?\s*\?+\s*$"
)


def _bare_age_ask(text: str, f: MessageFacts, role: Role) -> list[AgeMention]:
    """An age asked for with the number alone — only a customer's short question, only
    numbers a child's age could be (5–15), never with a price, time or adult word."""
    if role is not Role.CUSTOMER or f.has("price", "price_word", "payment", "adult_marker", "thing", "travel", "age_probe"):
        return []
    m = _BARE_AGE_ASK.match(text)
    if m is None or not 5 <= int(m.group("n")) <= 15:
        return []
    return [a for a in f.ages if a.kind == "bare" and a.minor][:1]


def _inside(inner: Hit | None, outer: Hit | None) -> bool:
    """Both hits are there and `inner` lies within `outer` ("meron" in "meron bang")."""
    return inner is not None and outer is not None and outer.start <= inner.start and inner.end <= outer.end


def _wanting_subject(f: MessageFacts) -> bool:
    """The self-reference is the one who wants ("gusto ko", "gusto nako"): not about oneself."""
    me = f.hits.get("self_ref")
    return any(_inside(me, f.hits.get(c)) for c in ("want", "request"))


def _innocent(f: MessageFacts, hits: list[Hit]) -> bool:
    """An innocent context that is not part of the child term itself ("elementary school";
    but "school girl costume" has one outside it)."""
    if "innocent" not in f.hits:
        return False
    terms = [h for h in hits if h.pattern.category in CHILD]
    return any(
        h.pattern.category == "innocent" and not any(t.start <= h.start and h.end <= t.end for t in terms) for h in hits
    )


# The child is the addressee's: "is ur nephew available too", "pwede ba ang anak mo",
# "imong anak", "er dattera di ledig". No one offers someone else's child back to them.
_YOUR_BEFORE = re.compile(r"\b(?:your|ur|yur|yr|imong|imo|din|di|ditt|dine)\s+(?:[a-z']+\s+)?$")
_YOUR_AFTER = re.compile(r"^\s+(?:mo|nimo|nimu|mu|din|di|ditt)\b")


def _addressees_child(text: str, hits: list[Hit]) -> bool:
    """Every child or relative word of the line belongs to the one addressed: the line asks
    about their child ("is ur niece available too, 16yo is fine"), it offers no one."""
    terms = [h for h in hits if h.pattern.category in ("child", "relative", "young_ref")]
    return bool(terms) and all(
        _YOUR_BEFORE.search(text[max(0, h.start - 24) : h.start]) or _YOUR_AFTER.match(text[h.end : h.end + 8]) for h in terms
    )


_POSSESSIVE = re.compile(r"^(?:my|our|akong|min|mi|mit)\b|\b(?:ko|min|mi|mit|nako)$")


def _possessive_only(text: str, hits: list[Hit]) -> bool:
    """Every "have" hit is a possessive ("my niece", "pamangkin ko", "datteren min"), which
    names one's relative; "I have", "meron ako", "naa koy", "jeg har" offer one."""
    return all(_POSSESSIVE.search(text[h.start : h.end]) for h in hits if h.pattern.category == "have")


# After an offered number: the end, a stop, or a word that goes with a person ("I have a 12
# if you want", "may 12 ako dito", "jeg har en på 12 her") — not a unit ("12 inch", "13 hour").
_ENDS_AGE = re.compile(
    r"\s*(?:$|[,.!?;:)]|(?:if|for|here|now|tonight|available|ready|and|or|y|po|ako|aq|kami|dito|diri|ko|koy|mi|her|hvis|til|klar|ledig|din|rin)\b)"
)
_MAY_AKO = re.compile(r"\s*(?:din\s+|rin\s+)?(?:po\s+)?(?:ako|aq|kami)\b")  # tl "may 12 ako": not the month "May 12" ("busy until May 5 po")
_NUMBER = re.compile(r"\d{1,2}")


def _shorthand_age(text: str, hit: Hit) -> list[AgeMention]:
    """The age in a chat-shorthand self statement ("14f", "age 13", "13 years old here")."""
    m = _NUMBER.search(text, hit.start, hit.end)
    if m is None or int(m.group()) >= 18:
        return []
    return [AgeMention(int(m.group()), m.start(), m.end(), "self")]


_SCHOOL = re.compile(r"\b(?:schol|elementary|grade|klase|skole|ungdomskole|barneskole|eskwela|elementarya)")


def _child_first(f: MessageFacts, age: AgeMention) -> bool:
    """A child or relative is named before the age: the age is theirs."""
    return any(c in f.hits and f.hits[c].start < age.start for c in CHILD)


def _own_school(text: str, f: MessageFacts) -> bool:
    """The only child words are a school level named after one's own shorthand age ("only 14
    yrs, in middle school", "bare 12, går i 7. klasse"): the school is the writer's."""
    me = f.hits.get("self_age")
    if me is None:
        return False
    kids = [f.hits[c] for c in CHILD if c in f.hits]
    # after the shorthand age, or inside it ("går på ungdomsskolen, 15": the school attended)
    return bool(kids) and all(h.start >= me.start and _SCHOOL.search(text, h.start, h.end) for h in kids)


_QUESTION_PARTICLE = re.compile(r"\b(?:ba|bah|bay|kaya|eh)\b")


def _affirmed(text: str, f: MessageFacts) -> bool:
    """The only request word is the yes the line opens with ("pwede po, grade 5 siya",
    "pwede, 10 anyos"): no question mark, no question particle, no wish."""
    a, r = f.hits.get("affirm"), f.hits.get("request")
    return (
        a is not None and r is not None and a.start <= 2 and (r.start, r.end) == (a.start, a.end)
        and not f.has("want") and "?" not in text and _QUESTION_PARTICLE.search(text) is None
    )


def _leading(f: MessageFacts, category: str) -> bool:
    """The message opens with this category ("yes, 13", "oo, dose anyos")."""
    h = f.hits.get(category)
    return h is not None and h.start <= 2
