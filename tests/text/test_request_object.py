"""MINOR_REQUEST or CONTENT_REQUEST by what the request asks for (session 6, request_object.py):
the child herself, the show or pictures of a child already spoken of, or both. Lines written for
these tests from the taxonomy's definitions, in en, nb, tl and ceb (clinical wording only)."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.funnel import FunnelMessage, compute_funnels, group_by_conversation

ASKS = {"MINOR_REQUEST", "CONTENT_REQUEST"}


@pytest.mark.parametrize(
    "text",
    [
        "can the little one be on the video call?",  # en: a child already spoken of, on the call
        "show me the younger girl on cam first",
        "i want the kid on the show tonight",
        "send me one of the niece first",  # a picture asked for by pronoun
        "vis meg den yngste på kamera først",  # nb
        "kan den lille være på kamera i kveld?",
        "ipakita mo yung bata sa cam",  # tl
        "pwede ba si bunso sa video call?",
        "ipakita nimo ang gamay sa cam",  # ceb
        "gusto nako makita ang bata sa video call",
    ],
)
def test_the_show_of_a_child_already_spoken_of_is_a_content_request(text):
    assert say(text, "b") & ASKS == {"CONTENT_REQUEST"}


@pytest.mark.parametrize(
    "text",
    [
        "got a nephew who can come on cam?",  # en: is there one
        "is the little one there? i want her on cam",  # is she there
        "can the kid join the show tonight?",  # can she join
        "can the small one be on the show, she is 9 right?",  # an age: asks about her
        "can your daughter be on cam too",  # the addressee's child named: asked about
        "looking for a kid for a video",  # what the child is for
        "har du en yngre en til show?",  # nb
        "er den lille ledig for kamera i kveld?",
        "meron ka bang bata para sa cam show?",  # tl
        "pwede ba sumali yung bata sa show?",
        "naa kay gamay para sa video call?",  # ceb
        "pwede ba moapil ang bata sa show?",
    ],
)
def test_a_question_about_the_child_herself_is_a_minor_request(text):
    assert say(text, "b") & ASKS == {"MINOR_REQUEST"}


@pytest.mark.parametrize(
    "text",
    [
        "got a niece? send pics first",  # en
        "any young ones? a recent photo first pls",
        "har du en yngre? send bilder først",  # nb
        "meron ka bang bata? send ka ng litrato",  # tl
        "naa kay gamay? padala ug picture",  # ceb
    ],
)
def test_both_asked_gives_both_labels(text):
    assert say(text, "b") & ASKS == ASKS


@pytest.mark.parametrize(
    "text",
    [
        "got a niece for a video call?",  # a call is a show she would be on, not a picture sent
        "any young ones available for a video call tonight?",
    ],
)
def test_a_call_or_a_show_beside_the_question_is_no_picture(text):
    assert say(text, "b") & ASKS == {"MINOR_REQUEST"}


@pytest.mark.parametrize("text", ["show me the room on cam first", "can the lights be on during the show?", "vis meg rommet på kamera"])
def test_no_child_no_request(text):
    assert not say(text, "b") & ASKS


def test_a_content_request_is_the_request_a_confirmation_answers_and_the_buyer_asked():
    conv = chat(("b", "can the little one be on the video call?"), ("p", "yes, she is 10"))
    found = analyse_conversation(conv)
    assert labels_of(found, conv[0].message_id) & ASKS == {"CONTENT_REQUEST"}
    assert "MINOR_CONFIRMED" in labels_of(found, conv[1].message_id)
    by_id = {f.message_id: {lab.value for lab in f.labels} for f in found}
    messages = [FunnelMessage("cam", m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients), frozenset(by_id.get(m.message_id, ()))) for m in conv]
    [buyer] = [f for f in compute_funnels(group_by_conversation(messages)) if f.actor_id == conv[0].sender.id]
    assert buyer.counts["asked_minor"] == 1 and buyer.counts["confirmed_minor"] == 1
