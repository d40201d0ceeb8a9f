"""Session 7, misc8: false positives and misses earlier helpers found and left alone, each with a
structural cause — the writer's own availability read as an offer, a parent's "mine are 5 and 7"
read as a request, only the first `minor_life` phrase checked in own_stage, "9" not read as "g"
between letters, the tail of a typo'd compound number word read as the age, and nb `unger`'s
fuzzy variant "uner" (an en typo of "under")."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.ages import find_ages
from vaktpost.text.matcher import default_matcher
from vaktpost.text.normalise import normalise, normalise_with_offsets, original_span

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


# 1. the writer's own availability is no offer of a child


@pytest.mark.parametrize(
    "text",
    [
        "jeg henter sønnen min på skolen kl 15, så er jeg ledig",  # nb
        "datteren min er på skolen til 14, etter det er jeg ledig",
        "i pick up my son from school at 3, then im available",  # en
        "sunduin ko muna anak ko sa school, tapos available na ako",  # tl
        "kuhaon nako akong anak sa eskwelahan, available na ko after",  # ceb
    ],
)
def test_the_writers_own_availability_offers_no_child(text):
    for role in ("u", "p"):
        assert "MINOR_CONFIRMED" not in say(text, role), (role, text)


@pytest.mark.parametrize(
    "text",
    [
        "hun er ledig nå, 12 år",  # nb: she is free
        "datteren min er ledig i kveld",
        "she is available now, 12yo",  # en
        "available siya mamaya, 12 anyos",  # tl
        "ang anak ko 11, available siya",  # ceb / Taglish
    ],
)
def test_a_childs_availability_is_still_an_offer(text):
    assert "MINOR_CONFIRMED" in say(text, "u")


# 2. "mine are 5 and 7": the writer's own children, with the question back


@pytest.mark.parametrize(
    "text",
    [
        "do u have kids? mine are 5 and 7, heres a pic",
        "do you have kids? mine is 6",
        "do u have kids? mine are 5 and 7",
    ],
)
def test_own_childrens_ages_after_a_family_question_are_small_talk(text):
    for role in ("b", "u"):
        assert not (say(text, role) & MINOR), (role, text)


@pytest.mark.parametrize(
    "text",
    [
        "do u have kids? mine are 5 and 7, want a 10yo",  # a wish for another one
        "do u have kids? mine are 5 and 7, send pics of yours",  # a request verb
        "any kids 10 or 11? mine are 5 and 7",  # the ages asked come before "mine"
    ],
)
def test_a_request_beside_ones_own_childrens_ages_is_still_a_request(text):
    assert "MINOR_REQUEST" in say(text, "b")


# 3. own_stage: a "have" inside any minor_life phrase, not only the first one


@pytest.mark.parametrize(
    "text",
    [
        "ingon si mama naa koy klase ugma, grade 6 ko",  # ceb: mom says, I have class tomorrow
        "naa koy klase ugma, grade 6 ko",
    ],
)
def test_own_stage_after_a_second_minor_life_phrase(text):
    assert "SELF_DISCLOSED_MINOR" in say(text, "u")


def test_a_carers_have_after_a_minor_life_phrase_is_still_not_her_own_stage():
    assert not (say("ingon si mama naa koy anak nga grade 6", "u") & {"SELF_DISCLOSED_MINOR"})


# 4. leetspeak: "9" for "g" between letters, offsets kept


def test_nine_between_letters_is_g_and_offsets_point_at_the_leet_word():
    text = "My D4U9H73R is 10yo"
    t, offsets = normalise_with_offsets(text)
    assert t == "my daughter is 10yo"
    assert len(offsets) == len(t) and list(offsets) == list(range(len(text)))
    s = t.index("daughter")
    assert original_span(offsets, s, s + len("daughter"), text) == (3, 11)
    assert text[3:11] == "D4U9H73R"


@pytest.mark.parametrize("word", ["9yo", "9am", "top9", "b9", "999", "mp4", "u18"])
def test_nine_outside_letters_stays_a_digit(word):
    assert normalise(word) == word


def test_a_leet_daughter_makes_the_age_hers_not_the_writers():
    assert "SELF_DISCLOSED_MINOR" not in say("my d4u9h73r is 10yo and in school", "u")
    assert normalise("ni9ht") == "night"


# 5. a compound number word whose first part is a typo: no age rather than a wrong one


@pytest.mark.parametrize("text", ["im tewnty-three yrs old", "tewnty-four anyos na ako", "jeg er tjeu-tre år", "age ko tewnty-four, checked nung nag-sign up"])
def test_typod_compound_number_gives_no_age(text):
    t = normalise(text)
    assert not any(a.value in (3, 4) for a in find_ages(t)), t
    assert not (say(text, "u") & MINOR)


@pytest.mark.parametrize(
    "text, value",
    [("im twenty-three", 23), ("jeg er tjue-tre", 23), ("beinte-tres anyos ako", 23), ("im three", None)],
)
def test_whole_compound_number_words_are_still_read(text, value):
    t = normalise(text)
    if value is not None:
        assert str(value) in t
    else:
        assert t == "im 3"


def test_the_typod_compound_keeps_its_offsets():
    text = "IM tewnty-three ok"
    t, offsets = normalise_with_offsets(text)
    assert len(offsets) == len(t)
    assert t == "im tewnty-thre ok"  # the number word left as a word (repeats folded)
    s = t.index("thre")
    assert original_span(offsets, s, s + 1, text)[0] == text.index("three")
    k = t.index("ok")
    assert text[slice(*original_span(offsets, k, k + 2, text))] == "ok"


# 6. nb `unger` fuzzy forms: not the en typo "uner" (under)


def _categories(text):
    t = normalise(text)
    return {(h.pattern.category, t[h.start : h.end]) for h in default_matcher().scan_batch([t])[0]}


def test_uner_is_no_child_word():
    assert ("child", "uner") not in _categories("still uner warranty")
    assert not (labels_of(analyse_conversation(chat(("u", "this laptop? 21 months, still uner warranty")))) & MINOR)


def test_other_fuzzy_forms_of_unger_are_still_child_words():
    assert ("child", "unegr") in _categories("har du unegr")
    assert ("child", "unger") in _categories("har du unger")


@pytest.mark.parametrize(
    "text, digits",
    [("mag-onse ka tuig ko sunod bulan", "mag-11"), ("kaka-nineteen ko lang", "kaka-19"), ("grade-three", "grade-3")],
)
def test_affixed_number_words_keep_their_digits(text, digits):
    """tl/ceb affixes join a number word with a hyphen ("mag-onse": turns eleven): only a slip
    of a tens word before the hyphen leaves the number word as it is."""
    assert normalise(text).startswith(digits)


def test_turning_eleven_with_an_affix_is_still_a_self_disclosure():
    assert "SELF_DISCLOSED_MINOR" in say("mag-onse ka tuig ko sunod bulan", "u")
