"""Dialogue state per conversation: who asked whom for a child, and what the answer was.

A bare "yes", a price or an age is only a confirmation when it answers a request for a
child that the counterpart made in this conversation (or an age question about a child); a
refusal ("no, only adults here") cancels the pending request, so a later "ok" about
something else confirms nothing. A confirmation given in another conversation never
counts here, because the state lives and dies with one conversation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from vaktpost.model import Label, Message, Role
from vaktpost.text.facts import NOTHING, inside
from vaktpost.text.labels import CHILD, MessageFacts, _innocent, _leading

ASKS = (Label.MINOR_REQUEST, Label.CONTENT_REQUEST)
MINOR = (Label.MINOR_REQUEST, Label.MINOR_CONFIRMED, Label.CONTENT_REQUEST, Label.SELF_DISCLOSED_MINOR)
# the same as sets, built once (the turn loop built `set(ASKS)` several times a turn)
_ASK_SET = frozenset(ASKS)
_MINOR_SET = frozenset(MINOR)
_MINOR_OR_PROBE = _MINOR_SET | {Label.AGE_PROBE}


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs ~3x (one per message of the dialogue)
class Turn:
    sender: str
    recipients: tuple[str, ...]
    facts: MessageFacts
    pos: int = -1  # the message's place in the conversation; -1: its place in `turns`
    customer: bool = False  # sent by a platform-known customer: the buyer's side never confirms a child


def turns_of(conv: Sequence[Message], facts: Sequence[MessageFacts]) -> list[Turn]:
    """The dialogue's turns of a conversation: its messages with facts (hits or a number),
    each with its recipients' ids and its place in the conversation."""
    out = []
    for k, (m, f) in enumerate(zip(conv, facts)):
        if f is not NOTHING:
            rs = m.recipients
            out.append(Turn(m.sender.id, (rs[0].id,) if len(rs) == 1 else tuple([r.id for r in rs]), f, k,
                            m.sender.role is Role.CUSTOMER))
    return out


@dataclass
class ConversationState:
    pending: dict[tuple[str, str], int] = field(default_factory=dict)  # (asker, asked) → turn
    age_asked: dict[tuple[str, str], bool | str] = field(default_factory=dict)  # (asker, asked) → "child" (one named), True (a pronoun) or False
    age_asked_at: dict[tuple[str, str], int] = field(default_factory=dict)  # (asker, asked) → the probe's turn
    about_child: bool = False
    self_minor: set[str] = field(default_factory=set)
    last_turn: dict[tuple[str, str], int] = field(default_factory=dict)  # (sender, recipient) → turn
    confirmed: set[tuple[str, str]] = field(default_factory=set)  # (confirmer, asker): a child was confirmed to the asker
    asked: set[tuple[str, str]] = field(default_factory=set)  # (asker, asked): a request for a child was made, answered or not


def _drop(facts: MessageFacts, *labels: Label) -> None:
    facts.proposed = [p for p in facts.proposed if p.label not in labels]


