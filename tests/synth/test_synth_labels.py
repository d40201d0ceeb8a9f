"""Labels say what each message does (taxonomy.md): frequencies within the configured ranges,
every language present, hard negatives in fair numbers and never with a minor label."""

from __future__ import annotations

from collections import Counter

from vaktpost.synth.world import load_scenarios

MINOR = {"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"}


def _move(truth: dict) -> str:
    return truth["family"].split(".")[1]


def test_label_frequencies_within_configured_ranges(mixed_world):
    ranges = load_scenarios()["mixed"]["label_ranges"]
    n = len(mixed_world.truth)
    counts = Counter(lab for t in mixed_world.truth for lab in (t["labels"] or ["NONE"]))
    for label, (low, high) in ranges.items():
        share = counts[label] / n
        assert low <= share <= high, f"{label}: {share:.4f} not in [{low}, {high}]"


def test_every_language_present_with_minor_labels(mixed_world):
    by_lang = Counter(t["language"] for t in mixed_world.truth)
    assert set(by_lang) == {"en", "nb", "tl", "ceb", "mixed"}
    assert all(n >= 0.01 * len(mixed_world.truth) for n in by_lang.values()), by_lang
    minor_langs = {t["language"] for t in mixed_world.truth if MINOR & set(t["labels"])}
    assert minor_langs == {"en", "nb", "tl", "ceb", "mixed"}


def test_hard_negatives_in_fair_numbers_and_never_minor(mixed_world):
    n = len(mixed_world.truth)
    hn = Counter(t["hard_negative"] for t in mixed_world.truth if t["hard_negative"])
    assert set(hn) == {"adult_age", "adult_teen_wording", "own_children", "adult_commerce",
                       "ordinary_travel", "thing_age"}
    assert all(count >= 0.002 * n for count in hn.values()), hn
    for t in mixed_world.truth:
        if t["hard_negative"]:
            assert not MINOR & set(t["labels"]), t


def test_refusals_carry_no_confirmation(mixed_world):
    refusals = [t for t in mixed_world.truth if _move(t) in {"refusal", "decline_offer"}]
    assert len(refusals) > 20
    assert all(t["labels"] == [] for t in refusals)


def test_confirmations_answer_a_request_or_are_offers(mixed_world):
    seen: dict[str, set[str]] = {}
    checked = 0
    for chat, t in zip(mixed_world.chats, mixed_world.truth):
        before = seen.setdefault(chat["conversation_id"], set())
        if "MINOR_CONFIRMED" in t["labels"] and _move(t) != "minor_offer":
            assert before & {"MINOR_REQUEST", "CONTENT_REQUEST", "AGE_PROBE", "MINOR_CONFIRMED"}
            checked += 1
        before.update(t["labels"])
    assert checked > 20


def test_who_says_what(mixed_world):
    """Buyers ask, sellers confirm: the kinds of actor follow the dialogue."""
    kinds = {a["actor_id"]: a["kind"] for a in mixed_world.actors}
    askers = Counter(kinds[c["sender"]["id"]] for c, t in zip(mixed_world.chats, mixed_world.truth)
                     if "MINOR_REQUEST" in t["labels"])
    confirmers = Counter(kinds[c["sender"]["id"]] for c, t in
                         zip(mixed_world.chats, mixed_world.truth)
                         if "MINOR_CONFIRMED" in t["labels"])
    assert set(askers) <= {"hunter", "traveller"}
    assert set(confirmers) == {"facilitator"}
    disclosers = {kinds[c["sender"]["id"]] for c, t in zip(mixed_world.chats, mixed_world.truth)
                  if "SELF_DISCLOSED_MINOR" in t["labels"]}
    assert disclosers == {"minor"}


def test_perturbations_present_but_not_everywhere(mixed_world):
    texts = [c["text"] for c in mixed_world.chats]
    zero_width = sum(any(ch in t for ch in "\u200b\u200c\u200d\u2060") for t in texts)
    cyrillic = sum(any("\u0400" <= ch <= "\u04ff" for ch in t) for t in texts)
    po = sum(" po" in t for t, tr in zip(texts, mixed_world.truth) if tr["language"] != "en")
    assert 0.001 * len(texts) < zero_width < 0.05 * len(texts)
    assert 0.001 * len(texts) < cyrillic < 0.05 * len(texts)
    assert po > 0.1 * sum(1 for tr in mixed_world.truth if tr["language"] in {"tl", "ceb", "mixed"})


def test_ages_written_many_ways(mixed_world):
    texts = [c["text"].lower() for c, t in zip(mixed_world.chats, mixed_world.truth)
             if "MINOR_CONFIRMED" in t["labels"]]
    joined = "\n".join(texts)
    assert any(ch.isdigit() for ch in joined)
    spelled = sum(any(w in t for w in ("twelve", "thirteen", "fourteen", "tolv", "fjorten",
                                       "labindalawa", "dose", "katorse", "nine", "ten"))
                  for t in texts)
    assert spelled > 0
    forms = sum(any(m in t for m in ("yo", "y/o", " år", "anyos", "grade", "years old"))
                for t in texts)
    assert forms > 0.2 * len(texts)
