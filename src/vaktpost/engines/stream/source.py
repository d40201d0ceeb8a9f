"""`--source` URLs for `vaktpost worker`.

    nats://HOST:PORT[,HOST:PORT]/SUBJECT?stream=VAKTPOST&durable=vaktpost&dead=vaktpost.dead
    kafka://BROKER:PORT[,BROKER:PORT]/TOPIC?group=vaktpost&dead=vaktpost.dead&session_timeout=45

Everything after `?` is optional; the defaults are the names in docs/operations.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from vaktpost.errors import UserError

_INTS = {"batch": 500, "max_deliver": 20}
_FLOATS = {"ack_wait": 30.0, "session_timeout": 45.0}


@dataclass(frozen=True)
class StreamSource:
    scheme: str  # "nats" or "kafka"
    servers: tuple[str, ...]
    subject: str  # NATS subject or Kafka topic
    stream: str = "VAKTPOST"
    durable: str = "vaktpost"  # NATS durable consumer / Kafka consumer group
    dead: str = "vaktpost.dead"
    batch: int = 500
    ack_wait: float = 30.0
    max_deliver: int = 20
    session_timeout: float = 45.0  # Kafka: seconds before a silent member's partitions move on

    @property
    def label(self) -> str:
        """What the `imports` rows say the messages came from (no credentials)."""
        return f"{self.scheme}:{self.subject}"


def parse_source(url: str) -> StreamSource:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("nats", "kafka"):
        raise UserError("the source must be a nats:// or kafka:// URL", where=url)
    hosts = tuple(h for h in parts.netloc.rsplit("@", 1)[-1].split(",") if h)
    subject = parts.path.strip("/")
    if not hosts or not subject:
        raise UserError("the source needs a host and a subject/topic, e.g. nats://127.0.0.1:4222/vaktpost.messages", where=url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    extra: dict = {}
    for key in ("stream", "dead"):
        if key in query:
            extra[key] = query.pop(key)
    name = query.pop("durable", None) or query.pop("group", None)
    if name:
        extra["durable"] = name
    for key, kind in [*((k, int) for k in _INTS), *((k, float) for k in _FLOATS)]:
        if key in query:
            try:
                extra[key] = kind(query.pop(key))
            except ValueError:
                raise UserError(f"{key} must be a number", where=url) from None
            if extra[key] <= 0:
                raise UserError(f"{key} must be above 0", where=url)
    if query:
        raise UserError(f"unknown option(s) {', '.join(sorted(query))}", where=url)
    servers = tuple(f"nats://{h}" for h in hosts) if scheme == "nats" else hosts
    return StreamSource(scheme, servers, subject, **extra)
