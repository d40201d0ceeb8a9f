"""Session 6 (asked6): lines that look like a buyer's ask for a child and are none — small
talk about someone's family, a parent's own child, a bare "2" (to/too), a greeting with a
question particle, a seller's offer put as a question, a performer's line — get neither
MINOR_REQUEST nor CONTENT_REQUEST, so their writers are not counted as askers. Each case in
en / tl / ceb / nb where the form exists, with the true request beside it that still fires."""

from __future__ import annotations

import pytest

from tests.text.helpers import app_chat, chat, labels_of, say

ASKS = {"MINOR_REQUEST", "CONTENT_REQUEST"}


def _unknown(text):
    """Labels of one line sent alone by a chat-app account (role unknown)."""
    from vaktpost.text import analyse_conversation

    return labels_of(analyse_conversation(app_chat(("a", text))))


def _labels(msgs):
    from vaktpost.text import analyse_conversation

    found = analyse_conversation(msgs)
    return [labels_of(found, m.message_id) for m in msgs]


# Have-questions about the addressee's own family, as chat writes them: typos, spaced letters,
# Taglish, western-Norwegian "kor mange".
@pytest.mark.parametrize("text", [
    "do u hvae kids?", "do u ahve kids?", "do u h a v e kids?", "how mnay kids u have", "how amny kids u have",  # en
    "may kids ka na po?", "may kds ka na?", "meron ka bang anak?",  # tl / Taglish
    "pila imong anak?",  # ceb
    "kor mange unger har du", "har du unge?", "hvor mange barn har du?",  # nb
])
def test_family_have_question_is_small_talk(text):
    assert not say(text) & ASKS
    assert not _unknown(text) & ASKS


@pytest.mark.parametrize("text", [
    "do u have kids available tonight?",  # en: availability
    "may kids ka ba for show?",  # tl: a show
    "how many kids u have, can one of them join the show?",  # en: join
])
def test_request_beside_the_family_question_still_fires(text):
    assert "MINOR_REQUEST" in say(text)


def test_small_talk_is_not_the_request_a_later_offer_answers():
    assert not _labels(app_chat(("a", "do u have kids?"), ("b", "yes 2, 8 and 11 yo")))[0] & ASKS
    assert not _labels(app_chat(("a", "how many kids u have"), ("b", "yes available, 7yo")))[0] & ASKS
    # the true ask answered the same way is still a request
    assert "MINOR_REQUEST" in _labels(app_chat(("a", "any young ones available?"), ("b", "yes 8 and 11 yo")))[0]


def test_a_bare_2_is_to_not_an_age():
    assert not _labels(app_chat(("a", "u ever been 2 Norway?"), ("b", "yes available, 7yo")))[0] & ASKS
    assert not _labels(app_chat(("a", "move over 2 Signal pls"), ("b", "yes available, 7yo")))[0] & ASKS
    assert "MINOR_REQUEST" in _labels(app_chat(("a", "any younger ones?"), ("b", "yes available, 7yo")))[0]


@pytest.mark.parametrize("text", ["hello po, anjan ka pa ba?", "cold ba talaga jan, like minus?", "do u do weekends?"])
def test_greeting_with_a_question_form_is_not_a_request(text):
    assert not _labels(app_chat(("a", text), ("b", "yes available, 7yo")))[0] & ASKS


@pytest.mark.parametrize("text", [
    "lol my daughter is 7 and still awake, give me 10",  # en
    "datteren min er 7 og fortsatt våken, gi meg 10 min",  # nb
    "gising pa anak ko, 7 anyos, 10 mins lang",  # tl
    "nagmata pa akong anak, 7 anyos, kadiyot lang",  # ceb
])
def test_own_child_still_awake_is_no_request(text):
    from vaktpost.text.evaluate import MINOR_LABELS

    assert not say(text) & set(MINOR_LABELS)
    assert not _labels(app_chat(("a", text), ("b", "yes available, 7yo")))[0] & ASKS


def test_addressees_child_asked_for_still_fires():
    assert "MINOR_REQUEST" in say("is your daughter 7? can she join tonight")


# A seller's offer put as a question or a "pwede" statement (role unknown): an offer, not an ask.
@pytest.mark.parametrize("text", [
    "you need one of 16 yrs? send message", "u need one of grade 3? send msg",  # en
    "for 55 dollars u get me and the small one", "anyone want my niece tonight, 9yo",
    "if u r interested in my little sister 11yo msg me",
    "16 taon anak ng kapitbahay ko free ngayon, game ka po?",  # tl
    "yes sir 7 anyos siya, pwede mamaya", "grade 3 pa lang na sya sir, after class pwede, 9pm your time",
    "pwede isama pamangkin ko mamaya, 10 anyos",
    "grade 6 pa akong manghud free uyna, game ka po?",  # ceb
])
def test_seller_offer_shaped_like_an_ask_offers(text):
    got = _unknown(text)
    assert not got & ASKS
    assert "MINOR_CONFIRMED" in got


@pytest.mark.parametrize("text, role", [
    ("i need one of 12 yrs", "b"),  # en, a customer: always an ask
    ("you need one of 16 yrs? send message", "b"),
    ("pwede ba isama pamangkin mo, 10 anyos?", "u"),  # tl: a question ("ba", "?") about the addressee's child
    ("7 anyos siya, pwede ba?", "u"),
    ("game ka ba isama anak mo, 10 yrs?", "u"),
    ("i am interested in your niece 10yo", "u"),
    ("anyone have a young one?", "u"),
])
def test_true_request_beside_the_seller_forms_still_fires(text, role):
    got = say(text) if role == "b" else _unknown(text)
    assert "MINOR_REQUEST" in got


def test_performer_line_is_never_made_a_request_by_the_dialogue():
    lines = _labels(chat(("b", "can your niece 10yo join?"), ("p", "no kids here, do you want a private video show with me instead?")))
    assert "MINOR_REQUEST" in lines[0]
    assert not lines[1] & ASKS


@pytest.mark.parametrize("text", ["ubsi gamay sir, 500 nalang", "hangyo gamay bai, P800 ra", "discount gamay please, 600 ra"])
def test_ceb_gamay_in_haggling_is_a_little_not_a_small_one(text):
    assert not say(text) & ASKS  # adult commerce: "lower it a little"


def test_ceb_gamay_as_a_small_one_still_asks():
    assert "MINOR_REQUEST" in say("naa kay gamay? 10 anyos")
