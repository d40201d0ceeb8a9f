"""The Kafka worker against a real broker (the `kafka_broker` fixture: VAKTPOST_TEST_KAFKA, or a
throw-away tansu; skipped, saying so, only where neither exists — never in CI, see .ci/run).

The same contract as the NATS worker: offsets are committed only after the findings are,
poison goes to the dead-letter topic with the reason header, redelivery stores nothing twice.
"""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import chat_record
from tests.scale.standin import standin_batch
from vaktpost.engines.stream.source import parse_source
from vaktpost.store.tables import findings, imports, messages

pytest.importorskip("confluent_kafka")
pytestmark = pytest.mark.slow  # 7-10 s each: two group joins per test

# tansu (like Kafka's group.initial.rebalance.delay) holds a JoinGroup for part of the session
# timeout; 6 s (Kafka's smallest by default) keeps each test's group join to ~3 s.
SESSION = 6


def _topic() -> str:
    return f"vaktpost-test-{uuid.uuid4().hex[:8]}"


def _source(broker: str, topic: str, **opts):
    query = "&".join(f"{k}={v}" for k, v in {"group": f"g-{topic}", "dead": f"{topic}.dead", "batch": 10,
                                              "session_timeout": SESSION, **opts}.items())
    return parse_source(f"kafka://{broker}/{topic}?{query}")


def _produce(broker: str, topic: str, payloads) -> None:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": broker})
    for p in payloads:
        producer.produce(topic, p if isinstance(p, bytes) else (p if isinstance(p, str) else json.dumps(p)).encode())
    assert producer.flush(30) == 0


def _read_all(broker: str, topic: str, expect: int, timeout: float = 20) -> list:
    """Every record of `topic` from the start, read by partition assignment (no group join)."""
    import time

    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    reader = Consumer({"bootstrap.servers": broker, "group.id": f"r-{uuid.uuid4().hex[:6]}", "enable.auto.commit": False})
    parts = reader.list_topics(topic, timeout=10).topics[topic].partitions
    reader.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
    got, deadline = [], time.monotonic() + timeout
    while len(got) < expect and time.monotonic() < deadline:
        got += [m for m in reader.consume(expect, timeout=0.5) if not m.error()]
    reader.close()
    return got


