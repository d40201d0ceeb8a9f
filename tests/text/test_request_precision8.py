"""False MINOR_REQUESTs, session 8 (`mrfp9`): a show or picture of a child already spoken of
asked with no article before her, a tl / ceb remark that the addressee is young, and three
age-reading leftovers. Lines written for these tests from the taxonomy's definitions, in en,
nb, tl and ceb (clinical wording only)."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.ages import find_ages
from vaktpost.text.normalise import normalise


# A child named with no determiner at all, then the show she would be on: the show is asked
# for (CONTENT_REQUEST), as with "the kid" — chat English drops its articles.
@pytest.mark.parametrize(
    "line",
    [
        "can kid be on the show?",
        "extra 20 if kid is on the video call",  # a copula joins her to the call
        "younger girl on cam first, then we talk price",
        "lillesøster på kamera i kveld?",  # nb
        "ekstra hvis lillesøster er på kamera",
        "i want niece video tonight",  # the child as the picture word's modifier
        "kid cam show later, how much",
    ],
)
def test_a_bare_child_on_the_show_asks_for_the_show(line):
    labels = say(line)
    assert "CONTENT_REQUEST" in labels
    assert "MINOR_REQUEST" not in labels


@pytest.mark.parametrize(
    "line",
    [
        "can a kid be on the show?",  # an article: any kid, asked for
        "can your niece be on the show?",  # the addressee's: naming her asks about her
        "any kid available for the show?",  # a question about the child herself
        "a niece video?",
        "pwede bata sa cam mamaya?",  # tl: a bare noun is "a child"
        "naa kay bata para sa cam?",  # ceb
    ],
)
def test_a_child_with_a_determiner_or_a_question_about_her_is_still_asked_for(line):
    assert "MINOR_REQUEST" in say(line)


def test_the_bare_child_after_an_ask_and_a_yes_is_the_show_of_the_same_child():
    msgs = chat(
        ("b", "any young one available tonight?"),
        ("p", "yes, my niece is here, 9"),
        ("b", "i pay extra if kid is on the live show"),
    )
    found = analyse_conversation(msgs)
    assert "MINOR_REQUEST" in labels_of(found, msgs[0].message_id)
    last = labels_of(found, msgs[2].message_id)
    assert "CONTENT_REQUEST" in last and "MINOR_REQUEST" not in last


# tl / ceb put the predicate first: "bata pa kaayo ka" is "you are very young". Her age asked
# beside a price or a show names no other child: an age probe, no request for a child.
@pytest.mark.parametrize(
    "line",
    [
        "bata pa kaayo ka, pila imong edad? pila sa cam?",  # ceb
        "murag bata pa kaayo ka, pila edad nimo, pila ang show?",
        "ang bata mo pa, ilang taon ka na? magkano sa cam?",  # tl
        "bata ka pa, ilang taon ka na? magkano show?",
    ],
)
def test_saying_the_addressee_is_young_is_an_age_probe_not_a_request(line):
    labels = say(line)
    assert "AGE_PROBE" in labels
    assert "MINOR_REQUEST" not in labels


@pytest.mark.parametrize(
    "line",
    [
        "may bata ka ba para sa show?",  # tl: do you have a child for the show
        "bata pa kaayo ang pamangkin mo? pila sa cam?",  # ceb: her niece, not her
    ],
)
def test_a_child_she_has_is_still_asked_for(line):
    assert "MINOR_REQUEST" in say(line)


# Leftovers: a slip of "under" before a number, a hyphenated grade, a slip of a tens word.
def test_a_slip_of_under_before_a_number_is_an_under_limit():
    ages = find_ages(normalise("any1 uner 15?"))
    assert [(a.value, a.kind) for a in ages] == [(15, "under")]
    assert "MINOR_REQUEST" in say("any1 uner 15?")
    assert find_ages(normalise("still uner warranty, so it is free to fix")) == []


@pytest.mark.parametrize("text,grade_age", [("grade-three", 9), ("in grade-5", 11), ("3rd-grade", 9), ("klasse-6", 12)])
def test_a_hyphenated_grade_is_a_grade(text, grade_age):
    ages = find_ages(normalise(text))
    assert [(a.value, a.kind) for a in ages] == [(grade_age, "grade")]


def test_someone_in_a_hyphenated_grade_is_asked_for():
    assert "MINOR_REQUEST" in say("someone in grade-four available tonight?")


@pytest.mark.parametrize("text", ["tewnty three", "twnety three yrs", "i am twenyt five"])
def test_a_slip_of_a_tens_word_before_a_unit_word_is_no_age(text):
    """Read as the unit alone it was a child's age (3, 5); no age beats a wrong one."""
    assert find_ages(normalise(text)) == []


def test_a_slip_of_a_tens_word_keeps_the_adult_out_of_the_minor_labels():
    assert "MINOR_CONFIRMED" not in say("i have one tewnty three yrs old", "p")
    assert "MINOR_REQUEST" not in say("want one tewnty three yrs", "b")
    assert [a.value for a in find_ages(normalise("twenty three years old"))] == [23]


# An exclamation shaped as a question ("can you believe it") asks no one for anything: a young
# one named beside it, with no deal word, is small talk.
@pytest.mark.parametrize(
    "line",
    [
        "the youngest is starting school already, can you believe it?",
        "the little one learned to ride a bike today, can you imagine",
        "den yngste begynner på skolen, kan du tro det?",  # nb
        "den yngste har fått ny sykkel, kan du tro det",
    ],
)
def test_a_young_one_beside_an_exclamation_is_no_request(line):
    assert "MINOR_REQUEST" not in say(line)


@pytest.mark.parametrize(
    "line",
    [
        "can you believe it, any young one available?",  # a real ask after it
        "the youngest one, can you believe she is free tonight? how much",  # a deal word
        "can you bring the youngest?",
    ],
)
def test_an_ask_beside_an_exclamation_still_asks(line):
    assert "MINOR_REQUEST" in say(line)