def apply_dialogue(turns: Sequence[Turn], participants: set[str] | None = None) -> None:
    """Adds and cancels labels in place, turn by turn, in the order the messages were sent.

    `turns` may leave out messages with no hits and no number (they change nothing);
    `participants` then names everyone in the conversation, for messages without recipients.
    """
    st = ConversationState()
    if participants is None:
        participants = {t.sender for t in turns}
        for t in turns:
            participants.update(t.recipients)
    positions = [t.pos if t.pos >= 0 else i for i, t in enumerate(turns)]
    for i, t in enumerate(turns):
        f = t.facts
        to = t.recipients or tuple(p for p in participants if p != t.sender)
        askers = [a for a in to if (a, t.sender) in st.pending] if st.pending else []
        if f.serves_children and not askers:
            # a school, club or carer speaking of a child by age (child_service.py), answering
            # no request for a child: no confirmation, no ask — only its place is kept. (Sent
            # in answer to one, "tutor leaves at 5, she is 10" is still read as the answer.)
            for r in to:
                if r != t.sender:
                    st.last_turn[(t.sender, r)] = i
            continue
        probers = [a for a in to if (a, t.sender) in st.age_asked and _answers_probe(positions, st, i, a, t.sender)] if st.age_asked else []
        if (askers or st.about_child) and any(p.rule.startswith("age.alone") for p in f.proposed):
            # "13 yrs old" alone, answering a request for a child or in a conversation about
            # one: the child's age (confirmed below), not the writer's
            f.proposed = [p for p in f.proposed if not p.rule.startswith("age.alone")]
        labels = f.labels()
        asked_before = bool(st.asked) and all((t.sender, r) in st.asked for r in to)
        if asked_before and Label.TRAVEL_MEETING in labels and Label.MINOR_REQUEST in labels:
            # "booked a flight to Cebu, want to meet kid first evening", "i come 2 Cebu the 5th,
            # can we meet with niece?" after this sender asked this counterpart for a child: the
            # trip to the child asked for (TRAVEL_MEETING, the funnel's travel step), not a new
            # ask. Where no ask of theirs was recognised, the plan stays the request (the pair's
            # asked step would be lost with it).
            _drop(f, Label.MINOR_REQUEST)
            labels = f.labels()
        refused = f.has("refusal") and not f.minor_ages() and not (f.has("offer") and f.has(*CHILD))

        if refused and askers:
            _drop(f, Label.MINOR_CONFIRMED)
            for a in askers:
                del st.pending[(a, t.sender)]
            askers = []
        elif askers and not f.has("refusal") and not t.customer:
            if labels & _ASK_SET and Label.MINOR_CONFIRMED not in labels:
                # the asked party "asking" back ("want a younger one? I have 12") is offering
                _drop(f, *ASKS)
                labels = f.labels()
            young = [a for a in f.ages if a.minor and a.kind != "self"]
            stated = [a for a in young if a.kind in ("person", "third", "grade")] and not (
                f.adult_only or f.has("innocent", "thing")
                or (Label.SELF_DISCLOSED_MINOR in labels and not f.has("third_ref", *CHILD))  # "14 yrs but mature for my age"
            )  # "she's 12" answering a request for a child confirms one
            busy = _innocent(f, list(f.hits.values())) and not f.has("offer")  # "yes, two. 8 and 11, they are at school now"
            if Label.MINOR_CONFIRMED not in labels and not busy and (stated or f.has("affirm", "offer", "have") and (f.has(*CHILD) or young)):
                span = (young[0].start, young[0].end, f"age={young[0].value}") if young else f.span(*CHILD)
                f.add(Label.MINOR_CONFIRMED, span, "dialogue.answer")
            elif Label.MINOR_CONFIRMED not in labels and t.sender not in st.self_minor and _assents(f):
                # "yes available", "oo meron po", "ja, det går fint" as the first reply to a
                # request for a child: in a seller's script the answer to a request is a
                # confirmation or a refusal, and this is no refusal
                # Before the first confirmation to that asker, or to a new ask for a younger
                # one ("any younger available this weekend?"): after a confirmation, a "sure"
                # answers the deal's next step ("can u bring ur nephew to the hotel on the 5th?").
                if any(
                    ((t.sender, a) not in st.confirmed or _asks_for_younger(turns[st.pending[(a, t.sender)]].facts))
                    and _first_reply(turns, positions, st, i, a, t.sender)
                    and _asks_for_child(turns[st.pending[(a, t.sender)]].facts, f)
                    for a in askers
                ):
                    f.add(Label.MINOR_CONFIRMED, f.span("affirm", "offer", "have"), "dialogue.assent")
            elif Label.MINOR_CONFIRMED not in labels and t.sender not in st.self_minor and _gives_terms(f):
                # "10 pm, she's back from school by then", "€40 then", "9pm po, 1500 php" as the
                # first reply to a request for a child: the seller answers with the deal's terms
                # or its schedule — a refusal would have said no (session 7)
                if any(
                    (t.sender, a) not in st.confirmed
                    and _first_reply(turns, positions, st, i, a, t.sender)
                    and _asks_for_child(turns[st.pending[(a, t.sender)]].facts, f)
                    for a in askers
                ):
                    s, e = f.when if f.when is not None and "price" not in f.hits else f.span("price")[:2]
                    f.add(Label.MINOR_CONFIRMED, (s, e, "terms"), "dialogue.terms")
        elif not askers and not refused and not t.customer and Label.MINOR_CONFIRMED not in labels and _recent_asks(positions, st, i, t.sender, to):
            _answer_to_any_ask(turns, positions, st, i, to)
        # "18, verified"; "1000 pesos pag dalawa" (worked out only where it is read)
        quiet = (probers or st.about_child) and (f.adult_only or f.has("price", "price_word", "payment", "innocent", "thing"))
        if probers and st.about_child and not f.has("self_ref") and any(st.age_asked[(p, t.sender)] for p in probers):
            # "whats her age tho" — "13 turning next yr" after a child was offered: a subject-
            # less age (which alone reads as one's own) answers for the child asked about
            _drop(f, Label.SELF_DISCLOSED_MINOR)
        if probers and not refused and not quiet and not (f.labels() & {Label.MINOR_CONFIRMED, Label.SELF_DISCLOSED_MINOR}):
            young = [a for a in f.ages if a.minor and a.kind in ("bare", "person", "third", "self", "grade")]
            young = [a for a in young if a.value >= 3]  # "have 2 go": no one of 2 answers a chat
            if young:
                a = young[0]
                # Who the age is of: a child already spoken of in this conversation (an offer,
                # a request, a confirmation), a child the probe names, or a third person both
                # the probe and the answer name ("how old is she" — "my niece is 12"). The probe's pronoun alone ("whats her age tho" — "11 turning next yr")
                # does not make a subject-less answer someone else's: with no child brought up,
                # the one answering tells their own age.
                other = f.has("have", "third_ref", "relative", *CHILD) and a.kind != "self"  # "my daughter is 8 and taller than me"
                named = other and any(st.age_asked[(p, t.sender)] for p in probers)  # "whats her age" — "my niece? 12"
                asked_of_child = any(st.age_asked[(p, t.sender)] == "child" for p in probers)  # "is the small one there? how old is she?"
                third = a.kind != "self" and (st.about_child or asked_of_child or named)
                label = Label.MINOR_CONFIRMED if third else Label.SELF_DISCLOSED_MINOR
                if (third or a.value >= 8) and (third or not other) and not (third and t.customer):  # a writer of 7 or less is not who chats back ("start ako mga 7")
                    f.add(label, (a.start, a.end, f"age={a.value}"), "dialogue.age_answer")
        if st.about_child and not (f.labels() & _MINOR_SET) and not quiet and not refused:
            bare = [a for a in f.ages if a.kind == "bare" and a.minor and f.has("young_ref", "child", "relative", "third_ref")]
            if bare:
                a = bare[0]
                if asked_before and Label.TRAVEL_MEETING in labels and (t.customer or f.has("request", "want")):
                    label = None  # "in Davao the 8th, bring son 2 Harbour Suites": the trip, no new ask
                elif f.has("request", "want") and not f.not_an_ask:
                    label = Label.MINOR_REQUEST
                elif t.customer:  # a customer's line never confirms; small talk or their own child asks nothing
                    label = None if f.not_an_ask else Label.MINOR_REQUEST
                else:
                    label = Label.MINOR_CONFIRMED
                if label is not None:
                    f.add(label, (a.start, a.end, f"age={a.value}"), "dialogue.bare_age")
            elif f.age_question is not None:  # "12?" from the buyer, in a conversation about a child
                a = f.age_question
                f.add(Label.MINOR_REQUEST, (a.start, a.end, f"age={a.value}"), "dialogue.age_question")
        confirmed_here = bool(st.confirmed) and any((r, t.sender) in st.confirmed for r in to)  # r confirmed a child to this sender
        to_minor = bool(st.self_minor) and any(r in st.self_minor for r in to)
        # (labels added since `labels` was worked out are the dialogue's own, never the model's)
        modelled = [p for p in f.proposed if p.label is Label.CONTENT_REQUEST and p.by_model] if Label.CONTENT_REQUEST in labels else ()
        if modelled and not (to_minor or st.about_child or confirmed_here or f.has(*CHILD) or f.minor_ages()):
            # the model's CONTENT_REQUEST on a media ask with no minor in sight ("send a selfie
            # first", "turn on ur cam" to an adult): pictures of the addressee, not of a child
            f.proposed = [p for p in f.proposed if p not in modelled]
        # (a camera given, "want a new camera? ill buy it", is a gift (`trust_gifts`), not a picture asked for)
        asks_media = f.has("media") and f.has("request", "want") and not refused and not f.not_an_ask and not inside(f.hits.get("media"), f.hits.get("trust_gifts"))
        if asks_media:  # (the rest only matters for an ask for pictures or a show)
            about_one = st.about_child and f.has("third_ref", *CHILD) and not f.has("price_word", "price")
            # after B confirmed a child to A, A's ask for pictures or videos is about that child
            # ("send some videos before i pay"), even with no child word and a word of paying
            after_confirm = (
                confirmed_here
                and not f.has("price", "payment") and not f.adult_only and _sends_media(f)
            )
            commerce = f.has("price", "price_word", "payment")
            # (a request for the child "for a show" already asks: no CONTENT_REQUEST on top)
            if (to_minor or about_one or after_confirm) and not (commerce and not after_confirm) and not f.labels() & _ASK_SET:
                f.add(Label.CONTENT_REQUEST, f.span("media"), "content.dialogue")

        labels = f.labels()
        if Label.MINOR_CONFIRMED in labels and not askers:
            _implied_request(turns, st, i, to)
        for r in to:
            if r == t.sender:
                continue
            st.last_turn[(t.sender, r)] = i
            if labels & _ASK_SET:
                st.pending[(t.sender, r)] = i
                st.asked.add((t.sender, r))
            if Label.AGE_PROBE in labels:
                st.age_asked[(t.sender, r)] = "child" if f.has(*CHILD) or st.about_child else f.has("third_ref")
                st.age_asked_at[(t.sender, r)] = i
        if Label.MINOR_CONFIRMED in labels:
            for a in askers:
                st.pending.pop((a, t.sender), None)
            st.confirmed.update((t.sender, r) for r in to)
        for a in probers:
            if f.ages:
                st.age_asked.pop((a, t.sender), None)
        if Label.SELF_DISCLOSED_MINOR in labels:
            st.self_minor.add(t.sender)
        if labels & _MINOR_SET:
            st.about_child = True


