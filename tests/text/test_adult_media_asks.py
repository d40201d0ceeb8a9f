"""A customer asking an adult performer for a selfie, a cam or pictures of herself asks for no
child: CONTENT_REQUEST is a request for images or a show *involving a minor* (taxonomy.md). The
generator's adult customers never ask for pictures, so only these lines hold the rules and the
shipped model to it."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of
from vaktpost.text import analyse_conversation

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


@pytest.mark.parametrize(
    "ask", ["send a selfie first pls", "turn on ur cam pls", "show me ur room first", "pls send more pics of u", "can i see ur face first"]
)
def test_media_asks_to_an_adult_performer_carry_no_minor_label(ask):
    found = analyse_conversation(chat(("p", "hi im 21, verified"), ("b", ask)))
    assert not labels_of(found) & MINOR


def test_a_media_ask_naming_a_child_is_still_a_content_request():
    found = analyse_conversation(chat(("p", "hi im 21, verified"), ("b", "can u send a pic of ur niece 12yo")))
    assert "CONTENT_REQUEST" in labels_of(found)
