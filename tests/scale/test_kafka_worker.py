"""The Kafka worker against a real broker named by VAKTPOST_TEST_KAFKA (host:port); skipped,
saying so, where none is given (CI has no Kafka; the NATS tests cover the shared handler)."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import chat_record
from tests.scale.standin import standin_batch
from vaktpost.engines.stream.source import parse_source
from vaktpost.store.tables import findings, messages

BROKER = os.environ.get("VAKTPOST_TEST_KAFKA")
pytestmark = pytest.mark.skipif(not BROKER, reason="VAKTPOST_TEST_KAFKA is not set: no Kafka broker to test the Kafka worker against")


def test_kafka_worker_commits_after_findings_and_dead_letters_poison(engine):
    from confluent_kafka import Consumer, Producer

    from vaktpost.engines.stream.kafka_worker import REASON_HEADER, run_worker

    topic = f"vaktpost-test-{uuid.uuid4().hex[:8]}"
    producer = Producer({"bootstrap.servers": BROKER})
    records = [json.dumps(chat_record(i, text=f"{i} usd")) for i in range(30)] + ["{broken"]
    for r in records:
        producer.produce(topic, r.encode())
    producer.flush(30)
    src = parse_source(f"kafka://{BROKER}/{topic}?group=g-{topic}&dead={topic}.dead&batch=10")
    stats = run_worker(engine, src, scan=standin_batch, idle_exit=5)
    assert (stats.acked, stats.dead) == (30, 1)
    again = run_worker(engine, src, scan=standin_batch, idle_exit=3)  # offsets were committed
    assert again.acked == 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(messages)).scalar_one() == 30
        assert conn.execute(select(func.count()).select_from(findings)).scalar_one() == 30
    dead = Consumer({"bootstrap.servers": BROKER, "group.id": f"d-{topic}", "auto.offset.reset": "earliest"})
    dead.subscribe([f"{topic}.dead"])
    got = [m for m in dead.consume(5, timeout=10) if not m.error()]
    dead.close()
    assert got and got[0].value() == b"{broken" and dict(got[0].headers())[REASON_HEADER].startswith(b"not valid JSON")