# matched against the text of the lexicon pattern that hit (a regex: "\\bsend\\s+me\\b")
_SEND_MEDIA = re.compile(r"send|sned|share|snap|take|film|record|show\\s\+me|let\\s\+me|padala|pakita|vis\\s\+meg|send\\s\+meg")


def _sends_media(f: MessageFacts) -> bool:
    """The request is to send, share, take or show something ("send some videos"), not a
    price question about the show ("how much for the show?")."""
    h = f.hits.get("request")
    return h is not None and _SEND_MEDIA.search(h.pattern.regex) is not None


def _answers_probe(positions: list[int], st: ConversationState, i: int, asker: str, replier: str) -> bool:
    """Turn i answers the asker's age question: the replier's first line since it, at most
    three messages later. A parent's "my son turned 11 yrs on sunday" five lines after
    "whats her age tho" — "turned 22 in July" answers nothing."""
    j = st.age_asked_at.get((asker, replier))
    if j is None:
        return True
    return positions[i] - positions[j] <= 3 and st.last_turn.get((replier, asker), -1) < j


def _implied_request(turns: Sequence[Turn], st: ConversationState, i: int, to: Sequence[str]) -> None:
    """A confirmation with no request pending: the counterpart's last message, if it spoke of
    a child ("how about your niece?", "any younger?") in the last few turns, was the
    request the confirmation answers — it becomes `MINOR_REQUEST` (rule
    `dialogue.implied_request`), so the funnel's asked → confirmed pair is not lost when
    the request's wording was not recognised on its own.
    """
    t = turns[i]
    for r in to:
        j = st.last_turn.get((r, t.sender))
        if j is None or i - j > 3:
            continue
        g = turns[j].facts
        if g.labels() & _MINOR_SET or g.has("innocent", "thing", "price", "price_word") or g.not_an_ask:
            continue  # (not_an_ask: "do u have kids?", "my daughter is 7, give me 10" — no request)
        if (g.adult_only or g.has("refusal")) and not (_no_adults(g) and g.has(*CHILD)):
            continue
        young = [a for a in g.ages if a.minor and a.kind != "self" and not _to_or_too(a)]
        if g.has(*CHILD) or young:
            span = (young[0].start, young[0].end, f"age={young[0].value}") if young else g.span(*CHILD)
        elif st.last_turn.get((t.sender, r), -1) < j and _positions_apart(turns, i, j) <= 2 and not g.weak_ask:
            span = _ask_span(g, "words")  # "what else do you have?" — "yes available, 7yo"
            if span is None:
                continue
        else:
            continue
        _imply_request(g, span)
        st.asked.add((r, t.sender))
        st.about_child = True


