"""Buyer-side asks written from knowledge of how they are phrased (en, nb, tl, ceb, Taglish),
not taken from generator output: indirect and age-led asks, asks without a request verb,
under-N forms, school grades; and the buyer lines that must stay quiet."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.ages import find_ages
from vaktpost.text.normalise import normalise

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


@pytest.mark.parametrize(
    "text,value",
    [
        ("12 or younger", 12),
        ("12 yo or younger", 12),
        ("no one over 14", 14),
        ("helst yngre enn 13", 13),
        ("12 eller yngre", 12),
        ("10 pababa lang", 10),
        ("dili lapas 13", 13),
        ("not yet 16", 16),
    ],
)
def test_under_forms(text, value):
    ages = find_ages(normalise(text))
    assert [(a.value, a.kind) for a in ages] == [(value, "under")]


@pytest.mark.parametrize("text,age", [("a 6th grader", 12), ("any 6th graders?", 12), ("sixth graders", 12), ("second grade", 8)])
def test_grades_with_ordinals_and_graders(text, age):
    assert [a.value for a in find_ages(normalise(text))] == [age]


@pytest.mark.parametrize("text", ["first time here", "not even 20 usd", "under 15 min", "the second one"])
def test_not_under_ages(text):
    assert not [a for a in find_ages(normalise(text)) if a.minor and a.kind != "bare"]


@pytest.mark.parametrize(
    "text",
    [
        "any younger?",
        "is there someone smaller",
        "how old is the youngest you have",
        "what's the youngest you can do",
        "a kiddo would be perfect",
        "the younger the better",
        "can ur niece join pls",
        "someone still in elementary school?",
        "is there a girl in middle school",
        "sixth grader available?",
        "12 or younger",
        "nobody older than 13 please",
        "under 13 ok?",
        "har du noen yngre?",
        "kan lillesøsteren din være med",
        "helst yngre enn 13",
        "ilang taon ang pinakabata mo?",
        "gusto ko yung mga 12 years old",
        "sana mas bata pa",
        "pila ang edad sa pinakabata nimo?",
        "gusto ko kadtong mga 12 anyos",
        "dili lapas 13 ha",
    ],
)
def test_buyer_asks(text):
    assert "MINOR_REQUEST" in say(text, "b")


@pytest.mark.parametrize(
    "text",
    [
        "youngest i want is 18",
        "any older ones?",
        "is she 18?",
        "12 usd ok?",
        "how much, 15?",
        "show at 12?",
        "is 20 fine?",
        "my kid is 12, brb dinner",
        "i have to pick up my kids from school",
        "someone younger than 30 maybe?",
        "i like younger women, 20s",
        "what are you doing tonight?",
        # small talk about children, no ask in it (these fired on customers before)
        "I was a kid once too haha",
        "the kids next door are so loud tonight",
        "when I was younger I lived in Cebu",
        "kids are expensive man",
        "the youngest of my brothers is getting married",
        "happy children's day",
        "mga bata sa amin maingay kaayo",
        "ang bata pa nimo tan awon",
        # about the performer herself, or an adult asked for
        "you are the youngest here?",
        "is there a younger model available, like 19?",
        "you look like a teen, how old are you really?",
    ],
)
def test_buyer_lines_that_ask_for_no_child(text):
    assert not say(text, "b") & MINOR


def test_wanting_is_not_a_self_disclosure():
    labels = say("gusto ko yung mga 12 years old", "b")
    assert "SELF_DISCLOSED_MINOR" not in labels


@pytest.mark.parametrize(
    "text",
    [
        "are you under 18?",
        "r u a minor?",
        "when is your birthday?",
        "student ka pa?",
        "high school ka pa?",
        "pila na siya ka tuig?",
        "unsa imong grade?",
        "er du under 18?",
        "how yung r u really?",
        "whch school year are you in now?",
        "which class is she in",
        "legal ka na ba?",
    ],
)
def test_age_probes(text):
    assert "AGE_PROBE" in say(text, "b")


@pytest.mark.parametrize("text", ["what year are you coming", "which one is she"])
def test_not_age_probes(text):
    assert "AGE_PROBE" not in say(text, "b")


@pytest.mark.parametrize("question", ["12?", "11 or 12?", "is 11 possible?"])
def test_a_bare_age_question_asks_in_a_conversation_about_a_child(question):
    msgs = chat(("b", "do you have a younger one?"), ("p", "yes, my niece"), ("b", question))
    assert "MINOR_REQUEST" in labels_of(analyse_conversation(msgs), msgs[2].message_id)


@pytest.mark.parametrize(
    "lines",
    [
        [("p", "show is 20 usd for 10 min"), ("b", "15?")],
        [("p", "private show 25 dollars"), ("b", "12?")],
        [("b", "how long is the show"), ("p", "15 min or 30 min"), ("b", "15?")],
        [("p", "I start at 9"), ("b", "10?")],
        [("p", "how many minutes you want"), ("b", "10?")],
        [("p", "which room?"), ("b", "12?")],
    ],
)
def test_a_bare_number_question_is_no_age_elsewhere(lines):
    """Haggling, times, minutes, rooms: the same "12?" asks for no child (these were labelled
    MINOR_REQUEST when the rule looked at the message alone)."""
    msgs = chat(*lines)
    assert not labels_of(analyse_conversation(msgs), msgs[-1].message_id) & MINOR


@pytest.mark.parametrize(
    "text", ["are you under 18?", "u under 18?", "er du under 18?", "just checking ur not under 18", "you're not under 18 right?"]
)
def test_asking_her_own_age_as_an_under_n_is_a_probe_not_a_request(text):
    labels = say(text, "b")
    assert "AGE_PROBE" in labels
    assert "MINOR_REQUEST" not in labels


@pytest.mark.parametrize(
    "text", ["do you have any under 14?", "ur niece under 12?", "is she under 14?", "are you under 18? i want a girl under 14"]
)
def test_an_under_n_asked_for_is_still_a_request(text):
    assert "MINOR_REQUEST" in say(text, "b")


@pytest.mark.parametrize("text", ["i like young ones 18-19", "u have younger friends? 18 or 19 ok", "young ones 18 to 20 only"])
def test_a_young_word_with_an_adult_range_asks_for_no_child(text):
    assert not say(text, "b") & MINOR


@pytest.mark.parametrize("text", ["any young ones 13 or 14?", "i want young ones 12-13"])
def test_a_young_word_with_a_minor_range_is_a_request(text):
    assert "MINOR_REQUEST" in say(text, "b")


@pytest.mark.parametrize("text", ["i have a son 10 yrs old", "i got 2 kids, 8 and 11"])
def test_a_customer_stating_his_own_child_asks_for_no_one(text):
    assert not say(text, "b") & MINOR


@pytest.mark.parametrize("text", ["do you have a son 10 yrs old available", "i want a 12yo, i have money"])
def test_an_ask_with_have_in_it_is_still_a_request(text):
    assert "MINOR_REQUEST" in say(text, "b")
