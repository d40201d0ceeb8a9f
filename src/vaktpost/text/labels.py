"""Message-level labelling: lexicon hits and ages → taxonomy labels with evidence.

Labels describe what a message does, so single words never decide a minor label: a child
term needs a request, a wish or an offer beside it, and an age needs to be a person's age
under 18. The hard negatives of the taxonomy are handled here: adult ages and "18+" veto
the minor labels when no age under 18 is given; a child mentioned with an innocent context
("asleep", "school") and no offer is not an offer; ages of things never count (ages.py).
What needs the conversation (an answer "yes" to a request, an age given in answer to "how
old is she?") is dialogue.py's job; this module exposes the facts it needs.

The rule groups it calls live beside it: the facts of a message (facts.py), the stance of a
line — ask, offer or tell (ask_stance.py, offers.py) — the forms of a buyer's ask (asks.py),
of an age question (probes.py) and of a travel plan (travel_plans.py), and whose age a
number is (age_reading.py). The names other modules import from here stay importable here.
"""

from __future__ import annotations

import re

from vaktpost.model import Label, Role
from vaktpost.text.age_reading import (
    adult_floor,
    age_span,
    bare_age_ask,
    child_first,
    number_after_have,
    own_school,
    own_stage,
    shorthand_age,
    sought_age,
    wanting_subject,
)
from vaktpost.text.ask_look_alikes import only_question_forms, own_childrens_ages, pwede_statement, seller_question
from vaktpost.text.ask_stance import (
    a_little,
    addressees_child,
    affirmed,
    leading,
    negated_media,
    offers_own,
    possessive_only,
    speech_act,
    states_age,
)
from vaktpost.text.asks import (
    CHILD,
    IN_PERSON,
    SHOWN,
    asks_for_media,
    availability_question,
    definite_child,
    implicit_ask,
    offer_opening,
    own_only,
    question_about_you,
    rules_out_adults,
    says_please,
    small_talk,
    states_own_child,
    young_adults,
)
from vaktpost.text.child_service import pupils_not_writer, serves_children
from vaktpost.text.facts import (
    LEARNED_RULE,
    NOTHING,
    MessageFacts,
    Proposed,
    facts_for,
    inside,
    rule_scores,
)
from vaktpost.text.matcher import Hit
from vaktpost.text.offers import (
    CLOCK,
    age_alone,
    asks_whether_child,
    child_named_before,
    offered_number,
    reply_forms,
    seller_line,
)
from vaktpost.text.probes import probe_inside_ask, probe_words_of_the_ask, under_n_about_you
from vaktpost.text.request_object import request_object
from vaktpost.text.travel_plans import travel_without_plan

# The names other modules and tests import from here (dialogue.py, learned.py, memo.py,
# text/__init__.py): the facts' types moved to facts.py, the stance helpers to ask_stance.py.
__all__ = [
    "BUYER_ROLES", "CHILD", "DIRECT", "LEARNED_RULE", "NOTHING", "MessageFacts", "Proposed",
    "facts_for", "label_message", "rule_scores", "speech_act",
]
_leading = leading  # dialogue.py's name for it

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
        digits = sum(map(str.isdigit, span))
        address = "@" in span or "." in span  # e-mail, @handle, "gmail.com", "t.me/"
        if not digits and not address:
            return True
        if payment:
            continue
        if address or (digits >= 9 and " - " not in span):
            return True
    return False


