"""MINOR_REQUEST precision and recall, session 9 (`mrfp10`). Lines written for these tests from
the taxonomy's definitions (clinical wording only), never copied from a generated set."""

from __future__ import annotations

import pytest

from tests.text.helpers import app_chat, chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.matcher import default_matcher
from vaktpost.text.normalise import normalise


def _categories(text: str) -> set[str]:
    n = normalise(text)
    return {h.pattern.category for h in default_matcher().scan_batch([n])[0]}


# A content request whose picture or show word is mistyped: the picture is still what is asked
# for (CONTENT_REQUEST), not the child (fuzzy.json now spells the media lexicons' words too).
@pytest.mark.parametrize(
    "line",
    [
        "send a pohto of ur cousin",
        "send one phtoo of your nephew",
        "can the small one be on the vieo call?",
        "can the young one be on the sesion?",
        "vil ha et bidle av den lille",  # nb
        "jeg vil se den lille på kamrea først",
    ],
)
def test_a_mistyped_picture_word_still_asks_for_the_picture(line):
    labels = say(line)
    assert "CONTENT_REQUEST" in labels
    assert "MINOR_REQUEST" not in labels


@pytest.mark.parametrize("word", ["kamerat", "biler", "vider", "stram", "otak"])
def test_ordinary_words_one_letter_from_a_media_word_are_no_media_word(word):
    assert "media" not in _categories(f"min {word} er her")


def test_the_mistyped_picture_after_an_ask_and_a_yes_is_the_picture_of_that_child():
    msgs = chat(
        ("b", "any young one available tonight?"),
        ("p", "yes my niece is here, 9"),
        ("b", "send a phtoo of her first"),
    )
    found = analyse_conversation(msgs)
    assert labels_of(found, msgs[2].message_id) >= {"CONTENT_REQUEST"}
    assert "MINOR_REQUEST" not in labels_of(found, msgs[2].message_id)
