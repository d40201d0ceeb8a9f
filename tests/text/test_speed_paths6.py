"""Session 6 speed shortcuts, each pinned to the plain form it replaces (findings must not move)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vaktpost.text.normalise import APOS_RE, LEET_WORD_RE, normalise, offset_map

# The two patterns as they were before their scan got cheaper (same matches wanted).
OLD_LEET_WORD_RE = re.compile(r"(?<![\w@$])(?!@)(?![\w$]*@[\w@$]*\.[a-z]{2,})(?=[\w@$]*\d)(?=[\w@$]*[a-zæøå])[\w@$]{3,}(?![\w@$])")
OLD_APOS_RE = re.compile(r"(?<=[a-zæøå])[^\S\n]+'[^\S\n]*(?=[a-zæøå])|(?<=[a-zæøå])'[^\S\n]+(?=[a-zæøå])")

CHAT = st.text(alphabet="abkdeiosy æøå'0134578$@!|. -_*\n?gmail.com", max_size=60)
HAND = [
    "I ' m 12", "i' m here", "don 't go", "k1d5 h3r3 2nite", "luna379@gmail.com 4u", "l33t sp34k 53lf13",
    "me ' you", "it's 12yo", "@moon77 add me", "5yo 3pm 30min", "mp4 u18 3rd", "k i d s", "heeeyyy", "twelve y o",
]


@settings(max_examples=300, deadline=None)
@given(CHAT)
def test_cheaper_regexes_match_as_before(text):
    assert [m.span() for m in LEET_WORD_RE.finditer(text)] == [m.span() for m in OLD_LEET_WORD_RE.finditer(text)]
    assert [m.span() for m in APOS_RE.finditer(text)] == [m.span() for m in OLD_APOS_RE.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(CHAT)
def test_offset_map_text_is_the_normalised_text_and_map_is_monotone(text):
    t, offsets = offset_map(text)
    assert t == normalise(text)
    offsets = list(offsets)
    assert len(offsets) == len(t)
    assert offsets == sorted(offsets) and all(0 <= o < len(text) for o in offsets)


def test_leet_keeps_every_offset():
    t, offsets = offset_map("k1d5 h3r3")
    assert t == "kids here" and list(offsets) == list(range(9))
    t, offsets = offset_map("I ' m 12")  # the apostrophe step shortens: offsets of what is kept
    assert t == "i'm 12" and list(offsets) == [0, 2, 4, 5, 6, 7]


def test_hand_lines_match_and_map_as_before():
    for text in HAND:
        low = text.lower()
        assert [m.span() for m in LEET_WORD_RE.finditer(low)] == [m.span() for m in OLD_LEET_WORD_RE.finditer(low)]
        assert [m.span() for m in APOS_RE.finditer(low)] == [m.span() for m in OLD_APOS_RE.finditer(low)]
        t, offsets = offset_map(text)
        assert t == normalise(text) and len(list(offsets)) == len(t)