# A seller's line that names a child only in passing, or a line about things, prices or adults,
# is no statement of a child on offer.
_NOT_A_STATEMENT = ("refusal", "innocent", "thing", "price", "price_word", "payment", "self_young")
# What a counterpart's line must hold to be an ask: a request or wish form ("?" and the
# tl/ceb question particle "ba" are request hits), a join or a show.
_ASK_FORMS = ("request", "want", "join", "media")
# An ask that is no request for a child: small talk about oneself or one's children, a price,
# a payment, an age question (`dialogue.age_answer` handles the answer to that).
_NOT_AN_ASK = ("refusal", "innocent", "thing", "price", "price_word", "payment", "age_probe", "offer_question")


def _assents(f: MessageFacts) -> bool:
    """A bare yes or "available" with nothing else in it: no price, no ask back, no refusal."""
    if f.adult_only or f.has("refusal", "innocent", "thing", "price", "price_word", "payment", "media", "self_young"):
        return False
    if f.labels() & {Label.MINOR_REQUEST, Label.CONTENT_REQUEST, Label.SELF_DISCLOSED_MINOR}:
        return False
    request = f.hits.get("request")
    if request is not None and request.end - request.start == 1:
        return False  # "ok?", "available?": a question, not an answer
    return _leading(f, "affirm") or f.has("offer")


