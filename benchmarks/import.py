"""Import throughput: the project's importer beside a bare stdlib sqlite3 importer, same file.

Baseline (issue 2): the same rows read with `json.loads` and inserted with one
`executemany` per 10,000 rows through the stdlib `sqlite3` module into a flat table with the
same uniqueness rule and the same two secondary indexes as ours (conversation + time,
sender), in WAL mode, one transaction. The project's path does more per row —
validation with line numbers, surrogate keys for actors and conversations, idempotence — so
the question is how much of the bare speed it keeps.

    python benchmarks/import.py              # 1M messages, 3 repeats, medians
    python benchmarks/import.py --quick      # 50k messages, 1 repeat
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from vaktpost.ingest.importer import ImportOptions, import_file
from vaktpost.store.db import make_engine, upgrade

WORDS = "hi online tonight show price ok yes no later today thanks where when how much app number".split()


def make_corpus(path: Path, n: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    actors = max(100, n // 50)
    convs = max(50, n // 10)
    with path.open("w") as fh:
        for i in range(n):
            c = rnd.randrange(convs)
            a, b = f"u-{c % actors}", f"p-{(c * 7) % actors}"
            if rnd.random() < 0.5:
                a, b = b, a
            rec = {
                "platform": "camsite",
                "conversation_id": f"c-{c}",
                "message_id": f"m-{i:09d}",
                "sent_at": f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z",
                "sender": {"id": a, "name": f"name{a}", "role": "customer" if a[0] == "u" else "performer"},
                "recipients": [{"id": b, "role": "performer" if b[0] == "p" else "customer"}],
                "text": " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 12))),
            }
            fh.write(json.dumps(rec) + "\n")


BASELINE_SCHEMA = """
CREATE TABLE messages (
  id INTEGER PRIMARY KEY, platform TEXT NOT NULL, message_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL, sender_id TEXT NOT NULL, sent_at TEXT NOT NULL,
  text TEXT NOT NULL, recipients TEXT, UNIQUE (platform, message_id));
CREATE INDEX ix_conv_sent ON messages (conversation_id, sent_at);
CREATE INDEX ix_sender ON messages (sender_id);
"""


def baseline(corpus: Path, db: Path) -> float:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(BASELINE_SCHEMA)
    sql = "INSERT OR IGNORE INTO messages (platform, message_id, conversation_id, sender_id, sent_at, text, recipients) VALUES (?,?,?,?,?,?,?)"
    started = time.perf_counter()
    conn.execute("BEGIN")
    rows = []
    with corpus.open("rb") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append((r["platform"], r["message_id"], r["conversation_id"], r["sender"]["id"], r["sent_at"], r["text"], json.dumps(r["recipients"])))
            if len(rows) == 10_000:
                conn.executemany(sql, rows)
                rows = []
    if rows:
        conn.executemany(sql, rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def project(corpus: Path, db: Path) -> float:
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    started = time.perf_counter()
    result = import_file(engine, corpus, ImportOptions(batch_size=10_000))
    elapsed = time.perf_counter() - started
    engine.dispose()
    assert result.messages_new > 0
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.repeat = 50_000, 1
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        corpus = tmpdir / "corpus.jsonl"
        make_corpus(corpus, args.messages)
        ours, base = [], []
        for i in range(args.repeat):  # interleaved, so drift on a shared machine hits both
            base.append(args.messages / baseline(corpus, tmpdir / f"base{i}.db"))
            ours.append(args.messages / project(corpus, tmpdir / f"ours{i}.db"))
            print(f"run {i + 1}: vaktpost {ours[-1]:,.0f} msg/s   sqlite3 executemany {base[-1]:,.0f} msg/s", flush=True)
    o, b = statistics.median(ours), statistics.median(base)
    print(f"\nimport of {args.messages:,} canonical lines into SQLite (median of {args.repeat})")
    print(f"  vaktpost import_file        {o:>10,.0f} messages/s   (target >= 50,000)")
    print(f"  baseline sqlite3 executemany{b:>10,.0f} messages/s")
    print(f"  ratio                       {o / b:>10.2f}x          (target >= 0.5x)")


if __name__ == "__main__":
    main()
