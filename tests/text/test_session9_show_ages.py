"""Session 9 (MINOR_CONFIRMED recall, age reader): a camera word that names a show ("cam show",
"webcam session") is no thing whose age is given, so an age beside it is a person's; a seller's
greeting with a vocative ("hi sir, interested in ...") opens an offer question; the number an
offer question puts before a show noun ("interested ka sa 8 show") is the one offered.
Clinical lines written for these tests; thing ages stay things."""

from __future__ import annotations

import pytest

from tests.text.helpers import app_chat
from vaktpost.text import analyse_messages, reply_model
from vaktpost.text.ages import find_ages
from vaktpost.text.normalise import normalise


@pytest.fixture(autouse=True)
def rules_only():
    with reply_model.switched_off():
        yield


def ages(text):
    return [(a.value, a.kind) for a in find_ages(normalise(text))]


def labels(text):
    return {p.label.value for p in analyse_messages([app_chat(("a", text))])[0][0].proposed}


@pytest.mark.parametrize(
    "text, value",
    [("available 9 years old yo cam show tonight", 9), ("pamangkin ko 11 anyos available sa cam show", 11),
     ("selling webcam session with my nephew 10 years old", 10), ("anak nako 12 ka tuig cam show", 12),
     ("my niece 13yo available for cam show", 13)],
)
def test_an_age_beside_a_show_compound_is_a_persons(text, value):
    assert (value, "person") in ages(text)


@pytest.mark.parametrize(
    "text",
    ["my phone is 2 years old", "my cam is 3 years old", "the account is 13 months old", "a 4 year old camera for my cam shows",
     "my webcam is 3 yrs old, still works for cam shows", "doing cam shows 5 yrs now", "6 ka tuig na akong cellphone"],
)
def test_thing_ages_stay_things(text):
    assert not [a for a in find_ages(normalise(text)) if a.kind != "bare"]


def test_for_before_a_cam_show_is_no_age():
    assert ages("how much 4 cam show?") == []


@pytest.mark.parametrize(
    "text",
    ["hi sir interested in 12 years old cam show", "hello po interested in 9 yo private show", "hi sir interested ka sa 8 show po",
     "hi boss interesado ka sa 10 video call"],
)
def test_a_sellers_offer_question_with_a_vocative_confirms(text):
    assert "MINOR_CONFIRMED" in labels(text)
    assert "MINOR_REQUEST" not in labels(text)


@pytest.mark.parametrize("text", ["hi sir interested ka sa 3 shows po", "hi sir interested ka sa 15 min show", "hi sir interested in 20 yo show"])
def test_counts_durations_and_adults_offer_no_child(text):
    assert "MINOR_CONFIRMED" not in labels(text)


def test_a_buyer_line_stays_a_request():
    assert "MINOR_REQUEST" in labels("i am interested in a 12 yo private show, how much")
