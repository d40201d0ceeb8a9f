"""Hashed character n-grams without scikit-learn at run time.

The shipped model was trained on scikit-learn's `HashingVectorizer(analyzer="char_wb",
ngram_range=(2, 4), n_features=2**16, alternate_sign=False, norm="l2")`. Importing
scikit-learn costs ~1.5–2.5 s per process and its analyser builds every n-gram of every
message in Python. Chat words repeat endlessly, so here each distinct word's n-gram indices
are computed once (MurmurHash3, as scikit-learn does) and cached; a message's vector is the
concatenation of its words' indices, counted and l2-normalised with numpy. The indices are
identical to scikit-learn's (a test compares them), so the same weights apply.
"""

from __future__ import annotations

from itertools import pairwise
from zlib import crc32

import numpy as np

_MASK = 0xFFFFFFFF


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit, signed (scikit-learn's `murmurhash3_bytes_s32`)."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & _MASK
    n = len(data)
    end = n - n % 4
    for i in range(0, end, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * c1) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        k = (k * c2) & _MASK
        h ^= k
        h = ((h << 13) | (h >> 19)) & _MASK
        h = (h * 5 + 0xE6546B64) & _MASK
    tail = data[end:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        k = (k * c2) & _MASK
        h ^= k
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def feature_index(gram: str, n_features: int) -> int:
    h = murmurhash3_32(gram.encode("utf-8"))
    if h == -2147483648:
        return (2147483647 - (n_features - 1)) % n_features
    return abs(h) % n_features


def word_grams(word: str, lo: int, hi: int) -> list[str]:
    """scikit-learn's `char_wb` n-grams of one word (padded with a space each side)."""
    w = " " + word + " "
    n_w = len(w)
    out = []
    for n in range(lo, hi + 1):
        offset = 0
        out.append(w[offset : offset + n])
        while offset + n < n_w:
            offset += 1
            out.append(w[offset : offset + n])
        if offset == 0:  # a short word counts once
            break
    return out


class NgramHasher:
    """Per-word cache of n-gram feature indices; `weighted` gives l2-normalised counts."""

    def __init__(self, n_features: int, ngram_range: tuple[int, int], max_words: int = 500_000) -> None:
        self.n_features = n_features
        self.lo, self.hi = ngram_range
        self.max_words = max_words
        self._cache: dict[str, list[int]] = {}
        self._grams: dict[str, int] = {}  # far fewer distinct n-grams than words: hash each once

    def word(self, w: str) -> list[int]:
        got = self._cache.get(w)
        if got is None:
            grams = self._grams
            got = []
            for g in word_grams(w, self.lo, self.hi):
                i = grams.get(g)
                if i is None:
                    i = grams[g] = feature_index(g, self.n_features)
                got.append(i)
            if len(self._cache) >= self.max_words:
                self._cache.clear()
                grams.clear()
            self._cache[w] = got
        return got

    def weighted(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the l2-normalised n-gram counts, sorted by row then column."""
        cols: list[int] = []
        lens: list[int] = []
        cache_get, word = self._cache.get, self.word
        for t in texts:
            before = len(cols)
            for w in t.split():
                got = cache_get(w)
                cols.extend(got if got is not None else word(w))
            lens.append(len(cols) - before)
        if not cols:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
        keys, counts = np.unique(rows * self.n_features + np.asarray(cols, dtype=np.int64), return_counts=True)
        r, c = np.divmod(keys, self.n_features)
        counts = counts.astype(np.float64)
        norm = np.sqrt(np.bincount(r, weights=counts * counts, minlength=len(texts)))
        return r, c, counts / norm[r]


def l2_weighted(cols_per_text: list[list[int]], n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of l2-normalised counts of each text's column list, sorted."""
    lens = [len(c) for c in cols_per_text]
    if not sum(lens):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    rows = np.repeat(np.arange(len(cols_per_text), dtype=np.int64), lens)
    cols: list[int] = []
    for c in cols_per_text:
        cols.extend(c)
    flat = np.asarray(cols, dtype=np.int64)
    keys, counts = np.unique(rows * n_features + flat, return_counts=True)
    r, c = np.divmod(keys, n_features)
    counts = counts.astype(np.float64)
    norm = np.sqrt(np.bincount(r, weights=counts * counts, minlength=len(cols_per_text)))
    return r, c, counts / norm[r]


class WordHasher:
    """Hashed word unigrams and bigrams of a normalised text (a block of its own beside the
    character n-grams). Words are runs of letters/digits; a `?` is a word of its own, so
    "is she 12 ?" and "she is 12" differ. Unigram `u:w`, bigram `b:w1 w2`; each distinct
    word and pair is hashed once and cached. The hash is CRC-32 (C speed; this block need
    not match scikit-learn, training builds it with this class too)."""

    def __init__(self, n_features: int, max_items: int = 500_000) -> None:
        import re

        self.n_features = n_features
        self.max_items = max_items
        self._split = re.compile(r"[^\W_]+|\?").findall
        self._uni: dict[str, int] = {}
        self._bi: dict[tuple[str, str], int] = {}

    def columns(self, text: str) -> list[int]:
        words = self._split(text)
        uni, bi, n = self._uni, self._bi, self.n_features
        if len(uni) + len(bi) >= self.max_items:
            uni.clear()
            bi.clear()
        out = []
        for w in words:
            i = uni.get(w)
            if i is None:
                i = uni[w] = crc32(("u:" + w).encode()) % n
            out.append(i)
        for pair in pairwise(words):
            i = bi.get(pair)
            if i is None:
                i = bi[pair] = crc32(("b:" + pair[0] + " " + pair[1]).encode()) % n
            out.append(i)
        return out

    def weighted(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return l2_weighted([self.columns(t) for t in texts], self.n_features)
