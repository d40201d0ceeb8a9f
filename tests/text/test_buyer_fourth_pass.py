"""The buyer side, fourth pass: precision on adult commerce written by hand (haggling,
scheduling, small talk, adult "young"/"teen" wording with ages 18-19, in en/nb/tl/ceb/Taglish),
the new ask rules (word order of MINOR vs CONTENT request, joins, "no adults", travel plans,
age probes by structure) and the misspelling variants that are ordinary words."""

from __future__ import annotations

import pytest

from tests.text.buyer_negatives import ALL, ASKS, ASKS_MORE, NEW_RULES, SMALL_TALK
from tests.text.helpers import chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.ages import find_ages
from vaktpost.text.lexicon import patterns
from vaktpost.text.normalise import normalise

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}
ASK = {"MINOR_REQUEST", "CONTENT_REQUEST", "AGE_PROBE"}


@pytest.mark.parametrize("text", ALL + SMALL_TALK + NEW_RULES)
def test_adult_commerce_from_a_customer_has_no_minor_label(text):
    assert not say(text, "b") & MINOR
    # ... also after the performer stated an adult age and a price
    conv = chat(("p", "hi! I'm 22, shows are 20 usd for 10 min"), ("b", text))
    assert not labels_of(analyse_conversation(conv), conv[-1].message_id) & MINOR


@pytest.mark.parametrize("text", ASKS + ASKS_MORE)
def test_asks_for_a_child_written_for_this_pass(text):
    assert say(text, "b") & ASK


@pytest.mark.parametrize("word", ["toy", "toto", "palit", "date", "tiring", "minst", "neng", "nese", "snøen", "søken", "inay"])
def test_ordinary_words_are_not_generated_as_misspelt_child_terms(word):
    folded = normalise(word)
    child = [p for p in patterns() if p.category in ("child", "young_ref", "relative") and p.rule.endswith("~")]
    assert not [p for p in child if p.regex == rf"\b{folded}\b"]


@pytest.mark.parametrize(
    "text,label",
    [
        ("looking for a kid for a session", "MINOR_REQUEST"),  # the child first: asks for the child
        ("can your son join the cam show", "MINOR_REQUEST"),
        ("show me your niece", "MINOR_REQUEST"),  # being shown
        ("can u share clips of your cousin", "CONTENT_REQUEST"),  # the media first: asks for the media
        ("a private show with the small one", "CONTENT_REQUEST"),
        ("send a pic of her first", "CONTENT_REQUEST"),
    ],
)
def test_word_order_decides_minor_or_content_request(text, label):
    got = say(text, "b")
    assert label in got and not (got & {"MINOR_REQUEST", "CONTENT_REQUEST"}) - {label}


def test_a_request_for_the_child_for_a_show_gets_no_content_request_from_the_dialogue():
    for reply in ("let me check", "yes my niece, 12"):
        conv = chat(("b", "any young ones?"), ("p", reply), ("b", "can your niece join the cam show"))
        assert labels_of(analyse_conversation(conv), conv[-1].message_id) & MINOR == {"MINOR_REQUEST"}


def test_a_travel_plan_about_the_child_already_spoken_of_is_travel():
    got = say("can u bring your daughter to Harbour Suites on the 12th", "u")
    assert "TRAVEL_MEETING" in got and not got & MINOR
    assert "MINOR_REQUEST" in say("any young ones when i visit the hotel next month?", "b")  # a new ask


@pytest.mark.parametrize("text", ["no adults pls, someone still in elementary", "not an adult pls, younger"])
def test_ruling_adults_out_asks_for_someone_younger(text):
    assert "MINOR_REQUEST" in say(text, "b")


@pytest.mark.parametrize("text", ["my son is calling, brb", "have a nice day, my son turns 10 today", "i want you to be my girl"])
def test_a_customers_own_child_or_partner_is_asked_for_by_no_one(text):
    assert not say(text, "b") & MINOR


@pytest.mark.parametrize(
    "text", ["age first pls, i always ask", "what year were u born", "age mo po?", "pila imong idad karon", "hvor gammal e du", "må spørre om alder først", "your age?"]
)
def test_age_probes_by_structure(text):
    assert "AGE_PROBE" in say(text, "b")


@pytest.mark.parametrize("text,value", [("someone 7 or so", 7), ("someone eleven years old or so", 11), ("someone 10 ish", 10)])
def test_approximate_ages_of_someone(text, value):
    assert [a.value for a in find_ages(normalise(text))] == [value]


@pytest.mark.parametrize("text", ["yung pinakabata niyo na 18 pataas", "tiyo ko yan"])
def test_tagalog_words_ending_in_an_age_unit_are_not_ages(text):
    assert not [a for a in find_ages(normalise(text)) if a.minor and a.kind != "bare"]


def test_a_sellers_subject_less_opening_offers():
    assert "MINOR_CONFIRMED" in say("have a little one for session, 12yo, cheap", "u")


def test_after_a_confirmation_a_request_to_send_media_is_a_content_request():
    def last(line):
        conv = chat(("b", "any young ones?"), ("p", "yes my niece, 12"), ("b", line))
        return labels_of(analyse_conversation(conv), conv[-1].message_id)

    assert "CONTENT_REQUEST" in last("send some videos before i pay")
    assert "CONTENT_REQUEST" not in last("how much for the show?")  # a price question, not a request for media
    conv = chat(("b", "hi"), ("p", "hi, 23 here"), ("b", "send some videos before i pay"))  # no child confirmed
    assert not labels_of(analyse_conversation(conv)) & MINOR
