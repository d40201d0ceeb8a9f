"""Session 7 (confirmations by structure): a school or a class beside a time of day says when a
child is free, not that she is busy ("free after school 7pm"); and a seller's first answer to a
request for a child that gives the terms or the schedule (a price or a time of day) with no
refusal, no question back and no own age confirms the child (`dialogue.terms`).
Lines written from knowledge of the four languages, not taken from generator output; each
form has its near misses (a busy child, a school fee, a refusal, an own age, a customer, a
question, no request for a child) that must stay quiet."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.text.helpers import T0, app_chat
from vaktpost.model import Message, Participant, Role
from vaktpost.text import analyse_messages, reply_model
from vaktpost.text.normalise import normalise
from vaktpost.text.offers import CLOCK, school_schedule

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


@pytest.fixture(autouse=True)
def rules_only():
    """The reply model off: these are the rules' own decisions."""
    with reply_model.switched_off():
        yield


def labels(*lines) -> list[set[str]]:
    return [{p.label.value for p in f.proposed} for f in analyse_messages([app_chat(*lines)])[0]]


def rules(*lines) -> list[set[str]]:
    return [{p.rule.partition(":")[0] for p in f.proposed} for f in analyse_messages([app_chat(*lines)])[0]]


# --- a time of day ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["free at 7pm", "10 pm ur time", "22:00", "home at 4", "around 9", "mga alas 8", "alas 7", "kl 19"])
def test_a_time_of_day_is_a_clock(text):
    assert CLOCK.search(normalise(text)) is not None


@pytest.mark.parametrize("text", ["40 usd", "she is 9", "grade 4", "2 kids", "1500 php", "room 12"])
def test_a_price_an_age_or_a_count_is_no_clock(text):
    assert CLOCK.search(normalise(text)) is None


# --- a school that says when a child is free -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["free after school 7pm", "back from school by 4pm", "bakante pagkatapos ng klase 9pm", "galing school 4pm",
     "bakante human sa klase alas 8", "gikan sa eskwelahan alas 5", "ledig etter skolen kl 19", "hjem fra skolen kl 16"],
)
def test_after_school_with_a_time_is_a_schedule(text):
    assert school_schedule(normalise(text))


@pytest.mark.parametrize("text", ["free after school", "at school now", "school fees due 5pm", "nasa school pa sya, 4pm"])
def test_a_school_without_a_time_or_a_time_without_after_school_is_none(text):
    assert not school_schedule(normalise(text))


@pytest.mark.parametrize(
    "line",
    ["have a niece here, 9 years old, free after school 7pm",
     "may pamangkin ako dito, 9 anyos, bakante pagkatapos ng klase 9pm",
     "naa koy pag-umangkon diri, 9 anyos, bakante human sa klase alas 8"],
)
def test_a_child_offered_with_a_schedule_after_school_is_an_offer(line):
    assert "MINOR_CONFIRMED" in labels(("a", line))[0]


@pytest.mark.parametrize(
    "reply",
    ["my niece, 9 years old, home from school at 4pm",
     "pamangkin ko, 9 anyos, galing school 4pm",
     "niesen min, 9 år, hjem fra skolen kl 16"],
)
def test_a_childs_age_with_a_schedule_answers_a_request(reply):
    got = labels(("b", "any younger one available tonight, like 10?"), ("a", reply))
    assert "MINOR_REQUEST" in got[0]
    assert "MINOR_CONFIRMED" in got[1]


@pytest.mark.parametrize(
    "line",
    ["my daughter is 9, at school now",  # a busy child: no time of day
     "my son 8 yrs, school fees 3000 php due 5pm",  # a school fee keeps its innocent context
     "my daughter is 9 and i pick her up after school at 3pm",  # a parent's day
     "i fetch my son from school at 3pm, then im free to chat",
     "sinusundo ko anak ko galing school 4pm, tapos online na ako"],
)
def test_a_parents_school_day_stays_quiet(line):
    assert not labels(("a", line))[0] & MINOR


def test_a_parents_answer_about_their_kids_school_day_confirms_nothing():
    got = labels(("b", "do you have kids?"), ("a", "yes two, 8 and 11, home from school at 4pm"))
    assert "MINOR_CONFIRMED" not in got[1]


