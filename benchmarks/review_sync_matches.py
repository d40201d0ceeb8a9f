"""How long `vaktpost review sync` takes once it also checks media matches (session 9), on a store
with 10,000 decided media items (and as many decided text items), beside the sync as it was
before (labels only: `reopen_grown` + `sync_queue(full=True)`) in the same run.

Three figures, each the median of `--runs` runs on a fresh copy of the same store:
- baseline: the label-only sync (what `review sync` did before session 9);
- sync, nothing due: the label sync plus `sync_new_matches` when no match is new (the usual case);
- sync, all due: every media finding has a match its decision lacks, so every media item is
  reopened (an `item_reopens` row and an audit record each): the worst case, e.g. after a bulk
  load of a new bank's hashes that bypassed the match writer.

    python benchmarks/review_sync_matches.py            # 10,000 + 10,000 items, 5 runs, SQLite
    python benchmarks/review_sync_matches.py --quick    # 500 + 500, 3 runs
    python benchmarks/review_sync_matches.py --db postgresql://…/db   # an empty PostgreSQL database
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def pdq(bank: str, hash_id: int, distance: int) -> dict:
    return {"bank": bank, "signal_type": "pdq", "hash": f"{hash_id:064x}", "distance": distance,
            "hash_id": hash_id, "source": "list.csv", "category": None, "negative": False}


def build(url: str, n_media: int, n_text: int) -> None:
    """n_media dismissed media findings (one near match of bank `a`, a generated file's fields)
    and n_text dismissed text findings, with their decisions, as `queue.decide` leaves them."""
    from sqlalchemy import insert

    from vaktpost.review.reopen import match_keys
    from vaktpost.store.db import make_engine, upgrade
    from vaktpost.store.review_tables import decisions, review_items, users
    from vaktpost.store.tables import findings

    engine = make_engine(url)
    upgrade(engine)
    media = [{"path": f"/evidence/f{i:06d}.jpg", "kind": "image", "sha256": f"{i:064x}",
              "md5": f"{i:032x}", "size": 40_000 + i, "pdq": f"{i:064x}", "pdq_quality": 90,
              "matches": [pdq("a", i + 1, 6)]} for i in range(n_media)]
    with engine.begin() as conn:
        conn.execute(insert(users).values(id=1, username="rev", role="reviewer", password_hash="x",
                                          created_at=T0))
        rows = [dict(id=i + 1, kind="media", labels=["KNOWN_MEDIA"], score=0.8, detail=d, created_at=T0)
                for i, d in enumerate(media)]
        rows += [dict(id=n_media + j + 1, kind="text", labels=["OFF_PLATFORM_MOVE"], score=0.4,
                      detail=None, created_at=T0) for j in range(n_text)]
        for i in range(0, len(rows), 2000):
            conn.execute(insert(findings), rows[i : i + 2000])
        items = [dict(id=r["id"], finding_id=r["id"], priority=r["score"], status="dismissed",
                      stage="review", created_at=T0, decided_at=T0, decided_labels=r["labels"],
                      decided_score=r["score"],
                      decided_matches=match_keys(r["detail"]) if r["kind"] == "media" else None)
                 for r in rows]
        for i in range(0, len(items), 2000):
            conn.execute(insert(review_items), items[i : i + 2000])
        made = [dict(id=it["id"], item_id=it["id"], finding_id=it["id"], user_id=1, stage="review",
                     decision="dismiss", reason="Not the listed picture", created_at=T0,
                     labels=it["decided_labels"], score=it["decided_score"],
                     matches=it["decided_matches"]) for it in items]
        for i in range(0, len(made), 2000):
            conn.execute(insert(decisions), made[i : i + 2000])
    engine.dispose()


def make_all_due(url: str, n_media: int) -> None:
    """Every media finding gains bank `b`'s exact match, written past the match writer."""
    from sqlalchemy import bindparam, update

    from vaktpost.store.db import make_engine
    from vaktpost.store.tables import findings

    engine = make_engine(url)
    with engine.begin() as conn:
        stmt = update(findings).where(findings.c.id == bindparam("fid")).values(
            detail=bindparam("new"), score=1.0)
        conn.execute(stmt, [{"fid": i + 1, "new": {
            "path": f"/evidence/f{i:06d}.jpg", "sha256": f"{i:064x}",
            "matches": [pdq("a", i + 1, 6), {**pdq("b", 10**6 + i, 0), "signal_type": "md5"}]}}
            for i in range(n_media)])
    engine.dispose()


def label_sync(url: str) -> int:
    """The sync as it was before session 9 (`vaktpost review sync`: labels only)."""
    from vaktpost.review.queue import sync_queue
    from vaktpost.review.reopen import reopen_grown
    from vaktpost.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        n = len(reopen_grown(conn, by="review sync"))
        sync_queue(conn, full=True, reopen=False)
    engine.dispose()
    return n


def full_sync(url: str) -> int:
    """The sync now: the label sync, then `sync_new_matches` (as `vaktpost review sync` runs them)."""
    from vaktpost.review.reopen import sync_new_matches
    from vaktpost.store.db import make_engine

    n = label_sync(url)
    engine = make_engine(url)
    n += len(sync_new_matches(engine, by="review sync"))
    engine.dispose()
    return n


class Store:
    """Fresh copies of one built store: a file copy on SQLite, a template database on PostgreSQL."""

    def __init__(self, url: str | None, work: Path, n_media: int, n_text: int, due: bool):
        self.url, self.work, self.n = url, work, 0
        if url is None:
            self.master = work / ("due.db" if due else "quiet.db")
            build(f"sqlite:///{self.master}", n_media, n_text)
            if due:
                make_all_due(f"sqlite:///{self.master}", n_media)
        else:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            base = make_url(url)
            self.admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
            self.base = base
            self.master_name = f"vp_sync_{'due' if due else 'quiet'}"
            with self.admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{self.master_name}"'))
                c.execute(text(f'CREATE DATABASE "{self.master_name}"'))
            master = base.set(database=self.master_name).render_as_string(hide_password=False)
            build(master, n_media, n_text)
            if due:
                make_all_due(master, n_media)

    def fresh(self) -> str:
        self.n += 1
        if self.url is None:
            copy = self.work / f"run{self.n}-{self.master.name}"
            shutil.copyfile(self.master, copy)
            return f"sqlite:///{copy}"
        from sqlalchemy import text

        name = f"{self.master_name}_{self.n}"
        with self.admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.master_name}"'))
        return self.base.set(database=name).render_as_string(hide_password=False)