def _committed(broker: str, src) -> int:
    """Sum of the offsets the worker's group has committed on the topic (0 where none)."""
    from confluent_kafka import Consumer, TopicPartition

    probe = Consumer({"bootstrap.servers": broker, "group.id": src.durable, "enable.auto.commit": False})
    parts = probe.list_topics(src.subject, timeout=10).topics[src.subject].partitions
    offsets = probe.committed([TopicPartition(src.subject, p) for p in parts], timeout=10)
    probe.close()
    return sum(max(tp.offset, 0) for tp in offsets)


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_kafka_worker_commits_after_findings_and_dead_letters_poison(engine, kafka_broker):
    from vaktpost.engines.stream.kafka_worker import REASON_HEADER, run_worker

    topic = _topic()
    poison = ["{broken", json.dumps({**chat_record(999), "sent_at": "yesterday"})]
    _produce(kafka_broker, topic, [*(chat_record(i, text=f"{i} usd") for i in range(15)), *poison,
                                   *(chat_record(i, text=f"{i} usd") for i in range(15, 30))])
    src = _source(kafka_broker, topic)
    # idle_exit counts from the group assignment, not start-up: the join itself takes seconds
    stats = run_worker(engine, src, scan=standin_batch, idle_exit=1.5)
    assert (stats.acked, stats.dead, stats.messages_new) == (30, 2, 30)
    assert _committed(kafka_broker, src) == 32
    again = run_worker(engine, src, scan=standin_batch, idle_exit=1.5)  # offsets were committed
    assert again.acked == again.dead == 0
    assert _count(engine, messages) == 30 and _count(engine, findings) == 30
    dead = _read_all(kafka_broker, src.dead, expect=2)
    dead.sort(key=lambda m: [p.encode() for p in poison].index(m.value()))  # partitions interleave
    assert [m.value() for m in dead] == [p.encode() for p in poison]
    headers = [dict(m.headers()) for m in dead]
    assert headers[0][REASON_HEADER].startswith(b"not valid JSON")
    assert b"sent_at" in headers[1][REASON_HEADER] and b"yesterday" in headers[1][REASON_HEADER]
    where = {m.value(): (m.topic(), m.partition(), m.offset()) for m in _read_all(kafka_broker, topic, expect=32)}
    for m, h in zip(dead, headers):  # each dead letter says where the record was
        assert (h["vaktpost-topic"].decode(), int(h["vaktpost-partition"]), int(h["vaktpost-offset"])) == where[m.value()]


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the worker handles it."""


def test_worker_killed_after_its_commit_and_before_its_offsets_gets_the_batch_again(engine, kafka_broker, monkeypatch):
    from vaktpost.engines.stream import handler
    from vaktpost.engines.stream.kafka_worker import run_worker

    topic = _topic()
    records = [chat_record(i, conversation=f"c-{i % 3}", text=f"{i} usd") for i in range(24)]
    _produce(kafka_broker, topic, records)
    src = _source(kafka_broker, topic, batch=50)
    real = handler.BatchHandler.handle

    def dies_after_commit(self, payloads):
        real(self, payloads)  # the findings are committed ...
        raise Killed  # ... and the process dies before the offsets are

    monkeypatch.setattr(handler.BatchHandler, "handle", dies_after_commit)
    with pytest.raises(Killed):
        run_worker(engine, src, scan=standin_batch, idle_exit=1.5)
    stored = _count(engine, messages)  # the first batch: whatever had arrived, committed
    assert 0 < stored <= 24 and _committed(kafka_broker, src) == 0

    monkeypatch.setattr(handler.BatchHandler, "handle", real)
    stats = run_worker(engine, src, scan=standin_batch, idle_exit=1.5)  # the restart
    assert stats.acked == 24  # the killed batch came again, with the rest
    assert stats.messages_new == 24 - stored  # ... and stored nothing twice
    assert _committed(kafka_broker, src) == 24
    with engine.connect() as conn:
        labelled = conn.execute(select(func.count(func.distinct(findings.c.message_id)))).scalar_one()
    assert _count(engine, messages) == 24 and _count(engine, findings) == labelled == 24


def test_a_failed_database_commit_commits_no_offsets_and_the_batch_is_retried(engine, kafka_broker, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from vaktpost.engines.stream import handler
    from vaktpost.engines.stream.kafka_worker import run_worker

    topic = _topic()
    _produce(kafka_broker, topic, [chat_record(i, text=f"{i} usd") for i in range(20)])
    src = _source(kafka_broker, topic, batch=50)
    real = handler.BatchHandler._transaction
    seen = []

    def flaky(self, batch):
        seen.append(len(batch))
        if len(seen) == 1:
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))
        return real(self, batch)

    monkeypatch.setattr(handler.BatchHandler, "_transaction", flaky)
    stats = run_worker(engine, src, scan=standin_batch, idle_exit=2.5)
    assert len(seen) >= 2 and sum(seen[1:]) == 20  # the worker sought back and read the batch again
    assert (stats.acked, stats.dead, stats.messages_new) == (20, 0, 20)
    assert _count(engine, messages) == 20 and _count(engine, findings) == 20
    assert _committed(kafka_broker, src) == 20


def test_republished_records_are_acked_and_store_nothing_new(engine, kafka_broker):
    from vaktpost.engines.stream.kafka_worker import run_worker

    topic = _topic()
    records = [chat_record(i, conversation=f"c-{i % 4}", text=f"{i} usd" if i % 2 else "hi") for i in range(40)]
    _produce(kafka_broker, topic, records)
    src = _source(kafka_broker, topic)
    first = run_worker(engine, src, scan=standin_batch, idle_exit=1.5)
    with engine.connect() as conn:
        before = sorted(conn.execute(select(findings.c.id, findings.c.message_id, findings.c.score)).all())
    _produce(kafka_broker, topic, records[::-1])  # the platform sends them all again
    again = run_worker(engine, src, scan=standin_batch, idle_exit=1.5)
    assert first.messages_new == 40 and (again.acked, again.messages_new) == (40, 0)
    with engine.connect() as conn:
        after = sorted(conn.execute(select(findings.c.id, findings.c.message_id, findings.c.score)).all())
    assert after == before and len(after) == 20
    assert _count(engine, messages) == 40 and _count(engine, imports) >= 2
