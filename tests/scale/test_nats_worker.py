"""The NATS JetStream worker: import, analyse, ack after commit, dead-letter poison records."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.conftest import chat_record
from tests.scale.conftest import dead_letters, publish
from tests.scale.standin import standin_batch
from vaktpost.engines.stream.nats_worker import REASON_HEADER, run_worker
from vaktpost.engines.stream.source import parse_source
from vaktpost.store.tables import findings, imports, messages


def _source(nats_server, subject, **opts):
    stream = subject.replace(".", "_").upper()
    query = "&".join(f"{k}={v}" for k, v in {"stream": stream, "durable": "w", "dead": f"{subject}.dead", "batch": 50, **opts}.items())
    return parse_source(f"nats://{nats_server.url}/{subject}?{query}"), stream


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_records_are_imported_analysed_and_poison_is_dead_lettered_with_its_reason(engine, nats_server, subject):
    src, stream = _source(nats_server, subject)
    good = [chat_record(i, text=f"it costs {i} usd" if i % 2 else "hi") for i in range(120)]
    poison = ["{not json", json.dumps({**chat_record(999), "sent_at": "yesterday"})]
    publish(nats_server.url, subject, stream, [*good[:60], *poison, *good[60:]])

    stats = run_worker(engine, src, scan=standin_batch, idle_exit=1.5)

    assert stats.acked == 120 and stats.dead == 2 and stats.messages_new == 120
    assert _count(engine, messages) == 120
    assert _count(engine, findings) == 60  # the odd-numbered messages mention a price
    dead = dead_letters(nats_server.url, stream)
    assert [d for d, _ in dead] == [p.encode() for p in poison]
    reasons = [h[REASON_HEADER] for _, h in dead]
    assert reasons[0].startswith("not valid JSON")
    assert "sent_at" in reasons[1] and "yesterday" in reasons[1]


def test_redelivered_and_republished_records_change_nothing(engine, nats_server, subject):
    src, stream = _source(nats_server, subject)
    records = [chat_record(i, conversation=f"c-{i % 7}", text=f"{i} usd") for i in range(70)]
    publish(nats_server.url, subject, stream, records)
    run_worker(engine, src, scan=standin_batch, idle_exit=1.0)
    with engine.connect() as conn:
        before = sorted(conn.execute(select(findings.c.id, findings.c.message_id, findings.c.score)).all())
    publish(nats_server.url, subject, stream, records[::-1])  # the platform sends them all again
    stats = run_worker(engine, src, scan=standin_batch, idle_exit=1.0)
    assert stats.acked == 70 and stats.messages_new == 0
    with engine.connect() as conn:
        after = sorted(conn.execute(select(findings.c.id, findings.c.message_id, findings.c.score)).all())
    assert _count(engine, messages) == 70
    assert after == before and len(after) == 70
    assert _count(engine, imports) >= 2  # each committed batch leaves its provenance row


def test_unacknowledged_batch_is_redelivered_after_a_failed_commit(engine, nats_server, subject, monkeypatch):
    """A commit that fails acknowledges nothing; the broker redelivers and the next try lands."""
    from sqlalchemy.exc import OperationalError

    from vaktpost.engines.stream import handler

    src, stream = _source(nats_server, subject, ack_wait=1)
    publish(nats_server.url, subject, stream, [chat_record(i, text=f"{i} usd") for i in range(30)])
    real = handler.BatchHandler._transaction
    calls = {"n": 0}

    def flaky(self, batch):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))
        return real(self, batch)

    monkeypatch.setattr(handler.BatchHandler, "_transaction", flaky)
    stats = run_worker(engine, src, scan=standin_batch, idle_exit=4.0)
    assert calls["n"] >= 2
    # At-least-once: a commit that outlasts ack_wait gets a message redelivered and acked
    # twice (seen on PostgreSQL); the store must still hold each message exactly once.
    assert stats.acked >= 30 and stats.dead == 0
    assert stats.messages_new == 30
    assert _count(engine, messages) == 30 and _count(engine, findings) == 30