def timed(fn, url: str) -> tuple[float, int]:
    t = time.perf_counter()
    n = fn(url)
    return time.perf_counter() - t, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="500 + 500 items, 3 runs")
    ap.add_argument("--media", type=int, default=10_000)
    ap.add_argument("--text", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--db", help="a PostgreSQL URL (its server makes the copies); default SQLite files")
    args = ap.parse_args()
    if args.quick:
        args.media, args.text, args.runs = 500, 500, 3
    with tempfile.TemporaryDirectory(prefix="vp-sync-bench-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        quiet = Store(args.db, work, args.media, args.text, due=False)
        due = Store(args.db, work, args.media, args.text, due=True)
        print(f"built two stores of {args.media:,} decided media + {args.text:,} decided text items "
              f"in {time.perf_counter() - t:.1f} s ({'PostgreSQL' if args.db else 'SQLite'})", file=sys.stderr)
        times: dict[str, list[float]] = {"baseline": [], "quiet": [], "due": []}
        for r in range(args.runs):  # interleaved, each on a fresh copy
            for name, store, fn, want in (("baseline", quiet, label_sync, 0), ("quiet", quiet, full_sync, 0),
                                          ("due", due, full_sync, args.media)):
                s, n = timed(fn, store.fresh())
                assert n == want, (name, n, want)
                times[name].append(s)
            print(f"run {r + 1}: " + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in times.items()), file=sys.stderr)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"decided media items: {args.media:,}; decided text items: {args.text:,}; runs: {args.runs} (medians)")
    print(f"baseline, label-only sync (before session 9): {med['baseline']:.3f} s")
    print(f"sync with the match check, nothing new:        {med['quiet']:.3f} s  "
          f"(+{med['quiet'] - med['baseline']:.3f} s, ratio {med['quiet'] / med['baseline']:.2f})")
    print(f"sync with the match check, every media item reopened: {med['due']:.3f} s  "
          f"(ratio {med['due'] / med['baseline']:.2f}; {1e3 * (med['due'] - med['baseline']) / args.media:.3f} ms per reopen)")


if __name__ == "__main__":
    main()
