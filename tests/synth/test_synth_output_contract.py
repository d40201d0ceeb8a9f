"""The generator output layout is a contract with `vaktpost scan|train|eval`: check it from the
files alone, the way a reader would see them."""

from __future__ import annotations

from datetime import datetime

import pytest

from vaktpost.model import Label

ROLES = {"customer", "performer", "facilitator", "unknown"}
KINDS = {"hunter", "groomer", "traveller", "customer", "performer", "facilitator", "minor", "benign"}
LANGS = {"en", "nb", "tl", "ceb", "mixed"}
HARD_NEGATIVES = {None, "adult_age", "adult_teen_wording", "own_children", "adult_commerce",
                  "ordinary_travel", "thing_age"}
LABELS = {lab.value for lab in Label} - {"NONE"}
FUNNEL_KEYS = {"contacted", "asked_minor", "confirmed_minor", "price", "payment", "off_platform",
               "travel"}


@pytest.fixture(params=["mixed_world", "demo_world"])
def world(request):
    return request.getfixturevalue(request.param)


def test_chat_lines_have_required_keys_and_zone_aware_times(world):
    assert world.chats, "no chat lines"
    for line in world.chats:
        for key in ("platform", "conversation_id", "message_id", "sent_at", "sender",
                    "recipients", "text"):
            assert key in line, key
        assert line["sender"]["id"] and line["sender"]["role"] in ROLES
        assert line["recipients"] and all(r["role"] in ROLES for r in line["recipients"])
        assert line["recipients"][0]["id"] != line["sender"]["id"]
        when = datetime.fromisoformat(line["sent_at"])
        assert when.tzinfo is not None and when.utcoffset() is not None


def test_message_ids_unique(world):
    ids = [(c["platform"], c["message_id"]) for c in world.chats]
    assert len(ids) == len(set(ids))


def test_truth_matches_chats_one_to_one(world):
    assert len(world.truth) == len(world.chats)
    for chat, truth in zip(world.chats, world.truth):
        assert (truth["platform"], truth["message_id"], truth["conversation_id"]) == (
            chat["platform"], chat["message_id"], chat["conversation_id"])
        assert set(truth) == {"platform", "message_id", "conversation_id", "labels", "language",
                              "family", "split", "hard_negative"}
        assert set(truth["labels"]) <= LABELS
        assert truth["language"] in LANGS
        assert truth["split"] in {"train", "test"}
        assert truth["hard_negative"] in HARD_NEGATIVES
        assert truth["family"].split(".")[0] == truth["language"]


def test_sorted_by_time_within_each_conversation_and_contiguous(world):
    last: dict[str, datetime] = {}
    finished: set[str] = set()
    current = None
    for line in world.chats:
        cid = line["conversation_id"]
        if cid != current:
            assert cid not in finished, "conversation split across the file"
            if current:
                finished.add(current)
            current = cid
        when = datetime.fromisoformat(line["sent_at"])
        assert cid not in last or last[cid] <= when
        last[cid] = when


def test_each_conversation_is_between_two_accounts(world):
    members: dict[str, set[str]] = {}
    for line in world.chats:
        members.setdefault(line["conversation_id"], set()).add(line["sender"]["id"])
        members[line["conversation_id"]].add(line["recipients"][0]["id"])
    assert all(len(m) == 2 for m in members.values())


def test_actor_truth_covers_exactly_the_senders(world):
    senders = {(c["platform"], c["sender"]["id"]) for c in world.chats}
    actors = {(a["platform"], a["actor_id"]) for a in world.actors}
    assert senders == actors
    assert len(actors) == len(world.actors)
    roles = {(c["platform"], c["sender"]["id"]): c["sender"]["role"] for c in world.chats}
    for a in world.actors:
        assert a["role"] == roles[(a["platform"], a["actor_id"])]
        assert a["kind"] in KINDS
        assert set(a["funnel"]) == FUNNEL_KEYS
        assert isinstance(a["asked_minor"], bool) and isinstance(a["offered_minor"], bool)


def test_world_json_counts_agree_with_files(world):
    counts = world.world["counts"]
    assert counts["messages"] == len(world.chats)
    assert counts["conversations"] == len({c["conversation_id"] for c in world.chats})
    assert sum(counts["actors"].values()) == len(world.actors)
    assert sum(counts["languages"].values()) == len(world.truth)
    none = sum(1 for t in world.truth if not t["labels"])
    assert counts["labels"].get("NONE", 0) == none
    for key in ("scenario", "seed", "split", "generator_version", "language_mix"):
        assert key in world.world


def test_messages_option_is_exact(mixed_world):
    assert len(mixed_world.chats) == 30_000


def test_ids_do_not_reveal_kind(mixed_world):
    """Ids carry a platform-role prefix only; a hunter looks like any other customer."""
    by_kind: dict[str, set[str]] = {}
    for a in mixed_world.actors:
        by_kind.setdefault(a["kind"], set()).add(a["actor_id"].split("-")[0])
    assert by_kind["hunter"] == by_kind["customer"] == {"u"}
    assert all("kind" not in c and "kind" not in c["sender"] for c in mixed_world.chats)


def test_quotes_in_text_survive_the_json_writer(mixed_world):
    quoted = [c["text"] for c in mixed_world.chats if '"' in c["text"]]
    assert quoted
    raw = (mixed_world.out / "chats.jsonl").read_bytes()
    assert raw.count(b'\\"') == 2 * len(quoted)
