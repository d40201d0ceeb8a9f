"""Dialogue rules: who asked, who answered, refusals, unprompted offers, other conversations."""

from __future__ import annotations

from tests.text.helpers import BUYER, PERFORMER, chat, labels_of
from vaktpost.model import Participant, Role
from vaktpost.text import analyse_conversation, analyse_conversations
from vaktpost.text.funnel import FunnelMessage, compute_funnels


def test_yes_with_an_age_answering_a_request_is_a_confirmation():
    found = analyse_conversation(chat(("b", "any kids available tonight?"), ("u", "yes, 11"), ("b", "how much?"), ("u", "30 usd")))
    assert "MINOR_REQUEST" in labels_of(found, "c-1-m0")
    assert labels_of(found, "c-1-m1") == {"MINOR_CONFIRMED"}
    assert "MINOR_CONFIRMED" not in labels_of(found, "c-1-m3")  # a price is not a confirmation


def test_the_same_words_without_a_request_confirm_nothing():
    found = analyse_conversation(chat(("b", "are you online?"), ("u", "yes, 11"), ("b", "ok")))
    assert "MINOR_CONFIRMED" not in labels_of(found)


def test_the_asked_party_asking_back_is_offering():
    found = analyse_conversation(chat(("b", "do you have a younger one?"), ("u", "younger? I have 12, available")))
    assert labels_of(found, "c-1-m1") >= {"MINOR_CONFIRMED"} and "MINOR_REQUEST" not in labels_of(found, "c-1-m1")


def test_yes_without_a_request_confirms_nothing():
    found = analyse_conversation(chat(("b", "are you online tonight?"), ("p", "yes"), ("b", "ok")))
    assert labels_of(found) == set()


def test_refusal_cancels_the_pending_request():
    found = analyse_conversation(chat(("b", "do you have a younger one?"), ("p", "no, only adults here"), ("b", "ok fine"), ("u", "yes, 11 ok")))
    assert "MINOR_REQUEST" in labels_of(found, "c-1-m0")
    assert labels_of(found, "c-1-m1") & {"MINOR_CONFIRMED"} == set()
    assert labels_of(found, "c-1-m3") == set()


def test_refusal_in_tagalog_and_norwegian():
    for request, refusal in [("meron ka bang bata?", "wala po, adult lang"), ("har du barn tilgjengelig?", "nei, bare voksne")]:
        found = analyse_conversation(chat(("b", request), ("p", refusal), ("p", "ok")))
        assert "MINOR_CONFIRMED" not in labels_of(found)


def test_unprompted_offer_counts_for_the_funnel():
    found = analyse_conversation(chat(("b", "hi, show tonight?"), ("p", "my niece is available too, 12yo"), ("b", "how much")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


def test_age_answer_to_an_age_question_about_a_third_person():
    found = analyse_conversation(chat(("b", "is the small one there? how old is she?"), ("p", "11")))
    assert "MINOR_CONFIRMED" in labels_of(found, "c-1-m1")


def test_age_answer_about_oneself_is_self_disclosure():
    found = analyse_conversation(chat(("b", "how old are you?"), ("p", "15")))
    assert labels_of(found, "c-1-m1") == {"SELF_DISCLOSED_MINOR"}
    adult = analyse_conversation(chat(("b", "how old are you?"), ("p", "19")))
    assert labels_of(adult, "c-1-m1") == set()


def test_content_request_in_a_conversation_about_a_child():
    found = analyse_conversation(chat(("b", "do you have a younger one?"), ("p", "yes, she is 11"), ("b", "can i see her on cam first?")))
    assert "CONTENT_REQUEST" in labels_of(found, "c-1-m2")
    plain = analyse_conversation(chat(("b", "can i see you on cam first?")))
    assert "CONTENT_REQUEST" not in labels_of(plain)


def test_confirmation_in_another_conversation_does_not_count():
    other = Participant("u-2", Role.CUSTOMER)
    conv1 = chat(("b", "do you have a younger one?"), conversation="c-1")
    conv2 = chat(("b", "hi"), ("u", "yes, 11"), conversation="c-2", buyer=other)
    findings = analyse_conversations([conv1, conv2])
    assert "MINOR_CONFIRMED" not in labels_of(findings)
    by_msg = {f.message_id: {lab.value for lab in f.labels} for f in findings}
    fm = [
        FunnelMessage("cam", m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients), frozenset(by_msg.get(m.message_id, ())))
        for m in conv1 + conv2
    ]
    funnel = {f.actor_id: f for f in compute_funnels([fm[:1], fm[1:]])}
    assert funnel[BUYER.id].counts["asked_minor"] == 1
    assert funnel[BUYER.id].counts["confirmed_minor"] == 0
    assert funnel[PERFORMER.id].offered_minor == 0
