"""Performer side, session 4 (fresh sets b and d): seller offer forms, replies read as meant,
self-disclosure forms and a line that is only an age — each rule with a case that fires and a
near miss that must stay quiet. Lines are written here, in clinical wording."""

from __future__ import annotations

import pytest

from tests.text.helpers import APP_A, APP_B, app_chat, chat, labels_of
from vaktpost.model import Message
from vaktpost.text import analyse_conversation, analyse_conversations
from vaktpost.text.ages import find_ages
from vaktpost.text.normalise import normalise

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "CONTENT_REQUEST", "SELF_DISCLOSED_MINOR"}


def alone(text: str) -> set[str]:
    """Minor labels of one chat-app line (roles unknown) after a greeting."""
    return labels_of(analyse_conversation(app_chat(("b", "hello there"), ("a", text))), "c-1-m1") & MINOR


# --- seller offer forms (offers.py: seller_line) -------------------------------------------

@pytest.mark.parametrize("text", [
    "i can bring my nephew too, 10 yrs old, extra 500",           # include one's own child
    "we can add our daughter 9 y/o for a bit more",
    "pwede ko rin isama anak ko, 8 anyos",                          # tl: I can include my child
    "isama q pamangkin q 13 taon, dagdag bayad lng",                # Taglish texting q = ko
    "pwede nako iapil akong manghod, 11 anyos",                     # ceb
    "u can also take my little sister, 12, same rate",              # the addressee may take her
    "pde mo rin kunin pinsan q, 10 years old",
    "special tonight po: little one, 9 yo",                         # a menu line
    "may mga bata dito, 8 anyos pataas",                            # children here, from an age up
    "got little ones here, from grade 3",
    "interested ka ba sa 11 yo for cam show",                       # an offer question to the reader
    "hi, interested in a 12 yo for a private show",
])
def test_a_seller_offer_form_confirms_a_child(text):
    assert alone(text) == {"MINOR_CONFIRMED"}


@pytest.mark.parametrize("text", [
    "i can bring my laptop tomorrow, 3 yrs old but works",          # a thing, not a child
    "i can add you on skype later",                                 # no child, no age
    "special tonight: 2 for 1 on private shows, all 18+",           # adult menu
    "got rooms here, from 20 usd",                                  # a price floor, no child
    "my daughter is 8 and at school, i can pick her up at 3",       # a parent's day
    "pwede mo ba isama anak mo, 9 anyos?",                          # the addressee's child: an ask
])
def test_near_misses_of_the_seller_forms_offer_no_one(text):
    assert "MINOR_CONFIRMED" not in alone(text)


def test_a_customer_using_a_seller_form_is_still_asking():
    found = analyse_conversation(chat(("b", "interested in a 12 yo for a private show")))
    assert labels_of(found, "c-1-m0") & MINOR == {"MINOR_REQUEST"}


# --- replies read the way they are meant (offers.py: reply_forms) ---------------------------

