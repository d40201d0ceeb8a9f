"""One multi-pattern matcher over a batch of normalised messages.

All lexicon patterns of all languages are compiled into one Hyperscan database, and a
batch is scanned as one buffer (messages joined by a newline; a match that runs on past its
message's end — a pattern's whitespace class can take the newline — is dropped, so a
message's hits never depend on its neighbour in the batch), so the cost per message is a
few bytes of scanning instead of one regex call per pattern.
Language is not routed on: every message meets every language's patterns, which is what
code-switched chat needs. Where Hyperscan is missing, the same patterns run through Python's
`re` (slower, same results) so nothing else changes.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from vaktpost import disk_cache
from vaktpost.text.lexicon import Pattern, patterns

try:  # pragma: no cover - exercised by whichever is installed
    import hyperscan
except ImportError:  # pragma: no cover
    hyperscan = None


class Hit(NamedTuple):
    pattern: Pattern
    start: int  # in the normalised text of its message
    end: int


def _hs_regex(regex: str) -> str:
    # Hyperscan has no look-behind; the lexicon regexes avoid it, this only guards.
    return regex


def _compile(pats: Sequence[Pattern]):
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    flags = hyperscan.HS_FLAG_SOM_LEFTMOST | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE
    db.compile(
        expressions=[_hs_regex(p.regex).encode() for p in pats],
        ids=[p.id for p in pats],
        elements=len(pats),
        flags=[flags] * len(pats),
    )
    return db


def _cached_database(pats: Sequence[Pattern]):
    """Compiling the ~14,000 patterns takes about two CPU minutes; keep the compiled database on disk
    (`vaktpost.disk_cache`: owner-only, written atomically), keyed by the patterns, the
    Hyperscan version and the machine, and rebuild on any doubt."""
    key = hashlib.sha256(
        "\x00".join([hyperscan.__version__, platform.machine(), *(f"{p.id}:{p.regex}" for p in pats)]).encode()
    ).hexdigest()[:24]
    name = f"matcher-{key}.hsdb"
    db = _load(name)
    if db is None:
        with disk_cache.building(name):  # another process compiling it: wait, then load its result
            db = _load(name)
            if db is None:
                db = _compile(pats)
                disk_cache.write(name, hyperscan.dumpb(db))
    return db


def _load(name: str):
    data = disk_cache.read(name)
    if data is not None:
        try:
            return hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)
        except Exception:  # damaged, or built for another CPU: compile again
            pass
    return None


class Matcher:
    def __init__(self, pats: Sequence[Pattern] | None = None) -> None:
        self.patterns = tuple(pats if pats is not None else patterns())
        self._db = None
        if hyperscan is not None:
            self._db = _cached_database(self.patterns)
            self._scratch = hyperscan.Scratch(self._db)
        else:
            self._res = [re.compile(p.regex, re.M) for p in self.patterns]

    def scan_batch(self, texts: Sequence[str]) -> list[list[Hit]]:
        """Hits per text, in the order given; offsets are character offsets in each text."""
        out: list[list[Hit]] = [[] for _ in texts]
        if self._db is None:
            for i, t in enumerate(texts):
                for p, rx in zip(self.patterns, self._res):
                    for m in rx.finditer(t):
                        out[i].append(Hit(p, m.start(), m.end()))
            return out
        joined = "\n".join(texts)
        ascii_only = joined.isascii()
        encoded = texts if ascii_only else [t.encode() for t in texts]
        starts, pos = [], 0
        for b in encoded:
            starts.append(pos)
            pos += len(b) + 1
        buf = joined.encode()
        raw: list[tuple[int, int, int]] = []
        append = raw.append

        def on_match(pid: int, s: int, e: int, flags: int, ctx) -> None:
            append((pid, s, e))

        self._db.scan(buf, match_event_handler=on_match, scratch=self._scratch)
        if not raw:
            return out
        pats = self.patterns
        make = tuple.__new__  # Hit(...) without the NamedTuple's Python-level __new__
        which = np.searchsorted(np.asarray(starts), np.fromiter((r[1] for r in raw), dtype=np.int64, count=len(raw)), "right") - 1
        shadowed: set[int] = set()
        for (pid, s, e), i in zip(raw, which.tolist()):
            base = starts[i]
            if e - base > len(encoded[i]):
                # Ran on into a later message (a "\s" or a negated class took the newline): no
                # hit in this one — and, Hyperscan giving only the leftmost start per match
                # end, it hides a hit of the same pattern that starts in the message it ends in.
                shadowed.update(range(i + 1, bisect_right(starts, e - 1)))
                continue
            if ascii_only or len(encoded[i]) == len(texts[i]):
                out[i].append(make(Hit, (pats[pid], s - base, e - base)))
            else:
                b = encoded[i]
                cs = len(b[: s - base].decode("utf-8", "ignore"))
                ce = len(b[: e - base].decode("utf-8", "ignore"))
                out[i].append(Hit(pats[pid], cs, ce))
        for j in shadowed:  # those messages alone, so a text's hits never depend on its batch
            out[j] = self.scan_batch([texts[j]])[0]
        return out


def _package_fingerprint() -> str:
    """A hash of every source and data file of the text package: the patterns are a function
    of them (lexicons, folding, number words, the phrase-to-regex code) and of nothing else."""
    base = Path(__file__).parent
    h = hashlib.sha256(platform.python_version().encode())
    for f in sorted(base.rglob("*")):
        if f.suffix in (".py", ".json", ".txt", ".tsv", ".yaml") and f.is_file():
            h.update(str(f.relative_to(base)).encode() + b"\x00" + f.read_bytes() + b"\x00")
    return h.hexdigest()[:24]


def _cached_patterns() -> tuple[Pattern, ...]:
    """`lexicon.patterns()` — folding every phrase and its misspellings takes ~0.5 s per
    process, which a short `vaktpost scan` feels — kept on disk beside the compiled database,
    keyed by the package's files; rebuilt on any doubt."""
    name = f"patterns-{_package_fingerprint()}.json"
    try:
        return tuple(Pattern(*row) for row in json.loads(disk_cache.read(name) or b""))
    except Exception:  # missing or unreadable: build them
        pass
    pats = patterns()
    disk_cache.write(name, json.dumps([[p.id, p.category, p.language, p.regex, p.rule] for p in pats]).encode())
    return pats


@lru_cache(maxsize=1)
def default_matcher() -> Matcher:
    return Matcher(_cached_patterns())
