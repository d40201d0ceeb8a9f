"""Confirmations (fourth pass): answers to asks no rule recognised, a bare yes to a request
for a child, unprompted offers and shorthand self-disclosures — each with the hard negative
that must stay quiet."""

from __future__ import annotations

import pytest

from tests.text.helpers import APP_A, APP_B, app_chat, chat, labels_of
from vaktpost.text import analyse_conversation

A, B = APP_A, APP_B
MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "CONTENT_REQUEST", "SELF_DISCLOSED_MINOR"}




def rules_of(found, message_id):
    return {s.rule.split(":")[0] for f in found if f.message_id == message_id for s in f.signals}


# --- a line stating a child, answering an ask that no rule took for a request -------------

@pytest.mark.parametrize(
    "ask, answer",
    [
        ("i want something different this time", "she is 7"),  # ("someone 7 or so" is now a request of its own)
        ("skulle gjerne hatt noe spesielt i kveld", "niesen min, 11 år"),
        ("looking for something special tonight", "my niece, 11 y/o"),
        ("what else can you offer", "yes my niece"),  # a yes and a child: any ask will do
    ],
)
def test_a_child_stated_in_answer_to_any_ask_confirms_and_the_ask_becomes_the_request(ask, answer):
    found = analyse_conversation(app_chat(("a", ask), ("b", answer)))
    assert labels_of(found, "c-1-m1") == {"MINOR_CONFIRMED"}
    assert "dialogue.answer_ask" in rules_of(found, "c-1-m1")
    assert labels_of(found, "c-1-m0") == {"MINOR_REQUEST"}
    assert "dialogue.implied_request" in rules_of(found, "c-1-m0")


@pytest.mark.parametrize(
    "ask, answer",
    [
        ("how was your day?", "my son is 8 today"),  # own children: a plain statement after small talk
        ("hi po, naa ka?", "enrollment ng anak kong 7 years old po today"),  # after a greeting
        ("what else can you offer", "she is 12"),  # a plain statement needs more of an ask
        ("how was your day?", "busy, my daughter is 9 and had school"),
        ("what else do you have?", "my friend, 24 years old"),  # an adult
        ("what do you offer?", "10 min for 15 usd"),  # a price
        ("when can we do it?", "at 9, after dinner"),  # a time
        ("what did you buy?", "a phone, it is 12 years old lol"),  # a thing's age
    ],
)
def test_answers_about_own_children_adults_prices_times_and_things_confirm_nothing(ask, answer):
    found = analyse_conversation(app_chat(("a", ask), ("b", answer)))
    assert labels_of(found) & MINOR == set()


def test_an_ask_answered_two_lines_later_by_someone_who_already_replied_is_not_the_one_answered():
    found = analyse_conversation(app_chat(("a", "what else can you offer"), ("b", "hmm"), ("a", "ok"), ("a", "so"), ("b", "she is 12")))
    assert labels_of(found) & MINOR == set()


def test_an_ask_of_ones_own_answers_nothing():
    # the asker's own request after the other's question is no confirmation
    found = analyse_conversation(app_chat(("b", "what are you doing later?"), ("a", "do you have a younger boy available?")))
    assert labels_of(found, "c-1-m1") == {"MINOR_REQUEST"}


# --- a bare yes as the first reply to a request for a child --------------------------------

@pytest.mark.parametrize(
    "asked, answer",
    [
        ("do you have a younger one?", "yes available"),
        ("meron ka bang bata?", "oo meron po"),
        ("har du barn tilgjengelig?", "ja, det går fint"),
        ("naa kay bata nga available karon?", "naa"),
    ],
)
def test_a_bare_yes_to_a_request_for_a_child_confirms(asked, answer):
    found = analyse_conversation(app_chat(("a", asked), ("b", answer)))
    assert "MINOR_REQUEST" in labels_of(found, "c-1-m0")
    assert labels_of(found, "c-1-m1") == {"MINOR_CONFIRMED"}
    assert "dialogue.assent" in rules_of(found, "c-1-m1")


