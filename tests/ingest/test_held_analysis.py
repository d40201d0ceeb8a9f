"""`vaktpost scan` analyses the conversations it created from the rows it wrote (no reload):
the stored findings and signals must be exactly those of reloading every conversation.

Each case scans the same files into two fresh stores — once with `HeldMessages`, once by the
plain reload — and compares what the stores hold, message by message.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.conftest import chat_record, store_url, write_jsonl
from vaktpost.engines.local import HeldMessages, analyse_conversations
from vaktpost.ingest.importer import ImportOptions, import_file
from vaktpost.store.db import open_store
from vaktpost.store.tables import findings, messages, platforms, signals

OPTS = ImportOptions(batch_size=400, parallel=False)


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> list[str]:
    from vaktpost.synth import GeneratorOptions, generate

    out = tmp_path_factory.mktemp("held-train")
    generate(GeneratorOptions(out=out, messages=2_500, seed=21, split="train"))
    return (out / "chats.jsonl").read_text(encoding="utf-8").splitlines()


def _scan(engine, paths, held: HeldMessages | None) -> tuple[int, tuple[int, int]]:
    """What `vaktpost scan` does; returns the findings stored and (conversations analysed
    from held rows, conversations analysed)."""
    touched: set[int] = set()
    for path in paths:
        hooks = {"on_written": held.on_written} if held is not None else {}
        touched |= import_file(engine, path, OPTS, **hooks).conversation_keys
    from_held = len([k for k in touched if held is not None and (k in held.rows or k in held.worked_out or k in held.written) and k not in held.dirty])
    return analyse_conversations(engine, touched, held=held), (from_held, len(touched))


def _stored(engine) -> dict:
    """(platform, message id) → (labels, score, sorted signals): what a reviewer would see."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(platforms.c.name, messages.c.message_id, messages.c.id, findings.c.labels, findings.c.score, findings.c.actor_id,
                   messages.c.sender_id)
            .join(messages, messages.c.id == findings.c.message_id)
            .join(platforms, platforms.c.id == messages.c.platform_id)
            .where(findings.c.kind == "text")
        ).all()
        spans: dict[int, list] = {}
        for message_key, *rest in conn.execute(
            select(signals.c.message_id, signals.c.label, signals.c.start, signals.c.end, signals.c.rule, signals.c.score)
        ):
            spans.setdefault(message_key, []).append(tuple(rest))
    out = {}
    for platform, message_id, key, labels, score, actor_key, sender_key in rows:
        assert actor_key == sender_key
        out[(platform, message_id)] = (tuple(labels), score, tuple(sorted(spans.get(key, []))))
    assert set(spans) <= {r[2] for r in rows}  # no signal without its finding
    return out


def _compare(request, db_url, tmp_path, runs, limit=None) -> tuple[dict, list[tuple[int, int]]]:
    """Scan each list of files in turn (a later scan sees the earlier ones' messages) into
    a held store and a reload store; returns the held store's findings and how many
    conversations each held scan analysed from its rows, and in all."""
    held_engine, plain_engine = open_store(db_url), open_store(store_url(request, tmp_path, "plain.db"))
    from_held = []
    for paths in runs:
        held = HeldMessages() if limit is None else HeldMessages(limit=limit)
        n_held, used = _scan(held_engine, paths, held)
        n_plain, _ = _scan(plain_engine, paths, None)
        assert n_held == n_plain
        from_held.append(used)
    got, expected = _stored(held_engine), _stored(plain_engine)
    assert got == expected
    return got, from_held


def test_one_file_gives_the_findings_of_the_reload_without_reloading(request, db_url, tmp_path, lines):
    got, from_held = _compare(request, db_url, tmp_path, [[write_jsonl(tmp_path / "all.jsonl", lines)]])
    assert len(got) > 50  # the generated world has labelled messages
    used, touched = from_held[0]
    assert used == touched > 100  # and every conversation came from the held rows


def test_conversations_spread_over_two_files_of_one_scan_are_reloaded(request, db_url, tmp_path, lines):
    half = len(lines) // 2
    a = write_jsonl(tmp_path / "a.jsonl", lines[:half])
    b = write_jsonl(tmp_path / "b.jsonl", lines[half:])
    _compare(request, db_url, tmp_path, [[a, b]])


def test_a_later_scan_reloads_conversations_stored_before_it(request, db_url, tmp_path, lines):
    third = len(lines) // 3
    first = write_jsonl(tmp_path / "first.jsonl", lines[: 2 * third])
    late = write_jsonl(tmp_path / "late.jsonl", lines[third:])  # overlaps: seen-before ids and new ones
    _, from_held = _compare(request, db_url, tmp_path, [[first], [late], [first]])
    assert from_held[2][0] == 0  # a re-scan creates nothing: every conversation is reloaded


