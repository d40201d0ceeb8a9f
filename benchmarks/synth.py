"""Benchmark of `vaktpost synth`: messages per second writing JSONL, and peak memory by size.

Throughput: generate N messages (default 2,000,000) to JSONL with ground truth, beside the
baseline the issue names — writing the same number of fixed, pre-built lines with `json.dumps`
(one chat line and one truth line per message, as the generator writes). Each is repeated and
the medians are printed with their ratio.

Memory: one subprocess per size (default 1M, 3M, 10M messages) reports its own peak RSS, so the
sizes don't share an allocator; the output of each size is deleted after it is measured.

    python benchmarks/synth.py            # full run (several minutes)
    python benchmarks/synth.py --quick    # smoke sizes
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHAT = {"platform": "camsite", "conversation_id": "c-00000001", "message_id": "m-0000000001",
        "sent_at": "2021-03-04T21:13:05Z",
        "sender": {"id": "u-12345678", "name": "nordlys77", "role": "customer"},
        "recipients": [{"id": "m-87654321", "role": "performer"}],
        "country": "NO", "text": "hi, are you online tonight?"}
TRUTH = {"platform": "camsite", "message_id": "m-0000000001", "conversation_id": "c-00000001",
         "labels": [], "language": "en", "family": "en.greeting.a", "split": "train",
         "hard_negative": None}

CHILD = """
import resource, sys, time
from vaktpost.synth import GeneratorOptions, generate
t = time.perf_counter()
generate(GeneratorOptions(out=sys.argv[1], messages=int(sys.argv[2]), seed=1))
dt = time.perf_counter() - t
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, dt)
"""


def baseline(n: int, out: Path) -> tuple[float, float]:
    """Fixed pre-built lines with json.dumps, batched like the generator writes."""
    t, c = time.perf_counter(), time.process_time()
    with open(out / "chats.jsonl", "w") as chats, open(out / "truth.jsonl", "w") as truth:
        batch_c, batch_t = [], []
        for i in range(n):
            batch_c.append(json.dumps(CHAT))
            batch_t.append(json.dumps(TRUTH))
            if len(batch_c) == 20_000:
                chats.write("\n".join(batch_c) + "\n")
                truth.write("\n".join(batch_t) + "\n")
                batch_c, batch_t = [], []
        chats.write("\n".join(batch_c) + "\n" if batch_c else "")
        truth.write("\n".join(batch_t) + "\n" if batch_t else "")
    return n / (time.perf_counter() - t), n / (time.process_time() - c)


def generator(n: int, out: Path) -> tuple[float, float]:
    from vaktpost.synth import GeneratorOptions, generate

    t, c = time.perf_counter(), time.process_time()
    summary = generate(GeneratorOptions(out=out, messages=n, seed=1))
    assert summary["counts"]["messages"] == n
    return n / (time.perf_counter() - t), n / (time.process_time() - c)


def peak_rss_mb(n: int, work: Path) -> tuple[float, float]:
    out = work / f"mem-{n}"
    env_path = str(Path(__file__).resolve().parents[1] / "src")
    res = subprocess.run([sys.executable, "-c", CHILD, str(out), str(n)], check=True,
                         capture_output=True, text=True,
                         env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
    shutil.rmtree(out, ignore_errors=True)
    kb, seconds = res.stdout.split()
    return int(kb) / 1024, n / float(seconds)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small smoke sizes")
    ap.add_argument("--messages", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--memory-sizes", default=None, help="comma-separated message counts")
    args = ap.parse_args()
    n = args.messages or (100_000 if args.quick else 2_000_000)
    repeat = args.repeat or (2 if args.quick else 3)
    sizes = [int(s) for s in (args.memory_sizes or
                              ("100000,300000" if args.quick else "1000000,3000000,10000000")
                              ).split(",")]

    with tempfile.TemporaryDirectory(prefix="vaktpost-bench-") as tmp:
        work = Path(tmp)
        gen, base = [], []
        for r in range(repeat):
            for name, fn, acc in (("generator", generator, gen), ("baseline", baseline, base)):
                out = work / f"{name}-{r}"
                out.mkdir()
                acc.append(fn(n, out))
                shutil.rmtree(out)
                print(f"  run {r + 1}: {name:9s} {acc[-1][0]:>10,.0f} messages/s wall, "
                      f"{acc[-1][1]:>10,.0f} per CPU second", flush=True)
        g, b = (statistics.median(x[0] for x in gen), statistics.median(x[0] for x in base))
        gc, bc = (statistics.median(x[1] for x in gen), statistics.median(x[1] for x in base))
        print(f"throughput, {n:,} messages to JSONL (+ truth), median of {repeat}:")
        print(f"  vaktpost synth           {g:>10,.0f} messages/s wall   {gc:>10,.0f} per CPU s")
        print(f"  baseline json.dumps      {b:>10,.0f} messages/s wall   {bc:>10,.0f} per CPU s"
              f"   (fixed pre-built lines)")
        print(f"  ratio synth/baseline     {g / b:>10.2f} wall             {gc / bc:>10.2f} CPU")
        print(f"  target >= 50,000 messages/s (wall): {'met' if g >= 50_000 else 'NOT met'}")

        print("peak memory by size (one subprocess each):")
        peaks = []
        for size in sizes:
            mb, rate = peak_rss_mb(size, work)
            peaks.append(mb)
            print(f"  {size:>12,} messages   peak RSS {mb:7.1f} MB   {rate:>10,.0f} messages/s",
                  flush=True)
        verdict = "met" if max(peaks) <= 300 and max(peaks) / min(peaks) < 1.25 else "NOT met"
        if args.quick:
            verdict += " (smoke sizes: the world is still growing here; judge on the full run)"
        print(f"  largest/smallest peak    {max(peaks) / min(peaks):.2f}   "
              f"target <= 300 MB and flat: {verdict}")


if __name__ == "__main__":
    main()
