"""`vaktpost rescore` racing a stream worker's rescan of the same conversation.

The interleaving session 7 named (7-review-survives-rescan.md) and left untested: a worker's
transaction reads a conversation's findings and promotions, then the known-sender pass commits
a promotion (a new, promoted-only finding) there, then the worker deletes the conversation's
signals and writes its own. On PostgreSQL (READ COMMITTED) the promoted finding was left with
no signal — a MINOR_CONFIRMED without evidence that no later pass takes back when the promotion
is no longer due. On SQLite the pass, having read first, failed ("database is locked") when it
tried to write after the worker. Two connections, interleaved by holding the worker just before
its DELETE of signals until the pass is done (or a second has passed: the pass waits for it).
"""

from __future__ import annotations

import threading

from sqlalchemy import event, func, select

from tests.known_sender_support import CONFIRMS, ONLY_PROMOTED, exchange, install, record
from vaktpost.engines.stage import decode_record, import_and_analyse
from vaktpost.store.db import make_engine
from vaktpost.store.known_sender import promote_known_senders
from vaktpost.store.tables import findings, messages, signals
from vaktpost.text.known_sender import PROMOTED_RULE

HOLD_S = 1.5  # how long the worker waits for the pass before it goes on anyway


def stream(engine, records) -> None:
    """One stream worker batch: import, rescan the touched conversations (no pass)."""
    with engine.begin() as conn:
        import_and_analyse(conn, [decode_record(r) for r in records], "stream")


def findings_without_signals(engine) -> list[str]:
    with engine.connect() as conn:
        has = select(func.count()).where(signals.c.message_id == findings.c.message_id).scalar_subquery()
        return list(conn.execute(select(messages.c.message_id).join(findings, findings.c.message_id == messages.c.id)
                                 .where(findings.c.kind == "text", has == 0)).scalars())


def promoted(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(messages.c.message_id).join(signals, signals.c.message_id == messages.c.id)
                                .where(signals.c.rule == PROMOTED_RULE)).scalars())


def test_rescore_between_a_rescan_s_read_and_its_write_leaves_no_finding_without_signal(engine, db_url, monkeypatch):
    install(monkeypatch, 0.001)
    # a worker-filled store: the seller confirms in c1; c2's answer is borderline, not yet promoted
    stream(engine, exchange("c1", "b1", "seller", CONFIRMS) + exchange("c2", "b2", "seller", ONLY_PROMOTED))
    assert promoted(engine) == set()

    worker = make_engine(db_url)
    at_delete, pass_done, errors = threading.Event(), threading.Event(), []

    @event.listens_for(worker, "before_cursor_execute")
    def hold(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("DELETE FROM signals") and not at_delete.is_set():
            at_delete.set()  # the worker has read c2's findings and promotions...
            pass_done.wait(HOLD_S)  # ...and lets the pass run now

    def rescore():
        at_delete.wait(30)
        try:
            promote_known_senders(make_engine(db_url))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            pass_done.set()

    t = threading.Thread(target=rescore)
    t.start()
    try:  # the worker's next batch: a new line in c2, so c2 is rescanned as a whole
        stream(worker, [record("c2", 3, "b2", "customer", "seller", "ok see you")])
    except Exception as exc:  # noqa: BLE001
        errors.append(exc)
    t.join(60)
    worker.dispose()
    assert at_delete.is_set()
    assert errors == []
    assert findings_without_signals(engine) == []  # every finding has its evidence
    assert promoted(engine) == {"c2-m2"}
    before = findings_without_signals(engine), promoted(engine)
    assert promote_known_senders(engine)["added"] == 0  # and a later rescore has nothing to mend
    assert (findings_without_signals(engine), promoted(engine)) == before
