"""`vaktpost scan` end to end: parse, analyse, store in SQLite — messages per second.

Each run is a fresh `vaktpost scan FILE --db sqlite:///…` process on a fresh database, timed
from the outside (start-up, import, analysis, findings written), as a user meets it. Give
`--src` more than once to compare source trees (e.g. a checkout of main and this one) in
the same session: runs are interleaved so both meet the same machine load, and the load
average is printed beside each run. Medians of --repeats.

    python benchmarks/scan_end_to_end.py CHATS.jsonl
    python benchmarks/scan_end_to_end.py CHATS.jsonl --src /tmp/main/src --src src --repeats 3
    python benchmarks/scan_end_to_end.py --quick        # 20,000 generated train messages
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = "from vaktpost.cli import main; main()"


def count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def pressure() -> str:
    """The CPU pressure (PSI some avg10, %) the split decision reads (ingest/wire.py), if any."""
    try:
        with open("/proc/pressure/cpu") as fh:
            return fh.readline().split()[1].removeprefix("avg10=") + " %"
    except (OSError, IndexError):
        return "n/a"


def one_run(src: str, chats: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the scan process and its reader process: on a
    machine shared with other work the CPU figure moves far less than the wall one."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
        cpu, start = _children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-c", CLI, "scan", str(chats), "--db", f"sqlite:///{tmp}/scan.db", "--output", "json"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        return time.perf_counter() - start, _children_cpu() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chats", type=Path, nargs="?", help="canonical JSONL (e.g. vaktpost synth --split train output)")
    ap.add_argument("--src", action="append", help="source tree to put on PYTHONPATH (repeatable; default: this checkout's src)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="20,000 generated train-split messages, 1 repeat")
    args = ap.parse_args()
    srcs = args.src or [str(Path(__file__).resolve().parent.parent / "src")]
    for s in srcs:
        # An installed tree has its bytecode written on first use; where PYTHONDONTWRITEBYTECODE
        # is set (as on the shared dev machine) every run would compile ~500 modules again
        # (~0.7 CPU s), so each tree's bytecode is brought up to date before the timing.
        compileall.compile_dir(s, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        chats = args.chats
        if args.quick or chats is None:
            from vaktpost.synth import GeneratorOptions, generate

            generate(GeneratorOptions(out=Path(tmp), messages=20_000, seed=5, split="train"))
            chats, args.repeats = Path(tmp) / "chats.jsonl", 1 if args.quick else args.repeats
        n = count_lines(chats)
        times: dict[str, list[float]] = {s: [] for s in srcs}
        cpus: dict[str, list[float]] = {s: [] for s in srcs}
        for r in range(args.repeats):
            for s in srcs:
                before = f"load average {os.getloadavg()[0]:.2f}, CPU pressure {pressure()} before"
                seconds, cpu = one_run(s, chats)
                times[s].append(seconds)
                cpus[s].append(cpu)
                print(f"run {r + 1} {s}: {seconds:.2f} s, {n / seconds:,.0f} msg/s (CPU {cpu:.2f} s); {before}, load average {os.getloadavg()[0]:.2f} after", flush=True)
    print(f"messages: {n:,}  target: >= 30,000 msg/s")
    for s in srcs:
        med, cpu = statistics.median(times[s]), statistics.median(cpus[s])
        print(f"{s}: median {med:.2f} s = {n / med:,.0f} msg/s (CPU, both processes: {cpu:.2f} s)  runs: {', '.join(f'{t:.2f}' for t in times[s])}")


if __name__ == "__main__":
    main()
