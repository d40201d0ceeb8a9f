"""The performer side: offers and confirmations, own-children statements that offer no one,
self-disclosed ages, and off-platform moves versus payment routes. Phrasings written from
knowledge of the languages, not taken from generator output."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of, say
from vaktpost.model import Participant, Role
from vaktpost.text import analyse_conversation, analyse_conversations, analyse_messages

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


def rule_labels(text: str, who: str = "p") -> set[str]:
    """Labels from the rules alone (no learned stage), for one message."""
    facts = analyse_messages([chat((who, text))], use_learned=False)[0][0]
    return {p.label.value for p in facts.proposed}


def reply_labels(request: str, reply: str, who: str = "p") -> set[str]:
    return labels_of(analyse_conversation(chat(("b", request), (who, reply))), "c-1-m1")


# --- off-platform moves -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "send via GCash 0917 123 4567",
        "Revolut +47 912 34 567, name Rica",
        "PayPal: luna22@gmail.com",
        "gift card code 4855-5730-0208",
        "eto resibo, 1564521830 po",
    ],
)
def test_a_number_beside_a_payment_route_is_the_account_not_a_move(text):
    got = rule_labels(text)
    assert "PAYMENT_CHANNEL" in got
    assert "OFF_PLATFORM_MOVE" not in got


@pytest.mark.parametrize(
    "text",
    [
        "private show 10 000 - 20 000 pesos",
        "mahina signal dito, sorry",
        "para sa imo ra ni",
        "switch to private for 60 tokens",
        "sorry bad signal, one sec",
        "wait in line for the show",
    ],
)
def test_ambiguous_words_and_price_ranges_are_not_off_platform(text):
    assert "OFF_PLATFORM_MOVE" not in rule_labels(text)


@pytest.mark.parametrize(
    "text",
    [
        "text me 0917 123 4567",
        "gcash 09171234567, text me there too",
        "do you have Line?",
        "I'm @starnord352 there, Signal",
        "let's move to Whtasapp",
        "add mo ako sa Telgeram",
        "my number is +63 917 123 4567",
    ],
)
def test_off_platform_moves_are_found(text):
    assert "OFF_PLATFORM_MOVE" in rule_labels(text)


# --- offers and confirmations --------------------------------------------------------------

REQUEST = {
    "en": "do you have a younger one? 12 or 13",
    "tl": "may mas bata ka ba? 12 o 13",
    "ceb": "naa kay mas bata? 12 or 13",
    "nb": "har du en yngre? 12 eller 13",
}


@pytest.mark.parametrize(
    "lang,reply",
    [
        ("en", "I have a 12"),
        ("en", "she's 12, she can come on"),
        ("en", "what age you want? I have 11 and 13"),
        ("tl", "meron po, 13"),
        ("tl", "may 12 ako dito"),
        ("tl", "ilang taon gusto mo? may 12 ako"),
        ("ceb", "naa koy 12 anyos"),
        ("ceb", "naa mi 11 anyos"),
        ("nb", "jeg har en på 12"),
        ("nb", "ja, hun er 13"),
    ],
)
@pytest.mark.parametrize("who", ["p", "u"])
def test_answers_to_a_request_confirm(lang, reply, who):
    assert "MINOR_CONFIRMED" in reply_labels(REQUEST[lang], reply, who)


@pytest.mark.parametrize(
    "text",
    [
        "looking for work for my niece, 11 years old",
        "I have a 12 if you want",
        "new one here, 13 yo, cheap",
        "naghahanap ng raket para sa pamangkin ko, 12 anyos",
        "har ei på 12 ledig i kveld",
    ],
)
def test_unprompted_offers_confirm(text):
    assert "MINOR_CONFIRMED" in labels_of(analyse_conversation(chat(("b", "hi"), ("u", text))), "c-1-m1")


@pytest.mark.parametrize(
    "who,text",
    [
        ("p", "my daughter is 12 today, birthday party later"),
        ("u", "my son turned 10 today"),
        ("p", "brb, my 10 yo needs help with homework"),
        ("u", "anak ko 7 anyos na, nasa school"),
        ("u", "akong anak 10 anyos, naa sa eskwelahan"),
        ("u", "datteren min er 11 og sover"),
        ("p", "I have a 12 inch screen"),
        ("u", "we have a 13 hour flight"),
        ("u", "going to Cebu on May 2 for work"),
        ("p", "I have 2 shows tonight, 9 and 11"),
    ],
)
def test_plain_statements_of_ages_offer_no_one(who, text):
    assert not labels_of(analyse_conversation(chat(("b", "hi"), (who, text))), "c-1-m1") & MINOR


def test_the_same_age_statement_confirms_only_as_an_answer():
    assert "MINOR_CONFIRMED" in reply_labels("can your niece join? how old", "she's 12")
    assert "MINOR_CONFIRMED" not in reply_labels("how was your day", "she's 12")


@pytest.mark.parametrize(
    "reply",
    ["I don't have a 12", "no one like that here", "wala po akong ganyan", "wala koy ingon ana", "nei, jeg har ingen på den alderen"],
)
def test_refusals_do_not_confirm(reply):
    assert "MINOR_CONFIRMED" not in reply_labels(REQUEST["en"], reply)


BUYER_APP = Participant("a-1", Role.UNKNOWN)  # chat apps do not know who is the buyer


def test_a_confirmation_makes_the_question_it_answers_a_request():
    lines = chat(("b", "and the little one"), ("u", "yes, she is 12"), buyer=BUYER_APP)
    assert not labels_of(analyse_conversation(lines[:1])) & MINOR  # alone it asks nothing
    out = analyse_conversation(lines)
    assert "MINOR_REQUEST" in labels_of(out, "c-1-m0")
    assert "MINOR_CONFIRMED" in labels_of(out, "c-1-m1")


def test_an_unprompted_offer_makes_no_request_of_a_greeting():
    out = analyse_conversation(chat(("b", "hi there"), ("u", "yes available, 12 yo"), buyer=BUYER_APP))
    assert not labels_of(out, "c-1-m0") & MINOR


def test_a_confirmation_in_another_conversation_implies_no_request_here():
    first = chat(("b", "and the little one"), conversation="c-1", buyer=BUYER_APP)
    second = chat(("u", "yes, she is 12"), conversation="c-2", buyer=BUYER_APP)
    out = analyse_conversations([first, second])
    assert "MINOR_CONFIRMED" in labels_of(out, "c-2-m0")
    assert not labels_of(out, "c-1-m0") & MINOR


# --- self-disclosure -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "13 years old here",
        "age 13",
        "my age is 14",
        "turned 13 last week",
        "I'll be 14 next month",
        "not 18 yet, i'm 15",
        "14 na ako",
        "hindi pa ako 18",
        "dili pa ko 18",
        "13 år her",
        "ikke 18 enda",
    ],
)
def test_self_disclosures(text):
    assert "SELF_DISCLOSED_MINOR" in labels_of(analyse_conversation(chat(("b", "hi"), ("u", text))), "c-1-m1")


@pytest.mark.parametrize(
    "text",
    ["it's 11 here, late", "turned 18 last month", "I'll be 10 min late", "my age is 22", "22 na ako", "age 25 here"],
)
def test_not_self_disclosures(text):
    assert not say(text, "p") & MINOR
