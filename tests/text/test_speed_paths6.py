"""Session 6 speed shortcuts, each pinned to the plain form it replaces (findings must not move)."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vaktpost.text import learned, reply_model
from vaktpost.text.ngram_hash import NgramHasher, murmurhash3_32, murmurhash3_32_many
from vaktpost.text.normalise import APOS_RE, LEET_WORD_RE, normalise, offset_map

# The two patterns as they were before their scan got cheaper (same matches wanted).
OLD_LEET_WORD_RE = re.compile(r"(?<![\w@$])(?!@)(?![\w$]*@[\w@$]*\.[a-z]{2,})(?=[\w@$]*\d)(?=[\w@$]*[a-zæøå])[\w@$]{3,}(?![\w@$])")
OLD_APOS_RE = re.compile(r"(?<=[a-zæøå])[^\S\n]+'[^\S\n]*(?=[a-zæøå])|(?<=[a-zæøå])'[^\S\n]+(?=[a-zæøå])")

CHAT = st.text(alphabet="abkdeiosy æøå'0134578$@!|. -_*\n?gmail.com", max_size=60)
HAND = [
    "I ' m 12", "i' m here", "don 't go", "k1d5 h3r3 2nite", "luna379@gmail.com 4u", "l33t sp34k 53lf13",
    "me ' you", "it's 12yo", "@moon77 add me", "5yo 3pm 30min", "mp4 u18 3rd", "k i d s", "heeeyyy", "twelve y o",
]


def test_many_hashes_equal_one_by_one():
    rnd = random.Random(7)
    items = [bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 20))) for _ in range(3000)]
    items += [s.encode() for s in ("", "a", "ab", " ab", "é", "ñoño", "😀x", " kid ", "bata")]
    assert murmurhash3_32_many(items) == [murmurhash3_32(b) for b in items]


def test_batch_learned_words_have_the_indices_of_word():
    texts = [t.lower() for t in HAND] + ["magkano po ang show", "hvor mye koster det", "pila ang bayad 500 php"]
    batch, single = NgramHasher(2**16, (2, 4)), NgramHasher(2**16, (2, 4))
    batch.learn_words(texts)
    words = {w for t in texts for w in t.split()}
    assert words <= set(batch._cache)
    assert all(batch._cache[w] == single.word(w) for w in words)
    # and the weighted vectors are those of a hasher that met the words one by one
    r1, c1, v1 = batch.weighted(texts)
    r2, c2, v2 = NgramHasher(2**16, (2, 4), max_words=1).weighted(texts)  # (cache emptied all the time)
    assert r1.tolist() == r2.tolist() and c1.tolist() == c2.tolist() and v1.tolist() == v2.tolist()


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


def test_reply_line_part_from_the_learned_vectors_equals_its_own():
    model = reply_model.installed_model()
    if model is None:  # no shipped reply model: nothing to share
        return
    texts = [normalise(t) for t in HAND] + ["yes po available later", "she can do it later, 50 usd"]
    own = model.ngram_logits(texts)
    grams = learned._hasher().weighted(texts)
    words = learned._word_hasher(reply_model.N_WORD).weighted(texts)
    model._ngram_z.clear()
    model.from_vectors(texts, grams, words)
    assert [model._ngram_z[t] for t in texts] == own  # the same sums, bit for bit
    model._ngram_z.clear()
