"""Numba kernels for the Hamming index: build a multi-index table, search it, scan brute force.

Kept apart from `index.py` so the data layout (what is persisted) and the hot loops
(what is compiled) can be read separately. Every kernel is cached on disk by numba, so a
fresh process pays the compile once per installation, not once per start.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def _ctpop64(typingctx, x):
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return sig, codegen


def _prefetch_codegen(context, builder, ptr):
    i8p = ir.IntType(8).as_pointer()
    i32 = ir.IntType(32)
    fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
    fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
    # read, high temporal locality, data cache
    builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 0), ir.Constant(i32, 3),
                      ir.Constant(i32, 1)])


@intrinsic
def prefetch_row(typingctx, arr, i):
    """Hint the CPU to fetch row i of a 2-D array; lets many hash loads be in flight."""
    sig = types.void(arr, i)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1], zero])
        _prefetch_codegen(context, builder, ptr)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def prefetch_entry(typingctx, arr, t, i):
    sig = types.void(arr, t, i)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1], args[2]])
        _prefetch_codegen(context, builder, ptr)
        return context.get_dummy_value()

    return sig, codegen


PREFETCH_AHEAD = 24  # buckets whose entries are requested before they are scanned


@njit(inline="always", cache=True)
def popcount(x):
    return np.int64(_ctpop64(np.uint64(x)))


@njit(inline="always", cache=True)
def distance(codes, pos, q0, q1, q2, q3):
    return (
        popcount(codes[pos, 0] ^ q0)
        + popcount(codes[pos, 1] ^ q1)
        + popcount(codes[pos, 2] ^ q2)
        + popcount(codes[pos, 3] ^ q3)
    )


@njit(inline="always", cache=True)
def extract_chunk(w0, w1, w2, w3, start, size):
    """Bits [start, start+size) of the 256-bit value (bit 0 = MSB of w0), size ≤ 32."""
    wi = start >> 6
    off = start & 63
    if wi == 0:
        a, b = w0, w1
    elif wi == 1:
        a, b = w1, w2
    elif wi == 2:
        a, b = w2, w3
    else:
        a, b = w3, np.uint64(0)
    one = np.uint64(1)
    if off + size <= 64:
        return (a >> np.uint64(64 - off - size)) & ((one << np.uint64(size)) - one)
    hi_bits = 64 - off
    lo_bits = size - hi_bits
    hi = a & ((one << np.uint64(hi_bits)) - one)
    return (hi << np.uint64(lo_bits)) | (b >> np.uint64(64 - lo_bits))


@njit(parallel=True, cache=True)
def chunk_keys(codes, start, size):
    n = codes.shape[0]
    out = np.empty(n, dtype=np.uint32)
    for i in prange(n):
        out[i] = np.uint32(extract_chunk(codes[i, 0], codes[i, 1], codes[i, 2], codes[i, 3], start, size))
    return out


@njit(cache=True)
def fill_table(keys, low_bits, coarse_bits, entries_row, offsets_row):
    """Counting sort by the coarse key; each entry packs (position << low_bits) | low key."""
    n = keys.shape[0]
    nb = 1 << coarse_bits
    counts = np.zeros(nb + 1, dtype=np.int64)
    for i in range(n):
        counts[(keys[i] >> low_bits) + 1] += 1
    for b in range(nb):
        counts[b + 1] += counts[b]
    for b in range(nb + 1):
        offsets_row[b] = counts[b]
    low_mask = (1 << low_bits) - 1
    for i in range(n):
        k = keys[i]
        b = k >> low_bits
        entries_row[counts[b]] = np.uint32((i << low_bits) | (k & low_mask))
        counts[b] += 1


@njit(inline="always", cache=True)
def _record(qi, pos, d, t, q0, q1, q2, q3, codes, deleted, chunk_masks, radii, out_pos,
            out_dist, found):
    """Keep a hit unless tombstoned or findable through an earlier table (recorded there)."""
    if deleted[pos]:
        return found
    for tp in range(t):
        if radii[tp] < 0:
            continue
        cd = (
            popcount((codes[pos, 0] ^ q0) & chunk_masks[tp, 0])
            + popcount((codes[pos, 1] ^ q1) & chunk_masks[tp, 1])
            + popcount((codes[pos, 2] ^ q2) & chunk_masks[tp, 2])
            + popcount((codes[pos, 3] ^ q3) & chunk_masks[tp, 3])
        )
        if cd <= radii[tp]:
            return found
    if found < out_pos.shape[1]:
        out_pos[qi, found] = pos
        out_dist[qi, found] = d
    return found + 1


@njit(cache=True)
def _search_one(
    qi, queries, radius, codes, deleted, entries, offsets, starts, sizes, lows, chunk_masks,
    radii, ball_masks, ball_dists, ball_lo, ball_hi, out_pos, out_dist, lo_buf, hi_buf, cand,
):
    # Three passes per table so the memory loads of one pass do not wait on each other:
    # bucket bounds for every probe, then a branch-free filter of the bucket entries into
    # `cand` (prefetching each survivor's hash), then the 256-bit check of the survivors.
    q0, q1, q2, q3 = queries[qi, 0], queries[qi, 1], queries[qi, 2], queries[qi, 3]
    m = starts.shape[0]
    found = 0
    cap = cand.shape[0]
    for t in range(m):
        a = radii[t]
        if a < 0:
            continue
        low_bits = lows[t]
        key = extract_chunk(q0, q1, q2, q3, starts[t], sizes[t])
        qc = np.int64(key >> np.uint64(low_bits))
        ql = np.uint32(key & np.uint64((1 << low_bits) - 1))
        low_mask = np.uint32((1 << low_bits) - 1)
        shift = np.uint32(low_bits)
        nprobe = ball_hi[t] - ball_lo[t]
        for k in range(nprobe):
            cb = qc ^ np.int64(ball_masks[ball_lo[t] + k])
            lo_buf[k] = offsets[t, cb]
            hi_buf[k] = offsets[t, cb + 1]
        for k in range(min(nprobe, PREFETCH_AHEAD)):
            prefetch_entry(entries, t, lo_buf[k])
        nc = 0
        for k in range(nprobe):
            if k + PREFETCH_AHEAD < nprobe:
                prefetch_entry(entries, t, lo_buf[k + PREFETCH_AHEAD])
            rem = a - np.int64(ball_dists[ball_lo[t] + k])
            lo = lo_buf[k]
            hi = hi_buf[k]
            if nc + (hi - lo) > cap:
                for i in range(nc):
                    pos = cand[i]
                    d = distance(codes, pos, q0, q1, q2, q3)
                    if d <= radius:
                        found = _record(qi, pos, d, t, q0, q1, q2, q3, codes, deleted,
                                        chunk_masks, radii, out_pos, out_dist, found)
                nc = 0
            for e in range(lo, hi):
                ent = entries[t, e]
                cand[nc] = np.int64(ent >> shift)
                nc += popcount((ent ^ ql) & low_mask) <= rem
                prefetch_row(codes, cand[max(nc - 1, 0)])
        for i in range(nc):
            pos = cand[i]
            d = distance(codes, pos, q0, q1, q2, q3)
            if d <= radius:
                found = _record(qi, pos, d, t, q0, q1, q2, q3, codes, deleted,
                                chunk_masks, radii, out_pos, out_dist, found)
    return found


@njit(parallel=True, cache=True)
def search_batch(
    queries, radius, codes, deleted, entries, offsets, starts, sizes, lows, chunk_masks,
    radii, ball_masks, ball_dists, ball_lo, ball_hi, out_pos, out_dist, counts,
):
    max_probe = 1
    for t in range(starts.shape[0]):
        max_probe = max(max_probe, ball_hi[t] - ball_lo[t])
    for qi in prange(queries.shape[0]):
        lo_buf = np.empty(max_probe, dtype=np.int64)
        hi_buf = np.empty(max_probe, dtype=np.int64)
        cand = np.empty(max(8192, 4 * (entries.shape[1] >> 16)), dtype=np.int64)
        counts[qi] = _search_one(
            qi, queries, radius, codes, deleted, entries, offsets, starts, sizes, lows,
            chunk_masks, radii, ball_masks, ball_dists, ball_lo, ball_hi, out_pos, out_dist,
            lo_buf, hi_buf, cand,
        )


@njit(parallel=True, cache=True)
def scan_batch(queries, radius, codes, deleted, out_pos, out_dist, counts):
    """Brute force: every stored hash against every query. Small segments and checks."""
    n = codes.shape[0]
    cap = out_pos.shape[1]
    for qi in prange(queries.shape[0]):
        q0, q1, q2, q3 = queries[qi, 0], queries[qi, 1], queries[qi, 2], queries[qi, 3]
        found = 0
        for pos in range(n):
            d = distance(codes, pos, q0, q1, q2, q3)
            if d <= radius and not deleted[pos]:
                if found < cap:
                    out_pos[qi, found] = pos
                    out_dist[qi, found] = d
                found += 1
        counts[qi] = found


@njit(parallel=True, cache=True)
def scan_blocked(queries, radius, codes, out_pos, out_dist, counts):
    """Brute force tiled so a block of stored hashes stays in cache across all queries.

    Used by the benchmark to get the ground truth for many queries against millions of hashes.
    Parallel over query blocks; each query's results are written by one thread only.
    """
    n = codes.shape[0]
    nq = queries.shape[0]
    cap = out_pos.shape[1]
    qblock = 64
    nqb = (nq + qblock - 1) // qblock
    block = 16384
    for qb in prange(nqb):
        q_lo = qb * qblock
        q_hi = min(nq, q_lo + qblock)
        for start in range(0, n, block):
            stop = min(n, start + block)
            for qi in range(q_lo, q_hi):
                q0, q1, q2, q3 = queries[qi, 0], queries[qi, 1], queries[qi, 2], queries[qi, 3]
                found = counts[qi]
                for pos in range(start, stop):
                    d = distance(codes, pos, q0, q1, q2, q3)
                    if d <= radius:
                        if found < cap:
                            out_pos[qi, found] = pos
                            out_dist[qi, found] = d
                        found += 1
                counts[qi] = found
