"""1,000 reports through the outbox with 30% injected faults and the worker killed at random steps."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import or_, select

from vaktpost.report.client import CyberTiplineClient
from vaktpost.report.fake_app import serve_fake
from vaktpost.report.fake_service import FakeNcmec, FaultPlan
from vaktpost.report.outbox import enqueue_report, state_counts
from vaktpost.report.worker import OutboxWorker, RetryPolicy, WorkerKilled
from vaktpost.store.report_tables import cybertip_exchanges, cybertip_reports

from .conftest import make_case

N = 1000


@pytest.mark.slow
def test_thousand_reports_with_faults_and_kills_all_finish_exactly_once(engine):
    blobs = {}
    for i in range(N):
        case, b = make_case(i)
        blobs.update(b)
        enqueue_report(engine, case)
    # every fault kind; a "timeout" answers after the client (0.1 s) has given up
    service = FakeNcmec(faults=FaultPlan(rate=0.3, timeout_s=0.15, slow_s=0.02, seed=7))
    rng = random.Random(11)

    def kill_sometimes(where: str) -> None:
        if rng.random() < 0.002:
            raise WorkerKilled(where)

    policy = RetryPolicy(base_s=0.01, cap_s=0.1, lease_s=0.3)
    kills = 0
    with serve_fake(service) as url, CyberTiplineClient(url, "esp", "secret", timeout=0.1) as client:
        while True:
            w = OutboxWorker(engine, client, policy=policy, read_file=lambda f: blobs[f["sha256"]],
                             crash_hook=kill_sometimes, seed=kills)
            try:
                w.run_until_idle(concurrency=8, max_seconds=120)
                break
            except WorkerKilled:
                kills += 1
    assert kills >= 5  # the run really was interrupted
    with engine.connect() as conn:
        assert state_counts(conn) == {"finished": N}
        unknown_submits = conn.execute(
            select(cybertip_exchanges.c.id).where(cybertip_exchanges.c.call == "submit")
            .where(or_(cybertip_exchanges.c.error.is_not(None), cybertip_exchanges.c.ended_at.is_(None)))
        ).all()
        ncmec_ids = set(conn.execute(select(cybertip_reports.c.ncmec_report_id)).scalars())
    by_note = service.finished_by_note()
    assert sorted(by_note) == sorted(f"case-{i}" for i in range(N))
    assert all(len(reports) == 1 for reports in by_note.values())  # never filed twice
    assert {r.report_id for rs in by_note.values() for r in rs} == ncmec_ids
    assert service.expired == {}  # nothing of ours ever expired at NCMEC
    assert all(len(r.file_details) == 1 for rs in by_note.values() for r in rs)
    # the only reports left open are those whose submit answer was lost (no id to retract)
    orphans = [r for r in service.reports.values() if r.finished_at is None and not r.retracted]
    assert len(orphans) <= len(unknown_submits)
