"""The outbox state machine against the fake: crash anywhere, resume, never file twice."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from sqlalchemy import select

from vaktpost.report.client import CyberTiplineClient
from vaktpost.report.cybertip_xml import InvalidReport
from vaktpost.report.fake_app import serve_fake
from vaktpost.report.fake_service import FakeNcmec, FaultPlan
from vaktpost.report.outbox import (
    enqueue_report,
    request_retract,
    requeue_needing_attention,
    state_counts,
)
from vaktpost.report.worker import OutboxWorker, RetryPolicy, WorkerKilled
from vaktpost.store.report_tables import cybertip_exchanges, cybertip_reports

from .conftest import make_case

FAST = RetryPolicy(base_s=0.005, cap_s=0.05, lease_s=0.2)


def worker(engine, client, blobs, **kw):
    kw.setdefault("policy", FAST)
    return OutboxWorker(engine, client, read_file=lambda f: blobs[f["sha256"]], **kw)


def queue(engine, n, files=1):
    blobs = {}
    for i in range(n):
        case, b = make_case(i, files=files if files is not None else i % 3)
        blobs.update(b)
        enqueue_report(engine, case)
    return blobs


def finished_once(service, n):
    by_note = service.finished_by_note()
    return sorted(by_note) == sorted(f"case-{i}" for i in range(n)) and all(len(v) == 1 for v in by_note.values())


def crash_at(point, times=1):
    left = [times]

    def hook(where):
        if where == point and left[0] > 0:
            left[0] -= 1
            raise WorkerKilled(where)

    return hook


def test_happy_path_records_every_exchange_and_the_exact_xml(engine, fake, client):
    service, _ = fake
    blobs = queue(engine, 3, files=None)  # 0, 1 and 2 files
    finished = []
    w = worker(engine, client, blobs, on_finished=lambda conn, ref, at: finished.append(ref))
    w.run_until_idle()
    with engine.connect() as conn:
        assert state_counts(conn) == {"finished": 3}
        rows = conn.execute(select(cybertip_reports)).all()
        exchanges = conn.execute(select(cybertip_exchanges)).all()
    assert finished_once(service, 3)
    assert sorted(finished) == ["case-0", "case-1", "case-2"]
    for r in rows:
        assert r.xml_sent.encode() == service.reports[r.ncmec_report_id].xml
    # submit + (upload + fileinfo) per file + finish, each with its Request-ID and code 0
    assert len(exchanges) == 3 * 2 + 2 * (0 + 1 + 2)
    assert all(x.request_id and x.response_code == 0 and x.ended_at for x in exchanges)
    case2 = service.reports[rows[2].ncmec_report_id]
    viewed = sorted(etree.fromstring(d).findtext("fileViewedByEsp") for d in case2.file_details.values())
    assert viewed == ["false", "true"]


CHECKPOINTS = ["claimed", "before_submit", "after_submit", "before_upload", "after_upload", "before_fileinfo",
               "after_fileinfo", "before_finish", "after_finish", "before_release"]


@pytest.mark.parametrize("point", CHECKPOINTS)
def test_a_crash_at_any_step_resumes_and_files_exactly_once(engine, fake, client, point):
    service, _ = fake
    blobs = queue(engine, 1)
    with pytest.raises(WorkerKilled):
        worker(engine, client, blobs, crash_hook=crash_at(point)).run_until_idle()
    time.sleep(FAST.lease_s + 0.05)  # the dead worker's lease runs out
    worker(engine, client, blobs).run_until_idle()
    with engine.connect() as conn:
        assert state_counts(conn) == {"finished": 1}
        row = conn.execute(select(cybertip_reports)).one()
        open_calls = conn.execute(select(cybertip_exchanges).where(cybertip_exchanges.c.ended_at.is_(None))).all()
    assert finished_once(service, 1)
    assert service.reports[row.ncmec_report_id].finished_at is not None
    if point.startswith("after_"):  # the call took effect, its answer died with the worker
        assert [x.call for x in open_calls] == [point.removeprefix("after_")]
    if point == "after_submit":  # no way to learn the lost id: that report stays open at NCMEC
        assert sum(1 for r in service.reports.values() if r.finished_at is None) == 1
    if point == "after_finish":  # the second finish hears 5102 and records success
        assert service.reports[row.ncmec_report_id].finish_calls == 2


def test_reopens_a_report_ncmec_would_expire(engine):
    now = [datetime.now(UTC) + timedelta(seconds=1)]  # after the reports were queued
    clock = lambda: now[0]
    service = FakeNcmec(clock=clock)
    blobs = queue(engine, 2)
    with serve_fake(service) as url, CyberTiplineClient(url, "esp", "secret") as client:
        with pytest.raises(WorkerKilled):
            worker(engine, client, blobs, clock=clock, crash_hook=crash_at("before_upload", 2)).run_until_idle()
        with pytest.raises(WorkerKilled):
            worker(engine, client, blobs, clock=clock, crash_hook=crash_at("before_upload")).run_until_idle()
        with engine.connect() as conn:
            assert state_counts(conn) == {"submitted": 2}
        old = set(service.reports)
        now[0] += timedelta(hours=23, minutes=55)  # inside the 10-minute margin: retract and re-open
        worker(engine, client, blobs, clock=clock).run_until_idle()
    with engine.connect() as conn:
        rows = conn.execute(select(cybertip_reports)).all()
    assert {r.state for r in rows} == {"finished"} and {r.generation for r in rows} == {1}
    assert all(service.reports[o].retracted for o in old)
    assert finished_once(service, 2) and service.expired == {}


def test_reopens_when_ncmec_says_no_such_report(engine, fake, client):
    service, _ = fake
    blobs = queue(engine, 1)
    with pytest.raises(WorkerKilled):
        worker(engine, client, blobs, crash_hook=crash_at("before_upload")).run_until_idle()
    service.expired.update(service.reports)
    service.reports.clear()  # NCMEC lost or expired it
    time.sleep(FAST.lease_s + 0.05)
    worker(engine, client, blobs).run_until_idle()
    with engine.connect() as conn:
        row = conn.execute(select(cybertip_reports)).one()
    assert row.state == "finished" and row.generation == 1
    assert finished_once(service, 1)


def test_retract_cancels_an_unfinished_report(engine, fake, client):
    service, _ = fake
    blobs = queue(engine, 1)
    with pytest.raises(WorkerKilled):
        worker(engine, client, blobs, crash_hook=crash_at("before_upload")).run_until_idle()
    with engine.connect() as conn:
        outbox_id = conn.execute(select(cybertip_reports.c.id)).scalar_one()
    request_retract(engine, outbox_id)
    time.sleep(FAST.lease_s + 0.05)
    worker(engine, client, blobs).run_until_idle()
    with engine.connect() as conn:
        assert state_counts(conn) == {"retracted": 1}
    assert [r.retracted for r in service.reports.values()] == [True]


def test_refusals_wait_for_a_person_then_requeue(engine, fake):
    service, url = fake
    blobs = queue(engine, 1)
    with CyberTiplineClient(url, "esp", "wrong") as bad:
        worker(engine, bad, blobs).run_until_idle()
    with engine.connect() as conn:
        row = conn.execute(select(cybertip_reports)).one()
    assert row.state == "needs_attention" and "2000" in row.last_error
    assert requeue_needing_attention(engine) == 1
    with CyberTiplineClient(url, "esp", "secret") as good:
        worker(engine, good, blobs).run_until_idle()
    assert finished_once(service, 1)


def test_server_errors_are_retried_with_backoff(engine):
    service = FakeNcmec(faults=FaultPlan(rate=0.5, kinds=("error500", "drop_before"), seed=3))
    blobs = queue(engine, 10)
    with serve_fake(service) as url, CyberTiplineClient(url, "esp", "secret") as client:
        worker(engine, client, blobs, seed=1).run_until_idle(concurrency=2)
    with engine.connect() as conn:
        codes = conn.execute(select(cybertip_exchanges.c.response_code, cybertip_exchanges.c.error)).all()
        assert state_counts(conn) == {"finished": 10}
    assert any(c == 1000 for c, _ in codes) and any(e for _, e in codes)
    assert finished_once(service, 10)


def test_enqueue_validates_first_and_is_idempotent(engine):
    case, _ = make_case(1)
    with pytest.raises(InvalidReport):
        enqueue_report(engine, dataclasses.replace(case, incident_time=datetime(2026, 1, 1)))
    with engine.connect() as conn:
        assert state_counts(conn) == {}
    assert enqueue_report(engine, case) == enqueue_report(engine, case)