def test_an_own_age_with_a_schedule_is_self_disclosed_not_a_child_offered():
    got = labels(("a", "im 14, free after school 7pm"))[0]
    assert "MINOR_CONFIRMED" not in got
    assert "SELF_DISCLOSED_MINOR" in got


# --- terms or a schedule as the answer to a request for a child --------------------------------


@pytest.mark.parametrize(
    "ask, reply",
    [("any younger one available tonight, like 10?", "10 pm, she's back from school by then"),
     ("any younger one available tonight, like 10?", "40 usd then"),
     ("may mas bata ba, mga 10 anyos, ngayong gabi?", "9pm po, 1500 php"),
     ("naa bay mas bata, mga 10 anyos, karong gabii?", "alas 8 sa gabii, 1000 pesos"),
     ("har du noen yngre, rundt 10 år, i kveld?", "kl 20 i kveld, 500 kr")],
)
def test_terms_answering_a_request_for_a_child_confirm(ask, reply):
    got = rules(("b", ask), ("a", reply))
    assert "dialogue.terms" in got[1]


@pytest.mark.parametrize(
    "reply",
    ["40 usd?",  # a question back: haggling, not an answer
     "sorry no kids here, 10pm only me, 40 usd",  # a refusal
     "im 15, free at 10pm",  # an own age
     "im free at 10pm, 40 usd",  # the seller offers herself
     "gcash muna po"],  # a payment route alone: the next step of any deal
)
def test_terms_that_refuse_ask_back_or_offer_oneself_confirm_nothing(reply):
    got = labels(("b", "any younger one available tonight, like 10?"), ("a", reply))
    assert "MINOR_REQUEST" in got[0]
    assert "MINOR_CONFIRMED" not in got[1]


@pytest.mark.parametrize(
    "ask, reply",
    [("hi how are u", "10 pm your time ok"),  # no request at all
     ("any adult girl available tonight, like 25?", "40 usd"),  # a request for an adult
     ("do you have kids?", "10 pm")],  # small talk about one's family
)
def test_terms_without_a_request_for_a_child_confirm_nothing(ask, reply):
    assert "MINOR_CONFIRMED" not in labels(("b", ask), ("a", reply))[1]


@pytest.mark.parametrize("role, confirms", [(Role.CUSTOMER, False), (Role.PERFORMER, True)])
def test_a_customers_terms_confirm_nothing(role, confirms):
    """Where the platform knows the answering side is a customer, the buyer's side never
    confirms; the same line from a performer does."""
    asker = Participant("c-2", Role.CUSTOMER)
    answering = Participant("s-1", role)
    conv = [
        Message("cam", "c-9", "m0", T0, asker, "any younger one available tonight, like 10?", (answering,)),
        Message("cam", "c-9", "m1", T0 + timedelta(minutes=1), answering, "40 usd then", (asker,)),
    ]
    got = [{p.label.value for p in f.proposed} for f in analyse_messages([conv])[0]]
    assert ("MINOR_CONFIRMED" in got[1]) is confirms


def test_terms_after_a_confirmation_are_the_next_step_not_a_new_confirmation():
    got = rules(("b", "any younger one available tonight, like 10?"), ("a", "yes my niece, 9 years old"),
                ("b", "ok good"), ("a", "40 usd"))
    assert "dialogue.terms" not in got[3]


# --- a negated "pwede" is a no ----------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    ["wala po, pamangkin ko 9 anyos, hindi pwede",
     "wala po, pamangkin ko 9 anyos galing school 4pm, hindi po pwede",
     "wala, akong pag-umangkon 9 anyos, dili pwede"],
)
def test_a_negated_pwede_with_a_childs_age_confirms_nothing(reply):
    got = labels(("b", "any younger one available tonight, like 10?"), ("a", reply))
    assert "MINOR_CONFIRMED" not in got[1]


def test_a_plain_pwede_with_a_childs_age_still_confirms():
    got = labels(("b", "any younger one available tonight, like 10?"), ("a", "pwede po, pamangkin ko 9 anyos, mamaya 8pm"))
    assert "MINOR_CONFIRMED" in got[1]
