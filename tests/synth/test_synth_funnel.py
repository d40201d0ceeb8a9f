"""Ground-truth funnels, recomputed here from chats and per-message labels with plain sets,
exactly as taxonomy.md defines them, must equal what the generator wrote."""

from __future__ import annotations

import pytest
from synth_worlds import make_world

ASK = {"MINOR_REQUEST", "CONTENT_REQUEST"}
MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


def recompute_funnels(chats: list[dict], truth: list[dict]) -> dict[tuple, dict[str, int]]:
    conv_labels: dict[str, set[str]] = {}
    for c, t in zip(chats, truth):
        conv_labels.setdefault(c["conversation_id"], set()).update(t["labels"])
    sent_to: dict[tuple, set] = {}
    asked: dict[tuple, set] = {}
    confirmed_to: dict[tuple, set] = {}  # (sender, conversation) pairs that sent MINOR_CONFIRMED
    partners: dict[tuple, set] = {}
    for c, t in zip(chats, truth):
        me = (c["platform"], c["sender"]["id"])
        other = (c["platform"], c["recipients"][0]["id"])
        cid = c["conversation_id"]
        sent_to.setdefault(me, set()).add(other)
        partners.setdefault(me, set()).add((other, cid))
        partners.setdefault(other, set()).add((me, cid))
        if ASK & set(t["labels"]):
            asked.setdefault(me, set()).add((other, cid))
        if "MINOR_CONFIRMED" in t["labels"]:
            confirmed_to.setdefault(me, set()).add(cid)
    out = {}
    for me, contacted in sent_to.items():
        conf = {(b, cid) for b, cid in asked.get(me, set()) if cid in confirmed_to.get(b, set())}
        out[me] = {
            "contacted": len(contacted),
            "asked_minor": len({b for b, _ in asked.get(me, set())}),
            "confirmed_minor": len({b for b, _ in conf}),
            "price": len({b for b, cid in conf if "PRICE_NEGOTIATION" in conv_labels[cid]}),
            "payment": len({b for b, cid in conf if "PAYMENT_CHANNEL" in conv_labels[cid]}),
            "off_platform": len({b for b, cid in partners[me]
                                 if {"OFF_PLATFORM_MOVE"} <= conv_labels[cid]
                                 and MINOR & conv_labels[cid]}),
            "travel": len({b for b, cid in partners[me]
                           if "TRAVEL_MEETING" in conv_labels[cid] and MINOR & conv_labels[cid]}),
        }
    return out


def test_funnels_match_an_independent_recount(mixed_world):
    expected = recompute_funnels(mixed_world.chats, mixed_world.truth)
    got = {(a["platform"], a["actor_id"]): a["funnel"] for a in mixed_world.actors}
    assert got == expected
    assert any(f["confirmed_minor"] for f in got.values())


def test_asked_and_offered_flags_follow_the_labels(mixed_world):
    askers = {c["sender"]["id"] for c, t in zip(mixed_world.chats, mixed_world.truth)
              if ASK & set(t["labels"])}
    offerers = {c["sender"]["id"] for c, t in zip(mixed_world.chats, mixed_world.truth)
                if "MINOR_CONFIRMED" in t["labels"]}
    for a in mixed_world.actors:
        assert a["asked_minor"] == (a["actor_id"] in askers)
        assert a["offered_minor"] == (a["actor_id"] in offerers)


def test_demo_has_a_handful_of_glaring_buyers(demo_world):
    assert 2_000 <= len(demo_world.chats) <= 6_000
    glaring = [a for a in demo_world.actors
               if a["funnel"]["asked_minor"] >= 3 and a["funnel"]["confirmed_minor"] >= 1]
    assert 3 <= len(glaring) <= 15
    assert all(a["kind"] in {"hunter", "traveller"} for a in glaring)


def _case_hunter(world) -> dict:
    name = {c["sender"]["id"] for c in world.chats if c["sender"]["name"] == "nordlys77"}
    assert len(name) == 1
    (actor_id,) = name
    return next(a for a in world.actors if a["actor_id"] == actor_id)


def _check_case(world) -> None:
    hunter = _case_hunter(world)
    f = hunter["funnel"]
    assert f["contacted"] == 690
    assert f["asked_minor"] == 550
    assert 360 <= f["confirmed_minor"] <= 440
    assert hunter["kind"] == "hunter" and hunter["role"] == "customer"
    assert f["price"] <= f["confirmed_minor"] and f["payment"] <= f["confirmed_minor"]
    assert f == recompute_funnels(world.chats, world.truth)[(hunter["platform"], hunter["actor_id"])]


def test_case_2021_funnel_with_a_smaller_background(tmp_path_factory):
    world = make_world(tmp_path_factory, "case_small", scenario="case-2021", seed=3,
                       messages=40_000)
    _check_case(world)
    hunter_id = _case_hunter(world)["actor_id"]
    others = [a for a in world.actors if a["actor_id"] != hunter_id]
    assert len(others) > 2_000


@pytest.mark.slow
def test_case_2021_preset_as_shipped(tmp_path_factory):
    world = make_world(tmp_path_factory, "case_full", scenario="case-2021", seed=2021)
    _check_case(world)
    assert len(world.actors) > 10_000
    assert world.world["counts"]["messages"] > 250_000
