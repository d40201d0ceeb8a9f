"""The buyer side, fifth pass (checked against a second independent hand's wording): an
age question inside a request or an offer, words of an age question that are no question,
age probes by structure, media asks as request forms, and an age after "for". Each rule has
a line that fires and a near miss that must not; the lines are written for these tests."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.ages import find_ages
from vaktpost.text.normalise import normalise


@pytest.mark.parametrize("text", [
    "is your niece free tonight? how old, 9?",
    "any small ones there? what age, grade 4?",
])
def test_an_age_question_inside_a_request_is_the_request(text):
    got = say(text, "b")
    assert "MINOR_REQUEST" in got and "AGE_PROBE" not in got


@pytest.mark.parametrize("text", [
    "how old is your nephew?",
    "ilang taon na ang pamangkin mo?",
    "pila na ka tuig imong igsoon?",
])
def test_an_age_question_that_opens_a_line_about_a_child_is_the_probe(text):
    got = say(text, "b")
    assert "AGE_PROBE" in got and "MINOR_REQUEST" not in got


def test_school_words_describing_the_one_offered_are_no_probe():
    got = say("available now: my niece, 10, still in school", "p")
    assert "MINOR_CONFIRMED" in got and "AGE_PROBE" not in got


def test_school_words_describing_the_one_asked_for_ask_for_a_child():
    got = say("want somebody still in elementary, 11 or so", "b")
    assert "MINOR_REQUEST" in got and "AGE_PROBE" not in got


@pytest.mark.parametrize("text", ["are you still in school?", "u still in school", "what grade na ba siya"])
def test_school_questions_stay_age_probes(text):
    got = say(text, "b")
    assert "AGE_PROBE" in got and "MINOR_REQUEST" not in got


@pytest.mark.parametrize("text", ["yep 21, already did the age verification", "oo po 20, tapos na ang age check"])
def test_an_age_check_reported_done_is_no_probe(text):
    assert "AGE_PROBE" not in say(text, "p")


def test_an_age_check_asked_for_is_a_probe():
    assert "AGE_PROBE" in say("age verification first pls", "b")


@pytest.mark.parametrize("text", [
    "what age are u",
    "how many years old is she",
    "anong edad mo",
    "ilang yrs na siya",
    "pila na man siguro ka tuig",
    "hvor mange år er du",
])
def test_age_probes_by_structure(text):
    assert "AGE_PROBE" in say(text, "b")


@pytest.mark.parametrize("text", [
    "how many years have you been streaming",
    "ano ang bayad",
    "hvor mange ganger i uka",
    "how many years is the warranty",
    "hvor mange år er kontrakten",
])
def test_near_misses_of_the_new_age_probes(text):
    assert "AGE_PROBE" not in say(text, "b")


@pytest.mark.parametrize("ask", [
    "turn on your camera for me",
    "send me a quick selfie",
    "take a short video for me",
    "buksan mo ang cam",
    "skru på kameraet",
])
def test_a_media_ask_to_a_self_declared_minor_is_a_content_request(ask):
    conv = chat(("p", "im 14 lol"), ("b", ask))
    assert "CONTENT_REQUEST" in labels_of(analyse_conversation(conv), conv[-1].message_id)


@pytest.mark.parametrize("ask", ["turn on your camera for me", "send me a quick selfie"])
def test_the_same_media_ask_to_an_adult_is_no_content_request(ask):
    conv = chat(("p", "hi! I'm 22, shows are 20 usd for 10 min"), ("b", ask))
    assert "CONTENT_REQUEST" not in labels_of(analyse_conversation(conv), conv[-1].message_id)


def test_please_asks_for_pictures_of_her():
    assert "CONTENT_REQUEST" in say("pictures of her please, with her face", "b")


def test_pictures_of_her_without_an_ask_ask_nothing():
    assert "CONTENT_REQUEST" not in say("pictures of her, nice one", "b")


def test_an_age_unit_after_for_is_an_age():
    assert [a.value for a in find_ages(normalise("looking for a 10 years old"))] == [10]
    assert "MINOR_REQUEST" in say("looking for 10yo, can you arrange", "b")


def test_a_duration_after_for_is_no_age():
    assert find_ages(normalise("been streaming for 10 years")) == []


@pytest.mark.parametrize("text", ["see u again next week", "maulan dito sa Manila ngayon", "di ko trip yan, bye", "hot today in Davao"])
def test_a_place_or_a_time_alone_is_no_travel_plan(text):
    assert "TRAVEL_MEETING" not in say(text, "b")


@pytest.mark.parametrize("text", [
    "visiting Cebu on the 14th",
    "I'll be in Manila next week",
    "Davao next month then",
    "flying to Bangkok, hotel booked",
    "staying in Angeles during the holiday",
])
def test_a_place_or_time_with_a_date_a_second_kind_or_a_verb_of_going_is_a_plan(text):
    assert "TRAVEL_MEETING" in say(text, "b")


def test_a_question_whether_the_sellers_relative_is_available_asks():
    assert "MINOR_REQUEST" in say("is your cousin available tonight? 10 is ok", "u")


def test_a_statement_that_a_relative_is_available_still_offers():
    got = say("my cousin is available tonight, 10", "u")
    assert "MINOR_CONFIRMED" in got and "MINOR_REQUEST" not in got