def _gives_terms(f: MessageFacts) -> bool:
    """The line gives a price or a time of day and nothing that makes it something else: no
    question or ask back, no refusal, no adult or own age, no busy child (an innocent context
    or a thing left after the message rules), no label of its own. A payment route alone
    ("gcash first", "paypal only") is the next step of any deal, an adult's too: on the
    training authors it confirmed no child (session 7: 0 true, 4 false)."""
    if f.when is None and "price" not in f.hits:
        return False
    if f.adult_only or f.has("refusal", "request", "want", "innocent", "thing", "self_young", "age_probe", "adult_marker"):
        return False
    if f.proposed and f.labels() & {Label.MINOR_REQUEST, Label.CONTENT_REQUEST, Label.SELF_DISCLOSED_MINOR, Label.AGE_PROBE}:
        return False
    if f.has("self_ref") and not f.has("third_ref", *CHILD):
        return False  # "im free at 10, 40 usd": the seller offers herself, not the child asked for
    return not any(a.kind == "self" for a in f.ages)


def _asks_for_child(g: MessageFacts, reply: MessageFacts) -> bool:
    """The request names a child, a child's age or a show of a third person ("show her on
    cam first"), and is no travel plan or haggling ("can she come to the hotel while I'm
    there?" — "sure" confirms no child). A request naming
    a child and nothing else ("do you have kids?") may be small talk: then a bare "yes"
    confirms nothing; "yes, available" or "meron po" (I have) does."""
    if g.has("travel", "price", "price_word", "payment") or not (g.has(*CHILD, "media_third") or g.minor_ages()):
        return False  # "show her on cam first", a show of a third person, names one
    return g.has("young_ref", "codeword", "join", "media", "offer", "want") or bool(g.minor_ages()) or reply.has("offer", "have")


def _asks_for_younger(g: MessageFacts) -> bool:
    return g.has("young_ref", "codeword") or bool(g.minor_ages())


def _first_reply(turns: Sequence[Turn], positions: list[int], st: ConversationState, i: int, asker: str, replier: str) -> bool:
    """Turn i is the replier's first line since the asker's pending request, which was the
    last thing the asker said, at most two messages before."""
    j = st.pending.get((asker, replier))
    if j is None or st.last_turn.get((asker, replier)) != j or positions[i] - positions[j] > 2:
        return False
    return st.last_turn.get((replier, asker), -1) < j


