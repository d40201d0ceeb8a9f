"""A minor's own school stage or own circumstances is a self-disclosure (age_reading.own_stage and
the lexicon categories minor_life, adult_stage, kin_subject); a third person's grade, an adult's
school talk, one's child's birthday and the grade of a thing are not."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of, say

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


@pytest.mark.parametrize(
    "text",
    [
        # en: the grade with "im", then a "have" that is the writer's own day
        "im in grade 6 so i have a test tomorrow",
        "i'm in 7th grade and i have school tmrw",
        "grade 5 stuff lol, mom says homework first",
        "cant stay long, im 13 and i have curfew",
        "14yo next month, mom wont let me go out late",
        "i'm 15yo, my parents dont know im here",
        # nb
        "jeg går i 7. klasse",
        "mamma sier lekser først, 6. klasse altså",
        "kan ikke lenge, er 14 år og må være hjemme tidlig",
        "eg er 13, skule i morgon",
        "eg er bare 12",
        # tl
        "grade 6 ako",
        "ako grade 4 pa",
        "sabi ni mama homework muna, grade 5 pa lang",
        "13 pa lang ako, di alam ni mama",
        "may pasok bukas, grade 7 na ko",
        "14 pa lang ako, di alam ni mama na nandito ako",  # "nandito ako": the writer is here
        "13 aq, high school pa",  # "aq": chat shorthand of "ako"
        # ceb
        "grade 5 pa ko",
        "bawal ko mogawas sa gabii, 14 anyos ra ko",
        "naa koy klase ugma, grade 6 ko",
    ],
)
def test_own_stage_is_a_self_disclosure(text):
    assert "SELF_DISCLOSED_MINOR" in say(text, "u")


@pytest.mark.parametrize(
    "text",
    [
        # a third person's grade
        "my son is in grade 5",
        "she is in grade 6, school tmrw",
        "jeg har en datter i 5. klasse",
        "grade 4 na ang anak ko, may pasok bukas",
        "grade 5 na siya, sabi ni mama",
        "grade 3 na akong anak, naay klase ugma",
        # an adult's school talk: teaching, a stage long past
        "I teach grade 5",
        "i'm a 5th grade teacher",
        "i finished grade 10 years ago",
        "back in grade 6 i was shy lol",
        "jeg er lærer for 7. klasse",
        "da jeg gikk i 8. klasse var alt enklere",
        "guro ako ng grade 5",
        "nung grade 6 ako mahiyain ako",
        "magtutudlo ko sa grade 4",
        "my d4u9h73r is grade 2 and taller than me already",  # the subject's grade, not the "me"'s
        "she just turned 10 and i have work tomorrow",  # "just turned" after "she": hers
        # one's child's birthday
        "my eldest just turned 6, party on sunday",
        "eldstemann fylte 14 i går",
        "nag 7 anyos na ang panganay ko, may handaan sa linggo",
        # things and letter grades
        "got a grade A on it",
        "selling a 5th grade math book",
    ],
)
def test_others_grades_and_adult_school_talk_are_not(text):
    assert not (say(text, "u") & MINOR), text


def test_a_have_before_the_age_still_offers():
    """"may 12 ako dito" puts the number forward: an offer, not the writer's age."""
    assert "MINOR_CONFIRMED" in say("may 12 ako dito", "u")
    assert "SELF_DISCLOSED_MINOR" not in say("may 12 ako dito", "u")
    found = say("interesado ka? may grade 5 aq dito, pamangkin q", "u")  # "aq": ako in chat shorthand
    assert "MINOR_CONFIRMED" in found and "SELF_DISCLOSED_MINOR" not in found


def test_someone_else_here_is_an_offer_not_a_self_disclosure():
    """tl "nandito siya": someone else is here — the rules' offer stands, the age is not the writer's."""
    found = say("nandito siya, 12 anyos, di alam ni mama", "u")
    assert "MINOR_CONFIRMED" in found and "SELF_DISCLOSED_MINOR" not in found


def test_a_buyers_school_talk_is_left_alone():
    """The buyer's line keeps the rules' old reading: a grade beside school words is context."""
    assert "SELF_DISCLOSED_MINOR" not in say("mom says homework first, grade 5 stuff", "b")


def test_own_stage_opens_the_dialogue_for_a_request():
    """A buyer's picture request to the writer of "im in grade 6 ..." is a content request to
    a self-disclosed minor (the dialogue reads the stage like any self-disclosure)."""
    found = labels_of(
        __import__("vaktpost.text", fromlist=["analyse_conversation"]).analyse_conversation(
            chat(("u", "lol im in grade 6 so i have school tmrw"), ("b", "take a pic of urself now and send"))
        ),
        "c-1-m0",
    )
    assert "SELF_DISCLOSED_MINOR" in found
