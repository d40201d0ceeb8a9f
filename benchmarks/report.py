"""Reports per second through the outbox against the fake CyberTipline, with 0% and 30% faults.

The fake runs in its own process (as NCMEC would be elsewhere), on loopback. Each round
queues N one-file reports in a fresh SQLite store and times the worker until every report
is finished. Faults: 500s, dropped connections (before and after the request took effect),
timeouts (the answer comes after the client gave up) and slow answers, in equal parts.

    python benchmarks/report.py [--quick] [--reports N] [--rounds R]
"""

from __future__ import annotations

import argparse
import hashlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from vaktpost.report.case import ChatIncident, ReportableCase, ReportedPerson, Reporter, ReportFile
from vaktpost.report.client import CyberTiplineClient
from vaktpost.report.outbox import enqueue_report, state_counts
from vaktpost.report.worker import OutboxWorker, RetryPolicy
from vaktpost.store.db import make_engine, upgrade

CLIENT_TIMEOUT = 0.2
FAULT_TIMEOUT, FAULT_SLOW = 0.3, 0.02


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fake(port: int, fault_rate: float, seed: int) -> subprocess.Popen:
    cmd = [sys.executable, "-c", "from vaktpost.cli import main; main()", "fake-ncmec", "--port", str(port),
           "--fault-rate", str(fault_rate), "--seed", str(seed), "--timeout-s", str(FAULT_TIMEOUT),
           "--slow-s", str(FAULT_SLOW)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("fake CyberTipline did not start")


def cases(n: int):
    blobs = {}
    for i in range(n):
        data = f"benign benchmark bytes {i}".encode() * 8
        sha = hashlib.sha256(data).hexdigest()
        blobs[sha] = data
        yield ReportableCase(
            case_ref=f"bench-{i}", incident_type="Child Sex Trafficking",
            incident_time=datetime(2026, 3, 4, 21, 13, tzinfo=UTC),
            reporter=Reporter(email="trust@example.org"),
            chat=ChatIncident("camsite", f"[c-{i}] price 30 usd, payment by remittance"),
            persons=(ReportedPerson(f"u-{i}", "camsite"),),
            files=(ReportFile(f"f{i}.png", sha, hashlib.md5(data).hexdigest(), True),),
        ), blobs


def one_round(n: int, fault_rate: float, seed: int, concurrency: int) -> float:
    port = free_port()
    fake = start_fake(port, fault_rate, seed)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            upgrade(engine)
            blobs = {}
            for case, blobs in cases(n):
                enqueue_report(engine, case)
            url = f"http://127.0.0.1:{port}/ispws"
            with CyberTiplineClient(url, "esp", "secret", timeout=CLIENT_TIMEOUT) as client:
                worker = OutboxWorker(engine, client, read_file=lambda f: blobs[f["sha256"]], seed=seed,
                                      policy=RetryPolicy(base_s=0.01, cap_s=0.2, lease_s=30))
                started = time.perf_counter()
                worker.run_until_idle(concurrency=concurrency)
                elapsed = time.perf_counter() - started
            with engine.connect() as conn:
                counts = state_counts(conn)
            engine.dispose()
        if counts != {"finished": n}:
            raise SystemExit(f"not every report finished: {counts}")
        return n / elapsed
    finally:
        fake.terminate()
        fake.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke size")
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    n, rounds = (40, 1) if args.quick else (args.reports, args.rounds)
    clean, faulty = [], []
    for r in range(rounds):
        clean.append(one_round(n, 0.0, r, args.concurrency))
        faulty.append(one_round(n, 0.3, r, args.concurrency))
        print(f"round {r + 1}: 0% faults {clean[-1]:.1f} reports/s, 30% faults {faulty[-1]:.1f} reports/s", file=sys.stderr)
    c, f = statistics.median(clean), statistics.median(faulty)
    print(f"outbox vs fake CyberTipline, {n} one-file reports, {rounds} round(s), concurrency {args.concurrency}")
    print(f"  baseline 0% faults : {c:.1f} reports/s (median)")
    print(f"  30% faults         : {f:.1f} reports/s (median)")
    print(f"  ratio 30% / 0%     : {f / c:.2f}")


if __name__ == "__main__":
    main()
