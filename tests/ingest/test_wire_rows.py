"""JSONL lines go straight to wire rows (no Message in between): the rows, and the errors,
must be exactly those of the Message path."""

from __future__ import annotations

from datetime import timedelta, timezone

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaktpost.ingest.records import RecordError, message_from_record, wire_row_from_record
from vaktpost.ingest.wire import wire_row

BASE = {
    "platform": "cam", "conversation_id": "c-1", "message_id": "m-1", "sent_at": "2024-05-01T10:00:00+02:00",
    "sender": {"id": "a-1", "name": "ann", "role": "customer"}, "recipients": [{"id": "a-2", "role": "performer"}],
    "text": "hi",
}


def _both(record, zone=None):
    try:
        expected = wire_row(message_from_record(record, zone))
    except RecordError as exc:
        with pytest.raises(RecordError) as got:
            wire_row_from_record(record, zone)
        assert (str(got.value), got.value.key) == (str(exc), exc.key)
        return None
    assert wire_row_from_record(record, zone) == expected
    return expected


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"text": None}, {"text": 5}, {"recipients": None}, {"recipients": "a-2"}, {"recipients": [{"id": ""}]},
        {"recipients": [{"id": 7, "role": "facilitator", "name": 3}, {"id": "x"}]}, {"sender": None}, {"sender": "a-1"},
        {"sender": {"id": "a-1", "role": "boss"}}, {"sender": {"id": 12}}, {"platform": ""}, {"platform": 3},
        {"message_id": 1.5}, {"sent_at": "yesterday"}, {"sent_at": "2024-05-01T10:00:00"}, {"sent_at": None},
        {"attachments": [{"path": "a.jpg", "sha256": "ab", "md5": None}, {}]}, {"attachments": {}},
        {"attachments": ["x"]}, {"meta": {"k": [1, 2]}}, {"meta": []}, {"extra": {"n": 1}, "meta": {"k": 1}},
        {"ip": "10.0.0.1", "country": "PH"}, {"ip": True}, {"platform": None, "sent_at": "bad"},
        # lines the plain path (records._plain_wire_row) takes or must leave to the full checks
        {"sent_at": "2024-05-01T10:00:00Z"}, {"sent_at": "2024-05-01 23:59:59Z"}, {"sent_at": "2024-W18-3T10:00:00Z"},
        {"sent_at": "2024-05-01T10:00:00.5Z"}, {"attachments": []}, {"meta": {}}, {"meta": 0}, {"ip": "", "country": ""},
        {"sender": {"id": "a-1", "role": ""}}, {"sender": {"id": "a-1", "role": 0}}, {"sender": {"id": "a-1", "name": 5}},
        {"recipients": [{"id": "a-2", "name": "bo"}, {"id": "a-3", "role": "buyer"}]}, {"recipients": []},
        {"recipients": [{"id": "a-2", "role": None}]}, {"country": 7},
    ],
)
def test_each_rule_gives_the_same_row_or_the_same_error(change):
    record = {**BASE, **change}
    record = {k: v for k, v in record.items() if v is not None or k in ("text",)}
    _both(record)
    _both(record, timezone(timedelta(hours=8)))


def test_not_an_object():
    _both(["a list"])
    _both("text")


_values = st.one_of(st.none(), st.text(max_size=5), st.integers(-3, 3), st.booleans(), st.just({}), st.just([]))


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "platform": _values, "conversation_id": _values, "message_id": _values, "text": _values, "ip": _values,
            "sent_at": st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01 12:30:00.5+05:30", "x", ""]),
            "sender": st.one_of(_values, st.fixed_dictionaries({"id": _values}, optional={"role": _values, "name": _values})),
            "recipients": st.one_of(_values, st.lists(st.fixed_dictionaries({"id": _values}, optional={"role": _values}), max_size=2)),
            "attachments": st.one_of(_values, st.lists(st.fixed_dictionaries({}, optional={"path": _values, "mime": _values}), max_size=2)),
            "meta": _values, "other": _values,
        },
    )
)
@settings(max_examples=300)  # slow draws on a loaded machine: tests/conftest.py's hypothesis profile
def test_any_record_gives_the_same_row_or_error(record):
    _both(record)


def test_generated_lines(tmp_path):
    from vaktpost.synth import GeneratorOptions, generate

    generate(GeneratorOptions(out=tmp_path, messages=1_500, seed=4, split="train"))
    lines = (tmp_path / "chats.jsonl").read_bytes().splitlines()
    assert all(_both(orjson.loads(line)) is not None for line in lines)


def test_repeated_values_are_shared_and_rows_unchanged():
    """Lines naming the same conversation, sender and recipients give rows that share those
    values (pickled once per batch), equal to the rows the Message path gives."""
    second = {**BASE, "message_id": "m-2", "sent_at": "2024-05-01T10:00:05Z"}
    assert _both(BASE) is not None and _both(second) is not None
    a, b = wire_row_from_record(orjson.loads(orjson.dumps(BASE))), wire_row_from_record(orjson.loads(orjson.dumps(second)))
    assert a.conversation_id is b.conversation_id and a.sender_id is b.sender_id
    assert a.recipients is b.recipients and a.recipients_json is b.recipients_json
    assert b.sent_at == "2024-05-01 10:00:05.000000"
