"""The outbox, its migration and the evidence store on PostgreSQL (a throw-away server)."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from vaktpost.evidence.audit import ChainedAuditLog
from vaktpost.evidence.store import EvidenceStore
from vaktpost.report.outbox import enqueue_report, state_counts
from vaktpost.report.worker import OutboxWorker, RetryPolicy
from vaktpost.store.db import downgrade, make_engine, upgrade

from .conftest import make_case


@pytest.fixture(scope="module")
def pg_server():
    from tests.review.pg import PgServer

    server = PgServer()
    yield server
    server.stop()


@pytest.fixture
def pg_engine(pg_server):
    engine = make_engine(pg_server.new_database())
    upgrade(engine)
    yield engine
    engine.dispose()


def test_report_migration_down_and_up(pg_engine):
    assert {"cybertip_reports", "evidence_objects", "legal_holds"} <= set(inspect(pg_engine).get_table_names())
    downgrade(pg_engine, "0003_media")
    assert "cybertip_reports" not in inspect(pg_engine).get_table_names()
    upgrade(pg_engine)
    assert "cybertip_exchanges" in inspect(pg_engine).get_table_names()


def test_outbox_and_preservation_on_postgresql(pg_engine, fake, client, tmp_path):
    service, _ = fake
    audit = ChainedAuditLog(pg_engine)
    store = EvidenceStore(pg_engine, tmp_path / "o", os.urandom(32), audit=audit)
    for i in range(12):
        case, blobs = make_case(i)
        for data in blobs.values():
            store.put(data, case_ref=case.case_ref)
        files = tuple(dataclasses.replace(f, evidence_object=store.keys.object_name(f.sha256)) for f in case.files)
        enqueue_report(pg_engine, dataclasses.replace(case, files=files))
    worker = OutboxWorker(pg_engine, client, policy=RetryPolicy(base_s=0.01, cap_s=0.05, lease_s=5),
                          read_file=lambda f: store.get(f["evidence_object"]),
                          on_finished=store.start_preservation, audit=audit)
    worker.run_until_idle(concurrency=4)
    with pg_engine.connect() as conn:
        assert state_counts(conn) == {"finished": 12}
    assert sorted(service.finished_by_note()) == sorted(f"case-{i}" for i in range(12))
    later = datetime.now(UTC) + timedelta(days=366)
    store.hold("case-0", reason="court order", by="legal")
    assert len(store.purge(now=later)) == 11
    assert len(audit.events_for("case:case-3")) == 2  # submitted, finished