def test_a_bare_yes_confirms_nothing_after_a_refusal_a_price_or_a_later_step_of_the_deal():
    refused = analyse_conversation(app_chat(("a", "do you have a younger one?"), ("b", "no, only adults here"), ("a", "ok"), ("b", "yes")))
    assert "MINOR_CONFIRMED" not in labels_of(refused)
    haggled = analyse_conversation(app_chat(("a", "do you have a younger one?"), ("b", "30 usd"), ("a", "ok?"), ("b", "ok")))
    # the price is the seller's answer to the request (session 7, `dialogue.terms`); the
    # later bare "ok" answers the haggling and confirms nothing more
    assert "dialogue.terms" in rules_of(haggled, "c-1-m1")
    assert "MINOR_CONFIRMED" not in labels_of(haggled, "c-1-m3")
    deal = analyse_conversation(
        app_chat(
            ("a", "do you have a younger one?"), ("b", "yes, my niece 12yo"),
            ("a", "can u bring your niece to Seaview Inn on the 27th"), ("b", "alright then"),
        )
    )
    assert "MINOR_CONFIRMED" in labels_of(deal, "c-1-m1")
    assert "MINOR_CONFIRMED" not in labels_of(deal, "c-1-m3")  # "sure" to the travel plan


def test_a_yes_to_an_adult_show_confirms_nothing():
    found = analyse_conversation(chat(("b", "can we do a private show?"), ("p", "ok sure"), ("b", "can we do 20 usd?"), ("p", "ok deal")))
    assert labels_of(found) & MINOR == set()


def test_a_self_disclosed_minor_saying_ok_confirms_nothing():
    found = analyse_conversation(app_chat(("a", "how old are you?"), ("b", "14"), ("a", "send me a pic of you"), ("b", "ok")))
    assert "SELF_DISCLOSED_MINOR" in labels_of(found, "c-1-m1")
    assert "MINOR_CONFIRMED" not in labels_of(found)


# --- the request behind a confirmation that was recognised on its own ----------------------

def test_the_ask_before_an_offer_with_an_age_becomes_the_request():
    found = analyse_conversation(app_chat(("a", "what else do you have?"), ("b", "yes available, 7yo")))
    assert labels_of(found, "c-1-m1") == {"MINOR_CONFIRMED"}
    assert labels_of(found, "c-1-m0") == {"MINOR_REQUEST"}


