"""The analysis stage around the pure core: whole conversations in, findings replaced, not appended."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import chat_record, write_jsonl
from vaktpost.engines import local
from vaktpost.ingest.importer import import_file
from vaktpost.model import Finding, Label, Signal
from vaktpost.store.queries import funnels, iter_text_findings
from vaktpost.store.tables import findings, signals


def keyword_detector(conversations):
    """Stands in for the text stage: labels the word 'younger' as a request."""
    out = []
    for m in (m for conv in conversations for m in conv):
        at = m.text.find("younger")
        if at >= 0:
            sig = Signal(Label.MINOR_REQUEST, at, at + 7, "test:younger", 0.9)
            out.append(Finding(m.platform, m.message_id, m.conversation_id, m.sender.id, (sig,), 0.9))
    return out


def test_findings_are_stored_with_evidence_and_replaced_on_rescan(engine, tmp_path, monkeypatch):
    seen_sizes = []

    def detector(conversations):
        seen_sizes.extend(len(c) for c in conversations)
        return keyword_detector(conversations)

    monkeypatch.setattr(local, "scan_conversations", detector)
    first = write_jsonl(tmp_path / "a.jsonl", [chat_record(1), chat_record(2, text="do you have a younger one?")])
    result = import_file(engine, first)
    assert local.analyse_conversations(engine, result.conversation_keys) == 1

    # A later file adds to the same conversation: the stage sees all three messages, in order.
    second = write_jsonl(tmp_path / "b.jsonl", [chat_record(3, sender="p-1", recipient="u-1", text="and younger?")])
    result = import_file(engine, second)
    assert local.analyse_conversations(engine, result.conversation_keys) == 2
    assert seen_sizes == [2, 3]

    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(findings)).scalar_one() == 2
        assert conn.execute(select(func.count()).select_from(signals)).scalar_one() == 2
        rows = list(iter_text_findings(conn))
        by_actor = {f.actor_id: f for f in funnels(conn)}
    assert [r["message_id"] for r in rows] == ["m-000002", "m-000003"]
    first_row = rows[0]
    assert first_row["labels"] == ["MINOR_REQUEST"] and first_row["actor_id"] == "u-1"
    text = "do you have a younger one?"
    span = first_row["evidence"][0]
    assert text[span["start"] : span["end"]] == "younger" and span["rule"] == "test:younger"
    assert by_actor["u-1"].counts["asked_minor"] == 1


def test_rescan_keeps_finding_ids_and_drops_findings_no_longer_found(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(local, "scan_conversations", keyword_detector)
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [chat_record(1, text="a younger one?"), chat_record(2, text="younger please"), chat_record(3)],
    )
    keys = import_file(engine, path).conversation_keys
    local.analyse_conversations(engine, keys)
    with engine.connect() as conn:
        before = dict(conn.execute(select(findings.c.message_id, findings.c.id)).all())

    def only_first(conversations):
        return [f for f in keyword_detector(conversations) if f.message_id == "m-000001"]

    monkeypatch.setattr(local, "scan_conversations", only_first)
    assert local.analyse_conversations(engine, keys) == 1
    with engine.connect() as conn:
        after = dict(conn.execute(select(findings.c.message_id, findings.c.id)).all())
        n_signals = conn.execute(select(func.count()).select_from(signals)).scalar_one()
    assert len(before) == 2 and len(after) == 1
    [(message_key, finding_id)] = after.items()
    assert before[message_key] == finding_id
    assert n_signals == 1
