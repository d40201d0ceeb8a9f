"""The text stage's shortcuts give exactly what the plain path gives.

The plain path is the stage as first written: every message normalised, scanned, labelled and
given to the learned stage on its own, every conversation through the dialogue rules, the
evidence of every labelled message mapped back. The fast path works once per distinct
(text, role) and remembers it across batches (text/memo.py), skips the dialogue where no turn
carries a minor label or an age probe, and reuses the evidence of facts the dialogue left
alone. Both run here on generated train-split conversations and on hand-made ones.
"""

from __future__ import annotations

import json

import pytest

from vaktpost.model import Finding, Label
from vaktpost.text import _finding, analyse_conversations, analyse_messages, memo, needs_dialogue
from vaktpost.text.dialogue import Turn, apply_dialogue
from vaktpost.text.labels import label_message
from vaktpost.text.matcher import default_matcher
from vaktpost.text.normalise import normalise_batch

from .helpers import chat


def plain_path(conversations, use_learned: bool = True) -> list[Finding]:
    flat = [m for c in conversations for m in c]
    texts = normalise_batch([m.text or "" for m in flat])
    hits = default_matcher().scan_batch(texts)
    facts = [label_message(t, h, m.sender.role) for t, h, m in zip(texts, hits, flat)]
    if use_learned:
        from vaktpost.text.learned import apply_learned

        apply_learned(flat, texts, facts)
    out, i = [], 0
    for conv in conversations:
        conv_facts = facts[i : i + len(conv)]
        participants = {m.sender.id for m in conv} | {r.id for m in conv for r in m.recipients}
        apply_dialogue([Turn(m.sender.id, tuple(r.id for r in m.recipients), f) for m, f in zip(conv, conv_facts)], participants)
        for m, f, t in zip(conv, conv_facts, texts[i : i + len(conv)]):
            if f.proposed:
                out.append(_finding(m, f, t))
        i += len(conv)
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from vaktpost.synth import GeneratorOptions, generate
    from vaktpost.text.training import chats_path, group_conversations, read_messages

    out = tmp_path_factory.mktemp("speed-train")
    generate(GeneratorOptions(out=out, messages=6_000, seed=13, split="train"))
    return group_conversations(list(read_messages(chats_path(out))))


def _in_batches(conversations, size=150):
    return [conversations[i : i + size] for i in range(0, len(conversations), size)]


@pytest.mark.with_shipped_model
def test_fast_path_equals_plain_path_on_generated_conversations(generated):
    memo.clear()
    fast = [f for batch in _in_batches(generated) for f in analyse_conversations(batch)]
    # again, now with everything remembered from the first pass
    again = [f for batch in _in_batches(generated, 400) for f in analyse_conversations(batch)]
    plain = [f for batch in _in_batches(generated) for f in plain_path(batch)]
    assert len(plain) > 300  # the corpus has labelled messages of many kinds
    assert len({lab for f in plain for lab in f.labels}) >= 8
    assert fast == plain
    assert again == plain


def test_fast_path_equals_plain_path_rules_only(generated):
    memo.clear()
    fast = [f for batch in _in_batches(generated) for f in analyse_conversations(batch)]
    assert fast == [f for batch in _in_batches(generated) for f in plain_path(batch, use_learned=False)]


@pytest.mark.with_shipped_model
def test_switching_the_model_off_is_not_answered_from_memory(generated, monkeypatch):
    from vaktpost.text import learned

    with_model = [f for batch in _in_batches(generated) for f in analyse_conversations(batch)]
    monkeypatch.setattr(learned, "installed_model", lambda: None)
    without = [f for batch in _in_batches(generated) for f in analyse_conversations(batch)]
    assert without == [f for batch in _in_batches(generated) for f in plain_path(batch, use_learned=False)]
    assert without != with_model  # the shipped model adds labels on this corpus


def test_dialogue_changes_nothing_without_an_opener(generated):
    """Why a conversation without a minor label, an age probe, a child's age or a child named
    may skip the dialogue."""
    skipped = 0
    for conv in generated:
        [facts] = analyse_messages([conv], use_learned=False)
        if needs_dialogue(facts):
            continue
        before = [list(f.proposed) for f in facts]
        apply_dialogue([Turn(m.sender.id, tuple(r.id for r in m.recipients), f) for m, f in zip(conv, facts)])
        assert [f.proposed for f in facts] == before
        skipped += 1
    assert skipped > 100


