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

from vaktpost.model import Label
from vaktpost.text.labels import CHILD, MessageFacts

ASKS = (Label.MINOR_REQUEST, Label.CONTENT_REQUEST)
MINOR = (Label.MINOR_REQUEST, Label.MINOR_CONFIRMED, Label.CONTENT_REQUEST, Label.SELF_DISCLOSED_MINOR)


@dataclass(frozen=True, slots=True)
class Turn:
    sender: str
    recipients: tuple[str, ...]
    facts: MessageFacts


@dataclass
class ConversationState:
    pending: dict[tuple[str, str], int] = field(default_factory=dict)  # (asker, asked) → turn
    age_asked: dict[tuple[str, str], bool] = field(default_factory=dict)  # (asker, asked) → about a third person
    about_child: bool = False
    confirmed: set[tuple[str, str]] = field(default_factory=set)  # (asker, confirmer): a child was confirmed to the asker
    self_minor: set[str] = field(default_factory=set)
    last_turn: dict[tuple[str, str], int] = field(default_factory=dict)  # (sender, recipient) → turn


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
    for i, t in enumerate(turns):
        f = t.facts
        to = t.recipients or tuple(p for p in participants if p != t.sender)
        askers = [a for a in to if (a, t.sender) in st.pending]
        probers = [a for a in to if (a, t.sender) in st.age_asked]
        labels = f.labels()
        refused = f.has("refusal") and not f.minor_ages() and not (f.has("offer") and f.has(*CHILD))

        if refused and askers:
            _drop(f, Label.MINOR_CONFIRMED)
            for a in askers:
                del st.pending[(a, t.sender)]
            askers = []
        elif askers and not f.has("refusal"):
            if labels & set(ASKS) and Label.MINOR_CONFIRMED not in labels:
                # the asked party "asking" back ("want a younger one? I have 12") is offering
                _drop(f, *ASKS)
                labels = f.labels()
            young = [a for a in f.ages if a.minor and a.kind != "self"]
            stated = [a for a in young if a.kind in ("person", "third", "grade")] and not (
                f.adult_only or f.has("innocent", "thing")
            )  # "she's 12" answering a request for a child confirms one
            if Label.MINOR_CONFIRMED not in labels and (stated or f.has("affirm", "offer", "have") and (f.has(*CHILD) or young)):
                span = (young[0].start, young[0].end, f"age={young[0].value}") if young else f.span(*CHILD)
                f.add(Label.MINOR_CONFIRMED, span, "dialogue.answer")
        commerce = f.has("price", "price_word", "payment")
        quiet = f.adult_only or commerce or f.has("innocent", "thing")  # "18, verified"; "1000 pesos pag dalawa"
        if probers and not refused and not quiet and not (f.labels() & {Label.MINOR_CONFIRMED, Label.SELF_DISCLOSED_MINOR}):
            young = [a for a in f.ages if a.minor and a.kind in ("bare", "person", "third", "self", "grade")]
            young = [a for a in young if a.value >= 3]  # "have 2 go": no one of 2 answers a chat
            if young:
                a = young[0]
                third = any(st.age_asked[(p, t.sender)] for p in probers) or (st.about_child and a.kind != "self")
                label = Label.MINOR_CONFIRMED if third else Label.SELF_DISCLOSED_MINOR
                about_another = a.kind != "self" and f.has("relative", "third_ref")  # "my daughter is 12 and ..."
                if (third or a.value >= 8) and (third or not about_another):  # a writer of 7 or less is not who chats back ("start ako mga 7")
                    f.add(label, (a.start, a.end, f"age={a.value}"), "dialogue.age_answer")
        if st.about_child and not (f.labels() & set(MINOR)) and not quiet and not refused:
            bare = [a for a in f.ages if a.kind == "bare" and a.minor and f.has("young_ref", "child", "relative", "third_ref")]
            if bare:
                a = bare[0]
                label = Label.MINOR_REQUEST if f.has("request", "want") else Label.MINOR_CONFIRMED
                f.add(label, (a.start, a.end, f"age={a.value}"), "dialogue.bare_age")
            elif f.age_question is not None:  # "12?" from the buyer, in a conversation about a child
                a = f.age_question
                f.add(Label.MINOR_REQUEST, (a.start, a.end, f"age={a.value}"), "dialogue.age_question")
        confirmed_here = any((t.sender, r) in st.confirmed for r in to)
        to_minor = any(r in st.self_minor for r in to)
        about_one = st.about_child and f.has("third_ref", *CHILD) and not f.has("price_word", "price")
        # after B confirmed a child to A, A's ask for pictures or videos is about that child
        # ("send some videos before i pay"), even with no child word and a word of paying
        after_confirm = (
            confirmed_here
            and not f.has("price", "payment") and not f.adult_only and _sends_media(f)
        )
        asks_media = f.has("media") and f.has("request", "want") and not refused
        # (a request for the child "for a show" already asks: no CONTENT_REQUEST on top)
        if (to_minor or about_one or after_confirm) and not (commerce and not after_confirm) and asks_media and not f.labels() & set(ASKS):
            f.add(Label.CONTENT_REQUEST, f.span("media"), "content.dialogue")

        labels = f.labels()
        if Label.MINOR_CONFIRMED in labels and not askers:
            _implied_request(turns, st, i, to)
        for r in to:
            if r == t.sender:
                continue
            st.last_turn[(t.sender, r)] = i
            if labels & set(ASKS):
                st.pending[(t.sender, r)] = i
            if Label.AGE_PROBE in labels:
                st.age_asked[(t.sender, r)] = f.has("third_ref", *CHILD) or st.about_child
            elif (t.sender, r) in st.age_asked and not labels & set(ASKS):
                pass
        if Label.MINOR_CONFIRMED in labels:
            st.confirmed.update((r, t.sender) for r in to if r != t.sender)
            for a in askers:
                st.pending.pop((a, t.sender), None)
        for a in probers:
            if f.ages:
                st.age_asked.pop((a, t.sender), None)
        if Label.SELF_DISCLOSED_MINOR in labels:
            st.self_minor.add(t.sender)
        if labels & set(MINOR):
            st.about_child = True


# matched against the text of the lexicon pattern that hit (a regex: "\\bsend\\s+me\\b")
_SEND_MEDIA = re.compile(r"send|sned|share|snap|take|film|record|show\\s\+me|let\\s\+me|padala|pakita|vis\\s\+meg|send\\s\+meg")


def _sends_media(f: MessageFacts) -> bool:
    """The request is to send, share, take or show something ("send some videos"), not a
    price question about the show ("how much for the show?")."""
    h = f.hits.get("request")
    return h is not None and _SEND_MEDIA.search(h.pattern.regex) is not None


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
        if g.labels() & set(MINOR) or g.adult_only or g.has("refusal", "innocent", "thing", "price", "price_word"):
            continue
        young = [a for a in g.ages if a.minor and a.kind != "self"]
        if g.has(*CHILD) or young:
            span = (young[0].start, young[0].end, f"age={young[0].value}") if young else g.span(*CHILD)
            g.add(Label.MINOR_REQUEST, span, "dialogue.implied_request")
            st.about_child = True
