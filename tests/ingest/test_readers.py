"""Each reader on good and bad input, straight from files on disk."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import chat_record, write_jsonl
from vaktpost.errors import UserError
from vaktpost.ingest.csv_reader import parse_column_mapping, read_csv
from vaktpost.ingest.jsonl import read_jsonl
from vaktpost.ingest.pan12 import read_pan12
from vaktpost.ingest.records import Rejected, parse_zone
from vaktpost.ingest.source import InputFile
from vaktpost.model import Message, Role


def read_all(path: Path, reader, **kw):
    with InputFile(path) as src:
        return list(reader(src, **kw))


def test_jsonl_reads_every_field_and_keeps_unknown_keys_in_meta(tmp_path):
    rec = chat_record(1, ip="203.0.113.9", country="NO", attachments=[{"sha256": "ab" * 32, "path": "media/a.jpg"}])
    rec["meta"] = {"room": "public"}
    rec["client_version"] = "4.2"
    [msg] = read_all(write_jsonl(tmp_path / "a.jsonl", [rec]), read_jsonl)
    assert isinstance(msg, Message)
    assert msg.sent_at == datetime(2021, 3, 4, 21, 0, 1, tzinfo=timezone.utc)
    assert msg.sender.id == "u-1" and msg.sender.role is Role.CUSTOMER
    assert msg.recipients[0].id == "p-1" and msg.recipients[0].role is Role.PERFORMER
    assert msg.attachments[0].path == "media/a.jpg"
    assert (msg.ip, msg.country) == ("203.0.113.9", "NO")
    assert msg.meta == {"room": "public", "client_version": "4.2"}


@pytest.mark.parametrize(
    "mutate, key",
    [
        (lambda r: r.pop("platform"), "platform"),
        (lambda r: r.pop("conversation_id"), "conversation_id"),
        (lambda r: r.pop("message_id"), "message_id"),
        (lambda r: r.pop("sent_at"), "sent_at"),
        (lambda r: r["sender"].pop("id"), "sender.id"),
        (lambda r: r.update(sent_at="yesterday"), "sent_at"),
        (lambda r: r.update(sent_at="2021-03-04T21:13:05"), "sent_at"),
        (lambda r: r["sender"].update(role="boss"), "sender.role"),
        (lambda r: r.update(text=["not", "text"]), "text"),
    ],
)
def test_jsonl_rejects_a_bad_record_naming_line_and_key(tmp_path, mutate, key):
    bad = chat_record(2)
    mutate(bad)
    items = read_all(write_jsonl(tmp_path / "a.jsonl", [chat_record(1), bad]), read_jsonl)
    assert isinstance(items[0], Message)
    assert isinstance(items[1], Rejected)
    assert items[1].line == 2 and items[1].key == key


def test_jsonl_naive_time_is_accepted_when_the_import_names_a_zone(tmp_path):
    rec = chat_record(1, sent_at="2021-03-04T21:13:05")
    [msg] = read_all(write_jsonl(tmp_path / "a.jsonl", [rec]), read_jsonl, zone=parse_zone("Asia/Manila"))
    assert msg.sent_at.astimezone(timezone.utc) == datetime(2021, 3, 4, 13, 13, 5, tzinfo=timezone.utc)


def test_jsonl_not_json_and_not_utf8_are_rejected_with_their_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"platform": \n' + b'{"text": "caf\xe9"}\n')
    first, second = read_all(path, read_jsonl)
    assert first.line == 1 and "not valid JSON" in first.error
    assert second.line == 2 and "UTF-8" in second.error


def test_gzip_input_is_read_transparently(tmp_path):
    plain = write_jsonl(tmp_path / "a.jsonl", [chat_record(i) for i in range(3)])
    gz = tmp_path / "a.jsonl.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    assert [m.message_id for m in read_all(gz, read_jsonl)] == ["m-000000", "m-000001", "m-000002"]


def test_truncated_gzip_is_a_clear_error(tmp_path):
    data = gzip.compress(b"".join(f'{{"n": {i}}}\n'.encode() for i in range(5000)))
    gz = tmp_path / "cut.jsonl.gz"
    gz.write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError, match="truncated"):
        read_all(gz, read_jsonl)


def test_empty_file_and_directory_and_missing_file_are_user_errors(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    with pytest.raises(UserError, match="empty"):
        InputFile(tmp_path / "empty.jsonl")
    with pytest.raises(UserError, match="directory"):
        InputFile(tmp_path)
    with pytest.raises(UserError, match="no such file"):
        InputFile(tmp_path / "absent.jsonl")


CSV_HEADER = "platform,conversation_id,message_id,sent_at,sender_id,sender_role,recipients,text,room\n"


def test_csv_default_mapping_and_extra_columns_go_to_meta(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text(
        CSV_HEADER
        + 'camsite,c-1,m-1,2021-03-04T21:13:05+01:00,u-1,customer,p-1:performer;p-2,"hi, online?",lobby\n'
    )
    [msg] = read_all(path, read_csv)
    assert msg.sent_at.utcoffset().total_seconds() == 3600
    assert [(r.id, r.role) for r in msg.recipients] == [("p-1", Role.PERFORMER), ("p-2", Role.UNKNOWN)]
    assert msg.text == "hi, online?"
    assert msg.meta == {"room": "lobby"}


def test_csv_custom_mapping_renames_columns(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("thread,id,ts,from,body\nt9,x1,2021-01-01T00:00:00Z,acct-5,hello\n")
    mapping = parse_column_mapping(["conversation_id=thread", "message_id=id", "sent_at=ts", "sender_id=from", "text=body"])
    [msg] = read_all(path, read_csv, mapping=mapping, platform="chatapp")
    assert (msg.platform, msg.conversation_id, msg.message_id, msg.sender.id, msg.text) == ("chatapp", "t9", "x1", "acct-5", "hello")


def test_csv_missing_required_column_names_it(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text("platform,conversation_id,message_id,text\ncamsite,c,m,hi\n")
    with pytest.raises(UserError, match="sent_at") as err:
        read_all(path, read_csv)
    assert err.value.where.endswith(":1")


def test_csv_short_row_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text(CSV_HEADER + "camsite,c-1,m-1,2021-03-04T21:13:05Z,u-1,customer,p-1,hi,x\ncamsite,c-1\n")
    items = read_all(path, read_csv)
    assert isinstance(items[0], Message)
    assert isinstance(items[1], Rejected) and items[1].line == 3


def test_csv_bad_mapping_is_a_user_error():
    with pytest.raises(UserError, match="unknown canonical column"):
        parse_column_mapping(["sender=from"])
    with pytest.raises(UserError, match="canonical=header"):
        parse_column_mapping(["sender_id"])


PAN12 = """<?xml version="1.0" encoding="UTF-8"?>
<conversations>
  <conversation id="a1b2">
    <message line="1"><author>hash-buyer</author><time>23:50</time><text>hi</text></message>
    <message line="2"><author>hash-other</author><time>23:58</time><text>hello</text></message>
    <message line="3"><author>hash-buyer</author><time>00:05</time><text>still there?</text></message>
  </conversation>
  <conversation id="c3d4">
    <message line="1"><author>hash-x</author><time>10:00</time><text></text></message>
  </conversation>
