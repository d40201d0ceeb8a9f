"""The same queue and audit chain on PostgreSQL, where claims take the FOR UPDATE SKIP
LOCKED path and audit appends serialise on the head row."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from tests.review.claiming import claim_concurrently
from tests.review.test_queue import T0
from vaktpost.review import audit
from vaktpost.review.queue import decide
from vaktpost.store.db import downgrade, upgrade


def test_migration_down_and_up_on_postgresql(pg_engine):
    assert "review_items" in inspect(pg_engine).get_table_names()
    downgrade(pg_engine, "0001")
    assert "review_items" not in inspect(pg_engine).get_table_names()
    upgrade(pg_engine)
    assert "audit_head" in inspect(pg_engine).get_table_names()


@pytest.mark.slow
def test_concurrent_claims_and_audit_on_postgresql(pg_engine):
    n_items, n_workers = 1_500, 8

    def dismiss_every_fiftieth(reviewer, item, n_claimed):
        if n_claimed % 50 == 0:
            decide(pg_engine, item, reviewer, "dismiss", reason="Insufficient evidence", now=T0)

    _, claimed = claim_concurrently(pg_engine, n_items, n_workers, T0, dismiss_every_fiftieth)
    everything = [i for got in claimed for i in got]
    assert len(everything) == len(set(everything)) == n_items
    with pg_engine.connect() as conn:
        report = audit.verify(conn)
    decided = sum(len(got) // 50 for got in claimed)
    assert (
        report.ok and report.checked == n_workers + n_items + decided
    )  # user.create + claims + decisions
