"""The batched hashers (session 8, learned speed) must give the per-word hashers' columns
and values bit for bit: the model's scores, and so its findings, are sums of them."""

import re
from itertools import pairwise
from zlib import crc32

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vaktpost.text.learned import N_HASH, N_WORD, NGRAMS
from vaktpost.text.ngram_hash import (
    NgramHasher,
    WordHasher,
    feature_index,
    feature_indices,
    l2_weighted,
    word_grams,
)

SAMPLE = [
    "do you have a younger one? 12 or so", "meron ka bang mas bata?", "hei, er du på nett i kveld? æøå",
    "  spaced   out\ttabs and a", "", "x", "pila ang bayad? 500 php po, gcash 🙂", "a\x00b \x00 ab\x00", "中文 字 𝔘𝔫𝔦",
]


def scikit_learn_word_grams(word, lo, hi):
    """scikit-learn's `_char_wb_ngrams` loop for one word, as the hasher first copied it."""
    w = " " + word + " "
    n_w = len(w)
    out = []
    for n in range(lo, hi + 1):
        offset = 0
        out.append(w[offset : offset + n])
        while offset + n < n_w:
            offset += 1
            out.append(w[offset : offset + n])
        if offset == 0:
            break
    return out


@given(st.text(max_size=12), st.integers(1, 3), st.integers(0, 4))
@settings(max_examples=80, deadline=None)
def test_word_grams_equal_the_loop(word, lo, extra):
    assert word_grams(word, lo, lo + extra) == scikit_learn_word_grams(word, lo, lo + extra)


def per_word_reference(texts, n_features=N_HASH, ngram_range=NGRAMS):
    """The hasher as it was before batching: each word's n-grams through `feature_index`."""
    lo, hi = ngram_range
    cols, lens = [], []
    for t in texts:
        before = len(cols)
        for w in t.split():
            cols.extend(feature_index(g, n_features) for g in scikit_learn_word_grams(w, lo, hi))
        lens.append(len(cols) - before)
    if not cols:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
    keys, counts = np.unique(rows * n_features + np.asarray(cols, dtype=np.int64), return_counts=True)
    r, c = np.divmod(keys, n_features)
    counts = counts.astype(np.float64)
    norm = np.sqrt(np.bincount(r, weights=counts * counts, minlength=len(texts)))
    return r, c, counts / norm[r]


def same(a, b):
    return all(x.dtype == y.dtype and x.tobytes() == y.tobytes() for x, y in zip(a, b))


@given(st.lists(st.text(max_size=4), max_size=50), st.sampled_from([N_HASH, N_WORD, 1000, 7]))
@settings(max_examples=60, deadline=None)
def test_feature_indices_equal_feature_index(grams, n_features):
    assert feature_indices(grams, n_features).tolist() == [feature_index(g, n_features) for g in grams]


@given(st.lists(st.text(max_size=40), max_size=8), st.lists(st.text(max_size=40), max_size=8))
@settings(max_examples=40, deadline=None)
def test_batched_char_grams_equal_per_word(first, second):
    """Two batches through one hasher (the second partly cached) give the reference bit for bit."""
    h = NgramHasher(N_HASH, NGRAMS)
    for texts in (SAMPLE + first, second + SAMPLE):
        assert same(h.weighted(texts), per_word_reference(texts))


def test_batched_char_grams_survive_a_full_cache():
    h = NgramHasher(N_HASH, NGRAMS, max_words=5)
    for texts in (SAMPLE, SAMPLE[::-1], ["one two three four five six seven"]):
        assert same(h.weighted(texts), per_word_reference(texts))


def word_columns_reference(text, n_features=N_WORD):
    """`WordHasher.columns` as it was: unigrams `u:w`, then bigrams `b:w1 w2`, CRC-32 each."""
    words = re.findall(r"[^\W_]+|\?", text)
    return [crc32(("u:" + w).encode()) % n_features for w in words] + [
        crc32(("b:" + a + " " + b).encode()) % n_features for a, b in pairwise(words)
    ]


@given(st.lists(st.text(alphabet="ab ?c1é_", max_size=30), max_size=10))
@settings(max_examples=40, deadline=None)
def test_batched_word_grams_equal_per_text(texts):
    texts = SAMPLE + texts
    expected = l2_weighted([word_columns_reference(t) for t in texts], N_WORD)
    assert same(per_word_reference_l2(texts), expected)
    small = WordHasher(N_WORD, max_items=3)  # its caches fill and are emptied mid-batch
    assert same(WordHasher(N_WORD).weighted(texts), expected)
    assert same(small.weighted(texts), expected)
    assert same(small.weighted(texts[::-1]), l2_weighted([word_columns_reference(t) for t in texts[::-1]], N_WORD))
    assert [small.columns(t) for t in texts] == [word_columns_reference(t) for t in texts]


def per_word_reference_l2(texts):
    """`l2_weighted` as it was (a list of ints through `np.asarray`), for the word block."""
    cols = [word_columns_reference(t) for t in texts]
    lens = [len(c) for c in cols]
    if not sum(lens):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
    flat = np.asarray([i for c in cols for i in c], dtype=np.int64)
    keys, counts = np.unique(rows * N_WORD + flat, return_counts=True)
    r, c = np.divmod(keys, N_WORD)
    counts = counts.astype(np.float64)
    norm = np.sqrt(np.bincount(r, weights=counts * counts, minlength=len(texts)))
    return r, c, counts / norm[r]


def test_dot_rows_equal_the_column_loop():
    """Each row's sum of weight x value, summed in the same order as the loop it replaced."""
    from vaktpost.text.learned import _dot_rows

    rng = np.random.default_rng(3)
    texts = [" ".join(rng.choice(["ab", "bata", "gcash", "12", "æøå", "🙂", "po"], size=rng.integers(0, 9))) for _ in range(300)]
    weighted = NgramHasher(N_HASH, NGRAMS).weighted(texts)
    W = rng.normal(size=(6, N_HASH)).astype(np.float16).astype(np.float64)
    r, c, v = weighted
    expected = np.zeros((len(texts), len(W)))
    for j, w in enumerate(W):
        expected[:, j] = np.bincount(r, weights=w[c] * v, minlength=len(texts))
    got = _dot_rows(weighted, W, len(texts))
    assert got.shape == expected.shape and np.ascontiguousarray(got).tobytes() == expected.tobytes()
    empty = _dot_rows(NgramHasher(N_HASH, NGRAMS).weighted(["", " "]), W, 2)
    assert empty.shape == (2, 6) and not empty.any()
