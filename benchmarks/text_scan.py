"""Text-stage throughput: normalise, match, label, dialogue — messages per second.

Compares, in one run and one process, the text stage (`analyse_conversations`: one
Hyperscan scan per batch) with a baseline that applies the same lexicon patterns one
`re.search` at a time per message (then the same labelling and dialogue code). Messages
come from a `vaktpost synth` output (`--data DIR`) or, without one, from a built-in mix of
clinical chat lines in the four languages. Repeats and prints medians. The text stage works
once per distinct text (text/memo.py); each run starts with that memory empty, and the
number of distinct texts is printed beside the figures.

The messages are loaded before the timing and then exempted from the cyclic collector
(`gc.freeze`): the collector's full passes over a million held Messages belong to this
script, not to the stage (which streams in `vaktpost scan`). By default the collector is
also paused over the whole timed run, as `vaktpost scan` runs the stage (the records are
acyclic); `--collector running` lets it run between batches instead.

    python benchmarks/text_scan.py --quick
    python benchmarks/text_scan.py --messages 1000000 --data /tmp/synth-train
    python benchmarks/text_scan.py --messages 1000000 --data /tmp/synth-train --distinct
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import re
import statistics
import time
from datetime import datetime, timedelta, timezone

from vaktpost.bulkwork import collector_paused
from vaktpost.model import Message, Participant, Role
from vaktpost.text import analyse_conversations, memo
from vaktpost.text.dialogue import Turn, apply_dialogue
from vaktpost.text.labels import label_message
from vaktpost.text.lexicon import patterns
from vaktpost.text.matcher import Hit, default_matcher
from vaktpost.text.normalise import normalise

LINES = [
    ("b", "hi, are you online tonight?"), ("p", "yes po, show starts at 9"), ("b", "how much for a private show?"),
    ("p", "30 usd via gcash or remitly"), ("b", "ok sent, here is the reference number"), ("p", "thank you, see you later"),
    ("b", "do you have a younger one? 12 or so"), ("p", "yes, my niece is available"), ("p", "no, only adults here"),
    ("b", "hei, er du på nett i kveld?"), ("p", "ja, jeg starter klokka ni"), ("b", "hvor mye koster det?"),
    ("b", "magkano po ang show?"), ("p", "500 php po, gcash"), ("b", "meron ka bang mas bata?"), ("p", "wala po, adult lang"),
    ("b", "naa kay show karon?"), ("p", "oo, sugod ta alas nuebe"), ("b", "pila ang bayad?"), ("p", "my kids are asleep, I start at 9"),
    ("p", "I'm 19 and verified"), ("b", "add me on telegram"), ("b", "I fly to Manila next month, booked a hotel"),
    ("b", "lol nice, good night"), ("p", "thanks for the tip babe"), ("b", "my phone is 12 years old haha"),
]


def built_in(n: int, seed: int = 1) -> list[list[Message]]:
    rnd = random.Random(seed)
    t0 = datetime(2021, 3, 4, tzinfo=timezone.utc)
    convs, made, c = [], 0, 0
    while made < n:
        c += 1
        b, p = Participant(f"u-{c % 5000}", Role.CUSTOMER), Participant(f"p-{c}", Role.PERFORMER)
        k = min(rnd.randint(4, 16), n - made)
        conv = []
        for i in range(k):
            who, text = rnd.choice(LINES)
            s, r = (b, p) if who == "b" else (p, b)
            conv.append(Message("cam", f"c-{c}", f"m-{made + i}", t0 + timedelta(seconds=i), s, text, (r,)))
        convs.append(conv)
        made += k
    return convs


def from_dir(path: str, n: int) -> list[list[Message]]:
    from pathlib import Path

    from vaktpost.text.training import chats_path, group_conversations, read_messages

    msgs = []
    for m in read_messages(chats_path(Path(path))):
        msgs.append(m)
        if len(msgs) >= n:
            break
    while len(msgs) < n:  # repeat the set to reach the size asked for
        msgs.extend(msgs[: n - len(msgs)])
    return group_conversations(msgs)


def _tag(i: int) -> str:
    out = ""
    while True:
        i, r = divmod(i, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[r]
        if not i:
            return " zq" + out


def made_distinct(convs):
    """Every text made unique by a meaningless word, so that nothing is remembered between
    messages (generated chat repeats its lines far more than real chat does)."""
    from dataclasses import replace

    k = 0
    out = []
    for conv in convs:
        new = []
        for m in conv:
            new.append(replace(m, text=(m.text or "") + _tag(k)))
            k += 1
        out.append(new)
    return out


def batches(convs, size):
    batch, count = [], 0
    for c in convs:
        batch.append(c)
        count += len(c)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


CPU: list[float] = []  # CPU seconds of each text-stage run (moves less than wall time under load)


def text_stage(convs, batch_size: int, paused: bool = True) -> float:
    memo.clear()  # each run starts cold: nothing remembered from the run before
    start, cpu = time.perf_counter(), time.process_time()
    with collector_paused() if paused else contextlib.nullcontext():
        for b in batches(convs, batch_size):
            analyse_conversations(b)
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - start


def baseline(convs) -> float:
    """Same patterns, one re.search at a time per message, same labelling and dialogue."""
    compiled = [(p, re.compile(p.regex, re.M)) for p in patterns()]
    start = time.perf_counter()
    for conv in convs:
        turns = []
        for m in conv:
            t = normalise(m.text or "")
            hits = []
            for p, rx in compiled:
                found = rx.search(t)
                if found:
                    hits.append(Hit(p, found.start(), found.end()))
            turns.append(Turn(m.sender.id, tuple(r.id for r in m.recipients), label_message(t, hits, m.sender.role)))
        apply_dialogue(turns)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--baseline-messages", type=int, default=20_000, help="the baseline is slow: measured on this many")
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--data", help="a vaktpost synth output directory")
    ap.add_argument("--quick", action="store_true", help="smoke size: 20,000 messages, 2,000 for the baseline")
    ap.add_argument("--distinct", action="store_true", help="make every text unique (no repeated line is remembered): the worst case")
    ap.add_argument("--collector", choices=("paused", "running"), default="paused",
                    help="the cyclic collector over the timed run: paused (as vaktpost scan runs the stage) or running between batches")
    args = ap.parse_args()
    if args.quick:
        args.messages, args.baseline_messages, args.repeats = 20_000, 2_000, 3
    convs = from_dir(args.data, args.messages) if args.data else built_in(args.messages)
    if args.distinct:
        convs = made_distinct(convs)
    n = sum(len(c) for c in convs)
    base_convs = list(batches(convs, args.baseline_messages))[0]
    nb = sum(len(c) for c in base_convs)
    default_matcher()  # compile outside the timing
    analyse_conversations(base_convs[:10])
    gc.collect()
    gc.freeze()  # the input is this script's: the collector need not walk it (module docstring)
    load_before = os.getloadavg()[0]
    stage = [n / text_stage(convs, args.batch, args.collector == "paused") for _ in range(args.repeats)]
    base = [nb / baseline(base_convs) for _ in range(args.repeats)]
    s, b = statistics.median(stage), statistics.median(base)
    distinct = len({m.text for c in convs for m in c})
    print(f"messages: {n} ({distinct:,} distinct texts; baseline on {nb}), source: {args.data or 'built-in mix'}, repeats: {args.repeats}")
    print(f"text stage (normalise, match, label, dialogue): {s:,.0f} msg/s  runs: {', '.join(f'{x:,.0f}' for x in stage)}")
    print(f"baseline (one re.search per pattern per message): {b:,.0f} msg/s  runs: {', '.join(f'{x:,.0f}' for x in base)}")
    print(f"ratio: {s / b:.1f}x   target: >= 100,000 msg/s and >= 10x")
    print(f"text stage per CPU second: {n / statistics.median(CPU):,.0f} msg/s (CPU runs: {', '.join(f'{c:.2f} s' for c in CPU)}); "
          f"collector {args.collector}; load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
