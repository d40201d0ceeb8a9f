"""The buyer side, session 4 (tuned on fresh sets b and d): MINOR_REQUEST precision on
unseen wording, age probes by structure, content requests by word order. Each rule has a
line that fires and a near miss that must not; the lines are written for these tests."""

from __future__ import annotations

import pytest

from tests.text.helpers import app_chat, chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.ages import find_ages
from vaktpost.text.normalise import normalise


# An age question about a third person, with no wish and no deal word, is the probe.
@pytest.mark.parametrize("text", [
    "is he in school already, how old",
    "does she go to school yet? what age",
    "the cousin, what age",
    "og lillebroren, alder?",
    "yung kapatid na bunso, ilang taon na",
    "nag aaral na ba siya? ilang taon",
])
def test_an_age_question_about_a_third_person_is_the_probe(text):
    got = say(text, "b")
    assert "AGE_PROBE" in got and "MINOR_REQUEST" not in got


@pytest.mark.parametrize("text", [
    "how old is the youngest you have",  # asks for the youngest
    "ilang taon ang pinakabata mo?",
    "any kids? how old?",  # opens with the ask
    "want someone still in school, around 11",  # the school describes the one wanted
])
def test_an_age_question_inside_an_ask_still_asks(text):
    assert "MINOR_REQUEST" in say(text, "b")


# A have-question whose only child word is a family word is small talk (lead's probes).
@pytest.mark.parametrize("text", [
    "how many kids u have",
    "do u have kids?",
    "do you have children at home?",
    "may anak ka na ba?",
    "ilang anak mo?",
    "pila imong anak?",
    "har du barn?",
])
def test_a_question_about_the_addressees_own_children_asks_for_no_child(text):
    assert "MINOR_REQUEST" not in say(text, "b")


@pytest.mark.parametrize("text", [
    "do you have kids available tonight?",  # availability: a deal word
    "do u have access to kids",  # not the object of the have-question
    "may anak ka ba? 12yo?",  # an age
    "do u have young ones?",
])
def test_a_have_question_with_a_deal_word_or_an_age_still_asks(text):
    assert "MINOR_REQUEST" in say(text, "b")


# Age-probe forms by structure.
@pytest.mark.parametrize("text", [
    "you over 18 yeah?",
    "18+?",
    "er du over 18?",
    "age of the girl you talked about?",
    "wat age is ur sister",
    "går han på skolen?",
    "alderen på jenta?",
    "ano edad ng pamangkin mo?",
    "yung anak mo, ilang yrs?",
    "unsa na iyang grade",
    "pwede malaman ang edad mo",
])
def test_age_probe_forms(text):
    assert "AGE_PROBE" in say(text, "b")


@pytest.mark.parametrize("text", [
    "over 18 only, no exceptions",  # a rule stated, not asked
    "age of the car is 12 years",
    "how many years is the contract",
])
def test_age_probe_near_misses(text):
    assert "AGE_PROBE" not in say(text, "b")


# An unknown role's own child put forward offers, it asks for no one.
@pytest.mark.parametrize("text", [
    "nandito din pinsan q 9 anyos, interested ka?",
    "isasama ko anak ko 10yo, dagdag lang",
    "interested ka ba sa 11yo for cam",
])
def test_an_unknown_roles_own_child_put_forward_is_no_request(text):
    assert "MINOR_REQUEST" not in say(text, "u")


def test_an_own_child_with_an_offer_word_is_an_offer():
    assert "MINOR_CONFIRMED" in say("nandito din pamangkin q 12 anyos, available ngayon", "u")


def test_the_addressees_child_asked_about_is_still_a_request():
    assert "MINOR_REQUEST" in say("is ur niece available too, 10 is fine", "u")


# A negated media word keeps a secret; it asks for no picture.
def test_a_negated_media_word_is_no_content_request():
    chat = app_chat(("b", "im 14"), ("a", "never show this to your mom"), ("a", "send me a pic now"))
    found = analyse_conversation(chat)
    assert "CONTENT_REQUEST" not in labels_of(found, "c-1-m1")
    assert "CONTENT_REQUEST" in labels_of(found, "c-1-m2")


# A relative named as what a video is of is asked for, also beside a booking.
def test_a_video_of_a_relative_is_a_content_request():
    got = say("clip of the niece first, then we book the room", "b")
    assert "CONTENT_REQUEST" in got and "MINOR_REQUEST" not in got


def test_bringing_a_relative_to_a_hotel_stays_a_travel_plan():
    got = say("can u bring your nephew to the hotel on the 12th", "b")
    assert "TRAVEL_MEETING" in got and not got & {"CONTENT_REQUEST", "MINOR_REQUEST"}


