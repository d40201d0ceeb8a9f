"""The known-sender store pass: borderline rows stored with the findings, promoted only where the
sender confirmed a child in ANOTHER conversation, idempotent, and the same however a scan was split."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import write_jsonl
from tests.known_sender_support import BORDERLINE, CONFIRMS, exchange, install
from vaktpost.engines import local
from vaktpost.ingest.importer import ImportOptions, import_file
from vaktpost.store.conversations import replace_text_findings
from vaktpost.store.db import downgrade, make_engine, upgrade
from vaktpost.store.known_sender import promote_known_senders
from vaktpost.store.known_sender_tables import reply_borderline
from vaktpost.store.tables import findings, messages, signals
from vaktpost.text.known_sender import PROMOTED_RULE

RECORDS = (
    exchange("c1", "b1", "seller", CONFIRMS)  # seller confirms a child here...
    + exchange("c2", "b2", "seller", BORDERLINE)  # ...and answers another buyer with a price: promoted
    + exchange("c3", "b3", "other", BORDERLINE)  # a seller confirmed nowhere: not promoted
    + exchange("c4", "b4", "self", BORDERLINE)  # borderline in c4, and confirms in c4 only (later): not promoted
    + [r | {"message_id": r["message_id"] + "b", "sent_at": r["sent_at"].replace(":0", ":3", 1)}
       for r in exchange("c4", "b4", "self", CONFIRMS, age=11)]
)


def stored(engine) -> dict:
    """message id -> (labels, score, sorted signals): the findings as a reviewer sees them."""
    with engine.connect() as conn:
        rows = conn.execute(select(messages.c.message_id, findings.c.labels, findings.c.score, messages.c.id)
                            .join(messages, messages.c.id == findings.c.message_id)).all()
        sigs = conn.execute(select(signals.c.message_id, signals.c.label, signals.c.start, signals.c.end, signals.c.rule,
                                   signals.c.score)).all()
    by_key: dict[int, list] = {}
    for s in sigs:
        by_key.setdefault(s[0], []).append(tuple(s[1:]))
    return {m: (tuple(labels), round(score, 4), tuple(sorted(by_key.get(k, [])))) for m, labels, score, k in rows}


def scan(engine, paths, held: bool = True) -> None:
    for path in paths:
        h = local.HeldMessages() if held else None
        r = import_file(engine, path, ImportOptions(), on_written=h.on_written if h else None, facts=h)
        local.analyse_conversations(engine, r.conversation_keys, held=h)
    promote_known_senders(engine)


def promoted(engine) -> set[str]:
    return {m for m, (_, _, sigs) in stored(engine).items() if any(s[3] == PROMOTED_RULE for s in sigs)}


def test_promotes_only_a_sender_confirmed_in_another_conversation_and_is_idempotent(engine, tmp_path, monkeypatch):
    install(monkeypatch, 0.001)
    scan(engine, [write_jsonl(tmp_path / "all.jsonl", RECORDS)])
    with engine.connect() as conn:
        assert len(conn.execute(select(reply_borderline)).all()) == 3  # c2, c3 and c4's borderline turns
    assert "MINOR_CONFIRMED" in stored(engine)["c4-m2b"][0]  # c4's sender is known only in c4 itself
    assert promoted(engine) == {"c2-m2"}
    labels, _, sigs = stored(engine)["c2-m2"]
    assert "MINOR_CONFIRMED" in labels
    mine = [s for s in sigs if s[3] == PROMOTED_RULE]
    assert mine[0][:3] == ("MINOR_CONFIRMED", 0, len(BORDERLINE)) and 0.001 <= mine[0][4] < 0.96
    before = stored(engine)
    assert promote_known_senders(engine) == {"added": 0, "removed": 0, "promoted": 1}
    assert stored(engine) == before


def test_findings_do_not_depend_on_how_the_scan_was_split(tmp_path, monkeypatch, request):
    from tests.conftest import store_url

    install(monkeypatch, 0.001)
    whole = make_engine(store_url(request, tmp_path, "whole.db"))
    upgrade(whole)
    scan(whole, [write_jsonl(tmp_path / "all.jsonl", RECORDS)])
    # the borderline conversation first, its sender's confirmation in a second run; tiny chunks, no held rows
    split = make_engine(store_url(request, tmp_path, "split.db"))
    upgrade(split)
    monkeypatch.setattr(local, "CHUNK", 1)
    first = [r for r in RECORDS if r["conversation_id"] != "c1"]
    scan(split, [write_jsonl(tmp_path / "a.jsonl", first)], held=False)
    assert promoted(split) == set()  # the seller is not known yet
    scan(split, [write_jsonl(tmp_path / "b.jsonl", [r for r in RECORDS if r["conversation_id"] == "c1"])], held=False)
    assert stored(split) == stored(whole) and promoted(split) == {"c2-m2"}
    whole.dispose()
    split.dispose()


def test_a_promotion_is_taken_back_when_the_other_confirmation_goes(engine, tmp_path, monkeypatch):
    install(monkeypatch, 0.001)
    scan(engine, [write_jsonl(tmp_path / "all.jsonl", RECORDS)])
    assert promoted(engine) == {"c2-m2"}
    from vaktpost.store.conversations import iter_conversations

    with engine.begin() as conn:  # c1 rescanned with nothing found (a corrected rule, say)
        c1 = conn.execute(select(messages.c.conversation_id).where(messages.c.message_id == "c1-m2")).scalar_one()
        replace_text_findings(conn, [s for c in iter_conversations(conn, [c1]) for s in c], [])
    assert promote_known_senders(engine)["removed"] == 1
    assert promoted(engine) == set() and "c2-m2" in stored(engine)  # its OFF_PLATFORM_MOVE finding stays, without MC
    assert "MINOR_CONFIRMED" not in stored(engine)["c2-m2"][0]


def test_old_reply_model_without_low_stores_and_promotes_nothing(engine, tmp_path, monkeypatch):
    install(monkeypatch, None)
    scan(engine, [write_jsonl(tmp_path / "all.jsonl", RECORDS)])
    with engine.connect() as conn:
        assert conn.execute(select(reply_borderline)).all() == []
    assert promoted(engine) == set()


def test_migration_0006_down_and_up_on_sqlite(tmp_path):
    from sqlalchemy import inspect

    eng = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(eng)
    assert "reply_borderline" in inspect(eng).get_table_names()
    downgrade(eng, "0005_media_frames")
    assert "reply_borderline" not in inspect(eng).get_table_names()
    upgrade(eng)
    assert "reply_borderline" in inspect(eng).get_table_names()
    eng.dispose()


def test_rescore_runs_the_pass_alone_for_a_store_filled_without_it(engine, db_url, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from vaktpost.cli import app

    install(monkeypatch, 0.001)
    path = write_jsonl(tmp_path / "all.jsonl", RECORDS)
    r = import_file(engine, path, ImportOptions())  # as a stream worker would: findings and borderline rows, no pass
    local.analyse_conversations(engine, r.conversation_keys)
    assert promoted(engine) == set()
    out = CliRunner().invoke(app, ["rescore", "--db", db_url, "--output", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"known_sender": {"added": 1, "removed": 0, "promoted": 1}}
    assert promoted(engine) == {"c2-m2"}


def test_the_pass_after_every_committed_batch_ends_as_one_scan_and_keeps_finding_rows(db_url, tmp_path, monkeypatch, request):
    """What a stream worker (or `vaktpost rescore` on a schedule) would do: the pass after each
    batch. The end state is the one-scan state for every way of cutting the stream, and a
    finding row, once made, keeps its id while its message stays labelled (review items name it)."""
    from tests.conftest import store_url
    from tests.known_sender_support import ONLY_PROMOTED, record

    install(monkeypatch, 0.001)
    stream = (RECORDS + exchange("c5", "b5", "seller", ONLY_PROMOTED)
              + [record("c2", 3, "b2", "customer", "seller", "ok"), record("c5", 3, "b5", "customer", "seller", "ok see you")])
    whole = make_engine(db_url)  # (db_url: the PostgreSQL pass runs this test too)
    upgrade(whole)
    scan(whole, [write_jsonl(tmp_path / "all.jsonl", stream)])
    want = stored(whole)
    assert promoted(whole) == {"c2-m2", "c5-m2"} and want["c5-m2"][0] == ("MINOR_CONFIRMED",)
    whole.dispose()
    cuts = [[i] for i in range(1, len(stream))] + [list(range(1, len(stream)))]
    for n, cut in enumerate(cuts):
        eng = make_engine(store_url(request, tmp_path, f"cut{n}.db"))
        upgrade(eng)
        ids: dict[str, int] = {}
        for b, (lo, hi) in enumerate(zip([0, *cut], [*cut, len(stream)])):
            scan(eng, [write_jsonl(tmp_path / f"cut{n}-{b}.jsonl", stream[lo:hi])], held=b % 2 == 0)
            with eng.connect() as conn:
                now = dict(conn.execute(select(messages.c.message_id, findings.c.id)
                                        .join(messages, messages.c.id == findings.c.message_id)).all())
            for m, fid in now.items():
                assert ids.setdefault(m, fid) == fid, (cut, m)
        assert stored(eng) == want, cut
        eng.dispose()