def _states_child(f: MessageFacts) -> tuple[int, int, str] | None:
    """The evidence that a line states a child on offer: a child's age ("she is 12", "my
    niece, 11 y/o", "grade 5"), or a child named beside a yes or an offer ("yes my niece")."""
    if f.adult_only or f.has(*_NOT_A_STATEMENT) or Label.SELF_DISCLOSED_MINOR in f.labels():
        return None
    for a in f.ages:
        if a.minor and a.kind in ("person", "third", "grade") and a.value >= 3:
            return a.start, a.end, f"age={a.value}"
    if f.has(*CHILD) and (_leading(f, "affirm") or f.has("offer")):
        return f.span(*CHILD)
    return None


def _recent_asks(positions: list[int], st: ConversationState, i: int, sender: str, to: Sequence[str]) -> bool:
    """Some counterpart's last line, at most two messages back, is not yet answered by the
    sender: the one condition every ask `_answer_to_any_ask` and
    `_assent_to_unrecognised_ask` look at must meet (checked first: most turns have none)."""
    last_turn = st.last_turn
    for r in to:
        j = last_turn.get((r, sender))
        if j is not None and positions[i] - positions[j] <= 2 and last_turn.get((sender, r), -1) <= j:
            return True
    return False


def _answer_to_any_ask(turns: Sequence[Turn], positions: list[int], st: ConversationState, i: int, to: Sequence[str]) -> None:
    """A line stating a child, sent as the answer to a counterpart's ask that no rule took
    for a request ("anything special tonight?" — "my niece, 11 y/o"), confirms one, and
    the ask becomes the request it answers (`dialogue.implied_request`).

    On unseen phrasings about a quarter of the requests are not recognised; without this
    their answers were lost too. The ask must be the counterpart's last line, at most two
    messages back, not yet answered, and not small talk, a price or an age question. A
    plain statement with no yes or offer in it ("she is 12") needs an ask with a wish, a
    join, a show, a child or an age in it (`_ask_span`): "how was your day?" or "hi po, naa
    ka?" followed by "my son is 8 today" is a parent's small talk, and confirms nothing.
    """
    t = turns[i]
    f = t.facts
    if not f.ages and "affirm" not in f.hits and "offer" not in f.hits:
        return  # (speed only) no age, no yes, no offer: it states no child and assents to nothing
    if f.labels() & _ASK_SET:
        return  # an ask of its own ("do you have a younger boy available?") answers nothing
    plain = not (_leading(f, "affirm") or f.has("offer", "join"))
    span, need = _states_child(f), "evidence" if plain else "mark"
    if span is None and not plain and not (f.adult_only or f.has(*_NOT_A_STATEMENT)):
        # "she's here with me, 12", "pwede po, six siya": a yes with a bare number answers an
        # ask that names a child or an age ("no adults pls, someone still in elementary")
        bare = [a for a in f.ages if a.kind == "bare" and a.minor and a.value >= 3]
        if bare:
            span, need = (bare[0].start, bare[0].end, f"age={bare[0].value}"), "child"
    if span is None:
        if t.sender not in st.self_minor and _assents(f):
            _assent_to_unrecognised_ask(turns, positions, st, i, to)
        return
    for r in to:
        j = st.last_turn.get((r, t.sender))
        if j is None or positions[i] - positions[j] > 2 or st.last_turn.get((t.sender, r), -1) > j:
            continue
        g = turns[j].facts
        if g.labels() & _MINOR_OR_PROBE:
            continue
        ask = _ask_span(g, need)
        if ask is None:
            continue
        f.add(Label.MINOR_CONFIRMED, span, "dialogue.answer_ask")
        _imply_request(g, ask)
        st.about_child = True
        return


