"""Exact radius search in Hamming space over 256-bit hashes (PDQ), for millions of hashes.

Design: multi-index hashing (Norouzi et al.) with the extended pigeonhole bound. The 256
bits are cut into m contiguous chunks. If d(q, h) ≤ r with r = m·a + b (0 ≤ b < m), then one
of the first b+1 chunks differs in at most a bits or one of the others in at most a−1: if all
differed more, d would be ≥ (b+1)(a+1) + (m−b−1)a = r + 1. So every hash within r is found by
enumerating, per chunk, all keys within that radius, and nothing is missed; each candidate is
then checked on all 256 bits. A hash found through several chunks is kept only at the first
chunk that can find it, so results are unique without a set.

Each chunk table is addressed by the chunk's top `coarse_bits`; the entry packs the hash's
position with the chunk's remaining low bits, so one uint32 per hash per table both locates
the hash and filters the bucket before the 256-bit check. Arrays are .npy files opened
memory-mapped: a process starts in the time it takes to map them.

Changes never rebuild the whole index: new hashes go to a small scanned segment that becomes
a table segment once it is big enough (segments are merged pairwise, smallest first, when
there are too many); deletes set a tombstone byte in place.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

import numpy as np

from vaktpost.media import _kernels as K
from vaktpost.media.hashbits import hex_to_words

HASH_BITS = 256
SCAN_MAX = 32_768  # up to this many hashes a segment is scanned: as fast, nothing to build
MAX_TABLE_SEGMENTS = 4
MAX_CHUNK_RADIUS = 6  # beyond this a query radius is served by scanning
FORMAT = 1


class Match(NamedTuple):
    bank: int
    hash_id: int
    distance: int


@dataclass(frozen=True)
class TablePlan:
    """How the 256 bits are cut: chunk i is bits [starts[i], starts[i]+sizes[i])."""

    starts: tuple[int, ...]
    sizes: tuple[int, ...]
    coarse_bits: int

    @property
    def m(self) -> int:
        return len(self.sizes)

    @property
    def lows(self) -> tuple[int, ...]:
        return tuple(s - self.coarse_bits for s in self.sizes)

    def radii(self, radius: int) -> np.ndarray:
        a, b = divmod(radius, self.m)
        return np.array([a] * (b + 1) + [a - 1] * (self.m - b - 1), dtype=np.int64)

    def chunk_masks(self) -> np.ndarray:
        masks = np.zeros((self.m, 4), dtype=np.uint64)
        for t, (st, sz) in enumerate(zip(self.starts, self.sizes)):
            value = ((1 << sz) - 1) << (HASH_BITS - st - sz)
            for w in range(4):
                masks[t, w] = (value >> (64 * (3 - w))) & (2**64 - 1)
        return masks

    def bytes_per_hash(self, n: int) -> float:
        return 4 * self.m * (1 + ((1 << self.coarse_bits) + 1) / max(n, 1))


def _ball(bits: int, radius: int) -> int:
    return sum(math.comb(bits, k) for k in range(max(radius, -1) + 1))


def plan_tables(
    n: int, radius: int = 31, budget_bytes: float = 60.0, m: int | None = None,
    coarse_bits: int | None = None,
) -> TablePlan:
    """Pick the number of chunks and the table width for n hashes searched at `radius`.

    The cost model counts memory misses per query: one for each bucket probed, one for each
    candidate checked on all bits, a little for each entry filtered. `budget_bytes` caps the
    tables' own bytes per hash (the hash itself and its ids come on top).
    """
    pos_bits = max(1, math.ceil(math.log2(max(n, 2))))
    choices = [m] if m is not None else list(range(8, 17))
    best: tuple[float, TablePlan] | None = None
    for mm in choices:
        small, extra = divmod(HASH_BITS, mm)
        sizes = [small] * (mm - extra) + [small + 1] * extra  # smaller chunks take larger radii
        if max(sizes) > 32:
            continue
        if coarse_bits is not None:
            c = coarse_bits
        else:
            c = int(round(math.log2(max(n, 16) / 4)))
            c = max(4, min(c, small, 26))
            c = max(c, max(sizes) - (32 - pos_bits), 1)
        if c > small or max(sizes) - c > 32 - pos_bits:
            continue
        starts = [sum(sizes[:i]) for i in range(mm)]
        plan = TablePlan(tuple(starts), tuple(sizes), c)
        radii = plan.radii(radius)
        per_bucket = n / (1 << c)
        cost = 0.0
        for s, a in zip(sizes, radii):
            probes = _ball(c, int(a))
            cost += 2 * probes + 0.15 * probes * per_bucket + _ball(s, int(a)) * n / 2.0**s
        over = plan.bytes_per_hash(n) > budget_bytes
        key = (1e30 + plan.bytes_per_hash(n)) if over else cost
        if best is None or key < best[0]:
            best = (key, plan)
    if best is None:
        raise ValueError(f"no table layout for m={m}, coarse_bits={coarse_bits}, n={n}")
    return best[1]


@lru_cache(maxsize=64)
def _ball_masks(bits: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    masks, dists = [], []
    for k in range(radius + 1):
        for flips in combinations(range(bits), k):
            v = 0
            for f in flips:
                v |= 1 << f
            masks.append(v)
            dists.append(k)
    return np.array(masks, dtype=np.uint32), np.array(dists, dtype=np.uint8)


def _as_words(hashes) -> np.ndarray:
    if isinstance(hashes, np.ndarray) and hashes.dtype == np.uint64:
        return np.ascontiguousarray(hashes.reshape(-1, 4))
    if isinstance(hashes, str):
        hashes = [hashes]
    return hex_to_words(hashes)


class Segment:
    """One immutable batch of hashes (only its tombstones change), scanned or tabled."""

    def __init__(self, codes, hash_ids, banks, deleted, plan=None, entries=None, offsets=None,
                 path: Path | None = None):
        self.codes, self.hash_ids, self.banks, self.deleted = codes, hash_ids, banks, deleted
        self.plan, self.entries, self.offsets, self.path = plan, entries, offsets, path
        self._deleted_map: np.memmap | None = None

    def flush(self) -> None:
        if self._deleted_map is not None:
            self._deleted_map.flush()

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    @classmethod
    def build(cls, codes, hash_ids, banks, plan: TablePlan | None = None,
              force_tables: bool = False) -> "Segment":
        n = codes.shape[0]
        deleted = np.zeros(n, dtype=np.uint8)
        if n <= SCAN_MAX and not force_tables and plan is None:
            return cls(codes, hash_ids, banks, deleted)
        plan = plan or plan_tables(n)
        entries = np.empty((plan.m, n), dtype=np.uint32)
        offsets = np.empty((plan.m, (1 << plan.coarse_bits) + 1), dtype=np.uint32)
        for t in range(plan.m):
            keys = K.chunk_keys(codes, plan.starts[t], plan.sizes[t])
            K.fill_table(keys, plan.lows[t], plan.coarse_bits, entries[t], offsets[t])
        return cls(codes, hash_ids, banks, deleted, plan, entries, offsets)

    @property
    def nbytes(self) -> int:
        parts = [self.codes, self.hash_ids, self.banks, self.deleted, self.entries, self.offsets]
        return sum(int(p.nbytes) for p in parts if p is not None)

    def live(self) -> np.ndarray:
        return np.flatnonzero(np.asarray(self.deleted) == 0)

    def search(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query index, position, distance) of every live hash within `radius`."""
        nq = queries.shape[0]
        if nq == 0 or len(self) == 0:
            e = np.zeros(0, dtype=np.int64)
            return e, e, e
        cap = 32
        todo = np.arange(nq)
        qs_all, pos_all, dist_all = [], [], []
        while todo.size:
            q = np.ascontiguousarray(queries[todo])
            out_pos = np.empty((q.shape[0], cap), dtype=np.int64)
            out_dist = np.empty((q.shape[0], cap), dtype=np.int64)
            counts = np.zeros(q.shape[0], dtype=np.int64)
            self._run(q, radius, out_pos, out_dist, counts)
            ok = counts <= cap
            rows = np.flatnonzero(ok)
            take = np.arange(cap)[None, :] < counts[rows, None]
            qs_all.append(np.broadcast_to(todo[rows, None], (rows.size, cap))[take])
            pos_all.append(out_pos[rows][take])
            dist_all.append(out_dist[rows][take])
            todo = todo[~ok]
            if todo.size:
                cap = int(counts[~ok].max())
        return np.concatenate(qs_all), np.concatenate(pos_all), np.concatenate(dist_all)

    def _run(self, q, radius, out_pos, out_dist, counts) -> None:
        plan = self.plan
        radii = plan.radii(radius) if plan is not None else None
        if plan is None or radii.max() > MAX_CHUNK_RADIUS:
            K.scan_batch(q, radius, self.codes, self.deleted, out_pos, out_dist, counts)
            return
        masks, dists, lo, hi = [], [], [], []
        at = 0
        for a in radii:
            mk, ds = _ball_masks(plan.coarse_bits, int(a)) if a >= 0 else _ball_masks(1, 0)
            if a < 0:
                mk, ds = mk[:0], ds[:0]
            masks.append(mk)
            dists.append(ds)
            lo.append(at)
            at += mk.size
            hi.append(at)
        K.search_batch(
            q, radius, self.codes, self.deleted, self.entries, self.offsets,
            np.array(plan.starts, dtype=np.int64), np.array(plan.sizes, dtype=np.int64),
            np.array(plan.lows, dtype=np.int64), plan.chunk_masks(), radii,
            np.concatenate(masks), np.concatenate(dists),
            np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64),
            out_pos, out_dist, counts,
        )

    # -- persistence -------------------------------------------------------------------
    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name in ("codes", "hash_ids", "banks", "deleted", "entries", "offsets"):
            arr = getattr(self, name)
            if arr is not None:
                np.save(tmp / f"{name}.npy", np.asarray(arr))
        if self.plan is not None:
            meta = {"starts": self.plan.starts, "sizes": self.plan.sizes,
                    "coarse_bits": self.plan.coarse_bits}
            (tmp / "plan.json").write_text(json.dumps(meta))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "Segment":
        def load(name, mode="r"):
            f = path / f"{name}.npy"
            return np.asarray(np.load(f, mmap_mode=mode)) if f.exists() else None

        plan = None
        if (path / "plan.json").exists():
            meta = json.loads((path / "plan.json").read_text())
            plan = TablePlan(tuple(meta["starts"]), tuple(meta["sizes"]), meta["coarse_bits"])
        deleted_map = np.load(path / "deleted.npy", mmap_mode="r+")
        seg = cls(load("codes"), load("hash_ids"), load("banks"), np.asarray(deleted_map),
                  plan, load("entries"), load("offsets"), path)
        seg._deleted_map = deleted_map
        return seg