# Ages of the one asked for.
@pytest.mark.parametrize("text, age", [
    ("my friend asks if u have someone 9", 9),
    ("any 11 available", 11),
    ("anyone 13 yrsish", 13),
    ("i prefer young, like 14", 14),
])
def test_an_age_right_after_the_one_asked_for(text, age):
    ages = find_ages(normalise(text))
    assert any(a.value == age and a.kind == "third" for a in ages)
    assert "MINOR_REQUEST" in say(text, "b")


@pytest.mark.parametrize("text", [
    "any 2 available tonight?",  # a count of performers
    "i need someone 5 mins from the mall",
    "she looked young like 12 years ago",
    "i prefer young, like 19",
])
def test_numbers_that_are_no_child_asked_for(text):
    assert "MINOR_REQUEST" not in say(text, "b")


# Ceb "gamay" after an adjective is "a little", no small one.
def test_a_little_is_no_young_one():
    assert "MINOR_REQUEST" not in say("mahal gamay, P2500?", "b")
    assert "MINOR_REQUEST" in say("naa kay gamay nga bata?", "b")


# A code word asks even inside words about the seller.
def test_a_code_word_asks_beside_words_about_you():
    assert "MINOR_REQUEST" in say("heard ur the one for cheese pizza", "b")
    assert "MINOR_REQUEST" not in say("heard ur the one for good shows", "b")


# Typo'd question words keep a school question a probe.
def test_a_typod_question_word_keeps_the_probe():
    got = say("wich grade is he in", "b")
    assert "AGE_PROBE" in got and "MINOR_REQUEST" not in got


# Unknown roles: a yes/no question whether the addressee's or "the" child does shows asks;
# a statement of a third person's age with only a weak ask form tells.
def test_does_the_child_do_shows_asks():
    assert "MINOR_REQUEST" in say("and does the cousin do shows too, she's 11 right", "u")


def test_a_stated_age_with_a_weak_ask_form_asks_for_no_one():
    assert "MINOR_REQUEST" not in say("we can do it, he's 9 and at home now", "u")
    assert "MINOR_REQUEST" in say("can he join? he's 9", "u")


# A school phrase after the age it describes is no probe.
def test_a_school_phrase_after_a_given_age_is_no_probe():
    assert "AGE_PROBE" not in say("yes, 9 years old, still in school", "u")
    assert "AGE_PROBE" in say("still in school?", "b")


# Media asks: "need (recent) pics", numbers among the send fillers; a negated nb media verb.
def test_need_pics_asks_for_pictures_of_a_confirmed_child():
    found = analyse_conversation(chat(("b", "any young ones?"), ("p", "yes my niece 12yo available"), ("b", "need some recent pics of her")))
    assert "CONTENT_REQUEST" in labels_of(found, "c-1-m2")
    found = analyse_conversation(chat(("b", "hi"), ("p", "hello"), ("b", "need some recent pics")))  # of the adult
    assert labels_of(found) == set()


def test_send_a_few_pics_of_her_is_a_content_request():
    assert "CONTENT_REQUEST" in say("send 3 or 4 pics of her first", "b")


def test_a_negated_nb_media_verb_is_no_media():
    found = analyse_conversation(app_chat(("b", "jeg er 14"), ("a", "ikke vis dette til mamma")))
    assert "CONTENT_REQUEST" not in labels_of(found, "c-1-m1")


# "not yet 18 4 show": 4 is "for", the under-18 is an age asked for.
def test_an_under_age_before_a_chat_four():
    assert "MINOR_REQUEST" in say("someone under 16 4 cam", "b")
    assert not [a for a in find_ages(normalise("under 16 4 usd")) if a.kind == "under"]  # a price
    assert [a.value for a in find_ages(normalise("under 16 4 cam")) if a.kind == "under"] == [16]


def test_the_model_adds_no_content_request_to_a_threat_or_beside_a_rule_request():
    from vaktpost.text.labels import MessageFacts
    from vaktpost.text.learned import _threat_only
    from vaktpost.text.matcher import default_matcher

    def facts(text):
        t = normalise(text)
        f = MessageFacts()
        for h in default_matcher().scan_batch([t])[0]:
            f.hits.setdefault(h.pattern.category, h)
        return f

    assert _threat_only(facts("i will share your pics with the whole school"))
    assert not _threat_only(facts("send more pics or i will share the old ones"))
    got = say("ur nephew there? i want him on the cam show", "b")
    assert "MINOR_REQUEST" in got and "CONTENT_REQUEST" not in got


def test_a_threat_to_share_pictures_asks_for_none():
    threat = analyse_conversation(app_chat(("a", "im 13"), ("b", "hi"), ("b", "i will share your pics with the whole school")))
    assert labels_of(threat, "c-1-m2") == {"COERCION_SEXTORTION"}
    demand = analyse_conversation(app_chat(("a", "im 13"), ("b", "hi"), ("b", "send more pics or i will share the old ones")))
    assert {"COERCION_SEXTORTION", "CONTENT_REQUEST"} <= labels_of(demand, "c-1-m2")