</conversations>
"""


def test_pan12_keeps_author_ids_and_rolls_the_day_over(tmp_path):
    path = tmp_path / "pan12.xml"
    path.write_text(PAN12)
    msgs = read_all(path, read_pan12)
    assert [m.message_id for m in msgs] == ["a1b2:1", "a1b2:2", "a1b2:3", "c3d4:1"]
    assert [m.sender.id for m in msgs[:3]] == ["hash-buyer", "hash-other", "hash-buyer"]
    assert msgs[0].platform == "pan12"
    assert msgs[2].sent_at.day == msgs[1].sent_at.day + 1  # 00:05 after 23:58 is the next day
    assert msgs[3].sent_at.day == 1  # a new conversation starts on the base date again
    assert msgs[3].text == ""


def test_pan12_message_without_author_is_rejected_and_malformed_xml_is_an_error(tmp_path):
    path = tmp_path / "p.xml"
    path.write_text('<conversations><conversation id="z"><message line="1"><time>10:00</time><text>x</text></message></conversation></conversations>')
    [rej] = read_all(path, read_pan12)
    assert isinstance(rej, Rejected) and rej.key == "author"
    broken = tmp_path / "broken.xml"
    broken.write_text('<conversations>\n<conversation id="z">\n<message line="1"><author>a</author>\n</conversations>')
    with pytest.raises(UserError, match="malformed XML") as err:
        read_all(broken, read_pan12)
    assert err.value.where.startswith(str(broken))
