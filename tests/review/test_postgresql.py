"""The same queue and audit chain on PostgreSQL, where claims take the FOR UPDATE SKIP
LOCKED path and audit appends serialise on the head row."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import insert, inspect

from tests.review.test_queue import T0
from vaktpost.review import audit
from vaktpost.review.accounts import create_user
from vaktpost.review.queue import Reviewer, claim_next, decide, sync_queue
from vaktpost.store.db import downgrade, upgrade
from vaktpost.store.tables import findings


def test_migration_down_and_up_on_postgresql(pg_engine):
    assert "review_items" in inspect(pg_engine).get_table_names()
    downgrade(pg_engine, "0001")
    assert "review_items" not in inspect(pg_engine).get_table_names()
    upgrade(pg_engine)
    assert "audit_head" in inspect(pg_engine).get_table_names()


@pytest.mark.slow
def test_concurrent_claims_and_audit_on_postgresql(pg_engine):
    n_items, n_workers = 1_500, 8
    with pg_engine.begin() as conn:
        conn.execute(
            insert(findings),
            [
                {
                    "kind": "media",
                    "message_id": None,
                    "actor_id": None,
                    "labels": [],
                    "score": (i * 37 % 100) / 100,
                    "detail": None,
                    "created_at": T0,
                }
                for i in range(n_items)
            ],
        )
        sync_queue(conn, full=True, now=T0)
    workers = [
        Reviewer(
            create_user(pg_engine, f"w{i}", "correct horse battery staple", "reviewer"),
            f"w{i}",
            "reviewer",
        )
        for i in range(n_workers)
    ]
    claimed: list[list[int]] = [[] for _ in workers]
    errors: list[BaseException] = []
    barrier = threading.Barrier(n_workers)

    def work(k: int) -> None:
        try:
            barrier.wait()
            while (
                item := claim_next(pg_engine, workers[k], now=T0, lease=timedelta(hours=1))
            ) is not None:
                claimed[k].append(item)
                if len(claimed[k]) % 50 == 0:
                    decide(
                        pg_engine,
                        item,
                        workers[k],
                        "dismiss",
                        reason="Insufficient evidence",
                        now=T0,
                    )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    everything = [i for got in claimed for i in got]
    assert len(everything) == len(set(everything)) == n_items
    with pg_engine.connect() as conn:
        report = audit.verify(conn)
    decided = sum(len(got) // 50 for got in claimed)
    assert (
        report.ok and report.checked == n_workers + n_items + decided
    )  # user.create + claims + decisions