def label_message(text: str, hits: list[Hit], role: Role, ages: list | None = None) -> MessageFacts:
    """Rules that need only the message itself; returns the facts with proposed labels.
    `ages`: `find_ages(text)` where the caller has it already (facts.facts_for)."""
    f = facts_for(text, hits, ages)
    if not f.hits and not f.ages:
        return f
    if serves_children(f, hits):  # "swim school has a place for kids of 9", "I mind my niece after school"
        f.serves_children = f.not_an_ask = True
    if role in (Role.PERFORMER, Role.FACILITATOR):
        f.not_an_ask = True  # the seller's side asks for no child (no dialogue rule makes it a request)
    if f.ages or _DIGIT.search(text):
        m = CLOCK.search(text)  # "10 pm", "alas 7": a schedule (dialogue.terms)
        if m is not None:
            f.when = m.span()
    probe_words_of_the_ask(text, f)  # "need someone still in school", "passed the age check"
    travel_without_plan(text, f, hits)  # "catch u next week", "ulan dito sa Cebu"
    f = probe_inside_ask(text, _label_rules(text, f, hits, role), hits)
    if role in BUYER_ROLES and "request" in f.hits:
        f.weak_ask = only_question_forms(text, f, hits)  # "anjan ka pa ba?": no ask a later offer answers
    return f


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
        any(inside(h, c) for c in hits if c.pattern.category == "coercion") for h in hits if h.pattern.category == "request"
    ):
        del f.hits["request"]  # "i'll share the pics with ur class": the threat's verb asks for nothing
    if "media" in f.hits and negated_media(text, hits):
        del f.hits["media"]  # "dont show this to anyone": a secret kept, not a picture asked for
    if a_little(text, f):
        del f.hits["young_ref"]  # ceb "mahal gamay": a bit expensive
    if young_adults(text, hits):
        for c in CHILD:  # "young women", "unge damer": an adult with a young word
            f.hits.pop(c, None)
    for c in CHILD:  # "no one under 18 here": the child word is inside an adult floor (ages.py)
        h = f.hits.get(c)
        if h is not None and any(a.kind == "person" and a.value >= 18 and a.start <= h.start and h.end <= a.end for a in f.ages):
            del f.hits[c]
    minor_ages = f.minor_ages()
    child = f.has(*CHILD)
    if not minor_ages and child and f.has("request", "want", "offer", "have", "affirm", "offer_question") and not f.has("innocent", "thing"):
        counts = {h.start for c, h in f.hits.items() if c in CHILD}  # "2 kids" is a count, not an age
        minor_ages = [a for a in f.ages if a.kind == "bare" and a.minor and a.end + 1 not in counts]
    elif not minor_ages and f.has("have") and not f.has("innocent", "thing") and not possessive_only(text, hits):
        minor_ages = number_after_have(text, f)  # "I have a 12", "jeg har en på 12", "may 12 ako"
    self_minor = [a for a in f.ages if a.kind == "self" and a.minor]
    if self_minor and not f.has("self_ref") and child_first(f, self_minor[0]):
        self_minor = []  # "datteren min er går i 2. klasse": the daughter's class, not the writer's
    if self_minor and (_not_own(f, self_minor[0].start) or _subject_before(text, f, self_minor[0].start)):
        self_minor = []  # "my eldest just turned 6": one's child's birthday; "nung grade 6 ako": a stage long past
    if f.has("self_young"):  # "mamma sier jeg er for ung ... 17 år", "bata pa ako, 11 anyos"
        self_minor += [a for a in f.ages if a.minor and a.kind in ("person", "third", "bare")]
        minor_ages = []
        child = f.has("relative", "codeword")
    elif self_minor and (_before(f, "have", self_minor[0].end) or f.has("offer_question")) and not possessive_only(text, hits):
        # "may 12 ako dito", "meron ako, 12 anyos": the "have" puts the number forward; one
        # after the age is the writer's own ("im 12 and i have curfew", "im in grade 5 so i have school")
        minor_ages, self_minor = self_minor + minor_ages, []
    elif (
        not self_minor and f.has("self_ref") and not f.has("third_ref", "have", "offer", "offer_question", "kin_subject", *CHILD)
        and not wanting_subject(f)
    ):
        self_minor = [a for a in minor_ages if a.kind == "person" and not sought_age(text, f, a)]  # not "im looking 4 6 years old"
        minor_ages = [a for a in minor_ages if a not in self_minor]
    if not self_minor and not f.has("self_young") and (own := own_stage(text, f, role, hits)):
        self_minor = own  # "ako grade 4 pa", "mom says homework first, grade 5 stuff", "12yo next month, cant go out late"
        minor_ages = [a for a in minor_ages if a not in own]
    school = own_school(text, f)  # "only 14 yrs, in middle school": the school is the writer's
    about_other = f.has("have", "offer", "offer_question") or (f.has(*CHILD) and not school) or (
        f.has("third_ref") and not inside(f.hits.get("third_ref"), f.hits.get("self_age"))  # nb "13 år her"
    )
    if not self_minor and f.has("self_age") and not about_other and not f.has("price", "price_word", "payment") and not child_named_before(text, f.hits["self_age"].start) and not _not_own(f, f.hits["self_age"].end):
        self_minor = shorthand_age(text, f.hits["self_age"])  # "14 here", "age 13", "14f", "14 na ako"
    if self_minor and pupils_not_writer(text, f):
        self_minor = []  # "svømmekurs for alle som går i 5. klasse": the pupils a service is for, not the writer
    if self_minor:
        f.add(Label.SELF_DISCLOSED_MINOR, age_span(self_minor[0]), "age.self")
        if not child or school:
            return f  # about oneself: no one is asked for or offered
    elif f.has("self_underage") and not about_other:  # "not 18 yet", "hindi pa ako 18", "ikke 18 enda"
        f.add(Label.SELF_DISCLOSED_MINOR, f.span("self_underage"), "self.underage")
        return f
    elif role is not Role.CUSTOMER and (alone := age_alone(text, f)) is not None:
        # "13 yrs old", "16 år gammel" as a whole line: the writer's own age. In a conversation
        # about a child the dialogue gives it to the child (an answer, a confirmation).
        f.add(Label.SELF_DISCLOSED_MINOR, age_span(alone), "age.alone")
        return f
    if f.serves_children:
        return f  # a school, club, clinic or carer speaking of a child by age: no one asked for or offered
    no_adults = role in BUYER_ROLES and rules_out_adults(text)  # "no adults pls, someone in elementary"
    if (f.adult_only or (not minor_ages and adult_floor(text))) and not f.has("child", "relative", "codeword") and not no_adults:
        return f  # "youngest here, 19 y/o", "youngest I want is 18": young words of an adult
    seller = seller_line(text) if role is not Role.CUSTOMER else None
    if seller is None and role is not Role.CUSTOMER:
        seller = seller_question(text, hits)
        if seller is None and role is Role.UNKNOWN and (minor_ages or child) and pwede_statement(text, hits):
            seller = "offer.pwede"  # "u need one of 16 yrs?", "u get me and the small one", "game ka po?"
    if seller is not None and not minor_ages:
        minor_ages = offered_number(text, f)  # "interested ka ba sa 15 for live": the number is the one offered
    if not minor_ages and not child and role in BUYER_ROLES:
        f.age_question = next(iter(bare_age_ask(text, f, role)), None)  # "12?": for the dialogue
    if not minor_ages and not child:
        if f.has("media_third") and (f.has("want", "request") or says_please(text)) and speech_act(f, role) == "ask" and not f.has("price", "price_word"):
            f.add(Label.CONTENT_REQUEST, f.span("media_third"), "content.third")  # "I want a show with her"
        return f
    stance = speech_act(f, role)
    if stance == "ask" and role is not Role.CUSTOMER and affirmed(text, f):
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
    span = age_span(minor_ages[0]) if minor_ages else f.span("child", "young_ref", "codeword", "relative")
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
        if decisive and own_only(text, hits) and not f.has("join", "codeword", "offer") and possessive_only(text, hits):
            f.not_an_ask = True
            return f  # "have a nice day, my son turns 10 today": the customer's own child
        if decisive and own_childrens_ages(text, f, hits, minor_ages):
            f.not_an_ask = True
            return f  # "do u have kids? mine are 5 and 7, heres a pic": her own children, the question back
        if asks and not decisive and not no_adults and small_talk(text, f, hits, innocent):
            f.not_an_ask = True
            return f  # "is your son home?", "do you have kids?", "my girl, send a pic"
        if innocent and not asks:
            return f
        if decisive and not asks and role is Role.CUSTOMER and states_own_child(text):
            return f  # "i have a son 10 yrs old": the customer's own child, stated
        if not decisive and not asks:
            return f
        if media and not f.has("join") and asks_for_media(text, hits, minor_ages):
            f.add(Label.CONTENT_REQUEST, span, "content.request")  # "clips of your cousin": the media first
        else:
            # the child first: the object decides — the child herself (there, available, can
            # join, how old), the show or picture of one already spoken of ("can the kid be on
            # the show?"), or both ("got a niece? send pics first")
            asked = request_object(text, hits, minor_ages)
            if asked != "media":
                f.add(Label.MINOR_REQUEST, span, "age.request" if decisive else "child.request")
            if asked != "child":
                f.add(Label.CONTENT_REQUEST, span, "content.object")
    elif stance == "offer" and addressees_child(text, hits) and not own_only(text, hits):  # tl "din" is "also": "andito din pinsan q"
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
        have = f.has("have") and not possessive_only(text, hits)
        offering = f.has("offer", "offer_question", "price", "price_word") or have or leading(f, "affirm") or offer_opening(text)
        if seller is not None and not (decisive and offering) and not f.has("offer", "offer_question"):
            f.add(Label.MINOR_CONFIRMED, (span[0], span[1], seller), "seller.offer")
        elif (decisive and offering) or f.has("offer", "offer_question") or (have and f.has("child", "young_ref", "codeword")):
            f.add(Label.MINOR_CONFIRMED, span, "age.offer" if decisive else "child.offer")
    return f


