"""The platform ingest API: API tokens and roles, idempotent batches, bad records named,
413 over the limits, 429 with Retry-After when every batch slot is busy, OpenAPI documented."""

from __future__ import annotations

import json
import threading

from sqlalchemy import func, select

from tests.conftest import chat_record
from vaktpost.store.tables import findings, messages

URL = "/api/ingest/messages"


def _count(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_batch_is_stored_analysed_and_a_resend_counts_nothing_twice(platform, engine):
    client, tokens = platform
    batch = [chat_record(i, text=f"{i} usd") for i in range(5)] + [{**chat_record(9), "sender": "nobody"}]
    first = client.post(URL, json={"messages": batch}, headers=tokens["platform"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["received"], body["new"], body["seen_before"], body["conversations"], body["findings"]) == (6, 5, 0, 1, 5)
    assert body["rejected"] == [{"index": 5, "reason": body["rejected"][0]["reason"]}]
    assert "sender" in body["rejected"][0]["reason"]
    again = client.post(URL, json={"messages": batch[:5]}, headers=tokens["platform"]).json()
    assert (again["new"], again["seen_before"], again["findings"]) == (0, 5, 5)
    assert _count(engine, messages) == 5 and _count(engine, findings) == 5


def test_only_the_platform_role_may_ingest(platform):
    client, tokens = platform
    ok = {"messages": [chat_record(1)]}
    assert client.post(URL, json=ok).status_code == 401
    assert client.post(URL, json=ok, headers={"Authorization": "Bearer vpt_not-a-token"}).status_code == 401
    assert client.post(URL, json=ok, headers=tokens["reviewer"]).status_code == 403


def test_limits_are_413_and_shape_errors_422(platform):
    client, tokens = platform
    many = {"messages": [chat_record(i) for i in range(101)]}
    assert client.post(URL, json=many, headers=tokens["platform"]).status_code == 413  # 101 > max_batch
    huge = {"messages": [chat_record(1, text="x" * 70_000)]}
    assert client.post(URL, json=huge, headers=tokens["platform"]).status_code == 413  # bytes
    assert client.post(URL, content=b"[1, 2]", headers={**tokens["platform"], "content-type": "application/json"}).status_code == 422


def test_busy_server_answers_429_with_retry_after(platform, engine, monkeypatch):
    """With the one batch slot held by a slow batch, the next request is turned away at once."""
    from vaktpost.engines.stream import handler

    client, tokens = platform
    entered, release = threading.Event(), threading.Event()
    real = handler.BatchHandler.handle

    def slow(self, payloads):
        entered.set()
        release.wait(10)
        return real(self, payloads)

    monkeypatch.setattr(handler.BatchHandler, "handle", slow)
    results = {}
    t = threading.Thread(target=lambda: results.setdefault("first", client.post(URL, json={"messages": [chat_record(1)]}, headers=tokens["platform"])))
    t.start()
    assert entered.wait(10)
    busy = client.post(URL, json={"messages": [chat_record(2)]}, headers=tokens["platform"])
    release.set()
    t.join(10)
    assert busy.status_code == 429 and busy.headers["retry-after"] == "3"
    assert results["first"].status_code == 200
    assert _count(engine, messages) == 1


def test_ingest_is_in_the_openapi_document(platform):
    client, _ = platform
    doc = client.app.openapi()
    op = doc["paths"][URL]["post"]
    assert {"200", "413", "429"} <= set(op["responses"]) and "ingest" in op["tags"]
    assert "BatchReceipt" in json.dumps(doc["components"]["schemas"])
