"""The labels the funnel's later steps read (session 5, branch `funnel5`): PAYMENT_CHANNEL,
OFF_PLATFORM_MOVE and TRAVEL_MEETING — and the normalisation that keeps handles and e-mail
addresses as written. Probe lines are written here, not taken from any generated set."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, say
from vaktpost.text import analyse_conversation
from vaktpost.text.funnel import FunnelMessage, compute_funnels
from vaktpost.text.normalise import normalise, normalise_with_offsets

PAY, OFF, TRAVEL = "PAYMENT_CHANNEL", "OFF_PLATFORM_MOVE", "TRAVEL_MEETING"


@pytest.mark.parametrize(
    "text, kept",
    [
        ("my signal is @rosa_91 ok", "@rosa_91"),
        ("write to kim88@gmail.com", "kim88@gmail.com"),
        ("@maxine_77 on kik", "@maxine_77"),
    ],
)
def test_handles_and_addresses_keep_their_at_sign_and_digits(text, kept):
    out = normalise(text)
    assert kept in out
    folded, offsets = normalise_with_offsets(text)
    assert folded == out and len(offsets) == len(out)
    start = out.index(kept)
    assert text.lower()[offsets[start] : offsets[start + len(kept) - 1] + 1] == kept


def test_leetspeak_is_still_folded_outside_identifiers():
    assert normalise("k1d5 @ 5ch00l") == "kids @ schol"


@pytest.mark.parametrize(
    "text",
    [
        "my signal is @rosa_91, talk there",
        "Line ko @sunnyday_7, dun na lang",
        "rosa91@yahoo.com, write me there",
        "try Signal, this app keeps lagging",
        "Line me later",
        "flytt til Line, her blir vi utestengt",
        "talk on Line instead, safer",
    ],
)
def test_moves_to_another_app_or_a_handle(text):
    assert OFF in say(text, "b")


@pytest.mark.parametrize(
    "text",
    [
        "walang signal dito, brownout pa",
        "long line at the bank today",
        "signal is weak here sorry",
    ],
)
def test_app_names_that_are_ordinary_words_move_nothing_alone(text):
    assert OFF not in say(text, "p")


@pytest.mark.parametrize(
    "text",
    [
        "paid, ref 88412093",
        "transferred, screenshot sent",
        "bayad na, send ko resibo mamaya",
        "Mastercard via the link ok",
        "Visa only",
        "Westren Union pls, name Joy",  # a route mistyped like app names are
        "sent 2500 php just now",
        "send to my Maya 09171234567",
        "only USDT, 0x9f8e7d6c5b4a3921aa",
        "Steam card code 8812-3341-0098",
    ],
)
def test_payment_routes_transfer_codes_and_receipts(text):
    got = say(text, "p")
    assert PAY in got
    assert OFF not in got  # the number is the account or the code, not a phone to move to
    assert TRAVEL not in got


@pytest.mark.parametrize("text", ["available ako mmaya", "mamaya na lang po", "ok magkano mamaya"])
def test_later_is_no_wallet(text):
    assert PAY not in say(text, "p")


@pytest.mark.parametrize(
    "text",
    [
        "bakasyon kami sa Singapore",
        "Emirates lost my bag again",
        "besøker mormor i Tromsø i påsken",
        "going to Dubai on the 3rd for work",
        "landing the 4th, need pickup from airport",
        "flying into Iloilo on the 12th",
    ],
)
def test_travel_plans_and_trips(text):
    assert TRAVEL in say(text, "b")


@pytest.mark.parametrize(
    "text, role",
    [
        ("turning 13 next month", "p"),  # an age, not a date
        ("meet me at 1500 php", "b"),  # haggling
        ("ill book you again next week", "b"),  # a show, not a room
        ("money is on the way via Visa", "b"),  # a card
        ("school pickup at 3 for my kids", "p"),
    ],
)
def test_no_travel_plan(text, role):
    assert TRAVEL not in say(text, role)


def test_turning_an_age_next_month_still_discloses_it():
    assert "SELF_DISCLOSED_MINOR" in say("turning 13 next month", "p")


def test_a_handle_in_a_conversation_about_a_child_counts_for_off_platform():
    msgs = chat(
        ("b", "do you have a younger girl, like 12?"),
        ("p", "yes my niece, 12"),
        ("b", "Line ko @sunnyday_7, dun tayo"),
    )
    labels = {f.message_id: {lab.value for lab in f.labels} for f in analyse_conversation(msgs)}
    funnel_msgs = [
        FunnelMessage(m.platform, m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients),
                      frozenset(labels.get(m.message_id, ())))
        for m in msgs
    ]
    buyer = next(f for f in compute_funnels([funnel_msgs]) if f.actor_id == msgs[0].sender.id)
    assert buyer.counts["asked_minor"] == 1 and buyer.counts["confirmed_minor"] == 1
    assert buyer.counts["off_platform"] == 1
