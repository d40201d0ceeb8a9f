"""Crash test: the NATS (and the Kafka) worker is SIGKILLed at random points while consuming,
and restarted.

Sizes: NATS 20,000 messages / 5 kills here (marked slow); the issue's 200,000 / 20 by hand with
VAKTPOST_CRASH_MESSAGES=200000 VAKTPOST_CRASH_KILLS=20 (docs/operations.md has the result).
Kafka the same messages, 2 kills: each restart waits out the killed member's 6 s session.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import chat_record
from tests.scale.conftest import publish
from tests.scale.standin import standin_batch, standin_detector
from vaktpost.ingest.records import message_from_record
from vaktpost.store.queries import funnels
from vaktpost.store.tables import findings, messages

ROOT = Path(__file__).resolve().parents[2]
N = int(os.environ.get("VAKTPOST_CRASH_MESSAGES", "20000"))
KILLS = int(os.environ.get("VAKTPOST_CRASH_KILLS", "5"))


def corpus(n: int) -> list[dict]:
    out = []
    for i in range(n):
        conv = i % max(1, n // 25)
        buyer, performer = f"u-{conv % 97}", f"p-{conv % 13}"
        sender, recipient = (buyer, performer) if i % 3 else (performer, buyer)
        text = f"{10 + i % 90} usd for tonight" if i % 5 == 0 else ("how old, what age?" if i % 11 == 0 else f"ok {i}")
        out.append(chat_record(i, conversation=f"c-{conv}", sender=sender, recipient=recipient, text=text))
    return out


def expected_findings(records: list[dict]) -> int:
    by_conv = defaultdict(list)
    for r in records:
        by_conv[r["conversation_id"]].append(message_from_record(r))
    return sum(len(standin_detector(sorted(ms, key=lambda m: (m.sent_at, m.message_id)))) for ms in by_conv.values())


def worker(db_url: str, source: str, idle_exit: float | None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    args = [sys.executable, str(ROOT / "tests/scale/run_worker_standin.py"), "worker", "--source", source, "--db", db_url]
    if idle_exit:
        args += ["--idle-exit", str(idle_exit)]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_sigkilled_worker_loses_nothing_and_counts_nothing_twice(engine, db_url, nats_server, subject):
    records = corpus(N)
    stream = "CRASH"
    source = f"nats://{nats_server.url}/{subject}?stream={stream}&durable=crash&dead={subject}.dead&batch=500&ack_wait=2"
    publish(nats_server.url, subject, stream, records)
    _kill_restart_and_check(engine, db_url, source, records, KILLS, ready=b"consuming")


@pytest.mark.slow
def test_sigkilled_kafka_worker_loses_nothing_and_counts_nothing_twice(engine, db_url, kafka_broker):
    """The same on Kafka, 2 kills (each restart waits out the dead member's 6 s session)."""
    from tests.scale.test_kafka_worker import _produce, _topic

    records = corpus(N)
    topic = _topic()
    _produce(kafka_broker, topic, records)
    source = f"kafka://{kafka_broker}/{topic}?group=crash&dead={topic}.dead&batch=500&session_timeout=6"
    # Killed within 0.5 s of its assignment: a worker drains a few thousand records a second.
    _kill_restart_and_check(engine, db_url, source, records, min(KILLS, 2), ready=b"assigned", within=0.5)


def _kill_restart_and_check(engine, db_url, source, records, kills, ready: bytes, within: float = 1.5):
    """SIGKILL a worker `kills` times at a random moment after it is `ready`, then let one drain."""
    n = len(records)
    rnd = random.Random(8)
    progress = []
    for _ in range(kills):
        proc = worker(db_url, source, None)
        while ready not in (line := proc.stderr.readline()):  # started and subscribed / assigned
            assert line, "the worker exited before consuming"
        time.sleep(rnd.uniform(0.05, within))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with engine.connect() as conn:
            progress.append(conn.execute(select(func.count()).select_from(messages)).scalar_one())
    final = worker(db_url, source, idle_exit=4)
    _, err = final.communicate(timeout=600)
    assert final.returncode == 0, err.decode()[-2000:]

    with engine.connect() as conn:
        n_messages = conn.execute(select(func.count()).select_from(messages)).scalar_one()
        n_distinct = conn.execute(select(func.count(func.distinct(messages.c.message_id)))).scalar_one()
        n_findings = conn.execute(select(func.count()).select_from(findings)).scalar_one()
        labelled = conn.execute(select(func.count(func.distinct(findings.c.message_id)))).scalar_one()
        stored_funnels = {f.actor_id: f.counts for f in funnels(conn)}
    assert progress[-1] < n and sum(0 < p < n for p in progress) >= kills // 2, f"kills not mid-stream: {progress}"
    assert n_messages == n_distinct == n
    assert n_findings == labelled == expected_findings(records)
    # Funnels count distinct counterparts, so a message counted twice would not show there;
    # they are compared with a clean one-pass import of the same records instead.
    assert stored_funnels == _clean_funnels(records, db_url)


def _clean_funnels(records, db_url):
    """The same records imported once by the local engine into a fresh store."""
    import tempfile

    from tests.conftest import write_jsonl
    from vaktpost.engines import local
    from vaktpost.ingest.importer import import_file
    from vaktpost.store.db import make_engine, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        eng = make_engine(f"sqlite:///{tmp}/clean.db")
        upgrade(eng)
        path = write_jsonl(Path(tmp) / "all.jsonl", records)
        keys = import_file(eng, path).conversation_keys
        saved = local.scan_conversations
        local.scan_conversations = standin_batch
        try:
            local.analyse_conversations(eng, keys)
        finally:
            local.scan_conversations = saved
        with eng.connect() as conn:
            out = {f.actor_id: f.counts for f in funnels(conn)}
        eng.dispose()
    return out
