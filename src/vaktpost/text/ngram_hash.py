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

from itertools import chain, pairwise
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
    """scikit-learn's `char_wb` n-grams of one word (padded with a space each side): for each
    n every window, and a word no longer than n (padded) counts once, ending the sizes."""
    w = " " + word + " "
    n_w = len(w)
    out = []
    for n in range(lo, hi + 1):
        if n >= n_w:
            out.append(w)
            break
        out += [w[i : i + n] for i in range(n_w - n + 1)]
    return out


def feature_indices(grams: list[str], n_features: int) -> np.ndarray:
    """`[feature_index(g, n_features) for g in grams]` as one numpy pass (int64): MurmurHash3
    over every gram at once. A gram is at most 4 characters, at most 16 bytes of UTF-8, so
    each is one row of four little-endian 32-bit blocks (zero-padded: a partial block reads
    as the tail's `int.from_bytes`). uint32 arithmetic wraps as the `& _MASK`s do."""
    encoded = [g.encode("utf-8") for g in grams]
    if not encoded:
        return np.zeros(0, dtype=np.int64)
    n = np.fromiter(map(len, encoded), dtype=np.uint32, count=len(encoded))
    if int(n.max()) > 16:
        return np.fromiter((feature_index(g, n_features) for g in grams), dtype=np.int64, count=len(grams))
    blocks = np.ascontiguousarray(np.array(encoded, dtype="S16")).view("<u4").reshape(len(encoded), 4)
    c1, c2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
    h = np.zeros(len(encoded), dtype=np.uint32)
    full = n // 4
    for b in range(4):
        k = blocks[:, b] * c1
        k = (k << np.uint32(15)) | (k >> np.uint32(17))
        k *= c2
        mixed = h ^ k
        mixed = (mixed << np.uint32(13)) | (mixed >> np.uint32(19))
        mixed = mixed * np.uint32(5) + np.uint32(0xE6546B64)
        h = np.where(full > b, mixed, h)
    has_tail = (n % 4) != 0
    if has_tail.any():
        rows = np.nonzero(has_tail)[0]
        k = blocks[rows, full[rows]] * c1
        k = (k << np.uint32(15)) | (k >> np.uint32(17))
        k *= c2
        h[rows] ^= k
    h ^= n
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    signed = h.view(np.int32).astype(np.int64)
    out = np.abs(signed) % n_features
    out[signed == -2147483648] = (2147483647 - (n_features - 1)) % n_features
    return out


