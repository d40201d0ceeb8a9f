"""Batch scan throughput: the local engine beside Ray Data at 1 and 2 workers, same corpus.

Each engine scans the same generated JSONL corpus (vaktpost.synth) into a fresh SQLite store
(import + whole-conversation analysis + findings written); messages/s is messages over wall
time, median of --repeat runs. The issue asks for 10M messages; on the 2 shared cores here
that does not fit the time, so the default is 1M (say --messages 10000000 on a bigger box).
The scan core is the real one (vaktpost.text's analysis), the same in every engine.

    python benchmarks/batch.py             # 1,000,000 messages, 1 repeat
    python benchmarks/batch.py --quick     # 20,000 messages
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from vaktpost.engines import local
from vaktpost.ingest.importer import import_file
from vaktpost.store.db import make_engine, upgrade
from vaktpost.synth import GeneratorOptions, generate


def fresh_store(root: Path, name: str):
    engine = make_engine(f"sqlite:///{root / name}")
    upgrade(engine)
    return engine


def run_local(corpus: Path, root: Path, tag: str) -> float:
    engine = fresh_store(root, f"local-{tag}.db")
    started = time.perf_counter()
    keys = import_file(engine, corpus).conversation_keys
    local.analyse_conversations(engine, keys)
    took = time.perf_counter() - started
    engine.dispose()
    return took


def run_ray(corpus: Path, root: Path, tag: str, workers: int) -> float:
    import ray

    from vaktpost.engines.ray_engine import RayOptions, scan_files

    ray.shutdown()
    engine = fresh_store(root, f"ray{workers}-{tag}.db")
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
    started = time.perf_counter()  # a cluster is up before a scan; its start is not the scan's cost
    scan_files(engine, [corpus], RayOptions(workers=workers))
    took = time.perf_counter() - started
    ray.shutdown()
    engine.dispose()
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--messages", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=None)
    args = ap.parse_args()
    n = args.messages or (20_000 if args.quick else 1_000_000)
    repeat = args.repeat or 1
    with tempfile.TemporaryDirectory(prefix="vaktpost-batch-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        generate(GeneratorOptions(out=root / "corpus", messages=n, seed=3))
        corpus = root / "corpus" / "chats.jsonl"
        lines = sum(1 for _ in corpus.open("rb"))
        print(f"corpus: {lines:,} messages ({corpus.stat().st_size / 1e6:,.0f} MB JSONL), generated in {time.perf_counter() - t0:,.1f} s", flush=True)
        results: dict[str, list[float]] = {"local": [], "ray-1": [], "ray-2": []}
        for r in range(repeat):
            for name, run in (("local", lambda: run_local(corpus, root, str(r))),
                              ("ray-1", lambda: run_ray(corpus, root, str(r), 1)),
                              ("ray-2", lambda: run_ray(corpus, root, str(r), 2))):
                took = run()
                results[name].append(took)
                print(f"  run {r + 1} {name}: {took:,.1f} s, {lines / took:,.0f} msg/s", flush=True)
        base = lines / statistics.median(results["local"])
        print(f"{'engine':<8} {'median s':>9} {'messages/s':>12} {'vs local':>9}")
        for name, times in results.items():
            rate = lines / statistics.median(times)
            print(f"{name:<8} {statistics.median(times):>9.1f} {rate:>12,.0f} {rate / base:>8.2f}x")


if __name__ == "__main__":
    main()
