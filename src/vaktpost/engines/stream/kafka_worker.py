"""Kafka worker (confluent-kafka): a consumer group member, offsets committed after the findings.

Same contract as the NATS worker: auto-commit is off; a batch is imported and analysed in one
transaction; poison records are produced to the dead-letter topic with the reason in the
`vaktpost-reason` header and where it came from in `vaktpost-topic`/`-partition`/`-offset`
(and flushed) before the offsets past them are committed. A worker
killed before its offset commit gets the batch again, which changes nothing (idempotent).
Scale out with as many workers in the group as the topic has partitions.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Engine

from vaktpost.engines.stage import ScanCore, warm_up
from vaktpost.engines.stream.handler import BatchHandler, Transient, WorkerStats
from vaktpost.engines.stream.source import StreamSource

log = logging.getLogger(__name__)
REASON_HEADER = "vaktpost-reason"


class KafkaWorker:
    def __init__(self, engine: Engine, src: StreamSource, scan: ScanCore | None = None, extra_config: dict | None = None):
        from confluent_kafka import Consumer, Producer

        common = {"bootstrap.servers": ",".join(src.servers), **(extra_config or {})}
        self.src = src
        self.consumer = Consumer({**common, "group.id": src.durable, "enable.auto.commit": False,
                                  "auto.offset.reset": "earliest", "session.timeout.ms": int(src.session_timeout * 1000),
                                  "max.poll.interval.ms": int(max(src.ack_wait, 60, src.session_timeout) * 1000),
                                  # A broker may hold a fetch this long even with records waiting
                                  # (tansu does; 500 ms by default): it bounds the added latency.
                                  "fetch.wait.max.ms": 50})
        self.producer = Producer({**common, "enable.idempotence": True})
        self.handler = BatchHandler(engine, src.label, scan, freeze_survivors=True)
        self.stats = WorkerStats()
        self._stopped = False
        self._active_at: float | None = None  # the last assignment or batch; None before the first

    def stop(self) -> None:
        self._stopped = True

    def run(self, idle_exit: float | None = None, max_messages: int | None = None) -> WorkerStats:
        warm_up(self.handler.scan)
        self.consumer.subscribe([self.src.subject], on_assign=self._on_assign)
        log.info("consuming %s as group %s", self.src.subject, self.src.durable)
        try:
            while not self._stopped:
                if max_messages is not None and self.stats.acked + self.stats.dead >= max_messages:
                    break
                msgs = self._fetch()
                if not msgs:
                    # Idle only counts once the group has assigned partitions: joining a group
                    # takes seconds (group.initial.rebalance.delay.ms on a broker) with nothing
                    # to read, and a drained-stream exit must not fire before the first poll.
                    if idle_exit is not None and self._active_at is not None and time.monotonic() - self._active_at >= idle_exit:
                        break
                    continue
                self._active_at = time.monotonic()
                self._process(msgs)
        finally:
            self.consumer.close()
        return self.stats

    def _fetch(self) -> list:
        """What has arrived, up to `batch`, waiting at most 0.5 s for the first message.

        `consume(batch, timeout)` alone waits until the batch is full or the timeout passes, which
        at a modest rate holds every message for the whole timeout; this returns at once.
        """
        msgs = self.consumer.consume(self.src.batch, timeout=0)
        if not msgs:
            first = self.consumer.poll(0.5)
            if first is None:
                return []
            msgs = [first, *self.consumer.consume(self.src.batch - 1, timeout=0)] if self.src.batch > 1 else [first]
        return [m for m in msgs if not m.error()]

    def _on_assign(self, consumer, partitions) -> None:
        """Called from poll/consume when a rebalance gives this member its partitions (maybe none)."""
        self._active_at = time.monotonic()
        log.info("assigned %d partition(s) of %s", len(partitions), self.src.subject)

    def _process(self, msgs) -> None:
        try:
            outcome = self.handler.handle([m.value() for m in msgs])
        except Transient as exc:
            log.warning("%s; rewinding %d message(s)", exc, len(msgs))
            from confluent_kafka import TopicPartition

            first: dict[tuple[str, int], int] = {}
            for m in msgs:
                first.setdefault((m.topic(), m.partition()), m.offset())
            for (topic, part), offset in first.items():  # back to the first uncommitted offset
                self.consumer.seek(TopicPartition(topic, part, offset))
            time.sleep(1.0)
            return
        for i, reason in outcome.poison:
            m = msgs[i]
            self.producer.produce(self.src.dead, m.value(), headers=[(REASON_HEADER, reason[:1000].encode()),
                                  ("vaktpost-topic", m.topic().encode()), ("vaktpost-partition", str(m.partition()).encode()),
                                  ("vaktpost-offset", str(m.offset()).encode())])
        if outcome.poison and self.producer.flush(30) != 0:
            raise RuntimeError("the dead-letter topic did not take the poison records; nothing committed")
        self.consumer.commit(asynchronous=False)
        self.stats.record(outcome)


def run_worker(engine: Engine, src: StreamSource, scan: ScanCore | None = None, **kw) -> WorkerStats:
    return KafkaWorker(engine, src, scan).run(**kw)
