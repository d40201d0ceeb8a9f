"""Exact PDQ radius search: vaktpost's Hamming index beside FAISS, on clustered hash sets.

For each size: build the index (written to disk, then opened memory-mapped, as a process
would), run the queries at radius 31 (half near a stored hash, half random), and compare
with faiss IndexBinaryFlat (brute force) and IndexBinaryMultiHash (16 × 16-bit tables,
nflip=1, which makes it exact at radius 31). Recall is measured against a brute-force scan
of every query. FAISS is slow at this size, so it runs on a subset of the queries (said in
the output); lookups/s are comparable because every query is independent.

    python benchmarks/hash_index.py            # 1M and 10M, 10,000 queries
    python benchmarks/hash_index.py --quick    # 200k, 2,000 queries
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

import numpy as np

RADIUS = 31


def clustered_hashes(n: int, rng: np.random.Generator) -> np.ndarray:
    """Near-duplicate families (sizes 1–30, mean ≈ 8), members 2–16 bits from their root."""
    sizes = np.minimum(rng.geometric(1 / 8, size=n // 4 + 16), 30)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n) + 1]
    roots = rng.integers(0, 2**64, size=(len(sizes), 4), dtype=np.uint64, endpoint=False)
    codes = np.repeat(roots, sizes, axis=0)[:n].copy()
    first = np.zeros(len(codes), dtype=bool)
    first[np.concatenate([[0], np.cumsum(sizes)[:-1]])[np.concatenate([[0], np.cumsum(sizes)[:-1]]) < n]] = True
    # Each member flips bits with probability 2^-j: j in 4..7 gives about 16, 8, 4 or 2 flips.
    depth = rng.integers(4, 8, size=n)
    for lo in range(0, n, 1 << 20):
        hi = min(n, lo + (1 << 20))
        noise = np.full((hi - lo, 4), np.uint64(2**64 - 1))
        for j in range(7):
            words = rng.integers(0, 2**64, size=(hi - lo, 4), dtype=np.uint64, endpoint=False)
            noise &= np.where((j < depth[lo:hi])[:, None], words, np.uint64(2**64 - 1))
        noise[first[lo:hi]] = 0
        codes[lo:hi] ^= noise
    return codes


def make_queries(codes: np.ndarray, nq: int, rng: np.random.Generator) -> np.ndarray:
    near = codes[rng.integers(0, len(codes), nq // 2)].copy()
    noise = np.full_like(near, np.uint64(2**64 - 1))
    for _ in range(4):  # about 16 flipped bits
        noise &= rng.integers(0, 2**64, size=near.shape, dtype=np.uint64, endpoint=False)
    near ^= noise
    far = rng.integers(0, 2**64, size=(nq - nq // 2, 4), dtype=np.uint64, endpoint=False)
    return np.concatenate([near, far])


def brute_force_pairs(codes, queries, radius) -> set[tuple[int, int]]:
    from vaktpost.media._kernels import scan_blocked

    cap = 256
    while True:
        out_pos = np.empty((len(queries), cap), dtype=np.int64)
        out_dist = np.empty((len(queries), cap), dtype=np.int64)
        counts = np.zeros(len(queries), dtype=np.int64)
        scan_blocked(queries, radius, codes, out_pos, out_dist, counts)
        if counts.max(initial=0) <= cap:
            break
        cap = int(counts.max())
    return {(q, int(out_pos[q, k])) for q in range(len(queries)) for k in range(counts[q])}


def as_bytes(words: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(words.astype(">u8")).view(np.uint8).reshape(-1, 32)


def faiss_pairs(index, qbytes) -> tuple[set[tuple[int, int]], float]:
    t = time.perf_counter()
    lims, _d, ids = index.range_search(qbytes, RADIUS + 1)  # FAISS keeps d < radius
    dt = time.perf_counter() - t
    pairs = {(q, int(i)) for q in range(len(qbytes)) for i in ids[lims[q] : lims[q + 1]]}
    return pairs, dt


def recall(got: set, truth: set) -> tuple[float, int]:
    return (len(got & truth) / len(truth) if truth else 1.0), len(got - truth)


def bench_size(n: int, nq: int, faiss_nq: int, repeats: int, seed: int) -> dict:
    import faiss

    from vaktpost.media.index import HammingIndex

    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    codes = clustered_hashes(n, rng)
    queries = make_queries(codes, nq, rng)
    print(f"\n== {n:,} hashes (clustered), {nq:,} queries at radius {RADIUS} "
          f"[data made in {time.perf_counter() - t:.1f} s]", flush=True)

    t = time.perf_counter()
    truth = brute_force_pairs(codes, queries, RADIUS)
    with_match = len({q for q, _ in truth})
    print(f"brute-force ground truth: {len(truth):,} pairs, {with_match:,} queries with a match "
          f"[{time.perf_counter() - t:.1f} s]", flush=True)

    folder = tempfile.mkdtemp(prefix="vaktpost-index-")
    try:
        HammingIndex.build(codes[:64], np.arange(64), 1)  # compile outside the timing
        t = time.perf_counter()
        HammingIndex.build(codes, np.arange(n), 1, path=os.path.join(folder, "idx"))
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        index = HammingIndex(os.path.join(folder, "idx"))
        index.search_arrays(queries[:1], RADIUS)
        open_s = time.perf_counter() - t
        rates = []
        for _ in range(repeats):
            t = time.perf_counter()
            qi, _b, ids, _d = index.search_arrays(queries, RADIUS)
            rates.append(nq / (time.perf_counter() - t))
        ours = set(zip(qi.tolist(), ids.tolist()))
        ours_recall, ours_extra = recall(ours, truth)
        ours_bph = index.nbytes / n
        plan = index.segments[0].plan
        del index
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ours_rate = statistics.median(rates)
    print(f"vaktpost index: m={plan.m} chunks, {plan.coarse_bits}-bit buckets; build+write "
          f"{build_s:.1f} s, open {open_s:.2f} s", flush=True)

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    data, qb = as_bytes(codes), as_bytes(queries)
    sub = np.random.default_rng(seed + 1).choice(nq, size=min(faiss_nq, nq), replace=False)
    sub.sort()
    sub_truth = {(int(np.searchsorted(sub, q)), i) for q, i in truth if q in set(sub.tolist())}
    results = {}
    for name, make in (
        ("faiss IndexBinaryFlat", lambda: faiss.IndexBinaryFlat(256)),
        ("faiss IndexBinaryMultiHash", lambda: _multihash(faiss)),
    ):
        t = time.perf_counter()
        fi = make()
        fi.add(data)
        fbuild = time.perf_counter() - t
        fi.range_search(qb[:2], RADIUS + 1)
        runs = [faiss_pairs(fi, qb[sub]) for _ in range(max(1, repeats // 2))]
        got = runs[0][0]
        frate = len(sub) / statistics.median([r[1] for r in runs])
        fbph = _faiss_bytes(faiss, fi) / n
        frecall, fextra = recall(got, sub_truth)
        results[name] = (fbuild, fbph, frate, frecall, fextra)
        del fi
        print(f"{name}: built in {fbuild:.1f} s", flush=True)

    flat_rate = results["faiss IndexBinaryFlat"][2]
    print(f"\n{'index':30} {'build s':>8} {'B/hash':>8} {'lookups/s':>11} {'recall':>8} "
          f"{'extra':>6} {'× Flat':>8}")
    print(f"{'vaktpost HammingIndex':30} {build_s:8.1f} {ours_bph:8.1f} {ours_rate:11,.0f} "
          f"{ours_recall:8.2%} {ours_extra:6d} {ours_rate / flat_rate:8.1f}")
    for name, (fb, fbph, fr, frc, fx) in results.items():
        print(f"{name:30} {fb:8.1f} {fbph:8.1f} {fr:11,.0f} {frc:8.2%} {fx:6d} "
              f"{fr / flat_rate:8.1f}")
    mh_rate = results["faiss IndexBinaryMultiHash"][2]
    print(f"vaktpost lookups/s: median of {repeats} runs over all {nq:,} queries "
          f"{[round(r) for r in rates]}; FAISS timed on {len(sub)} of the {nq:,} queries "
          f"(it is too slow for all), recall of each against brute force on the queries it ran.")
    print(f"ratios: {ours_rate / flat_rate:.1f}× IndexBinaryFlat, {ours_rate / mh_rate:.1f}× "
          f"IndexBinaryMultiHash; {os.cpu_count()} cores", flush=True)
    return {"n": n, "rate": ours_rate, "flat": flat_rate, "bph": ours_bph, "build": build_s,
            "recall": ours_recall}


def _multihash(faiss):
    index = faiss.IndexBinaryMultiHash(256, 16, 16)
    index.nflip = 1  # 16 chunks × radius 1 covers every hash within 31 bits
    return index


def _faiss_bytes(faiss, index) -> float:
    try:
        return float(faiss.serialize_index_binary(index).nbytes)
    except Exception:  # pragma: no cover - not every FAISS build serialises every index
        return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke size")
    parser.add_argument("--sizes", type=int, nargs="*")
    parser.add_argument("--queries", type=int)
    parser.add_argument("--faiss-queries", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = args.sizes or ([200_000] if args.quick else [1_000_000, 10_000_000])
    nq = args.queries or (2_000 if args.quick else 10_000)
    summary = [bench_size(n, nq, args.faiss_queries, args.repeats, args.seed) for n in sizes]
    print("\nsummary (targets at 10M: ≥ 5,000 lookups/s, ≥ 50× Flat, ≤ 100 B/hash, "
          "build ≤ 120 s, recall 100%)")
    for s in summary:
        print(f"  {s['n']:>11,}: {s['rate']:9,.0f} lookups/s = {s['rate'] / s['flat']:7.1f}× Flat, "
              f"{s['bph']:.1f} B/hash, build {s['build']:.1f} s, recall {s['recall']:.2%}")


if __name__ == "__main__":
    main()
