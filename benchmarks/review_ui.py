"""Latency of the review UI's queue page and actor page with 100,000 findings in SQLite,
beside a static `/healthz` served by the same server in the same run (the baseline).

Starts the real server (`vaktpost serve`) on a free port, logs in as a reviewer, then
interleaves requests to the three pages. Prints p50/p95 per page per round, the medians over
rounds, and the ratio to /healthz. Target: queue page p95 ≤ 150 ms.

    python benchmarks/review_ui.py            # 100,000 findings, 3 rounds
    python benchmarks/review_ui.py --quick    # a small smoke run
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
from tests.live_server import start_vaktpost_server  # noqa: E402
PASSWORD = "benchmark password 1"
FINDINGS_PER_CONVERSATION = 1.8  # the sample world's mix of scripts


def build_store(path: Path, findings_target: int) -> tuple[str, list[int]]:
    from sqlalchemy import func, select

    import vaktpost.store.review_tables  # noqa: F401
    from vaktpost.review.accounts import create_user
    from vaktpost.review.sample_world import build_world
    from vaktpost.store.db import make_engine, upgrade
    from vaktpost.store.tables import actors, findings

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    if not path.exists():
        upgrade(engine)
        t = time.perf_counter()
        build_world(
            engine,
            conversations_n=int(findings_target / FINDINGS_PER_CONVERSATION * 1.02) + 1,
            seed=11,
        )
        create_user(engine, "bench", PASSWORD, "reviewer")
        print(f"built the store in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(findings)).scalar()
        buyers = list(
            conn.execute(select(actors.c.id).where(actors.c.role == "customer")).scalars()
        )
    engine.dispose()
    print(f"store: {n:,} findings, {len(buyers):,} buyers", file=sys.stderr)
    return url, buyers


def login(base: str):
    import httpx

    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = client.post(
        "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    assert r.status_code in (200, 303), r.status_code
    assert client.get("/queue").status_code == 200
    return client


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def one_round(client, buyers: list[int], n: int, rng: random.Random) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"healthz": [], "queue": [], "actor": []}
    for _ in range(n):
        for name, path in (
            ("healthz", "/healthz"),
            ("queue", "/queue"),
            ("actor", f"/actors/{rng.choice(buyers)}"),
        ):
            t = time.perf_counter()
            r = client.get(path)
            times[name].append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"{path}: HTTP {r.status_code}")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="5,000 findings, few requests")
    ap.add_argument("--findings", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--requests", type=int, default=None, help="requests per page per round")
    args = ap.parse_args()
    target = args.findings or (5_000 if args.quick else 100_000)
    rounds = args.rounds or (2 if args.quick else 3)
    n = args.requests or (20 if args.quick else 150)
    cache = ROOT / ".bench"
    cache.mkdir(exist_ok=True)
    url, buyers = build_store(cache / f"review_ui_{target}.db", target)
    proc, base = start_vaktpost_server(url, env={"VAKTPOST_COOKIE_SECURE": "false"}, timeout=120)
    try:
        client = login(base)
        rng = random.Random(7)
        one_round(client, buyers, 5, rng)  # warm-up
        summary: dict[str, dict[str, list[float]]] = {
            k: {"p50": [], "p95": []} for k in ("healthz", "queue", "actor")
        }
        for r in range(rounds):
            times = one_round(client, buyers, n, rng)
            line = []
            for name, values in times.items():
                p50, p95 = pct(values, 0.5), pct(values, 0.95)
                summary[name]["p50"].append(p50)
                summary[name]["p95"].append(p95)
                line.append(f"{name} p50 {p50:6.1f} p95 {p95:6.1f}")
            print(f"round {r + 1}: " + " | ".join(line))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    med = {k: {q: statistics.median(v) for q, v in d.items()} for k, d in summary.items()}
    base_p50, base_p95 = med["healthz"]["p50"], med["healthz"]["p95"]
    print(
        f"\n{target:,} findings in SQLite, {rounds} rounds × {n} requests per page (medians of rounds, ms):"
    )
    print(f"{'page':10} {'p50':>8} {'p95':>8} {'p50 ÷ healthz':>14} {'p95 ÷ healthz':>14}")
    for name in ("healthz", "queue", "actor"):
        p50, p95 = med[name]["p50"], med[name]["p95"]
        print(f"{name:10} {p50:8.1f} {p95:8.1f} {p50 / base_p50:14.1f} {p95 / base_p95:14.1f}")
    verdict = "meets" if med["queue"]["p95"] <= 150 else "MISSES"
    print(f"queue page p95 {med['queue']['p95']:.1f} ms {verdict} the 150 ms target")


if __name__ == "__main__":
    main()