def test_the_rest_of_stored_conversations_is_analysed_with_their_start(request, db_url, tmp_path, lines):
    """A second scan brings the later half of every conversation: each must be reloaded
    whole (the dialogue needs the first half), none analysed from the new rows alone."""
    conv_of = [json.loads(line)["conversation_id"] for line in lines]
    size: dict[str, int] = {}
    for c in conv_of:
        size[c] = size.get(c, 0) + 1
    seen: dict[str, int] = {}
    first, rest = [], []
    for line, c in zip(lines, conv_of):
        (first if seen.get(c, 0) < size[c] / 2 else rest).append(line)
        seen[c] = seen.get(c, 0) + 1
    _, from_held = _compare(request, db_url, tmp_path, [[write_jsonl(tmp_path / "first.jsonl", first)],
                                                        [write_jsonl(tmp_path / "rest.jsonl", rest)]])
    assert from_held[1][0] == 0 and from_held[1][1] > 100


def test_duplicate_ids_in_one_file_fall_back_to_the_reload(request, db_url, tmp_path, lines):
    repeated = lines + lines[:300:7]  # the same message ids again, at the end of the file
    _compare(request, db_url, tmp_path, [[write_jsonl(tmp_path / "dup.jsonl", repeated)]])


def test_past_the_limit_of_held_messages_conversations_are_reloaded(request, db_url, tmp_path, lines):
    path = write_jsonl(tmp_path / "all.jsonl", lines)
    # one batch of 400 fits, not two: rows are let go once their conversation is worked out (a
    # batch later), so only a limit under two batches is ever reached by a file like this
    _, from_held = _compare(request, db_url, tmp_path, [[path]], limit=600)
    used, touched = from_held[0]
    assert 0 < used < touched


def test_senders_are_taken_as_stored_not_as_each_line_says(request, db_url, tmp_path):
    """The store keeps an actor's first name and role; the reload reads those, so must the held path."""
    recs = [
        chat_record(1, sender="b-1", recipient="p-1", text="how old is she"),
        chat_record(2, sender="p-1", recipient="b-1", text="she is 15, 40 usd"),
        chat_record(3, sender="b-1", recipient="p-1", text="ok send gcash number"),
    ]
    recs[1]["sender"] = {"id": "p-1", "name": "other", "role": "facilitator"}
    recs[2]["sender"] = {"id": "b-1", "name": "renamed", "role": "performer"}  # stored: customer
    got, _ = _compare(request, db_url, tmp_path, [[write_jsonl(tmp_path / "roles.jsonl", [json.dumps(r) for r in recs])]])
    assert got  # the exchange is labelled at all


class _Watched(HeldMessages):
    """HeldMessages that records what the reader process sent."""

    def __init__(self, fingerprint: str | None = None) -> None:
        super().__init__()
        self.taken = self.offs = 0
        self.names: set[str] = set()
        if fingerprint is not None:
            self._fingerprint = fingerprint

    def take_findings(self, results) -> None:
        self.taken += len(results)
        self.names |= {conversation_id for _, conversation_id, *_ in results}
        super().take_findings(results)

    def off(self) -> None:
        self.offs += 1
        super().off()


@pytest.fixture
def share(monkeypatch):
    """The reader's share as on a machine with two cores to spare (whatever this one's load)."""
    from vaktpost.ingest import parallel
    from vaktpost.ingest.wire import READER_SHARE

    monkeypatch.setattr(parallel, "reader_share", lambda: READER_SHARE)
    return READER_SHARE


@pytest.mark.parametrize("fingerprint", [None, "not this configuration"], ids=["shared", "refused"])
def test_findings_worked_out_in_the_reader_process_are_those_of_the_reload(request, db_url, tmp_path, lines, fingerprint, share):
    """`vaktpost scan` on a big file: the reader process works out the findings of its share
    of the new conversations (engines/in_reader.py) and this process the rest. A reader
    whose configuration differs is not listened to: this process works them all out."""
    from vaktpost.ingest.wire import analysed_in_reader

    path = write_jsonl(tmp_path / "all.jsonl", lines)
    opts = ImportOptions(batch_size=400, parallel=True)
    held = _Watched(fingerprint)
    held_engine, plain_engine = open_store(db_url), open_store(store_url(request, tmp_path, "plain.db"))
    touched = import_file(held_engine, path, opts, on_written=held.on_written, facts=held).conversation_keys
    theirs = {json.loads(line)["conversation_id"] for line in lines if analysed_in_reader(json.loads(line)["conversation_id"])}
    if fingerprint is None:
        assert held.offs == 0 and held.taken >= len(theirs) > 100
        assert held.names == theirs  # and no other conversation
    else:
        assert held.taken == 0 and held.offs == 1
    analyse_conversations(held_engine, touched, held=held)
    assert held.from_reader == {}  # every result taken (each held for what was stored)
    plain = import_file(plain_engine, path, ImportOptions(batch_size=400, parallel=False)).conversation_keys
    analyse_conversations(plain_engine, plain)
    assert _stored(held_engine) == _stored(plain_engine)


