"""Performer side, fifth pass (set c): whose age an answer to an age question gives, whose
child a line about availability names, and a parent's small talk — each rule with a case that
fires and a near miss that must stay quiet."""

from __future__ import annotations

import pytest

from tests.text.helpers import APP_A, APP_B, app_chat, chat, labels_of
from vaktpost.text import analyse_conversation

A, B = APP_A, APP_B



MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "CONTENT_REQUEST", "SELF_DISCLOSED_MINOR"}


# --- a subject-less age answering "how old is she" with no child brought up is one's own ----

@pytest.mark.parametrize("probe, answer", [
    ("whats her age tho", "13 turning next yr"),
    ("she in what grade now", "in grade 7 this yr"),
    ("og hun er hvor gammel?", "fyller 13 år snart"),
])
def test_a_bare_age_answer_with_no_child_spoken_of_is_self_disclosure(probe, answer):
    found = analyse_conversation(chat(("b", "hey, first time here"), ("b", probe), ("p", answer)))
    assert labels_of(found, "c-1-m2") & MINOR == {"SELF_DISCLOSED_MINOR"}


def test_the_same_answer_after_a_child_was_offered_confirms_the_child():
    found = analyse_conversation(chat(("p", "my niece is available too, 12yo"), ("b", "whats her age tho"), ("p", "13 turning next yr")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m2")
    assert "SELF_DISCLOSED_MINOR" not in labels_of(found, "c-1-m2")


def test_a_probe_that_names_a_child_still_makes_the_answer_a_confirmation():
    found = analyse_conversation(chat(("b", "is the small one there? how old is she?"), ("p", "11")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


# --- an age answer must follow the age question: the replier's first line, close by --------

def test_a_parents_news_several_lines_after_an_answered_probe_answers_nothing():
    found = analyse_conversation(chat(
        ("b", "she in wat grade now"), ("p", "turned 22 in July"), ("b", "u watch the game last night"),
        ("p", "my coffee went cold again haha"), ("p", "my son turned 11 yrs on sunday"),
    ))
    assert labels_of(found, "c-1-m4") & MINOR == set()


def test_the_first_reply_to_the_probe_still_answers_it():
    found = analyse_conversation(chat(("b", "how old are you?"), ("p", "15")))
    assert labels_of(found, "c-1-m1") == {"SELF_DISCLOSED_MINOR"}


# --- the addressee's child: a question about "your niece" offers no one --------------------

@pytest.mark.parametrize("text", [
    "is ur nephew available too, 13 y/o is fine",
    "is your little sister available too, 10 years old is fine",
    "available ba ang anak mo, 12 okay lang",
])
def test_a_line_about_the_addressees_child_is_no_offer(text):
    found = analyse_conversation(app_chat(("a", "hey hey, first time in here"), ("a", text)))
    assert "MINOR_CONFIRMED" not in labels_of(found, "c-1-m1")


@pytest.mark.parametrize("text", ["my nephew is available too, 13 y/o", "available ang anak ko, 12 anyos"])
def test_ones_own_child_on_offer_still_confirms(text):
    found = analyse_conversation(app_chat(("a", "hey hey, first time in here"), ("b", text)))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


# --- a parent's small talk: school meetings, "time flies" --------------------------------

@pytest.mark.parametrize("text", [
    "naa koy PTA meeting para sa akong anak nga 6 anyos",
    "my son turned 11 on sunday, time flies",
    "ang bilis ng panahon, 9 na ang anak ko",
])
def test_a_parents_small_talk_offers_no_one(text):
    found = analyse_conversation(chat(("b", "kumusta"), ("p", text)))
    assert labels_of(found, "c-1-m1") & MINOR == set()


def test_an_offer_beside_a_school_word_of_the_offer_itself_still_confirms():
    found = analyse_conversation(chat(("b", "hi"), ("p", "naa koy 12 anyos, available karon")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


def test_a_parents_news_after_a_request_and_an_adult_answer_confirms_nothing():
    found = analyse_conversation(app_chat(
        ("a", "ilang taon na ung kapatid na bunso mo"), ("b", "19 ka tuig na ko, naa koy id"),
        ("b", "13 ka tuig na akong kamanghuran, paspas sa panahon"),
    ))
    assert "MINOR_CONFIRMED" not in labels_of(found, "c-1-m2")


# --- subject-less statements of one's own age or grade; Taglish "aq" (ako) and "q" (ko) ----

@pytest.mark.parametrize("text", [
    "in grade 8 this yr", "still in 7th grade lol", "11 turning next yr", "15, turning 16 in may",
    "12 y/o lng aq hehe", "14 anyos palang po aq", "grade 8 palang aq kuya", "turning 15 aq next month",
    "er seksten",
])
def test_subject_less_own_age_or_grade_is_self_disclosure(text):
    found = analyse_conversation(chat(("b", "hey, how was school"), ("p", text)))
    assert "SELF_DISCLOSED_MINOR" in labels_of(found, "c-1-m1")


@pytest.mark.parametrize("text", [
    "my daughter is in grade 8 this yr", "in grade 5 siya", "she is in grade 5",
    "er 19", "turning 21 next month", "20 turning 21 next yr", "in 2 hours",
])
def test_someone_elses_grade_or_an_adult_age_is_no_self_disclosure(text):
    found = analyse_conversation(chat(("b", "hey, how was school"), ("p", text)))
    assert "SELF_DISCLOSED_MINOR" not in labels_of(found, "c-1-m1")


def test_taglish_offer_q_offers_a_child_even_beside_a_school_word():
    found = analyse_conversation(chat(("b", "hi po, free ka ba"), ("u", "offer q po pamangkin q, 12, nag aaral pa")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


def test_a_parents_school_news_in_taglish_offers_no_one():
    found = analyse_conversation(chat(("b", "hi po, free ka ba"), ("u", "nag aaral pa pamangkin q, 12 na sya")))
    assert "MINOR_CONFIRMED" not in labels_of(found, "c-1-m1")


# --- Norwegian school forms of one's own age; "shes" without the apostrophe ---------------

@pytest.mark.parametrize("text", ["går på ungdomsskolen, 15 år", "er i 9. klasse nå", "fyller 16 år gammel snart"])
def test_norwegian_own_school_or_coming_birthday_is_self_disclosure(text):
    found = analyse_conversation(chat(("b", "hei, hva skjer"), ("p", text)))
    assert "SELF_DISCLOSED_MINOR" in labels_of(found, "c-1-m1")


@pytest.mark.parametrize("text", ["datteren min går på ungdomsskolen, 13 år", "fyller 19 år snart", "går på ungdomsskolen hver dag"])
def test_a_daughters_school_or_an_adults_birthday_is_no_self_disclosure(text):
    found = analyse_conversation(chat(("b", "hei, hva skjer"), ("p", text)))
    assert "SELF_DISCLOSED_MINOR" not in labels_of(found, "c-1-m1")


def test_shes_here_with_a_childs_age_answering_an_ask_is_a_confirmation_not_self():
    found = analyse_conversation(app_chat(("a", "ur age?"), ("b", "19"), ("a", "need someone still in school, 6 or so"), ("b", "shes here, 13 years old this year")))
    assert labels_of(found, "c-1-m3") & MINOR == {"MINOR_CONFIRMED"}


def test_shes_with_an_adult_age_confirms_no_one():
    found = analyse_conversation(app_chat(("a", "hi"), ("b", "shes 19 and verified")))
    assert labels_of(found, "c-1-m1") & MINOR == set()


def test_asking_after_the_addressees_child_with_an_age_is_a_request_and_its_answer_confirms():
    found = analyse_conversation(app_chat(("a", "hey hey, first time in here"), ("a", "is ur niece available too, 16yo is fine"), ("b", "she is in grade 5")))
    assert "MINOR_REQUEST" in labels_of(found, "c-1-m1")
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m2")


# ("is ur daughter available too, she is 10 and has homework" was here: the buyer side reads an
# availability ask with a child's age as a request whatever follows, which is the safer reading.)
@pytest.mark.parametrize("text", ["is ur cousin available too, 19 is fine"])
def test_the_addressees_adult_relative_is_no_request(text):
    found = analyse_conversation(app_chat(("a", "hi"), ("a", text)))
    assert labels_of(found, "c-1-m1") & MINOR == set()