def test_no_problem_is_a_yes_to_a_request_for_a_child():
    found = analyse_conversation(app_chat(("a", "is there a young one who can join the show"), ("b", "no problem, got one 10")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


def test_a_real_no_still_refuses():
    found = analyse_conversation(app_chat(("a", "is there a young one who can join the show"), ("b", "no, only me here, 24")))
    assert labels_of(found, "c-1-m1") & MINOR == set()


def test_a_leading_ok_that_opens_a_question_offers_no_one():
    found = analyse_conversation(app_chat(("b", "hey"), ("a", "ok and does your cousin do shows too, shes 9 right")))
    labels = labels_of(found, "c-1-m1")
    assert "MINOR_CONFIRMED" not in labels
    assert "MINOR_REQUEST" in labels


def test_a_leading_ok_that_says_yes_still_confirms():
    found = analyse_conversation(app_chat(("a", "any younger one available tonight?"), ("b", "ok, she is 11, ready at 9pm")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


@pytest.mark.parametrize("reply", [
    "yes, 6 y/o, still in school",                  # the school says how young
    "opo, nasa bahay po sya ngayon, 10 years old",  # the home says where she is
    "kaya po, 7 siya at nasa bahay",
])
def test_school_or_home_in_an_answer_is_no_busy_child(reply):
    found = analyse_conversation(app_chat(("a", "need a young girl for a show tonight, under 12"), ("b", reply)))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


def test_a_parent_whose_child_is_at_school_is_still_busy():
    found = analyse_conversation(app_chat(("a", "do u have kids?"), ("b", "yes two, 8 and 11, both at school now")))
    assert "MINOR_CONFIRMED" not in labels_of(found, "c-1-m1")


def test_me_as_the_object_of_tell_me_is_no_self_disclosure():
    found = analyse_conversation(app_chat(("a", "u have someone young for later?"), ("b", "of course po, 12 anyos, message me lang")))
    labels = labels_of(found, "c-1-m1")
    assert "SELF_DISCLOSED_MINOR" not in labels and "MINOR_CONFIRMED" in labels


def test_we_can_answering_is_no_request():
    found = analyse_conversation(app_chat(("a", "i want someone 10 or so for the show"), ("b", "we can, she's 10 and ready now")))
    labels = labels_of(found, "c-1-m1")
    assert "MINOR_CONFIRMED" in labels and "MINOR_REQUEST" not in labels


# --- ages (ages.py): a thing in an earlier clause, an age before a comma, "for cam show" -----

@pytest.mark.parametrize("text, value", [
    ("i can bring my niece on cam, 9 years old", 9),
    ("nasa bahay po sya later, grade 3", 9),
    ("of course, 14, just say when", 14),
    ("interested ka ba sa 8 anyos for cam show", 8),
])
def test_an_age_the_parser_now_reads(text, value):
    assert value in [a.value for a in find_ages(normalise(text))]


@pytest.mark.parametrize("text", ["my phone, 3 years old", "selling my car, 12 years old", "price is 1,500 for 15 mins"])
def test_ages_of_things_and_prices_stay_unread(text):
    assert find_ages(normalise(text)) == []


# --- self-disclosure forms -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "gonna be 13 in march",
    "grade 8 student here",
    "15 but mature for my age",
    "14 år men moden for alderen",
    "går i 8.",
    "er tretten, er det greit",
    "grade 7 palang po",
    "16 me, ok lang ba",
    "sabi ni mama bata pa aq, 14 aq",
])
def test_self_disclosure_forms(text):
    assert alone(text) == {"SELF_DISCLOSED_MINOR"}


@pytest.mark.parametrize("text", [
    "gonna be 30 in march",                 # an adult
    "grade 8 teacher here, 34",             # not a student
    "jenta fylte 7 år på lørdag",           # the daughter's birthday
    "two kids ako, eldest is 9 anyos po",   # a parent (the model may not add SELF)
    "my son is 12 and has a quiz friday",   # a parent, innocent
])
def test_self_disclosure_near_misses(text):
    assert "SELF_DISCLOSED_MINOR" not in alone(text)


# --- a line that is only an age (labels: age.alone; dialogue) --------------------------------

def test_a_line_that_is_only_an_age_is_the_writers_own():
    assert alone("14 yrs old") == {"SELF_DISCLOSED_MINOR"}
    assert alone("5 years old") == set()  # a younger age alone is no writer's


def test_the_same_line_answering_a_request_confirms_the_child():
    found = analyse_conversation(app_chat(("a", "is there a small one available for a show"), ("b", "13 yrs old")))
    assert labels_of(found, "c-1-m1") & MINOR == {"MINOR_CONFIRMED"}


def test_a_request_in_another_conversation_does_not_make_it_a_confirmation():
    first = app_chat(("a", "is there a small one available for a show"))
    second = [
        Message("chatapp", "c-2", "c-2-m0", first[0].sent_at, APP_A, "hello there", (APP_B,)),
        Message("chatapp", "c-2", "c-2-m1", first[0].sent_at, APP_B, "13 yrs old", (APP_A,)),
    ]
    found = analyse_conversations([first, second])
    assert labels_of(found, "c-2-m1") & MINOR == {"SELF_DISCLOSED_MINOR"}


def test_a_customers_age_alone_is_no_self_disclosure():
    found = analyse_conversation(chat(("b", "14 yrs old")))  # the role decides: a customer asks
    assert "SELF_DISCLOSED_MINOR" not in labels_of(found, "c-1-m0")


# --- offers made while quoting a price, a "both" answer, tl/ceb have and want forms ----------

@pytest.mark.parametrize("text", [
    "30 usd and you get my cousin too, 12",
    "50 usd po then sayo na pamangkin q, 9",
    "naa pud diri akong anak, 10 anyos, gusto nimo?",
    "may 7 din po aq if u want, cheaper",
])
def test_offers_made_while_quoting_a_price(text):
    assert alone(text) == {"MINOR_CONFIRMED"}


@pytest.mark.parametrize("text", [
    "30 usd and you get a longer show",         # no child
    "50 usd po then sayo na ang video",         # a video, no child
    "may promo din po aq if u want, cheaper",   # no child and no age
])
def test_price_lines_without_a_child_offer_no_one(text):
    assert "MINOR_CONFIRMED" not in alone(text)


def test_both_answering_a_request_offers_the_range():
    found = analyse_conversation(app_chat(("a", "my friend wants someone 10 or younger"), ("b", "both, 11 and younger")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


def test_both_in_a_parents_line_is_no_yes():
    found = analyse_conversation(app_chat(("a", "how are the kids?"), ("b", "both kids are at school now, 8 and 11")))
    assert labels_of(found, "c-1-m1") & MINOR == set()


# --- the number an offer question puts on the table; an age floor with its unit ----------------

@pytest.mark.parametrize("text", [
    "hi, interested in a 13 for a cam show",
    "interesado ka sa 12 para sa show",
    "got small ones here, from 9yo",
    "may mga bata dito, 10 taong gulang pataas po",
])
def test_an_offered_number_or_floor_is_a_childs_age(text):
    assert alone(text) == {"MINOR_CONFIRMED"}


@pytest.mark.parametrize("text", [
    "interested in a 2 for 1 deal?",           # a price offer, too young to be an age
    "interested in a 30 min show for 20 usd",  # minutes
])
def test_numbers_of_a_deal_are_no_age(text):
    assert alone(text) == set()
