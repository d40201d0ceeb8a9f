"""Message labels in each language, and the taxonomy's hard negatives (no minor labels)."""

from __future__ import annotations

import pytest

from tests.text.helpers import say

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


@pytest.mark.parametrize(
    "text",
    [
        "do you have kids available tonight?",  # en
        "do you have a younger one? 12 or so",
        "har du noen barn tilgjengelig?",  # nb
        "har du en yngre en? 12 år",
        "meron ka bang bata na available?",  # tl
        "pwede ba yung mas bata?",
        "naa kay bata? pwede ba?",  # ceb
        "any 12 anyos?",  # tl/ceb age
        "do you have a 11yo",
        "do you have k1ds available?",  # leetspeak
        "any k i d s?",  # spacing
    ],
)
def test_buyer_request_for_a_child(text):
    assert "MINOR_REQUEST" in say(text, "b")


@pytest.mark.parametrize(
    "text",
    [
        "my niece is available, 12yo",  # en
        "she is 12, available tonight",
        "jeg har en jente på 12 år tilgjengelig",  # nb
        "meron ako, pamangkin ko, 12 anyos",  # tl
        "naa koy bata, dose anyos",  # ceb
        "the small one can join the show",
    ],
)
def test_performer_offer_of_a_child(text):
    assert "MINOR_CONFIRMED" in say(text, "p")


@pytest.mark.parametrize("text", ["I'm 15", "jeg er 15 år", "15 pa lang ako", "15 ra ko"])
def test_self_disclosed_minor(text):
    assert "SELF_DISCLOSED_MINOR" in say(text, "p")


@pytest.mark.parametrize(
    "text, label",
    [
        ("how much for one show? 30 usd ok", "PRICE_NEGOTIATION"),
        ("magkano po?", "PRICE_NEGOTIATION"),
        ("hvor mye koster det?", "PRICE_NEGOTIATION"),
        ("send it by western union, give me the mtcn", "PAYMENT_CHANNEL"),
        ("gcash na lang", "PAYMENT_CHANNEL"),
        ("add me on telegram", "OFF_PLATFORM_MOVE"),
        ("my email is someone@example.org", "OFF_PLATFORM_MOVE"),
        ("I fly to Manila next month, booked a hotel", "TRAVEL_MEETING"),
        ("moadto ko sa Cebu sunod bulan", "TRAVEL_MEETING"),
        ("don't tell anyone, delete this chat", "SECRECY"),
        ("ikke si det til noen", "SECRECY"),
        ("I will buy you a gift, you are special", "TRUST_GIFTS"),
        ("send it or I will post your pictures", "COERCION_SEXTORTION"),
        ("how old is she?", "AGE_PROBE"),
        ("ilang taon ka na?", "AGE_PROBE"),
        ("pila ka tuig siya?", "AGE_PROBE"),
        ("hvor gammel er hun?", "AGE_PROBE"),
    ],
)
def test_other_labels(text, label):
    assert label in say(text, "b")


def test_asking_for_pictures_of_a_child_is_a_content_request():
    for text in ["send a photo of your niece", "a private show with the small one", "can u share clips of your cousin"]:
        got = say(text, "b")
        assert "CONTENT_REQUEST" in got and "MINOR_REQUEST" not in got


def test_asking_whether_a_child_is_there_or_can_join_a_show_is_a_minor_request():
    # taxonomy.md: MINOR_REQUEST asks whether a child "is available, can join, or can be
    # shown"; a question about the child herself, the show being what for.
    for text in ["looking for a kid for a session", "can your son join the cam show", "show me your niece"]:
        got = say(text, "b")
        assert "MINOR_REQUEST" in got and "CONTENT_REQUEST" not in got


def test_asking_for_the_show_of_a_child_already_spoken_of_is_a_content_request():
    # Session 6 (request_object.py): the generator's content_request move and the taxonomy's
    # "a live show involving a minor" — the child is already spoken of, the show is asked for.
    # (Session 3's reading, "can be shown" → MINOR_REQUEST, was 92 of gen's 100 false ones.)
    for text in ["show me the small one on cam first", "can the kid be on the show?"]:
        got = say(text, "b")
        assert "CONTENT_REQUEST" in got and "MINOR_REQUEST" not in got


def test_offer_phrased_as_a_question_is_an_offer_when_the_role_is_unknown():
    for text in ["want kids? I have 9 and 6 years old", "gusto mo ng mas bata? may 13 at 10 po", "gusto ka og mas bata? naa koy 14 ug 11 ka tuig"]:
        assert "MINOR_CONFIRMED" in say(text, "u")


def test_code_word_request_is_evasion():
    assert {"MINOR_REQUEST", "EVASION_CODEWORD"} <= say("got any young stock today?", "b")
    assert {"MINOR_REQUEST", "EVASION_CODEWORD"} <= say("l00king for the sm4ll s1ze", "b")
    assert "EVASION_CODEWORD" not in say("do you have kids?", "b")


def test_obfuscated_child_term_is_evasion_when_switched_on(monkeypatch):
    from vaktpost.text import labels

    monkeypatch.setitem(labels.rule_scores(), "evasion.obfuscated", 0.8)
    assert {"MINOR_REQUEST", "EVASION_CODEWORD"} <= say("do you have k.i.d.s available?", "b")
    assert "EVASION_CODEWORD" not in say("do you have kids?", "b")


@pytest.mark.parametrize(
    "text, role",
    [
        # adult ages
        ("I'm 19", "p"), ("turned 18 last month", "p"), ("18+ verified", "p"),
        ("I am 19 years old and verified", "p"), ("jeg er 19 år", "p"), ("19 anyos na ako", "p"),
        # teen / young of adults 18-19
        ("young and new here, 18+", "p"), ("barely legal age, 19", "p"), ("teen 19 online now", "p"),
        # own children in an innocent context
        ("my kids are asleep, I start at 9", "p"), ("my daughter is at school, online after 3", "p"),
        ("tulog na ang mga anak ko, show at 9", "p"), ("natulog na akong anak, sugod ta 9", "p"),
        ("barna sover, jeg starter kl 9", "p"), ("I have a son, he is 7, he is at school", "p"),
        ("my daughter is 8 and asleep now", "p"), ("I am a mother of two kids", "p"), ("anak ko may sakit", "p"),
        ("can you wait a little?", "b"),
        # adult commerce, payment, travel
        ("30 usd for a private show, gcash or paypal", "p"), ("I fly to Manila next month for vacation", "b"),
        # ages of things
        ("my phone is 12 years old", "p"), ("room 12", "b"), ("my laptop is 5 years old lol", "p"),
        ("the car is twelve years old", "b"), ("I have been doing this for 12 years", "p"),
    ],
)
def test_hard_negatives_get_no_minor_label(text, role):
    assert not (say(text, role) & MINOR)
