"""Check session 7's normalising against the reference it replaced, on real message texts.

Every distinct `text` of the given chat exports (JSONL) goes through the new and the
reference `normalise_batch` (in batches as the memo makes them) and `offset_map`; the
normalised texts and the offset maps must be equal. The reference is the one the tests keep
(`tests/text/test_normalise_speed7.py`). Prints the counts and exits 1 on any difference.

    PYTHONPATH=src python benchmarks/normalise_identical.py /work/eval5/train/*/chats.jsonl
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from vaktpost.text import normalise as N

_REFERENCE = Path(__file__).resolve().parent.parent / "tests" / "text" / "test_normalise_speed7.py"


def _reference():
    spec = importlib.util.spec_from_file_location("normalise_reference7", _REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def distinct_texts(paths: list[str], limit: int | None) -> list[str]:
    seen: dict[str, None] = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                text = json.loads(line).get("text")
                if isinstance(text, str):
                    seen.setdefault(text, None)
    texts = list(seen)
    return texts[:limit] if limit else texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="chat exports (JSONL with a `text` field)")
    parser.add_argument("--batch", type=int, default=20000)
    parser.add_argument("--quick", action="store_true", help="the first 5,000 distinct texts only")
    args = parser.parse_args()
    ref = _reference()
    texts = distinct_texts(args.paths, 5000 if args.quick else None)
    bad = 0
    for i in range(0, len(texts), args.batch):
        chunk = texts[i : i + args.batch]
        new, old = N.normalise_batch(chunk), ref.old_normalise_batch(chunk)
        bad += sum(a != b for a, b in zip(new, old)) + (len(new) != len(old))
    for text in texts:
        t, offsets = N.offset_map(text)
        old_t, old_offsets = ref.old_offset_map(text)
        bad += t != old_t or list(offsets) != list(old_offsets)
    print(f"{len(texts):,} distinct texts: {bad} differ (normalised text or offset map)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