def test_a_greeting_before_an_unprompted_offer_is_no_request():
    found = analyse_conversation(app_chat(("a", "hi, how are you?"), ("b", "I have my niece available, 12yo")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")
    assert labels_of(found, "c-1-m0") == set()


def test_no_adults_with_a_child_is_a_request_not_a_refusal():
    found = analyse_conversation(app_chat(("a", "no adults pls, someone still in elementary"), ("b", "available, 6yo")))
    assert labels_of(found, "c-1-m0") == {"MINOR_REQUEST"}
    assert labels_of(found, "c-1-m1") == {"MINOR_CONFIRMED"}
    declined = analyse_conversation(app_chat(("a", "no thanks, bye"), ("b", "available, 6yo")))
    assert labels_of(declined, "c-1-m0") == set()


def test_a_parent_listing_children_at_school_confirms_nothing():
    found = analyse_conversation(chat(("b", "any kids?"), ("p", "yes, two. 8 and 11, they are at school now")))
    assert "MINOR_CONFIRMED" not in labels_of(found)


# --- unprompted offers, and a yes that starts with "pwede" --------------------------------

@pytest.mark.parametrize(
    "offer",
    [
        "offering show with my niece, age 7 years old",
        "offer ko po pamangkin ko, 15",
        "alok ko po anak ko, siyam anyos",
        "tanyag nako akong anak, pito ka tuig",
        "jeg tilbyr niesen min, 12 år",
        "bago po, 12 taon, mura lang",
        "pwede po, grade 5 siya",
    ],
)
def test_unprompted_offers(offer):
    found = analyse_conversation(app_chat(("a", "hello"), ("b", offer)))
    assert labels_of(found, "c-1-m1") & MINOR == {"MINOR_CONFIRMED"}  # "mura lang" (cheap) may add a price
    assert labels_of(found, "c-1-m0") == set()  # a greeting is no request


def test_a_pwede_question_still_asks():
    found = analyse_conversation(app_chat(("a", "pwede po ba siya, grade 5?")))
    assert labels_of(found, "c-1-m0") == {"MINOR_REQUEST"}


def test_a_misspelling_that_folds_to_a_number_is_no_innocent_word():
    # "tulog" (asleep) less its last letter is Cebuano "tulo" (three), folded to "3"
    found = analyse_conversation(app_chat(("a", "do you have a younger one?"), ("b", "yes available, grade 3")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


# --- shorthand self-disclosures -------------------------------------------------------------

@pytest.mark.parametrize(
    "line",
    [
        "only 14 yrs, in middle school",
        "still 15, mom checks my phone",
        "my bday was last week, 12 y/o now",
        "17 pa lang me",
        "bata pa me, 11yo po",
        "grade 5 po ako",
        "bare 12, mamma sjekker mobilen",
        "ble 14 forrige uke",
    ],
)
def test_shorthand_self_disclosures(line):
    found = analyse_conversation(app_chat(("a", "hey"), ("b", line)))
    assert labels_of(found, "c-1-m1") == {"SELF_DISCLOSED_MINOR"}


@pytest.mark.parametrize(
    "line",
    ["only 15 usd, last price", "still 10, take it or leave it", "my son's bday was last week, 8 now", "only 12 yrs in business"],
)
def test_prices_and_other_peoples_birthdays_are_no_self_disclosure(line):
    found = analyse_conversation(app_chat(("a", "hey"), ("b", line)))
    assert "SELF_DISCLOSED_MINOR" not in labels_of(found)


def test_a_yes_with_a_bare_number_or_alone_answers_an_unrecognised_ask_for_a_young_one():
    for answer in ("she's here with me, 12", "sige po, kaya yan sir"):
        found = analyse_conversation(app_chat(("a", "no adults pls, someone still in elementary"), ("b", answer)))
        assert labels_of(found, "c-1-m1") == {"MINOR_CONFIRMED"}, answer
        assert labels_of(found, "c-1-m0") == {"MINOR_REQUEST"}, answer


def test_a_yes_to_small_talk_about_children_confirms_nothing():
    for asked in ("are your kids ok?", "do you have kids?"):
        found = analyse_conversation(app_chat(("a", asked), ("b", "yes")))
        assert "MINOR_CONFIRMED" not in labels_of(found), asked
    found = analyse_conversation(app_chat(("a", "no thanks, not now"), ("b", "ok sure")))
    assert labels_of(found) & MINOR == set()


def test_a_childs_age_after_an_age_question_is_no_self_disclosure():
    found = analyse_conversation(chat(("b", "asl"), ("p", "my daughter is 8 and already taller than me")))
    assert labels_of(found, "c-1-m1") & MINOR == set()
    found = analyse_conversation(app_chat(("a", "hei"), ("b", "datteren min går i 2. klasse, foreldremøte i kveld")))
    assert labels_of(found) & MINOR == set()
    own = analyse_conversation(app_chat(("a", "hei"), ("b", "jeg går i 7. klasse")))
    assert labels_of(own, "c-1-m1") == {"SELF_DISCLOSED_MINOR"}


def test_a_yes_to_a_request_for_a_show_of_her_confirms():
    found = analyse_conversation(chat(("b", "send a pic of her first"), ("p", "ready when u are")))
    assert labels_of(found, "c-1-m0") == {"CONTENT_REQUEST"}
    assert labels_of(found, "c-1-m1") == {"MINOR_CONFIRMED"}
    adult = analyse_conversation(chat(("b", "send a pic of you first"), ("p", "ready when u are")))
    assert labels_of(adult) & MINOR == set()


def test_a_yes_to_a_new_ask_for_a_younger_one_after_an_offer_confirms():
    found = analyse_conversation(app_chat(("b", "available, 8yo"), ("a", "any younger available this weekend"), ("b", "ready when u are")))
    assert labels_of(found, "c-1-m0") == {"MINOR_CONFIRMED"}
    assert labels_of(found, "c-1-m1") == {"MINOR_REQUEST"}
    assert labels_of(found, "c-1-m2") == {"MINOR_CONFIRMED"}
