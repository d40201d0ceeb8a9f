"""Where the text stage's regular expressions spend: time, calls and matches per pattern.

Every pattern the package compiles (`re.compile`, before `vaktpost` is imported) is wrapped
in a recorder that times each `search`/`match`/`fullmatch`/`sub`/`finditer`/`findall`/`split`
call (a `finditer` is timed while it is walked, `sub` with its callback inside) and counts
the calls that found something. A pattern that runs on every message while it applies to
few is a candidate for a gate (a cheap test of what the stage already knows). The wrapper's
own cost is in the figures (~0.2 µs a call): rank by them, do not add them up to the stage.

    PYTHONPATH=src python benchmarks/regex_profile.py --data /tmp/train1m --messages 20000
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import traceback
from collections import defaultdict

_compile = re.compile
STATS: dict = defaultdict(lambda: [0, 0, 0])  # (pattern, method, site) → [calls, found, ns]
_clock = time.perf_counter_ns


class _TimedIter:
    __slots__ = ("it", "key")

    def __init__(self, it, key):
        self.it, self.key = it, key

    def __iter__(self):
        return self

    def __next__(self):
        t = _clock()
        try:
            return next(self.it)
        finally:
            s = STATS[self.key]
            s[2] += _clock() - t


class Recorded:
    """A compiled pattern whose calls are timed per (pattern, method, call site)."""

    def __init__(self, rx, site):
        self._rx, self._site = rx, site
        self.pattern, self.flags, self.groups, self.groupindex = rx.pattern, rx.flags, rx.groups, rx.groupindex

    def _key(self, name):
        return (self._rx.pattern[:70], name, self._site)

    def _timed(self, name, *a, **k):
        key = self._key(name)
        t = _clock()
        out = getattr(self._rx, name)(*a, **k)
        dt = _clock() - t
        s = STATS[key]
        s[0] += 1
        s[2] += dt
        if out:
            s[1] += 1
        return out

    def search(self, *a, **k):
        return self._timed("search", *a, **k)

    def match(self, *a, **k):
        return self._timed("match", *a, **k)

    def fullmatch(self, *a, **k):
        return self._timed("fullmatch", *a, **k)

    def sub(self, *a, **k):
        return self._timed("sub", *a, **k)

    def subn(self, *a, **k):
        return self._timed("subn", *a, **k)

    def findall(self, *a, **k):
        return self._timed("findall", *a, **k)

    def split(self, *a, **k):
        return self._timed("split", *a, **k)

    def finditer(self, *a, **k):
        key = self._key("finditer")
        STATS[key][0] += 1
        return _TimedIter(self._rx.finditer(*a, **k), key)

    def scanner(self, *a, **k):
        return self._rx.scanner(*a, **k)


def _recording_compile(pattern, flags=0):
    rx = _compile(pattern, flags)
    if isinstance(pattern, str) and not isinstance(rx, Recorded):
        frame = traceback.extract_stack(limit=2)[0]
        site = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
        return Recorded(rx, site)
    return rx


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="a vaktpost synth output directory (else the built-in mix)")
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    re.compile = _recording_compile  # before any vaktpost module compiles its patterns
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import text_scan
    from vaktpost.text import analyse_conversations, memo
    from vaktpost.text.matcher import default_matcher

    convs = text_scan.from_dir(args.data, args.messages) if args.data else text_scan.built_in(args.messages)
    default_matcher()
    for b in text_scan.batches(convs, 20_000):  # once untimed: every lazily built table is built
        analyse_conversations(b)
    memo.clear()
    STATS.clear()
    t = time.process_time()
    for b in text_scan.batches(convs, 20_000):
        analyse_conversations(b)
    total = time.process_time() - t
    rows = sorted(STATS.items(), key=lambda kv: -kv[1][2])
    in_re = sum(v[2] for v in STATS.values()) / 1e9
    distinct = len({m.text for c in convs for m in c})
    print(f"{sum(map(len, convs)):,} messages, {distinct:,} distinct texts")
    print(f"stage {total:.2f} CPU s (with the recorder), in recorded regex calls {in_re:.2f} s")
    print(f"{'ms':>8} {'calls':>8} {'found':>8}  method    site                 pattern")
    for (pat, name, site), (calls, found, ns) in rows[: args.top]:
        print(f"{ns / 1e6:8.1f} {calls:8d} {found:8d}  {name:9s} {site:20s} {pat!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
