"""`--source` URLs: defaults, options, and one-line errors for the rest."""

from __future__ import annotations

import pytest

from vaktpost.engines.stream.source import parse_source
from vaktpost.errors import UserError


def test_nats_defaults_and_options():
    src = parse_source("nats://a:4222,b:4222/chat.in")
    assert src.servers == ("nats://a:4222", "nats://b:4222") and src.subject == "chat.in"
    assert (src.stream, src.durable, src.dead, src.batch, src.ack_wait) == ("VAKTPOST", "vaktpost", "vaktpost.dead", 500, 30.0)
    src = parse_source("nats://a:4222/chat.in?stream=S&durable=d&dead=x.dead&batch=50&ack_wait=2.5")
    assert (src.stream, src.durable, src.dead, src.batch, src.ack_wait) == ("S", "d", "x.dead", 50, 2.5)


def test_kafka_group_and_credentials_never_in_the_label():
    src = parse_source("kafka://user:secret@k1:9092/chats?group=g1&dead=chats.dead")
    assert src.scheme == "kafka" and src.servers == ("k1:9092",) and src.durable == "g1"
    assert "secret" not in src.label and src.label == "kafka:chats"


@pytest.mark.parametrize(
    "url, needle",
    [
        ("http://x/y", "nats:// or kafka://"),
        ("nats://127.0.0.1:4222", "subject"),
        ("nats://h/s?batch=many", "batch must be a number"),
        ("nats://h/s?batch=0", "above 0"),
        ("nats://h/s?colour=blue", "unknown option(s) colour"),
    ],
)
def test_bad_sources_are_user_errors(url, needle):
    with pytest.raises(UserError) as err:
        parse_source(url)
    assert needle in str(err.value)