class NgramHasher:
    """Per-word cache of n-gram feature indices; `weighted` gives l2-normalised counts.

    The words of a batch that are not cached yet are hashed together (`feature_indices`:
    one numpy pass over their n-grams not seen before) before the texts are assembled. A
    word's columns are cached as the bytes of an int64 array, so a text's columns are one
    `bytes.join` of its words' and the batch's one `np.frombuffer` of the texts'; the
    columns, and so the weighted values, are the same as hashing one word at a time."""

    def __init__(self, n_features: int, ngram_range: tuple[int, int], max_words: int = 500_000) -> None:
        self.n_features = n_features
        self.lo, self.hi = ngram_range
        self.max_words = max_words
        self._cache: dict[str, bytes] = {}  # word → its columns, int64 bytes
        self._grams: dict[str, int] = {}  # far fewer distinct n-grams than words: hash each once

    def word(self, w: str) -> list[int]:
        got = self._cache.get(w)
        if got is None:
            self._learn([w])
            got = self._cache[w]
        return np.frombuffer(got, dtype=np.int64).tolist()

    def _learn(self, words: list[str]) -> None:
        """Caches the columns of `words` (distinct, none cached yet)."""
        cache, grams = self._cache, self._grams
        if len(cache) + len(words) > self.max_words:
            cache.clear()
            grams.clear()
        lo, hi = self.lo, self.hi
        per_word = [word_grams(w, lo, hi) for w in words]
        unseen = list({g: None for gs in per_word for g in gs if g not in grams})
        if unseen:
            grams.update(zip(unseen, feature_indices(unseen, self.n_features).tolist()))
        ends = np.cumsum(np.fromiter(map(len, per_word), dtype=np.int64, count=len(per_word))) * 8
        flat = np.fromiter(map(grams.__getitem__, chain.from_iterable(per_word)), dtype=np.int64, count=int(ends[-1]) // 8)
        buf = flat.tobytes()
        cache.update(zip(words, map(buf.__getitem__, map(slice, [0, *ends[:-1].tolist()], ends.tolist()))))

    def weighted(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the l2-normalised n-gram counts, sorted by row then column."""
        split = [t.split() for t in texts]
        cache = self._cache
        new = list({w: None for ws in split for w in ws if w not in cache})
        if new:
            self._learn(new)
        get, join = cache.__getitem__, b"".join
        return l2_of_parts([join(map(get, ws)) for ws in split], self.n_features)


def l2_weighted(cols_per_text: list[list[int]], n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of l2-normalised counts of each text's column list, sorted."""
    return l2_of_parts([np.asarray(c, dtype=np.int64).tobytes() for c in cols_per_text], n_features)


def l2_of_parts(parts: list[bytes], n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`l2_weighted` of each text's columns given as the bytes of an int64 array."""
    cols = np.frombuffer(b"".join(parts), dtype=np.int64)
    if not len(cols):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    lens = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)) // 8
    rows = np.repeat(np.arange(len(parts), dtype=np.int64), lens)
    keys, counts = np.unique(rows * n_features + cols, return_counts=True)
    r, c = np.divmod(keys, n_features)
    counts = counts.astype(np.float64)
    norm = np.sqrt(np.bincount(r, weights=counts * counts, minlength=len(parts)))
    return r, c, counts / norm[r]


class WordHasher:
    """Hashed word unigrams and bigrams of a normalised text (a block of its own beside the
    character n-grams). Words are runs of letters/digits; a `?` is a word of its own, so
    "is she 12 ?" and "she is 12" differ. Unigram `u:w`, bigram `b:w1 w2`; each distinct
    word and pair is hashed once and cached (as the 8 bytes of an int64, so that a text's
    columns are a `bytes.join`). The hash is CRC-32 (C speed; this block need not match
    scikit-learn, training builds it with this class too)."""

    def __init__(self, n_features: int, max_items: int = 500_000) -> None:
        import re

        self.n_features = n_features
        self.max_items = max_items
        self._split = re.compile(r"[^\W_]+|\?").findall
        self._uni: dict[str, bytes] = {}
        self._bi: dict[tuple[str, str], bytes] = {}

    def columns(self, text: str) -> list[int]:
        """The text's unigram columns, then its bigram columns."""
        return np.frombuffer(self._parts([text])[0], dtype=np.int64).tolist()

    def weighted(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return l2_of_parts(self._parts(texts), self.n_features)

    def _parts(self, texts: list[str]) -> list[bytes]:
        """Each text's columns as int64 bytes; the batch's new words and pairs hashed first."""
        split = [self._split(t) for t in texts]
        pairs = [list(pairwise(ws)) for ws in split]
        uni, bi, n = self._uni, self._bi, self.n_features
        new_uni = {w: None for ws in split for w in ws if w not in uni}
        new_bi = {p: None for ps in pairs for p in ps if p not in bi}
        if len(uni) + len(bi) + len(new_uni) + len(new_bi) > self.max_items:
            uni.clear()
            bi.clear()
            new_uni = {w: None for ws in split for w in ws}
            new_bi = {p: None for ps in pairs for p in ps}
        for w in new_uni:
            uni[w] = (crc32(("u:" + w).encode()) % n).to_bytes(8, "little")
        for a, b in new_bi:
            bi[a, b] = (crc32(("b:" + a + " " + b).encode()) % n).to_bytes(8, "little")
        u, b, join = uni.__getitem__, bi.__getitem__, b"".join
        return [join(map(u, ws)) + join(map(b, ps)) for ws, ps in zip(split, pairs)]