class HammingIndex:
    """Banked PDQ hashes; `search` returns every live hash within the radius with its bank.

    With a `path` every change is written there at once (segments are directories of .npy
    files plus `manifest.json`); without one the index lives in memory.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self.segments: list[Segment] = []
        self._next = 1
        if self.path is not None and (self.path / "manifest.json").exists():
            manifest = json.loads((self.path / "manifest.json").read_text())
            if manifest.get("format") != FORMAT:
                raise ValueError(f"{self.path}: index format {manifest.get('format')} unknown")
            self._next = manifest["next"]
            self.segments = [Segment.load(self.path / s) for s in manifest["segments"]]

    def __len__(self) -> int:
        return sum(int((np.asarray(s.deleted) == 0).sum()) for s in self.segments)

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self.segments)

    @classmethod
    def build(cls, hashes, hash_ids, banks, path: str | Path | None = None,
              plan: TablePlan | None = None) -> "HammingIndex":
        """A fresh index over many hashes at once: one table segment."""
        index = cls(path)
        if index.segments:
            raise ValueError(f"{path}: an index is already there")
        codes = _as_words(hashes)
        ids, bks = index._ids(codes, hash_ids, banks)
        index._install([Segment.build(codes, ids, bks, plan=plan)], [])
        return index

    def add(self, hashes, hash_ids, banks) -> None:
        """Append hashes; cost is proportional to the small segment, not the index."""
        codes = _as_words(hashes)
        ids, bks = self._ids(codes, hash_ids, banks)
        if codes.shape[0] == 0:
            return
        old: list[Segment] = []
        if self.segments and self.segments[-1].plan is None:
            tail = self.segments[-1]
            live = tail.live()
            codes = np.concatenate([tail.codes[live], codes])
            ids = np.concatenate([tail.hash_ids[live], ids])
            bks = np.concatenate([tail.banks[live], bks])
            old.append(tail)
        self._install([Segment.build(codes, ids, bks)], old)
        tabled = [s for s in self.segments if s.plan is not None]
        while len(tabled) > MAX_TABLE_SEGMENTS:
            a, b = sorted(tabled, key=len)[:2]
            la, lb = a.live(), b.live()
            merged = Segment.build(
                np.concatenate([a.codes[la], b.codes[lb]]),
                np.concatenate([a.hash_ids[la], b.hash_ids[lb]]),
                np.concatenate([a.banks[la], b.banks[lb]]),
                force_tables=True,
            )
            self._install([merged], [a, b])
            tabled = [s for s in self.segments if s.plan is not None]

    def delete(self, hash_ids) -> int:
        """Tombstone every entry with one of these ids; returns how many were live."""
        targets = np.asarray(list(hash_ids), dtype=np.int64)
        n = 0
        for seg in self.segments:
            hit = np.flatnonzero(np.isin(seg.hash_ids, targets) & (np.asarray(seg.deleted) == 0))
            if hit.size:
                seg.deleted[hit] = 1
                n += hit.size
                seg.flush()
        return n

    def search(self, hashes, radius: int = 31) -> list[list[Match]]:
        qidx, banks, ids, dists = self.search_arrays(hashes, radius)
        out: list[list[Match]] = [[] for _ in range(_as_words(hashes).shape[0])]
        order = np.lexsort((ids, dists, qidx))
        for i in order:
            out[qidx[i]].append(Match(int(banks[i]), int(ids[i]), int(dists[i])))
        return out

    def search_arrays(self, hashes, radius: int = 31):
        """(query index, bank, hash id, distance) arrays: the fast path for batches."""
        if not 0 <= radius <= HASH_BITS:
            raise ValueError(f"radius must be in [0, {HASH_BITS}], not {radius}")
        queries = _as_words(hashes)
        parts = []
        for seg in self.segments:
            q, pos, d = seg.search(queries, radius)
            parts.append((q, seg.banks[pos].astype(np.int64), seg.hash_ids[pos].astype(np.int64), d))
        if not parts:
            e = np.zeros(0, dtype=np.int64)
            return e, e, e, e
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(4))

    # -- internals -----------------------------------------------------------------------
    @staticmethod
    def _ids(codes, hash_ids, banks):
        n = codes.shape[0]
        ids = np.asarray(hash_ids, dtype=np.int64).reshape(-1)
        bks = np.broadcast_to(np.asarray(banks, dtype=np.int64), (n,))
        if ids.shape[0] != n:
            raise ValueError(f"{n} hashes but {ids.shape[0]} hash ids")
        if n and (ids.min() < 0 or ids.max() >= 2**32):
            raise ValueError("hash ids must be in [0, 2**32)")
        if n and (bks.min() < 0 or bks.max() >= 2**16):
            raise ValueError("bank ids must be in [0, 2**16)")
        return ids.astype(np.uint32), bks.astype(np.uint16)

    def _install(self, new: list[Segment], old: list[Segment]) -> None:
        keep = [s for s in self.segments if not any(s is o for o in old)]
        if self.path is None:
            self.segments = sorted(keep + new, key=lambda s: s.plan is None)
            return
        self.path.mkdir(parents=True, exist_ok=True)
        loaded = []
        for seg in new:
            name = f"seg-{self._next:06d}"
            self._next += 1
            seg.save(self.path / name)
            loaded.append(Segment.load(self.path / name))
        self.segments = sorted(keep + loaded, key=lambda s: s.plan is None)
        manifest = {"format": FORMAT, "next": self._next,
                    "segments": [s.path.name for s in self.segments]}
        tmp = self.path / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest))
        os.replace(tmp, self.path / "manifest.json")
        for seg in old:
            if seg.path is not None:
                shutil.rmtree(seg.path, ignore_errors=True)
