"""The index must return exactly what a brute-force scan returns: nothing missed, nothing extra."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaktpost.media.hashbits import hex_to_words, words_to_hex
from vaktpost.media.index import HammingIndex, Match, Segment, plan_tables


def brute_force(codes: np.ndarray, ids, banks, queries: np.ndarray, radius: int, dead=()):
    """Reference answer in plain numpy: every (bank, id, distance) within radius per query."""
    out = []
    for q in queries:
        d = np.bitwise_count(codes ^ q).sum(axis=1)
        hits = [
            Match(int(banks[i]), int(ids[i]), int(d[i]))
            for i in np.flatnonzero(d <= radius)
            if int(ids[i]) not in dead
        ]
        out.append(sorted(hits, key=lambda m: (m.distance, m.hash_id)))
    return out


def flip(rng: np.random.Generator, code: np.ndarray, nbits: int) -> np.ndarray:
    out = code.copy()
    for b in rng.choice(256, size=nbits, replace=False):
        out[b // 64] ^= np.uint64(1) << np.uint64(63 - b % 64)
    return out


def clustered(rng, families: int, per_family: int, spread: int) -> np.ndarray:
    bases = rng.integers(0, 2**64, size=(families, 4), dtype=np.uint64, endpoint=False)
    rows = [flip(rng, b, int(rng.integers(0, spread + 1))) for b in bases for _ in range(per_family)]
    return np.array(rows, dtype=np.uint64)


def queries_near(rng, codes, n, max_flips):
    picks = codes[rng.integers(0, len(codes), n)]
    return np.array([flip(rng, c, int(rng.integers(0, max_flips + 1))) for c in picks])


def small_plans():
    # Force the multi-index path on small sets, with several table shapes.
    return st.sampled_from([(8, 10), (11, 8), (12, 10), (16, 5), (10, 4)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), shape=small_plans(), radius=st.integers(0, 48),
       n=st.integers(1, 400))
def test_multi_index_equals_brute_force_on_random_sets(seed, shape, radius, n):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64, endpoint=False)
    ids = rng.permutation(n) + 7
    banks = rng.integers(1, 5, n)
    queries = np.concatenate([queries_near(rng, codes, 10, 40),
                              rng.integers(0, 2**64, size=(5, 4), dtype=np.uint64)])
    m, c = shape
    index = HammingIndex.build(codes, ids, banks, plan=plan_tables(n, m=m, coarse_bits=c))
    assert index.segments[0].plan is not None
    assert index.search(queries, radius) == brute_force(codes, ids, banks, queries, radius)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), shape=small_plans(), spread=st.integers(0, 40))
def test_multi_index_equals_brute_force_on_clustered_sets(seed, shape, spread):
    rng = np.random.default_rng(seed)
    codes = clustered(rng, families=20, per_family=15, spread=spread)
    ids = np.arange(len(codes))
    queries = queries_near(rng, codes, 15, 31)
    m, c = shape
    index = HammingIndex.build(codes, ids, 3, plan=plan_tables(len(codes), m=m, coarse_bits=c))
    for radius in (0, 31, 40):
        expected = brute_force(codes, ids, np.full(len(codes), 3), queries, radius)
        assert index.search(queries, radius) == expected


def test_large_family_overflows_result_buffer_and_is_still_complete():
    rng = np.random.default_rng(5)
    codes = clustered(rng, families=1, per_family=300, spread=6)
    index = HammingIndex.build(codes, np.arange(300), 1, plan=plan_tables(300, m=11, coarse_bits=6))
    got = index.search(codes[:2], 31)
    assert [len(g) for g in got] == [300, 300]
    assert got == brute_force(codes, np.arange(300), np.ones(300), codes[:2], 31)


def test_default_plan_fits_the_memory_budget_at_ten_million():
    plan = plan_tables(10_000_000)
    assert 8 <= plan.m <= 16 and sum(plan.sizes) == 256
    # tables + the 32-byte hash + 4-byte id + 2-byte bank + tombstone byte
    assert plan.bytes_per_hash(10_000_000) + 32 + 4 + 2 + 1 <= 100


def test_add_delete_and_reopen_on_disk(tmp_path):
    rng = np.random.default_rng(9)
    codes = clustered(rng, families=40, per_family=30, spread=20)
    n = len(codes)
    path = tmp_path / "idx"
    index = HammingIndex.build(codes[:800], np.arange(800), 1, path=path,
                               plan=plan_tables(800, m=12, coarse_bits=7))
    index.add(codes[800:1000], np.arange(800, 1000), 2)  # goes to a scanned tail segment
    index.add(words_to_hex(codes[1000:]), np.arange(1000, n), 2)
    assert index.delete([3, 850, 1100, 99999]) == 3
    reopened = HammingIndex(path)
    assert len(reopened) == n - 3
    banks = np.where(np.arange(n) < 800, 1, 2)
    queries = queries_near(rng, codes, 20, 31)
    expected = brute_force(codes, np.arange(n), banks, queries, 31, dead={3, 850, 1100})
    assert reopened.search(queries, 31) == expected
    assert index.search(queries, 31) == expected


def test_many_adds_keep_few_segments_and_stay_exact(monkeypatch):
    import vaktpost.media.index as mod

    monkeypatch.setattr(mod, "SCAN_MAX", 50)
    rng = np.random.default_rng(2)
    codes = clustered(rng, families=30, per_family=20, spread=25)
    index = HammingIndex()
    for start in range(0, len(codes), 40):
        index.add(codes[start : start + 40], np.arange(start, min(start + 40, len(codes))), 1)
    assert sum(s.plan is not None for s in index.segments) <= mod.MAX_TABLE_SEGMENTS
    assert sum(s.plan is None for s in index.segments) <= 1
    queries = queries_near(rng, codes, 20, 31)
    ids = np.arange(len(codes))
    assert index.search(queries, 31) == brute_force(codes, ids, np.ones(len(codes)), queries, 31)


def test_hex_round_trip_and_bad_input():
    hexes = ["00" * 32, "ff" * 32, "0123456789abcdef" * 4]
    assert words_to_hex(hex_to_words(hexes)) == hexes
    with pytest.raises(ValueError, match="256-bit"):
        hex_to_words(["abc"])
    with pytest.raises(ValueError, match="hexadecimal"):
        hex_to_words(["zz" * 32])
    with pytest.raises(ValueError, match="radius"):
        HammingIndex().search_arrays(hexes, 300)


def test_scanned_segment_for_small_sets_is_exact():
    rng = np.random.default_rng(4)
    codes = clustered(rng, families=10, per_family=10, spread=30)
    seg = Segment.build(codes, np.arange(100).astype(np.uint32), np.ones(100, np.uint16))
    assert seg.plan is None
    index = HammingIndex()
    index.segments = [seg]
    queries = queries_near(rng, codes, 10, 31)
    assert index.search(queries, 31) == brute_force(codes, np.arange(100), np.ones(100), queries, 31)


def test_reopened_index_is_memory_mapped_not_read(tmp_path):
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 2**64, size=(500, 4), dtype=np.uint64)
    HammingIndex.build(codes, np.arange(500), 1, path=tmp_path / "i",
                       plan=plan_tables(500, m=11, coarse_bits=8))
    seg = HammingIndex(tmp_path / "i").segments[0]
    for arr in (seg.codes, seg.entries, seg.offsets, seg.deleted):
        assert isinstance(arr.base, np.memmap) or isinstance(arr, np.memmap)
