"""Each normalisation step, and that evidence offsets point at the text as written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaktpost.text.normalise import normalise, normalise_with_offsets, original_span


def span_as_written(text: str, word: str) -> str:
    norm, offsets = normalise_with_offsets(text)
    at = norm.index(word)
    s, e = original_span(offsets, at, at + len(word), text)
    return text[s:e]


@pytest.mark.parametrize(
    "text, normalised, as_written",
    [
        ("Any KIDS?", "any kids?", "KIDS"),  # case folding
        ("ＫＩＤＳ here", "kids here", "ＫＩＤＳ"),  # NFKC (fullwidth)
        ("kіds here", "kids here", "kіds"),  # Cyrillic і homoglyph
        ("kιds here", "kids here", "kιds"),  # Greek iota
        ("ki\u200bds here", "kids here", "ki\u200bds"),  # zero-width space dropped
        ("any k1d5 here", "any kids here", "k1d5"),  # leetspeak between letters, plural 5
        ("any k i d s here", "any kids here", "k i d s"),  # spaced-out letters
        ("any k.i.d.s here", "any kids here", "k.i.d.s"),
        ("any kiiiiids here", "any kids here", "kiiiiids"),  # repeated letters
        ("she is twelve", "she is 12", "twelve"),  # en number word
        ("hun er tolv år", "hun er 12 år", "tolv"),  # nb
        ("labindalawa na siya", "12 na siya", "labindalawa"),  # tl
        ("napulog duha ka tuig", "12 ka tuig", "napulog duha"),  # ceb
        ("dose anyos", "12 anyos", "dose"),  # Spanish loan words in tl/ceb
    ],
)
def test_step_and_offsets(text, normalised, as_written):
    assert normalise(text) == normalised
    word = {"KIDS": "kids", "ＫＩＤＳ": "kids"}.get(as_written, None)
    target = word or normalise(as_written).strip()
    assert span_as_written(text, target) == as_written


def test_digits_that_are_numbers_stay_numbers():
    assert normalise("12yo, 5yo and 3pm, $50, 30 usd") == "12yo, 5yo and 3pm, $50, 30 usd"
    assert normalise("room 12 at 9") == "rom 12 at 9"  # repeats fold, numbers stay


def test_ambiguous_number_words_are_not_converted():
    # "to" (nb two), "ni" (nb nine / tl particle), "one", "isa", "usa" stay words.
    assert normalise("go to the store ni maria one usa") == "go to the store ni maria one usa"


def test_mixed_obfuscation_maps_back():
    text = "Ａny y0uuunger  ο n e?"
    norm, offsets = normalise_with_offsets(text)
    assert norm.startswith("any younger")
    s, e = original_span(offsets, 4, 11, text)
    assert text[s:e] == "y0uuunger"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("kids 0134@$ .-_KIDSåøæ\u200bіοｋ12yo\n?!ß")), max_size=40))
def test_fast_and_mapped_paths_agree(text):
    norm, offsets = normalise_with_offsets(text)
    assert norm == normalise(text)
    assert len(offsets) == len(norm)
    assert offsets == sorted(offsets)
    assert all(0 <= o < len(text) for o in offsets)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("kidstenwlv 0134@$ .-_KIDS12yo\n?!")), max_size=40))
def test_ascii_text_of_unchanged_length_keeps_its_offsets(text):
    # analyse_conversations skips the offset map on this condition.
    norm, offsets = normalise_with_offsets(text)
    assert len(norm) <= len(text)
    if len(norm) == len(text):
        assert offsets == list(range(len(text)))


def test_batch_equals_one_at_a_time():
    from vaktpost.text.normalise import normalise_batch

    texts = ["Any K1DS?", "line\nbreak kiiids", "", "tolv år", "ＫＩＤＳ"]
    assert normalise_batch(texts) == [normalise(t) for t in texts]
    assert normalise_batch(texts)[1] == "line break kids"


def test_batch_keeps_one_line_per_message_when_a_message_starts_with_an_apostrophe():
    # "…gcash" + "'Ill be…": the apostrophe rule once ate the line break between them and
    # shifted every later message of the batch onto its neighbour's labels.
    from vaktpost.text.normalise import normalise_batch

    texts = ["paid 30 euro via gcash", "'Ill be in town from the 23th", "ok'", " sure", "fine"]
    out = normalise_batch(texts)
    assert len(out) == len(texts)
    assert out[0] == "paid 30 euro via gcash"
    assert out[-1] == "fine"


from hypothesis import given, settings, strategies as st  # noqa: E402

_CHARS = st.sampled_from(list("ab kid'\n13@$.-_") + ["twelve", "dose", " ' ", "tjuefire", "beinte kwatro"])


@given(st.lists(st.lists(_CHARS, max_size=8).map("".join), max_size=8))
@settings(max_examples=150, deadline=None)
def test_batch_equals_one_message_at_a_time(texts):
    from vaktpost.text.normalise import normalise, normalise_batch

    assert normalise_batch(texts) == [normalise(t) for t in texts]


def _every_step_mapped(text: str) -> tuple[str, list[int]]:
    """The offset map built the long way: every character folded one at a time, every step
    applied whether or not it matches (the code before the skipped steps)."""
    from vaktpost.text.normalise import (
        APOS_RE,
        CHAR_TABLE,
        LEET_RE,
        LEET_WORD_RE,
        REPEAT_RE,
        SPACED_RE,
        _apostrophe,
        _leet,
        _leet_word,
        _one,
        _sub_mapped,
        _unspace,
        number_words,
    )

    text = text.replace("\r", " ").replace("\n", " ")
    parts, offsets = [], []
    for i, ch in enumerate(text):
        folded = ch.lower() if ch.isascii() else CHAR_TABLE[ord(ch)]
        parts.append(folded)
        offsets.extend([i] * len(folded))
    t = "".join(parts)
    pattern, table = number_words()
    for rx, repl in ((LEET_RE, _leet), (LEET_RE, _leet), (LEET_WORD_RE, _leet_word), (SPACED_RE, _unspace),
                     (APOS_RE, _apostrophe), (pattern, lambda m: table[m.group()]), (REPEAT_RE, _one)):
        t, offsets = _sub_mapped(rx, repl, t, offsets)
    return t, offsets


@given(st.text(alphabet=st.sampled_from(list("kids 0134@$ .-_KIDSåøæ\u200bіοｋ12yo\n?!ßéñ🤗\u0301 twelve'm")), max_size=40))
@settings(max_examples=400)
def test_offset_map_with_skipped_steps_equals_every_step_applied(text):
    from vaktpost.text.normalise import offset_map

    t, offsets = offset_map(text)
    assert (t, list(offsets)) == _every_step_mapped(text)
    assert normalise_with_offsets(text) == _every_step_mapped(text)