def _before(f: MessageFacts, category: str, at: int) -> bool:
    """A hit of `category` starts at or before `at`."""
    h = f.hits.get(category)
    return h is not None and h.start <= at


def _subject_before(text: str, f: MessageFacts, at: int) -> bool:
    """A self age read from "just turned 9", "turning 12" (no "I" in it) after someone else is
    named ("she just turned 10 and i have work", "my son just turned 9"): that one's age."""
    if text[at : at + 1].isdigit() or _I_FIRST.match(text, at):
        return False
    return any((h := f.hits.get(c)) is not None and h.start < at for c in ("third_ref", "kin_subject", *CHILD))


_I_FIRST = re.compile(r"(?:i|i'm|im|i'l|il|jeg|eg|ako|aq)\b")


def _not_own(f: MessageFacts, at: int) -> bool:
    """One's eldest (`kin_subject`) or a stage long past or an adult's (`adult_stage`: "nung",
    "back in", "teacher") comes before the age: not the writer's age now."""
    return _before(f, "kin_subject", at) or _before(f, "adult_stage", at)


def _innocent(f: MessageFacts, hits: list[Hit]) -> bool:
    """An innocent context that is not part of the child term itself ("elementary school";
    but "school girl costume" has one outside it)."""
    if "innocent" not in f.hits:
        return False
    terms = [h for h in hits if h.pattern.category in CHILD]
    return any(
        h.pattern.category == "innocent" and not any(t.start <= h.start and h.end <= t.end for t in terms) for h in hits
    )
