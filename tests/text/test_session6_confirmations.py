"""Session 6 (confirmations): "no one under 18" is a refusal, not a minor's age, and an own
age with a question back ("why do u want 2 know") offers no child. Phrasings written from
knowledge of the languages, not taken from generator output; each form has a near miss that
must stay quiet."""

from __future__ import annotations

import pytest

from tests.text.helpers import app_chat
from vaktpost.model import Participant, Role
from vaktpost.text import analyse_messages, reply_model
from vaktpost.text.ages import find_ages
from vaktpost.text.normalise import normalise

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


@pytest.fixture(autouse=True)
def rules_only():
    """The reply model off: these are the rules' own decisions."""
    with reply_model.switched_off():
        yield


def labels(*lines, who_last=None) -> list[set[str]]:
    return [{p.label.value for p in f.proposed} for f in analyse_messages([app_chat(*lines)])[0]]


# --- "no one under 18": an adult floor, a refusal --------------------------------------


@pytest.mark.parametrize(
    "text",
    ["no one under 18 here, only me", "nobody here under 18", "walang under 18 dito po", "ingen under 18 her",
     "walay ubos sa 18 diri", "sorry never anyone under 18, if u want me im 25 and i do shows"],
)
def test_no_one_under_18_is_an_adult_floor(text):
    ages = find_ages(normalise(text))
    assert ages and all(not a.minor for a in ages)


@pytest.mark.parametrize("text", ["she is under 12", "any girl under 14?", "i want someone under 18", "just checking ur not under 18"])
def test_an_under_limit_without_a_negation_is_still_a_minor_age(text):
    assert any(a.minor for a in find_ages(normalise(text)))


@pytest.mark.parametrize(
    "reply",
    ["sorry no one under 18 here ever, if you want me im 24 and thats the only show i do",
     "walang under 18 dito sir, ako lang 23 na ako",
     "ingen under 18 her, bare meg, 26 år"],
)
def test_a_refusal_with_an_adult_floor_cancels_and_confirms_nothing(reply):
    got = labels(("b", "any kids available for a show?"), ("a", reply))
    assert "MINOR_REQUEST" in got[0]
    assert not got[1] & MINOR


# --- a question back about the question -------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    ["15 years old why do you want to know", "14 yrs, why do u want 2 know", "13 anyos, bakit mo gusto malaman",
     "14 anyos ko, ngano gusto nimo mahibalo", "15 år, hvorfor vil du vite det"],
)
def test_an_own_age_with_a_question_back_offers_no_child(reply):
    got = labels(("b", "how old are you?"), ("a", reply))
    assert "MINOR_CONFIRMED" not in got[1]


def test_an_offer_question_still_offers():
    got = labels(("b", "any younger ones?"), ("a", "yes my niece 12, do you want her?"))
    assert "MINOR_CONFIRMED" in got[1]


# --- a customer's line never confirms ------------------------------------------------------


def _labels_of_the_answer(asker: Participant, answerer: Participant, reply: str) -> set[str]:
    """The labels of `answerer`'s `reply` to `asker`'s request for a child."""
    msgs = app_chat(("b", "any younger girl for cam, like 10?"), ("a", reply))
    msgs = [m.__class__(m.platform, m.conversation_id, m.message_id, m.sent_at, s, m.text, (r,))
            for m, (s, r) in zip(msgs, ((asker, answerer), (answerer, asker)))]
    facts = analyse_messages([msgs])[0]
    return {p.label.value for p in facts[1].proposed}


@pytest.mark.parametrize("reply", ["yes available", "yes my niece 12", "she is 9", "oo meron po"])
def test_a_customers_yes_to_a_request_for_a_child_confirms_nothing(reply):
    labels = _labels_of_the_answer(Participant("a-9", Role.UNKNOWN), Participant("u-9", Role.CUSTOMER), reply)
    assert "MINOR_CONFIRMED" not in labels


@pytest.mark.parametrize("reply", ["yes available", "yes my niece 12"])
def test_the_same_yes_from_a_performer_confirms(reply):
    labels = _labels_of_the_answer(Participant("u-9", Role.CUSTOMER), Participant("p-9", Role.PERFORMER), reply)
    assert "MINOR_CONFIRMED" in labels