def _assent_to_unrecognised_ask(turns: Sequence[Turn], positions: list[int], st: ConversationState, i: int, to: Sequence[str]) -> None:
    """A bare yes ("sige po, kaya yan sir", "ready when u are") as the first reply to an ask
    that names a young one, a code word or a child's age but that no rule took for a
    request ("no adults pls, someone still in elementary", "i want someone 7 or so")
    confirms, like the yes to a recognised request (`dialogue.assent`). A child word alone
    ("are your kids ok?" — "yes") is not enough."""
    t = turns[i]
    for r in to:
        j = st.last_turn.get((r, t.sender))
        if j is None or positions[i] - positions[j] > 2 or st.last_turn.get((t.sender, r), -1) > j or (t.sender, r) in st.confirmed:
            continue
        g = turns[j].facts
        if g.labels() & _MINOR_OR_PROBE:
            continue
        young = g.has("young_ref", "codeword") or bool(g.minor_ages()) or (_no_adults(g) and g.has(*CHILD))
        ask = _ask_span(g, "child") if young and _asks_for_child(g, t.facts) else None
        if ask is None:
            continue
        t.facts.add(Label.MINOR_CONFIRMED, t.facts.span("affirm", "offer", "have"), "dialogue.assent")
        _imply_request(g, ask)
        st.about_child = True
        return


def _imply_request(g: MessageFacts, span: tuple[int, int, str]) -> None:
    """The answered ask becomes the request: for a show or a picture (`CONTENT_REQUEST`,
    "I want a video call with her") unless it asks the child to join, as labels.py reads a
    recognised ask; otherwise `MINOR_REQUEST`."""
    label = Label.CONTENT_REQUEST if g.has("media") and not g.has("join") else Label.MINOR_REQUEST
    g.add(label, span, "dialogue.implied_request")


def _to_or_too(a) -> bool:
    """A bare 2 in chat is "to" or "too" ("u ever been 2 Norway?", "move over 2 Signal"), no
    age: a line with it alone asked for no child (session 6)."""
    return a.kind == "bare" and a.value < 3


def _no_adults(g: MessageFacts) -> bool:
    """The line refuses adults ("no adults pls, someone still in elementary"): the refusal
    word stands right before the adult word, so it is a wish for a child, not a no."""
    no, adult = g.hits.get("refusal"), g.hits.get("adult_marker")
    return no is not None and adult is not None and 0 <= adult.start - no.end <= 1


def _positions_apart(turns: Sequence[Turn], i: int, j: int) -> int:
    a, b = turns[i].pos, turns[j].pos
    return (a - b) if a >= 0 and b >= 0 else (i - j)


def _ask_span(g: MessageFacts, need: str) -> tuple[int, int, str] | None:
    """The evidence that a counterpart's line is an ask that could be a request for a child,
    or None. Never small talk about a child, a price, a payment, an adult's line or an age
    question. `need`: "mark" — any ask form, a question mark will do (answered by "yes my
    niece"); "words" — more than a bare question mark (answered by a line that offers on its
    own: "what else do you have?" — "yes available, 7yo"; a greeting "hi, how are you?" before
    an unprompted offer asks for no one); "evidence" — a wish, a join, a show, a child or an
    age in it (answered by a plain statement: "i want someone 7 or so" — "she is 7"; not "hi
    po, naa ka?" — "enrollment ng anak kong 7 years old po today", a parent's news); "child"
    — a child named or a child's age written as one (answered by a yes with a bare number,
    "she's here, 12", whose number alone could be a price or a time). The "child" asks are
    ones `text.needs_dialogue` lets through: a conversation whose lines name no child and
    state no child's age skips the dialogue."""
    wish = _no_adults(g) and g.has(*CHILD)  # "no adults pls, someone still in elementary"
    if not (wish or g.has(*_ASK_FORMS)) or Label.AGE_PROBE in g.labels() or g.not_an_ask:
        return None
    if (g.adult_only or g.has(*_NOT_AN_ASK)) and not (wish and not g.has(*_NOT_AN_ASK[1:])):
        return None
    child = g.has(*CHILD) or bool(g.minor_ages())
    evidence = child or g.has("want", "join", "media") or any(a.minor and not _to_or_too(a) for a in g.ages)
    request = g.hits.get("request")
    only_mark = request is not None and request.end - request.start <= 1 and not evidence
    if (need == "child" and not child) or (need == "evidence" and not evidence) or (need == "words" and only_mark):
        return None
    h = g.hits.get("want") or g.hits.get("request") or g.hits.get("join") or g.hits.get("media")
    return (h.start, h.end, h.pattern.rule) if h is not None else g.span(*CHILD)
