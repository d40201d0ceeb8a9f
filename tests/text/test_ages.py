"""Age expressions parsed to numbers; ages of things, durations and times are not ages."""

from __future__ import annotations

import pytest

from vaktpost.text.ages import find_ages
from vaktpost.text.normalise import normalise


def ages(text):
    return sorted((a.value, a.kind) for a in find_ages(normalise(text)) if a.kind != "bare")


@pytest.mark.parametrize(
    "text, value",
    [
        ("12yo", 12), ("12 y/o", 12), ("a 12-year-old", 12), ("twelve years old", 12),
        ("12 år", 12), ("tolv år gammel", 12), ("12-åring", 12),
        ("12 anyos", 12), ("dose anyos", 12), ("12 taong gulang", 12), ("edad 12", 12),
        ("12 ka tuig", 12), ("napulog duha ka tuig", 12),
        ("grade 5", 11), ("grade five", 11), ("5. klasse", 11),
        ("age: 14", 14), ("she is 13", 13), ("hun er 13", 13),
    ],
)
def test_age_of_a_person(text, value):
    assert value in [v for v, _ in ages(text)]


def test_several_ages_in_one_phrase():
    assert [v for v, _ in ages("8 and 11 yo")] == [8, 11]


def test_self_and_under():
    assert ages("I'm 15") == [(15, "self")]
    assert ages("15 pa lang ako") == [(15, "self")]
    assert ages("under 16 only") == [(16, "under")]


@pytest.mark.parametrize(
    "text",
    ["my phone is 12 years old", "room 12", "for 12 years", "12 years ago", "12 år siden",
     "i start at 9", "12 years of experience", "the car is 12 years old", "im 15 min away"],
)
def test_not_an_age_of_a_person(text):
    assert ages(text) == []
    assert all(a.kind == "bare" for a in find_ages(normalise(text))) or text == "room 12"
