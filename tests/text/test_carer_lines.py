"""A carer's line about children's school days is no self-disclosure (session 7): the grade or
age of someone named by a tl/ceb personal article ("si junior"), of one's own children named
as "mine", "the twins", nb "gutten"/"jenta"/"minstemann", two children's grades or ages in one
line, a grade something is for ("school tomorrow for grade 4"), and a clock time beside a
minor's circumstance ("human sa 12") — while a minor's own stage still is one. And a picture
of a thing asked for after a question about a child ("send pic of his new bike") asks for no
picture of the child (request_object)."""

from __future__ import annotations

import pytest

from tests.text.helpers import say

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


@pytest.mark.parametrize(
    "text",
    [
        # en: one's children by a pronoun or a plural, two grades or ages, what a grade is for
        "mine is grade 3 now, homework first every night",
        "both of mine have school tomorrow, grade 1 and grade 4",
        "the twins are 11, homework first then tv",
        "my 2 are 8 and 12, school tomorrow",
        "school tomorrow for grade 4, gotta wake up early",
        # nb: the boy, the girl, the youngest as subject
        "gutten har skole i morgen, går i 4. klasse",
        "jenta mi går i 6. klasse, lekser først",
        "skole i morgen for minstemann, 2. klasse",
        "ungene har skole i morgen, 3. klasse og 5. klasse",
        # tl: a person named by "si", two grades
        "grade 5 na si junior, may pasok bukas",
        "may pasok bukas, grade 2 si Ana tsaka grade 4 si Ben",
        # ceb: a clock time beside school tomorrow, a person named by "si"
        "naay klase ugma, human sa 12",
        "grade 3 na si Jun-jun, naay klase ugma",
    ],
)
def test_a_carers_school_day_is_not_a_self_disclosure(text):
    assert not (say(text, "u") & MINOR), text


@pytest.mark.parametrize(
    "text",
    [
        # a minor's own stage still is one, with a parent or a sibling named beside it
        "sabi ni mama homework muna, grade 5 pa lang ako",
        "grade 5 pa ko, si ate grade 8",
        "ingon si mama bawal ko mogawas, grade 6 pa ko",
        "mom says homework first, im in grade 6",
        "må være hjemme tidlig, jeg går i 8. klasse",
        "cant go out late, 14 lol",
    ],
)
def test_a_minors_own_stage_still_is(text):
    assert "SELF_DISCLOSED_MINOR" in say(text, "u"), text


@pytest.mark.parametrize(
    "text",
    [
        "is ur son home? send pic of his new bike",
        "er niesen din hjemme? send bilde av bilen",
        "nandyan ba pamangkin mo? send ka ng picture ng kotse mo",
        "naa ba imong pag-umangkon? padala ug picture sa balay",
    ],
)
def test_a_picture_of_a_thing_is_no_content_request(text):
    assert "CONTENT_REQUEST" not in say(text, "b"), text


@pytest.mark.parametrize(
    "text",
    [
        "got a niece? send pics first",
        "is ur son home? send a pic of him",
    ],
)
def test_a_picture_of_the_child_still_is(text):
    assert "CONTENT_REQUEST" in say(text, "b"), text


@pytest.mark.parametrize(
    "text",
    [
        # a picture already seen or being given beside a question about a child: no picture asked
        "ur son is so cute in that pic, how old is he now?",  # en
        "do u have kids? mine are 5 and 7, heres a pic",
        "er datteren din hjemme? så bildet av henne i går",  # nb
        "nandyan ba anak mo? nakita ko yung picture nya sa fb",  # tl
        "naa ba imong anak? nakita nako ang picture niya",  # ceb
    ],
)
def test_a_picture_seen_or_given_is_no_content_request(text):
    assert "CONTENT_REQUEST" not in say(text, "b"), text


@pytest.mark.parametrize(
    "text",
    [
        "is ur niece home? send me a pic of her in your room",  # "in your" after the picture is no picture seen
        "cute, any young ones? send a pic",
    ],
)
def test_a_picture_asked_for_still_is(text):
    assert "CONTENT_REQUEST" in say(text, "b"), text


@pytest.mark.parametrize(
    "text",
    [
        "im looking 4 6 years old po sir, pde mo arrange",  # en / Taglish
        "im searching for a 13 years old",
        "jeg ser etter en 13 år gammel",  # nb
        "hanap aq ng 12 yrs old, pde mo ba iarrange po",  # tl
        "nangita ko ug 13 anyos",  # ceb
    ],
)
def test_the_age_sought_is_not_the_writers(text):
    """A buyer's "im looking for <age>": the age is the one asked for, not a self-disclosure."""
    found = say(text, "b")
    assert "SELF_DISCLOSED_MINOR" not in found and "MINOR_REQUEST" in found, text


@pytest.mark.parametrize("text", ["wanna chat? im 14 years old", "looking for friends, im 13 years old"])
def test_ones_own_age_after_a_want_still_is(text):
    assert "SELF_DISCLOSED_MINOR" in say(text, "u"), text


@pytest.mark.parametrize(
    "gift",
    [
        "want a new camera? ill buy it",  # en
        "vil du ha et nytt kamera? jeg kjøper det",  # nb
        "gusto mo ng bagong camera? bibilhan kita",  # tl
        "gusto ka ug bag-ong camera? paliton nako",  # ceb
    ],
)
def test_a_camera_given_to_a_self_disclosed_minor_is_a_gift_not_a_content_request(gift):
    """The dialogue's CONTENT_REQUEST to a self-disclosed minor needs pictures or a show asked
    for; a new camera offered is a gift (TRUST_GIFTS)."""
    from vaktpost.text import analyse_conversation

    from tests.text.helpers import chat, labels_of

    found = labels_of(analyse_conversation(chat(("u", "im 14 years old"), ("b", gift))), "c-1-m1")
    assert "CONTENT_REQUEST" not in found, gift


def test_a_picture_asked_of_a_self_disclosed_minor_still_is():
    from vaktpost.text import analyse_conversation

    from tests.text.helpers import chat, labels_of

    found = labels_of(analyse_conversation(chat(("u", "im 14 years old"), ("b", "send me a pic of u now"))), "c-1-m1")
    assert "CONTENT_REQUEST" in found