def test_same_text_in_two_conversations_keeps_each_dialogue_apart():
    # "yes, my niece" answers a request in the first conversation only
    asked = chat(("b", "do you have a younger one? any kids"), ("p", "yes, my niece"), conversation="c-1")
    not_asked = chat(("b", "hello, how are you"), ("p", "yes, my niece"), conversation="c-2")
    found = analyse_conversations([asked, not_asked]) + analyse_conversations([not_asked, asked])
    confirmed = {(f.conversation_id, f.message_id) for f in found if Label.MINOR_CONFIRMED in f.labels}
    assert confirmed == {("c-1", "c-1-m1")}
    assert found[: len(found) // 2] == plain_path([asked, not_asked])


def test_facts_handed_out_are_the_callers_own():
    conv = chat(("b", "any kids available? 12yo"), ("p", "30 usd via gcash"))
    [first] = analyse_messages([conv])
    for f in first:
        f.proposed.clear()
    [second] = analyse_messages([conv])
    assert any(f.proposed for f in second)


def test_pattern_cache_is_rebuilt_when_unreadable(tmp_path, monkeypatch):
    from vaktpost.text import matcher as matcher_mod
    from vaktpost.text.lexicon import patterns

    monkeypatch.setenv("VAKTPOST_CACHE_DIR", str(tmp_path))
    first = matcher_mod._cached_patterns()
    [cached] = list((tmp_path / "vaktpost").glob("patterns-*.json"))
    assert len(json.loads(cached.read_text())) == len(patterns())
    cached.write_text("{not json")
    assert matcher_mod._cached_patterns() == first == patterns()
    assert json.loads(cached.read_text())  # written again


@pytest.mark.with_shipped_model
def test_facts_prepared_during_an_import_give_the_same_findings(generated):
    from vaktpost.engines.local import prepare_texts
    from vaktpost.ingest.wire import wire_row

    memo.clear()
    flat = [m for c in generated for m in c]
    for i in range(0, len(flat), 1_000):  # as the importer hands over its batches
        prepare_texts([wire_row(m) for m in flat[i : i + 1_000]])
    table = memo._memo(True)
    assert all((m.text or "", m.sender.role) in table.facts for m in flat)
    prepared = [f for batch in _in_batches(generated) for f in analyse_conversations(batch)]
    assert prepared == [f for batch in _in_batches(generated) for f in plain_path(batch)]


@pytest.mark.with_shipped_model
def test_facts_worked_out_elsewhere_and_adopted_give_the_same_findings(generated):
    """What an import's reader process does (ingest/parallel.py): `work_out` in one table,
    pickled across, `adopt`ed into an empty one — then the analysis finds every fact ready
    and the findings are those of the plain path; `NOTHING` stays the one shared object."""
    import pickle

    from vaktpost.ingest.wire import text_and_role, wire_row
    from vaktpost.text.labels import NOTHING

    flat = [m for c in generated for m in c]
    memo.clear()
    payloads = [memo.work_out(text_and_role([wire_row(m) for m in flat[i : i + 1_000]])) for i in range(0, len(flat), 1_000)]
    assert memo.work_out(text_and_role([wire_row(m) for m in flat[:1_000]])) is None  # nothing new the second time
    sent = [pickle.loads(pickle.dumps(p)) for p in payloads if p is not None]
    fingerprint = memo.fingerprint()
    memo.clear()
    assert memo.fingerprint() == fingerprint
    for p in sent:
        memo.adopt(p)
    table = memo._memo(True)
    assert all((m.text or "", m.sender.role) in table.facts for m in flat)
    assert any(f is NOTHING for f in table.facts.values())
    patterns = {id(h.pattern) for entry in table.texts.values() for h in entry[1]}
    assert len(patterns) <= len(default_matcher().patterns)  # one object per pattern, not one per batch
    before = len(table.facts)
    adopted = [f for batch in _in_batches(generated) for f in analyse_conversations(batch)]
    assert len(table.facts) == before  # nothing was worked out again
    assert adopted == [f for batch in _in_batches(generated) for f in plain_path(batch)]


@pytest.mark.with_shipped_model
def test_the_fingerprint_changes_with_the_model_and_the_rule_scores(monkeypatch):
    from vaktpost.text import learned
    from vaktpost.text import memo as memo_mod

    with_model = memo.fingerprint()
    monkeypatch.setattr(learned, "installed_model", lambda: None)
    without = memo.fingerprint()
    assert without != with_model
    assert memo.fingerprint(use_learned=False) == without
    scores = dict(memo_mod.rule_scores())
    scores["evasion.obfuscated"] = 0.5
    monkeypatch.setattr(memo_mod, "rule_scores", lambda: scores)
    assert memo.fingerprint() != without


def test_a_full_table_lets_go_of_its_older_half_and_stays_consistent(generated, monkeypatch):
    monkeypatch.setattr(memo, "MAX_ENTRIES", 600)
    memo.clear()
    batches = _in_batches(generated, 40)
    got = [f for batch in batches for f in analyse_conversations(batch)]
    table = memo._memo(True)
    assert len(table.texts) + len(table.facts) + len(table.finding_parts) < 600 + 3 * 2_000
    assert all(raw in table.texts for raw, _ in table.facts)  # facts never outlive their text
    assert got == [f for batch in batches for f in plain_path(batch)]


AGE_LINES = [
    "i'm 12", "im in grade 5", "xim in grade 5", "ako ay grade 6", "jeg går i 6. klasse", "she is 11 yo",
    "my son 8 and 11", "someone 12ish", "under 16 only", "age: 13", "room 12 at 9pm", "for 12 years",
    "ika-5 na baitang", "fifth grade", "14-15 yrs", "dose anyos", "12yo?", "nak 10 pa", "lol12 yo", "a9yo",
]


def test_age_regex_prefix_changes_no_match(generated):
    """ages.py puts a word-start test and a test of the words a kind can open with before the
    combined age regex (speed only): every match, kind and group of the regex without them stays."""
    import re

    from vaktpost.text import ages

    data, amb, (combined, _), *_ = ages._config()
    prefix = ages._opening(data, amb)
    assert prefix.startswith(r"(?:(?<!\w)(?=\d|")  # the word start and the words, as one test
    assert prefix and combined.pattern.startswith(prefix)
    plain = re.compile(combined.pattern[len(prefix) + 3 : -1])  # without "prefix(?:" … ")"
    texts = AGE_LINES + normalise_batch([m.text or "" for conv in generated for m in conv])
    for t in texts:
        assert [(m.span(), m.lastgroup, m.groupdict()) for m in combined.finditer(t)] == [
            (m.span(), m.lastgroup, m.groupdict()) for m in plain.finditer(t)
        ], t


def test_age_words_factored_by_prefix_change_no_age(generated, monkeypatch):
    """ages.py writes its word lists as prefix-factored alternations (speed only): every
    age found, with its span and kind, is the one the flat longest-first lists find."""
    from vaktpost.text import ages

    texts = AGE_LINES + normalise_batch([m.text or "" for conv in generated for m in conv])
    factored = [ages.find_ages(t) for t in texts]
    caches = (ages._config, ages._month_end, ages._number_finder)
    monkeypatch.setattr(ages, "_alt", ages._flat_alt)
    for c in caches:
        c.cache_clear()
    try:
        flat = [ages.find_ages(t) for t in texts]
    finally:
        monkeypatch.undo()
        for c in caches:
            c.cache_clear()
    assert factored == flat
    assert sum(map(len, factored)) > 100  # the lines hold ages to compare


SELLER_LINES = [
    "i can add my niece too, 9yo", "we can also bring our little one", "il bring my cousin",
    "pwede ko rin isama pamangkin ko", "isama q anak q, 11 anyos", "pwede nako iapil akong ig-agaw",
    "iuban nako pud", "jeg kan også ta med dattera", "u can take my little sister too",
    "pde mo rin kunin", "pwede pud nimo makuha", "imo na akong anak", "sayo na si bunso ko",
    "you get my niece", "naa pud diri akong manghod", "du kan få henne", "special tonight: young one, 11yo",
    "tonight's special", "i kveld: 2 jenter", "got little ones here, from 11", "naay mga bata diri, 7 pataas",
    "may kids here, 8 anyos pataas", "har små her, fra 10", "interested ka ba sa 15 for live",
    "hey, interested in a 10 yrs for show", "andito rin pamangkin ko, interested?",
    "my friend can come", "from 9 pm", "see you", "ok",
]


def test_seller_forms_checked_only_where_their_words_are(generated):
    """offers.seller_line runs a form's regex only on lines holding one of the words it needs
    (speed only): the same rule name as running every form on every line."""
    from vaktpost.text import offers

    def every_form(text):
        if offers._INCLUDE_MINE.search(text):
            return "offer.include"
        if offers._YOU_CAN_TAKE.search(text):
            return "offer.take"
        if offers._MENU.search(text):
            return "offer.menu"
        if offers._FLOOR.search(text) and offers._HERE_RE.search(text):
            return "offer.floor"
        if offers._INTERESTED.search(text):
            return "offer.interested"
        return None

    texts = normalise_batch(SELLER_LINES + [m.text or "" for conv in generated for m in conv])
    assert [offers.seller_line(t) for t in texts] == [every_form(t) for t in texts]
    found = {offers.seller_line(t) for t in normalise_batch(SELLER_LINES)}
    assert found >= {"offer.include", "offer.take", "offer.menu", "offer.floor", "offer.interested"}


FOLD_LINES = [
    "hi po 😊 show at 9", "Ｈｅｌｌｏ ｋｉｄｓ", "straße 12 år", "kі\u0434s 12yo", "k\u200bids", "café niña 11 años",
    "k i d s", "k1d5 12 yo", "helloooo", "twelve yo", "I ' m 12", "sige po 🙏🙏", "HEI, ER DU PÅ NETT", "ﬁne ﬂat",
]


def test_a_text_folding_in_place_to_its_own_length_keeps_every_offset(generated):
    """text._finding skips the offset map where the text folds one character to one and its
    normalised form is as long (normalise.folds_in_place): there the map is the identity."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from vaktpost.text.normalise import folds_in_place, normalise, normalise_with_offsets

    def check(text):
        if folds_in_place(text) and len(normalise(text)) == len(text):
            assert normalise_with_offsets(text)[1] == list(range(len(text))), text
            return True
        return False

    kept = [check(t) for t in FOLD_LINES + [m.text or "" for conv in generated for m in conv]]
    assert any(kept) and not all(kept)
    assert not folds_in_place("straße") and not folds_in_place("ﬁne") and folds_in_place("café 😊")

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from(list("kids 1305!'. -ßﬁ😊\u200bÅæ\u0456\u0434ooee")), max_size=24))
    def prop(text):
        check(text)

    prop()


GATED_LINES = [
    "no adults pls, someone in elementary", "not an adult", "ayaw ko ng adult", "ikke voksne", "no grown-ups",
    "walang matanda", "dili tigulang", "no older ones", "never older women", "youngest i want is 18",
    "at least 19", "young ones 18-19", "younger friends? 18 or 19 ok", "from 25 usd", "is 20 min ok",
    "adult only here", "old phone", "18+", "12 yo", "",
]


def test_adult_word_checks_run_only_where_their_words_are(generated):
    """asks.rules_out_adults and age_reading.adult_floor run their regex only on lines holding
    a word or number it needs (speed only): the same truth value as the regex on every line."""
    from vaktpost.text.age_reading import ADULT_FLOOR, adult_floor
    from vaktpost.text.asks import NO_ADULTS, rules_out_adults

    texts = normalise_batch(GATED_LINES + [m.text or "" for conv in generated for m in conv])
    assert [rules_out_adults(t) for t in texts] == [NO_ADULTS.search(t) is not None for t in texts]
    assert [adult_floor(t) for t in texts] == [ADULT_FLOOR.search(t) is not None for t in texts]
    assert sum(map(rules_out_adults, texts)) >= 7 and sum(map(adult_floor, texts)) >= 4
