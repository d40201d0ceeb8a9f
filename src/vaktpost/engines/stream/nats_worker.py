"""NATS JetStream worker: a durable pull consumer, a batch at a time, ack after commit.

Delivery is at-least-once. A worker killed between its commit and its acks gets the batch
again (after `ack_wait`); the import skips message ids already stored and the analysis
replaces a conversation's findings rather than adding to them, so a redelivery changes
nothing. Poison records are published to the dead-letter subject (captured by its own
stream) with the reason in the `Vaktpost-Reason` header, and only then acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import time

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError
from sqlalchemy import Engine

from vaktpost.engines.stage import ScanCore, warm_up
from vaktpost.engines.stream.handler import BatchHandler, Transient, WorkerStats
from vaktpost.engines.stream.source import StreamSource

log = logging.getLogger(__name__)
REASON_HEADER = "Vaktpost-Reason"


async def ensure_streams(js, src: StreamSource) -> None:
    """The message stream and the dead-letter stream exist (creating them is idempotent)."""
    for name, subject in ((src.stream, src.subject), (f"{src.stream}_DEAD", src.dead)):
        try:
            await js.stream_info(name)
        except NotFoundError:
            try:
                await js.add_stream(StreamConfig(name=name, subjects=[subject]))
            except BadRequestError:  # another worker created it first
                pass


class NatsWorker:
    def __init__(self, engine: Engine, src: StreamSource, scan: ScanCore | None = None):
        self.src = src
        self.handler = BatchHandler(engine, src.label, scan, freeze_survivors=True)
        self.stats = WorkerStats()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self, idle_exit: float | None = None, max_messages: int | None = None) -> WorkerStats:
        """Consume until stopped, until `idle_exit` seconds pass with nothing to do, or `max_messages`."""
        nc = self._nc = await nats.connect(servers=list(self.src.servers), name="vaktpost-worker", max_reconnect_attempts=-1)
        try:
            js = nc.jetstream()
            await ensure_streams(js, self.src)
            config = ConsumerConfig(
                durable_name=self.src.durable, ack_policy=AckPolicy.EXPLICIT, ack_wait=self.src.ack_wait,
                max_deliver=self.src.max_deliver, max_ack_pending=self.src.batch * 4,
            )
            sub = await js.pull_subscribe(self.src.subject, durable=self.src.durable, stream=self.src.stream, config=config)
            await asyncio.to_thread(warm_up, self.handler.scan)
            log.info("consuming %s from stream %s as %s", self.src.subject, self.src.stream, self.src.durable)
            idle_since = time.monotonic()
            while not self._stop.is_set():
                if max_messages is not None and self.stats.acked + self.stats.dead >= max_messages:
                    break
                try:
                    msgs = await sub.fetch(self.src.batch, timeout=0.5)
                except (TimeoutError, NatsTimeout):
                    msgs = []
                if not msgs:
                    if idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
                        break
                    continue
                idle_since = time.monotonic()
                await self._process(js, msgs)
        finally:
            await nc.flush()
            await nc.close()
        return self.stats

    async def _process(self, js, msgs) -> None:
        try:
            outcome = await asyncio.to_thread(self.handler.handle, [m.data for m in msgs])
        except Transient as exc:
            log.warning("%s; %d message(s) left for redelivery", exc, len(msgs))
            for m in msgs:
                await m.nak(delay=2.0)
            await asyncio.sleep(1.0)
            return
        for i, reason in outcome.poison:
            m = msgs[i]
            headers = {REASON_HEADER: reason[:1000], "Vaktpost-Subject": m.subject,
                       "Vaktpost-Sequence": str(m.metadata.sequence.stream)}
            await js.publish(self.src.dead, m.data, headers=headers)  # waits for the stream's ack
            await m.ack()
        for i in outcome.committed:
            await msgs[i].ack()
        await self._nc.flush()
        self.stats.record(outcome)


def run_worker(engine: Engine, src: StreamSource, scan: ScanCore | None = None, **kw) -> WorkerStats:
    return asyncio.run(NatsWorker(engine, src, scan).run(**kw))
