"""False MINOR_REQUESTs by what the line is (session 7, `mrprec7`): a buyer's travel plan to the
child he already asked for is the trip (TRAVEL_MEETING), not a new request. Lines written for
these tests from the taxonomy's definitions, in en, nb, tl and ceb (clinical wording only)."""

from __future__ import annotations

import pytest

from tests.text.helpers import chat, labels_of, say
from vaktpost.text import analyse_conversation
from vaktpost.text.funnel import FunnelMessage, compute_funnels, group_by_conversation

# A request for a child and its confirmation, per language: what came before the travel plan.
OPENINGS = {
    "en": ("any young girl available tonight?", "yes my niece is here, 11"),
    "nb": ("har du en ung jente ledig i kveld?", "ja, niesen min er her, 11 år"),
    "tl": ("may bata ka ba available mamaya?", "oo, pamangkin ko, 11 anyos"),
    "ceb": ("naa kay gamay available karong gabii?", "oo, akong pag-umangkon, 11 anyos"),
}

TRAVEL_PLANS = [
    ("en", "flying to Cebu on the 5th, want to meet kid at the hotel"),
    ("en", "landing in Manila friday, bring little one to my hotel pls"),
    ("en", "in Cebu the 8th, bring little sister 2 Palm Lodge"),  # "2" is "to", no age
    ("nb", "kommer til Oslo 8. mai, ta med lillesøster til hotellet"),
    ("tl", "punta ako sa Cebu sa 5th, dalhin mo yung bata sa hotel"),
    ("ceb", "moabot ko sa Cebu sa Biyernes, dad-a ang gamay sa hotel"),
]


@pytest.mark.parametrize("lang,plan", TRAVEL_PLANS)
def test_a_travel_plan_to_the_child_asked_for_before_is_the_trip_not_a_new_ask(lang, plan):
    ask, yes = OPENINGS[lang]
    msgs = chat(("b", ask), ("p", yes), ("b", plan))
    found = analyse_conversation(msgs)
    assert labels_of(found, msgs[0].message_id) >= {"MINOR_REQUEST"}
    assert labels_of(found, msgs[1].message_id) >= {"MINOR_CONFIRMED"}
    plan_labels = labels_of(found, msgs[2].message_id)
    assert "TRAVEL_MEETING" in plan_labels
    assert "MINOR_REQUEST" not in plan_labels


@pytest.mark.parametrize("lang,plan", TRAVEL_PLANS[:2] + TRAVEL_PLANS[3:])
def test_a_travel_plan_that_first_names_a_child_still_asks(lang, plan):
    """Nothing about a child came before: the plan is the first ask for her."""
    labels = say(plan, "b")
    assert {"TRAVEL_MEETING", "MINOR_REQUEST"} <= labels


def test_the_funnel_keeps_asked_confirmed_and_travel_after_the_trip():
    ask, yes = OPENINGS["en"]
    msgs = chat(("b", ask), ("p", yes), ("b", "flying to Cebu on the 5th, want to meet kid at the hotel"))
    found = {f.message_id: f for f in analyse_conversation(msgs)}
    convs = group_by_conversation(
        [FunnelMessage(m.platform, m.conversation_id, m.sender.id, tuple(r.id for r in m.recipients),
                       frozenset(s.label.value for s in found[m.message_id].signals) if m.message_id in found else frozenset())
         for m in msgs]
    )
    buyer = next(f for f in compute_funnels(convs) if f.actor_id == "u-1")
    assert (buyer.counts["asked_minor"], buyer.counts["confirmed_minor"], buyer.counts["travel"]) == (1, 1, 1)


@pytest.mark.parametrize(
    "offer,plan",
    [
        ("i have my niece here, 11, available tonight", "flying to Cebu on the 5th, want to meet kid at the hotel"),
        ("niesen min er her, 11 år, ledig i kveld", "kommer til Oslo 8. mai, ta med lillesøster til hotellet"),
    ],
)
def test_after_an_unprompted_offer_the_plan_is_still_the_buyers_ask(offer, plan):
    """The conversation is about a child, but this buyer asked for none: his plan is his ask,
    so the funnel keeps his asked → confirmed pair."""
    msgs = chat(("p", offer), ("b", plan))
    found = analyse_conversation(msgs)
    assert "MINOR_CONFIRMED" in labels_of(found, msgs[0].message_id)
    assert {"TRAVEL_MEETING", "MINOR_REQUEST"} <= labels_of(found, msgs[1].message_id)
