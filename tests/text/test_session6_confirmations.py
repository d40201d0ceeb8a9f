"""Session 6 (confirmations): adverts and broadcasts that offer a child, the terms of a deal
as the answer to a request for one, and "no one under 18" as a refusal. Phrasings written
from knowledge of the languages, not taken from generator output; each form has a near miss
that must stay quiet."""

from __future__ import annotations

import pytest

from tests.text.helpers import app_chat, chat, labels_of
from vaktpost.model import Participant, Role
from vaktpost.text import analyse_conversation, analyse_messages, reply_model
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


@pytest.mark.parametrize("text", ["she is under 12", "any girl under 14?", "i want someone under 18"])
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


# --- a seller's advert and a broadcast ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "selling video call with my niece 9 yrs, serious buyers only",
        "benta show kasama pamangkin ko, 10 anyos",
        "nagbebenta ako ng live show, anak ko 12 taong gulang",
        "baligya video call uban akong manghod, 11 anyos",
        "selger videosamtale med niesen min, 12 år",
        "my little cousin 13yo, serious buyers only",
        "anyone want kids tonight? message me",
        "who wants young ones later, pm lang",
        "sino gusto ng bata mamaya, pm lang po",
        "kinsa gusto ug bata karong gabii, pm lang",
        "hi sir interested ka sa 10 video call",
        "hi sir interesado ka sa 12 anyos cam show po",
        "good evening sir, interested in grade 3 yo live show",
    ],
)
def test_a_sellers_advert_or_broadcast_offers_the_child(text):
    assert "MINOR_CONFIRMED" in labels(("a", text))[0]


@pytest.mark.parametrize(
    "text",
    [
        "selling my old phone, 3 years old, serious buyers only",
        "selling my sons bike he is 12 now",
        "benta ko yung laptop ng anak ko, 5 years old na",
        "who wants to chat tonight? pm me",
        "anyone want a ride to the mall tonight? message me",
        "hi sir interested in a new phone?",
    ],
)
def test_a_sale_of_things_or_a_broadcast_with_no_child_offers_no_one(text):
    assert not labels(("a", text))[0] & MINOR


def test_a_customer_broadcasting_a_wish_is_not_offering():
    buyer = Participant("u-9", Role.CUSTOMER)
    got = labels_of(analyse_conversation(chat(("b", "anyone want kids tonight? message me"), buyer=buyer)))
    assert "MINOR_CONFIRMED" not in got


# --- the terms of the deal as the answer to a request for a child ------------------------


@pytest.mark.parametrize(
    "ask,reply",
    [
        ("is there a young one in the house who could join later?", "€40 then"),
        ("any younger girl for cam, like 10?", "$25 for her, 10 pm your time"),
        ("may bata ka ba dyan for video call, mga 9?", "1500 php lang po para sa kanya"),
        ("naa kay bata diha para sa show, 8 anyos?", "2000 pesos ra sir"),
        ("har du noen yngre, 12 år, til en videosamtale?", "800 kr for henne i kveld"),
    ],
)
def test_a_price_quoted_as_the_first_reply_to_a_request_for_a_child_confirms(ask, reply):
    got = labels(("b", ask), ("a", reply))
    assert got[0] & {"MINOR_REQUEST", "CONTENT_REQUEST"}
    assert "MINOR_CONFIRMED" in got[1]


@pytest.mark.parametrize(
    "ask,reply",
    [
        ("any younger girl for cam, like 10?", "no kids, only me, 50 usd"),  # a refusal
        ("any younger girl for cam, like 10?", "im 24, 50 usd for me"),  # herself, an adult
        ("any younger girl for cam, like 10?", "50 usd?"),  # a question back
        ("are you 25? i want a show with you", "50 usd"),  # an adult asked for
        ("do you have kids?", "50 usd"),  # small talk about children
    ],
)
def test_a_price_that_refuses_asks_back_or_answers_an_adult_confirms_nothing(ask, reply):
    assert "MINOR_CONFIRMED" not in labels(("b", ask), ("a", reply))[1]


def test_a_price_after_the_first_confirmation_is_the_deals_next_step():
    got = labels(("b", "any younger girl for cam, like 10?"), ("a", "yes available, 50 usd first"),
                 ("b", "ok can she come to the hotel"), ("a", "20 usd more for the hotel"))
    assert "MINOR_CONFIRMED" in got[1]
    assert "MINOR_CONFIRMED" not in got[3]


def test_a_price_in_another_conversation_does_not_answer_the_request():
    request = app_chat(("b", "any younger girl for cam, like 10?"))
    other = [m.__class__(m.platform, "c-2", "c-2-m0", m.sent_at, m.sender, "50 usd then", m.recipients)
             for m in app_chat(("a", "50 usd then"))]
    facts = analyse_messages([request, other])
    assert "MINOR_CONFIRMED" not in {p.label.value for p in facts[1][0].proposed}


def test_a_customers_price_never_confirms():
    got = labels_of(analyse_conversation(chat(("p", "any younger girl for cam, like 10?"), ("b", "€40 then"))), "c-1-m1")
    assert "MINOR_CONFIRMED" not in got


def test_a_price_after_a_price_question_answers_the_question_not_the_request():
    got = labels(("b", "any younger girl for cam, like 10?"), ("b", "what do u charge"), ("a", "70 usd, pay first"))
    assert "MINOR_CONFIRMED" not in got[2]


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
