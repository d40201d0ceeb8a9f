"""A child-serving business or a carer speaking (session 9, child_service.py): a school's free
place by age, a club's age groups, a tutor's or a clinic's price by age, a class photo, a party
place, "I mind my niece after school" carry no minor label — in a line alone, answering a
counterpart's line, or with the learned and reply models on. The trade's own moves beside the
same words keep theirs: a show, session, call or picture word, a payment route, a code word or
secrecy in the line; a facilitator's "my daughter" with an age and a price; a buyer's ask for a
child with no service word."""

from __future__ import annotations

import pytest

from tests.text.helpers import app_chat, chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.facts import MessageFacts
from vaktpost.text.labels import label_message
from vaktpost.text.matcher import default_matcher
from vaktpost.text.normalise import normalise
from vaktpost.model import Role

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST", "AGE_PROBE"}


def facts(text: str, role: Role = Role.UNKNOWN) -> MessageFacts:  # the rules' facts of one line
    n = normalise(text)
    return label_message(n, default_matcher().scan_batch([n])[0], role)


# each line had a minor label before (an offer, or a request from a buyer)
BUSINESS_AND_CARERS = [
    "the swim school has places available for kids aged 9, 40 a month",
    "tutor available for grade 4 kids, 15 an hour",
    "dance school has a spot available for a 7 year old girl, 30 per class",
    "the party place is available for kids turning 8, 150 per hour",
    "clinic has an opening for kids under 6, 20 per visit",
    "I have a tutor for your 10 year old, 15 per hour",
    "babysitting available for kids 4 to 8, 10 an hour",
    "svømmeskolen har plass til barn på 8 år, 400 kr i måneden",
    "danseskolen har ledig time for jenter på 10 år",
    "barnehagen har ledig plass for en på 3 år fra august",
    "leksehjelp ledig for elever på 11 år, 300 kr timen",
    "fotballaget har plass til gutter på 9 år, kontingent 500",
    "kasali ang anak ko sa u10 team, practice alas kwatro",
    "may bakante pa sa swimming class para sa 8 taong gulang, available pa, 500 kada buwan",
    "may tutor ako para sa 9 years old, 300 per hour",
    "naay bakante sa daycare para sa 4 anyos, available na, 600 kada bulan",
    "available ang dance class para sa bata nga 10 anyos, 400",
]


@pytest.mark.parametrize("text", BUSINESS_AND_CARERS)
def test_a_child_serving_business_or_carer_gets_no_minor_label(text):
    assert not (say(text, "u") & MINOR)
    assert not (say(text, "p") & MINOR)
    assert not (say(text, "b") & MINOR)  # the same words from a parent: an enquiry, no request


def test_the_flag_is_set_only_without_a_trade_word():
    assert facts("swim school has a place for a 9 yo").serves_children
    assert not facts("swim school girl 9 yo, private session 40 usd").serves_children
    assert not facts("dance class girl 11, send gcash first").serves_children
    assert not facts("my niece 10, available tonight, 50 usd").serves_children


@pytest.mark.parametrize(
    "text",
    [
        # a show, session, call or picture word keeps the offer
        "niece is back from swim class, 11yo, on cam tonight",
        "after tutoring she is free, 10 yrs, video call 30 usd",
        # a payment route or a code word keeps it
        "my girl 9 yo from the u10 team is here, pay by gcash first",
        "have my niece 10yo here, her tutor left, paypal first then cam",
        # nb / tl
        "datteren min på 12 fra danseskolen, privat show i kveld, 500 kr",
        "pamangkin ko 11 anyos, tapos na ang tutor niya, pwede sa cam 1500",
    ],
)
def test_the_trades_offer_beside_a_service_word_is_still_an_offer(text):
    assert "MINOR_CONFIRMED" in say(text, "u")


@pytest.mark.parametrize(
    "text",
    [
        "private session with a 12 yo after her swim class, how much?",
        "can your daughter from dance class do a cam show, she's 11 right?",
        "want a session with your niece 10yo after school",
        "any girl under 12 from the dance school? private session",
    ],
)
def test_a_buyers_ask_for_a_child_beside_a_service_word_is_still_a_request(text):
    assert say(text, "b") & {"MINOR_REQUEST", "CONTENT_REQUEST"}


@pytest.mark.parametrize(
    "text",
    [
        "my daughter 12yo available tonight, 50 usd",  # a facilitator's own child, offered
        "have my niece here, 9 years old, 2000 php",
        "anak ko 11 anyos, available mamaya, 1500",
    ],
)
def test_a_facilitators_own_child_with_a_price_is_still_offered(text):
    assert "MINOR_CONFIRMED" in say(text, "u")


@pytest.mark.parametrize("reply", ["tutor comes at 5, she is 10", "the u12 team coach says she is 11 now"])
def test_a_service_line_answering_a_request_for_a_child_still_confirms(reply):
    # sent in answer to a buyer's request for a child, the age is the answer (the trade's move)
    conv = chat(("b", "any young ones available tonight?"), ("u", reply))
    assert "MINOR_CONFIRMED" in labels_of(analyse_conversation(conv), conv[1].message_id)


def test_a_carers_line_between_chat_accounts_gets_no_label():
    conv = app_chat(
        ("a", "is this still the booking line?"),
        ("b", "yes, for the swim school"),
        ("a", "I mind my niece after school, she's 8, her mum collects her at 7pm"),
        ("b", "ok she can start saturday, 30 a month"),
    )
    assert not (labels_of(analyse_conversation(conv)) & MINOR)


@pytest.mark.parametrize(
    "text",
    [
        "my son is 8, the school photographer has his class photo available for 15",
        "anak ko 9 years old, available na ang class picture sa school, 150",
        "datteren min er 8, klassebildet er klart, 200 kr",
    ],
)
def test_a_picture_word_inside_the_services_name_is_the_services(text):
    assert not (say(text, "u") & MINOR)


@pytest.mark.parametrize(
    "text",
    [
        "my daughter 12yo, photos available, 15 usd",  # no service: pictures of a child sold
        "picture day at school, my daughter is 7, photos available next week",  # a picture word outside it
    ],
)
def test_a_picture_word_outside_a_services_name_keeps_the_offer(text):
    assert "MINOR_CONFIRMED" in say(text, "u")


def test_the_pupils_a_service_is_for_are_not_the_writer():
    assert "SELF_DISCLOSED_MINOR" not in say("skolefotografen kommer fredag, klassebilde for alle som går i 4. klasse", "u")
    # a minor speaking of their own class still discloses
    assert "SELF_DISCLOSED_MINOR" in say("im in grade 5 and my swim class is at 4", "u")
    assert "SELF_DISCLOSED_MINOR" in say("jeg går i 6. klasse og har svømmekurs i dag", "u")