def test_on_a_busy_machine_the_reader_only_parses(request, db_url, tmp_path, lines, monkeypatch):
    """With fewer than two cores to spare the reader gets no share: this process works out
    every conversation (splitting would cost more CPU than it saves wall)."""
    from vaktpost.ingest import parallel, wire

    monkeypatch.setattr(wire, "cpu_pressure", lambda: 95.0)
    assert wire.reader_share() == 0
    monkeypatch.setattr(wire, "cpu_pressure", lambda: 0.0)
    monkeypatch.setattr(wire, "others_running", lambda: 0)
    assert wire.reader_share() == (wire.READER_SHARE if (wire.os.cpu_count() or 1) >= 2 else 0)
    monkeypatch.setattr(parallel, "reader_share", lambda: 0)
    path = write_jsonl(tmp_path / "all.jsonl", lines)
    held = _Watched()
    held_engine, plain_engine = open_store(db_url), open_store(store_url(request, tmp_path, "plain.db"))
    touched = import_file(held_engine, path, ImportOptions(batch_size=400, parallel=True), on_written=held.on_written, facts=held).conversation_keys
    assert held.taken == 0 and held.offs == 0 and held.reader_share == 0
    analyse_conversations(held_engine, touched, held=held)
    analyse_conversations(plain_engine, import_file(plain_engine, path, OPTS).conversation_keys)
    assert _stored(held_engine) == _stored(plain_engine)


def test_the_reader_process_findings_are_not_used_where_a_sender_is_stored_otherwise(request, db_url, tmp_path, lines, share):
    """The reader process assumes each new account is stored as its first batch says; an
    account stored before (another name and role) makes its conversations this process's."""
    from vaktpost.ingest.wire import analysed_in_reader

    recs = [json.loads(line) for line in lines]
    rec = next(r for r in recs if analysed_in_reader(r["conversation_id"]))
    other = dict(rec, conversation_id="c-elsewhere", message_id="m-elsewhere", text="hello")
    other["sender"] = {"id": rec["sender"]["id"], "name": "stored-before", "role": "customer"}
    held_engine, plain_engine = open_store(db_url), open_store(store_url(request, tmp_path, "plain.db"))
    first = write_jsonl(tmp_path / "first.jsonl", [json.dumps(other)])
    for engine in (held_engine, plain_engine):
        analyse_conversations(engine, import_file(engine, first, OPTS).conversation_keys)
    path = write_jsonl(tmp_path / "all.jsonl", lines)
    held = _Watched()
    touched = import_file(held_engine, path, ImportOptions(batch_size=400, parallel=True), on_written=held.on_written, facts=held).conversation_keys
    assert rec["conversation_id"] in held.names  # sent, and (below) not taken
    analyse_conversations(held_engine, touched, held=held)
    analyse_conversations(plain_engine, import_file(plain_engine, path, OPTS).conversation_keys)
    assert _stored(held_engine) == _stored(plain_engine)


def test_conversations_worked_out_during_the_import_and_continued_later_are_reloaded(request, db_url, tmp_path, lines):
    """The findings of a held conversation are worked out a batch after its last message,
    and its rows let go; when a later batch brings more of it, it is reloaded whole. Here
    every conversation's lines are spread over the file (every 5th line, five passes), so
    most are continued after they were first worked out."""
    spread = [line for start in range(5) for line in lines[start::5]]
    path = write_jsonl(tmp_path / "spread.jsonl", spread)
    held = HeldMessages()
    held_engine, plain_engine = open_store(db_url), open_store(store_url(request, tmp_path, "plain.db"))
    touched = import_file(held_engine, path, OPTS, on_written=held.on_written).conversation_keys
    assert len(held.reopened) > 50  # reloaded: their rows were let go once worked out
    assert analyse_conversations(held_engine, touched, held=held) == analyse_conversations(
        plain_engine, import_file(plain_engine, path, OPTS).conversation_keys)
    assert _stored(held_engine) == _stored(plain_engine)
    assert held.worked_out == {} and held.written == {}  # all written, and counted
