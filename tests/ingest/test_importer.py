"""Import into the store: idempotent, all-or-nothing per file, rejects set aside on request."""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import func, select

from tests.conftest import chat_record, write_jsonl
from vaktpost.errors import UserError
from vaktpost.ingest.importer import ImportOptions, detect_format, import_file
from vaktpost.store.tables import actors, conversations, imports, messages, platforms


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def snapshot(engine) -> dict:
    return {t.name: count(engine, t) for t in (platforms, actors, conversations, messages, imports)}


def test_import_stores_messages_actors_and_conversations(engine, tmp_path):
    recs = [chat_record(i, conversation=f"c-{i % 3}", sender=f"u-{i % 2}", recipient="p-1") for i in range(30)]
    result = import_file(engine, write_jsonl(tmp_path / "a.jsonl", recs))
    assert (result.messages_read, result.messages_new, result.messages_seen_before) == (30, 30, 0)
    assert snapshot(engine) == {"platforms": 1, "actors": 3, "conversations": 3, "messages": 30, "imports": 1}
    assert len(result.conversation_keys) == 3


def test_reimport_of_the_same_ids_changes_nothing(engine, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [chat_record(i) for i in range(50)])
    import_file(engine, path)
    with engine.connect() as conn:
        before = conn.execute(select(messages).order_by(messages.c.id)).all()
    again = import_file(engine, path)
    assert (again.messages_new, again.messages_seen_before) == (0, 50)
    with engine.connect() as conn:
        after = conn.execute(select(messages).order_by(messages.c.id)).all()
    assert after == before


def test_same_message_id_on_another_platform_is_another_message(engine, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [chat_record(1), chat_record(1, platform="otherapp")])
    assert import_file(engine, path).messages_new == 2


def test_bad_line_at_the_end_of_10k_lines_leaves_the_database_unchanged(engine, tmp_path):
    import_file(engine, write_jsonl(tmp_path / "first.jsonl", [chat_record(i) for i in range(10)]))
    before = snapshot(engine)
    recs = [chat_record(i, conversation=f"c-{i % 97}", sender=f"u-{i % 13}") for i in range(100, 10_100)]
    bad = chat_record(99_999)
    del bad["sent_at"]
    path = write_jsonl(tmp_path / "big.jsonl", recs + [bad])
    with pytest.raises(UserError) as err:
        import_file(engine, path, ImportOptions(batch_size=1000))
    assert err.value.where == f"{path}:10001"
    assert "sent_at" in str(err.value) and "nothing imported" in str(err.value)
    assert snapshot(engine) == before
    assert not list(tmp_path.glob("*.rejects.jsonl*"))


def test_error_message_counts_every_bad_line(engine, tmp_path):
    recs = [chat_record(i) for i in range(20)]
    lines = [*recs[:5], "not json", *recs[5:10], '{"platform": "x"}', *recs[10:]]
    with pytest.raises(UserError, match=r"2 invalid record\(s\).*line 6.*line 12"):
        import_file(engine, write_jsonl(tmp_path / "a.jsonl", lines))
    assert count(engine, messages) == 0


def test_skip_invalid_imports_the_rest_and_writes_rejects_beside_the_input(engine, tmp_path):
    recs = [chat_record(i) for i in range(10)]
    path = write_jsonl(tmp_path / "a.jsonl", [*recs[:4], "{broken", *recs[4:]])
    result = import_file(engine, path, ImportOptions(skip_invalid=True))
    assert (result.messages_new, result.rejected) == (10, 1)
    rejects = (tmp_path / "a.jsonl.rejects.jsonl").read_text().splitlines()
    assert len(rejects) == 1 and '"line":5' in rejects[0] and "{broken" in rejects[0]
    assert not list(tmp_path.glob("*.partial"))


def test_truncated_gzip_leaves_the_database_unchanged(engine, tmp_path):
    body = b"".join((__import__("json").dumps(chat_record(i)) + "\n").encode() for i in range(20_000))
    data = gzip.compress(body)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: int(len(data) * 0.8)])
    with pytest.raises(UserError, match="truncated"):
        import_file(engine, path, ImportOptions(batch_size=1000))
    assert count(engine, messages) == 0 and count(engine, imports) == 0


def test_file_of_only_blank_lines_is_an_error(engine, tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_text("\n\n")
    with pytest.raises(UserError, match="no messages"):
        import_file(engine, path)


def test_recipients_missing_in_the_export_are_left_for_the_conversation_to_supply(engine, tmp_path):
    rec = chat_record(1)
    del rec["recipients"]
    import_file(engine, write_jsonl(tmp_path / "a.jsonl", [rec]))
    with engine.connect() as conn:
        assert conn.execute(select(messages.c.recipients)).scalar_one() is None


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("chat.jsonl.gz", None, "jsonl"),
        ("chat.csv", None, "csv"),
        ("corpus.xml", None, "pan12"),
        ("export.dat", b'{"platform": "x"}\n', "jsonl"),
        ("export.dat", b"<conversations/>", "pan12"),
        ("export.dat", b"platform,conversation_id\n", "csv"),
    ],
)
def test_format_is_detected_from_name_then_content(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content or b"x")
    assert detect_format(path) == expected


def _table_contents(engine):
    with engine.connect() as conn:
        return {
            "messages": conn.execute(
                select(messages.c.message_id, messages.c.sent_at, messages.c.text, messages.c.recipients, messages.c.meta)
                .order_by(messages.c.message_id)
            ).all(),
            "actors": conn.execute(select(actors.c.account_id, actors.c.name, actors.c.role).order_by(actors.c.account_id)).all(),
            "conversations": conn.execute(select(conversations.c.conversation_id).order_by(conversations.c.conversation_id)).all(),
        }


def test_reading_in_a_child_process_stores_exactly_what_reading_here_stores(tmp_path):
    from vaktpost.store.db import make_engine, upgrade

    recs = [
        chat_record(i, conversation=f"c-{i % 31}", sender=f"u-{i % 7}", recipient=f"p-{i % 5}", meta={"n": i})
        for i in range(3_000)
    ]
    recs[17]["sent_at"] = "2021-03-04T23:00:00+09:00"
    path = write_jsonl(tmp_path / "a.jsonl", recs)
    contents = []
    for parallel in (False, True):
        engine = make_engine(f"sqlite:///{tmp_path / f'p{parallel}.db'}")
        upgrade(engine)
        result = import_file(engine, path, ImportOptions(parallel=parallel, batch_size=500))
        assert result.messages_new == 3_000 and len(result.conversation_keys) == 31
        contents.append(_table_contents(engine))
    assert contents[0] == contents[1]


def test_child_process_errors_refuse_the_file_like_reading_here(engine, tmp_path):
    bad = chat_record(2)
    del bad["message_id"]
    path = write_jsonl(tmp_path / "a.jsonl", [chat_record(1), bad])
    with pytest.raises(UserError, match="message_id") as err:
        import_file(engine, path, ImportOptions(parallel=True))
    assert err.value.where == f"{path}:2"
    body = b"".join((__import__("json").dumps(chat_record(i)) + "\n").encode() for i in range(20_000))
    cut = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(body)
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError, match="truncated"):
        import_file(engine, cut, ImportOptions(parallel=True))
    assert count(engine, messages) == 0
