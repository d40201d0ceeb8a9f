"""Phrasings written from knowledge of how such requests, offers and refusals are worded
(not taken from generator output): requests without the old trigger words, offers,
refusals and innocent mentions of a performer's own children, in each language."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of, say

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


@pytest.mark.parametrize(
    "text",
    [
        "any chance of a younger one tonight",
        "I'll pay extra if your niece joins",
        "younger ones possible? budget 80 usd",
        "can your daughter be on cam too",
        "set me up with a young girl, price no issue",
        "is there a child available",
        "har du en yngre jente? betaler ekstra",  # nb
        "jeg ser etter en på 12",
        "skulle gjerne sett en liten jente",
        "meron ka bang mas bata? dagdag bayad ako",  # tl
        "pwede mo bang isali ang pamangkin mo",
        "may kilala ka bang dalagita",
        "naa kay mas batan-on? mobayad ko ug dugang",  # ceb
        "pwede nimo iapil imong manghod",
        "pangitai ko ug gamay nga bata",
    ],
)
def test_request_phrasings(text):
    assert "MINOR_REQUEST" in say(text, "b")


@pytest.mark.parametrize(
    "text",
    [
        "yes, my niece can join, she is 12",
        "my little sister is here, she can join",
        "ja, niesen min er 13",
        "oo, andito ang pamangkin ko, 12 anyos",
        "naa koy manghod, 11 ka tuig",
    ],
)
def test_offer_phrasings(text):
    assert "MINOR_CONFIRMED" in say(text, "p")


@pytest.mark.parametrize(
    "who,text",
    [
        ("p", "my daughter is with her dad this weekend"),
        ("p", "anak ko may lagnat, wala munang show"),
        ("b", "my son has football practice, brb"),
        ("p", "kids are with their father, free all night"),
        ("p", "sure, my son is at his grandparents"),
    ],
)
def test_own_children_in_passing_are_not_offers(who, text):
    assert not say(text, who) & MINOR


@pytest.mark.parametrize(
    "reply",
    [
        "I only do solo shows, nobody here but me",
        "nei, hun er ikke med på sånt",
        "hindi siya kasali, solo lang ako",
        "dili siya apil, solo ra ko",
    ],
)
def test_refusals_cancel_the_request(reply):
    findings = chat(("b", "can your niece join the show?"), ("p", reply))
    from vaktpost.text import analyse_conversation

    out = analyse_conversation(findings)
    assert "MINOR_REQUEST" in labels_of(out, "c-1-m0")
    assert "MINOR_CONFIRMED" not in labels_of(out, "c-1-m1")


@pytest.mark.parametrize(
    "text",
    ["are you over 18?", "er du over 18?", "18 ka na ba?", "pila na imong edad?"],
)
def test_age_probes(text):
    assert "AGE_PROBE" in say(text, "b")


def test_new_child_words_do_not_make_misspelled_ordinary_words_child_terms():
    # "tweens" → "tens", "datra" → "data": misspelling variants that are ordinary words
    assert not say("tens of people watch, send data via gcash") & MINOR
