"""The outbox worker: claims due reports with a lease and moves each through the lifecycle.

Crash safety comes from three habits. Every call to NCMEC is first written down as an
exchange row (the intent), then completed with what came back. Every state change is a
conditional UPDATE that only the lease holder can make, so a worker that lost its lease
cannot move a report another worker now owns. And `finish` is only ever called from
`files_uploaded`, where NCMEC's "already finished" (5102) means an earlier finish whose
answer was lost took effect — the report is recorded finished, never filed twice.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, and_, insert, or_, select, update

from vaktpost.evidence.audit import AuditEvent, AuditHook
from vaktpost.report.case import ReportableCase
from vaktpost.report.client import CyberTiplineClient, Exchange
from vaktpost.report.cybertip_xml import file_details_xml, report_xml
from vaktpost.report.outbox import (
    ACTIVE,
    DRAFT,
    EXPIRED,
    FILES_UPLOADED,
    FINISHED,
    NEEDS_ATTENTION,
    OPEN_AT_NCMEC,
    RETRACTED,
    SUBMITTED,
    ncmec_deadline,
    utcnow,
)
from vaktpost.store.report_tables import cybertip_exchanges, cybertip_files, cybertip_reports

NO_SUCH_REPORT, ALREADY_RETRACTED, ALREADY_FINISHED = 5001, 5101, 5102


class WorkerKilled(Exception):
    """Raised by a test's crash hook to stop a worker dead, mid-step."""


@dataclass
class RetryPolicy:
    base_s: float = 2.0
    cap_s: float = 300.0
    lease_s: float = 120.0  # longer than a few client timeouts
    expiry_margin: timedelta = timedelta(minutes=10)  # re-open this long before NCMEC would expire

    def backoff(self, attempts: int, rng: random.Random) -> float:
        return min(self.cap_s, self.base_s * 2 ** min(attempts, 20)) * (0.5 + rng.random() / 2)


class _LeaseLost(Exception):
    pass


FileReader = Callable[[dict], bytes]
Finished = Callable[[Connection, str, datetime], None]


def read_from_path(file_row: dict) -> bytes:
    return Path(file_row["path"]).read_bytes()


class OutboxWorker:
    def __init__(self, engine: Engine, client: CyberTiplineClient, *, policy: RetryPolicy | None = None,
                 read_file: FileReader = read_from_path, on_finished: Finished | None = None,
                 audit: AuditHook | None = None, clock: Callable[[], datetime] = utcnow,
                 crash_hook: Callable[[str], None] | None = None, owner: str | None = None,
                 seed: int | None = None):
        self.engine, self.client = engine, client
        self.policy = policy or RetryPolicy()
        self.read_file, self.on_finished, self.audit = read_file, on_finished, audit
        self.clock, self.crash_hook = clock, crash_hook
        self.owner = owner or f"w-{uuid.uuid4().hex[:12]}"
        self.rng = random.Random(seed)
        self.killed = False
        self.steps = 0
        self._local = threading.local()  # each thread's lease token: threads never share a lease

    # -- checkpoints let a test kill the worker anywhere a real crash could happen
    def _checkpoint(self, where: str) -> None:
        if self.killed:
            raise WorkerKilled(where)
        if self.crash_hook is not None:
            try:
                self.crash_hook(where)
            except WorkerKilled:
                self.killed = True
                raise

    def claim(self) -> int | None:
        now = self.clock()
        free = or_(cybertip_reports.c.lease_until.is_(None), cybertip_reports.c.lease_until < now)
        due = and_(
            or_(cybertip_reports.c.state.in_(ACTIVE),
                and_(cybertip_reports.c.retract_requested, cybertip_reports.c.state.not_in((FINISHED, RETRACTED)))),
            cybertip_reports.c.next_attempt_at <= now, free,
        )
        # One UPDATE … RETURNING, so the transaction starts with a write: SQLite then waits
        # for the lock (busy timeout) instead of failing a read-then-write upgrade.
        pick = (
            select(cybertip_reports.c.id).where(due)
            .order_by(cybertip_reports.c.next_attempt_at).limit(1).scalar_subquery()
        )
        token = f"{self.owner}:{uuid.uuid4().hex[:8]}"
        self._local.lease, self._local.renewed = token, now
        with self.engine.begin() as conn:
            got = conn.execute(
                update(cybertip_reports).where(cybertip_reports.c.id == pick).where(free)
                .values(lease_owner=token, lease_until=now + timedelta(seconds=self.policy.lease_s))
                .returning(cybertip_reports.c.id)
            ).first()
        if got is not None:
            return got.id
        return None

    def process(self, rid: int) -> None:
        """Advance one claimed report as far as it will go now, then give up the lease."""
        self._checkpoint("claimed")
        try:
            while self._step(rid):
                self.steps += 1
        except _LeaseLost:
            return
        self._checkpoint("before_release")
        with self.engine.begin() as conn:
            conn.execute(update(cybertip_reports).where(self._mine(rid)).values(lease_owner=None, lease_until=None))

    def _mine(self, rid: int):
        return and_(cybertip_reports.c.id == rid, cybertip_reports.c.lease_owner == self._local.lease)

    def _load(self, rid: int):
        with self.engine.connect() as conn:
            row = conn.execute(select(cybertip_reports).where(self._mine(rid))).first()
            if row is None:
                raise _LeaseLost
            files = conn.execute(
                select(cybertip_files).where(cybertip_files.c.report_id == rid).order_by(cybertip_files.c.position)
            ).mappings().all()
        return row, [dict(f) for f in files]

    def _set(self, conn: Connection, rid: int, **values) -> None:
        now = self.clock()
        if values:
            values.setdefault("updated_at", now)
        values["lease_until"] = now + timedelta(seconds=self.policy.lease_s)
        if conn.execute(update(cybertip_reports).where(self._mine(rid)).values(**values)).rowcount != 1:
            raise _LeaseLost
        self._local.renewed = now

    def _call(self, rid: int, row, call: Callable[[], Exchange], name: str, body: str) -> tuple[Exchange, int]:
        with self.engine.begin() as conn:
            if self.clock() - self._local.renewed > timedelta(seconds=self.policy.lease_s / 3):
                self._set(conn, rid)  # renew before the call, or learn the lease is gone and give up
            xid = conn.execute(insert(cybertip_exchanges).values(
                report_id=rid, call=name, generation=row.generation, ncmec_report_id=row.ncmec_report_id,
                request_body=body, started_at=self.clock(),
            )).inserted_primary_key[0]
        self._checkpoint(f"before_{name}")
        ex = call()
        self._checkpoint(f"after_{name}")
        return ex, xid

    def _record(self, conn: Connection, xid: int, ex: Exchange) -> None:
        conn.execute(update(cybertip_exchanges).where(cybertip_exchanges.c.id == xid).values(
            ended_at=self.clock(), http_status=ex.http_status, response_code=ex.response_code,
            response_body=ex.response_body, request_id=ex.request_id, error=ex.error,
        ))

    def _retry_later(self, rid: int, row, xid: int, ex: Exchange) -> bool:
        delay = self.policy.backoff(row.attempts, self.rng)
        with self.engine.begin() as conn:
            self._record(conn, xid, ex)
            self._set(conn, rid, attempts=row.attempts + 1, last_error=ex.error or f"code {ex.response_code}",
                      next_attempt_at=self.clock() + timedelta(seconds=delay))
        return False

    def _attention(self, rid: int, xid: int, ex: Exchange) -> bool:
        with self.engine.begin() as conn:
            self._record(conn, xid, ex)
            self._set(conn, rid, state=NEEDS_ATTENTION,
                      last_error=f"/{ex.call}: code {ex.response_code} ({ex.description})")
        return False

    def _expire(self, rid: int, why: str, xid: int | None = None, ex: Exchange | None = None) -> bool:
        with self.engine.begin() as conn:
            if xid is not None:
                self._record(conn, xid, ex)
            self._set(conn, rid, state=EXPIRED, last_error=why)
        return True

    def _step(self, rid: int) -> bool:
        """One call to NCMEC and its recorded outcome; False when the report should wait."""
        row, files = self._load(rid)
        now = self.clock()
        if row.retract_requested and row.state not in (FINISHED, RETRACTED):
            return self._retract(rid, row)
        if row.state in OPEN_AT_NCMEC and now + self.policy.expiry_margin >= ncmec_deadline(row.opened_at, row.last_change_at):
            return self._expire(rid, f"NCMEC would expire report {row.ncmec_report_id}; re-opening")
        if row.state == EXPIRED:
            return self._reopen(rid, row)
        if row.state == DRAFT:
            return self._submit(rid, row)
        if row.state == SUBMITTED:
            return self._next_file(rid, row, files)
        if row.state == FILES_UPLOADED:
            return self._finish(rid, row)
        return False

    def _submit(self, rid: int, row) -> bool:
        case = ReportableCase.from_json(row.case_json)
        xml = report_xml(case)
        ex, xid = self._call(rid, row, lambda: self.client.submit(xml), "submit", xml.decode())
        if not ex.ok:
            return self._retry_later(rid, row, xid, ex) if ex.transient else self._attention(rid, xid, ex)
        now = self.clock()
        with self.engine.begin() as conn:
            self._record(conn, xid, ex)
            self._set(conn, rid, state=SUBMITTED, ncmec_report_id=str(ex.fields["reportId"]), xml_sent=xml.decode(),
                      opened_at=now, last_change_at=now, attempts=0, last_error=None)
        self._audit("report.submitted", row.case_ref, {"ncmec_report_id": ex.fields["reportId"]})
        return True

    def _next_file(self, rid: int, row, files: list[dict]) -> bool:
        gen, report_id = row.generation, row.ncmec_report_id
        for f in files:
            if f["uploaded_generation"] != gen:
                data = self.read_file(f)
                ex, xid = self._call(rid, row, lambda f=f, data=data: self.client.upload(report_id, f["original_name"], data),
                                     "upload", f"id={report_id}; file={f['original_name']} sha256={f['sha256']}")
                if not ex.ok:
                    return self._refused(rid, row, xid, ex)
                with self.engine.begin() as conn:
                    self._record(conn, xid, ex)
                    conn.execute(update(cybertip_files).where(cybertip_files.c.id == f["id"]).values(
                        ncmec_file_id=str(ex.fields["fileId"]), uploaded_generation=gen))
                    self._set(conn, rid, last_change_at=self.clock(), attempts=0, last_error=None)
                return True
            if f["described_generation"] != gen:
                rf = ReportableCase.from_json(row.case_json).files[f["position"]]
                body = file_details_xml(report_id, f["ncmec_file_id"], rf)
                ex, xid = self._call(rid, row, lambda body=body: self.client.fileinfo(body), "fileinfo", body.decode())
                if not ex.ok:
                    return self._refused(rid, row, xid, ex)
                with self.engine.begin() as conn:
                    self._record(conn, xid, ex)
                    conn.execute(update(cybertip_files).where(cybertip_files.c.id == f["id"]).values(described_generation=gen))
                    self._set(conn, rid, last_change_at=self.clock(), attempts=0, last_error=None)
                return True
        with self.engine.begin() as conn:
            self._set(conn, rid, state=FILES_UPLOADED)
        return True

    def _refused(self, rid: int, row, xid: int, ex: Exchange) -> bool:
        if ex.response_code == NO_SUCH_REPORT:
            return self._expire(rid, f"NCMEC has no report {row.ncmec_report_id}; re-opening", xid, ex)
        return self._retry_later(rid, row, xid, ex) if ex.transient else self._attention(rid, xid, ex)

    def _finish(self, rid: int, row) -> bool:
        ex, xid = self._call(rid, row, lambda: self.client.finish(row.ncmec_report_id), "finish",
                             f"id={row.ncmec_report_id}")
        if not (ex.ok or ex.response_code == ALREADY_FINISHED):
            return self._refused(rid, row, xid, ex)
        now = self.clock()
        with self.engine.begin() as conn:
            self._record(conn, xid, ex)
            self._set(conn, rid, state=FINISHED, finished_at=now, attempts=0, last_error=None,
                      lease_owner=None)
            if self.on_finished is not None:
                self.on_finished(conn, row.case_ref, now)
        self._audit("report.finished", row.case_ref, {"ncmec_report_id": row.ncmec_report_id})
        return False

    def _reopen(self, rid: int, row) -> bool:
        """Start the report afresh under a new NCMEC id; the old one is retracted if NCMEC still has it."""
        if row.ncmec_report_id:
            ex, xid = self._call(rid, row, lambda: self.client.retract(row.ncmec_report_id), "retract",
                                 f"id={row.ncmec_report_id}")
            if ex.response_code == ALREADY_FINISHED:  # a lost finish answer: it was filed after all
                with self.engine.begin() as conn:
                    self._record(conn, xid, ex)
                    self._set(conn, rid, state=FINISHED, finished_at=self.clock(), lease_owner=None)
                    if self.on_finished is not None:
                        self.on_finished(conn, row.case_ref, self.clock())
                return False
            if ex.transient and ex.response_code != NO_SUCH_REPORT:
                return self._retry_later(rid, row, xid, ex)
            with self.engine.begin() as conn:
                self._record(conn, xid, ex)
        with self.engine.begin() as conn:
            self._set(conn, rid, state=DRAFT, generation=row.generation + 1, ncmec_report_id=None,
                      opened_at=None, last_change_at=None)
        self._audit("report.reopened", row.case_ref, {"old_ncmec_report_id": row.ncmec_report_id})
        return True

    def _retract(self, rid: int, row) -> bool:
        if row.ncmec_report_id and row.state in OPEN_AT_NCMEC:
            ex, xid = self._call(rid, row, lambda: self.client.retract(row.ncmec_report_id), "retract",
                                 f"id={row.ncmec_report_id}")
            if ex.response_code == ALREADY_FINISHED:
                with self.engine.begin() as conn:
                    self._record(conn, xid, ex)
                    self._set(conn, rid, state=FINISHED, finished_at=self.clock(), lease_owner=None,
                              last_error="retract came too late: NCMEC had it finished")
                return False
            if not (ex.ok or ex.response_code in (ALREADY_RETRACTED, NO_SUCH_REPORT)):
                return self._retry_later(rid, row, xid, ex) if ex.transient else self._attention(rid, xid, ex)
            with self.engine.begin() as conn:
                self._record(conn, xid, ex)
        with self.engine.begin() as conn:
            self._set(conn, rid, state=RETRACTED, lease_owner=None)
        self._audit("report.retracted", row.case_ref, {"ncmec_report_id": row.ncmec_report_id})
        return False

    def _audit(self, action: str, case_ref: str, detail: dict) -> None:
        if self.audit is not None:
            self.audit.append(AuditEvent(actor=f"outbox:{self.owner}", action=action, subject=f"case:{case_ref}", detail=detail))

    def run_until_idle(self, *, concurrency: int = 1, max_seconds: float | None = None,
                       wait_for_retries: bool = True) -> int:
        """Work until no report is active (or, without `wait_for_retries`, none is due); returns steps."""
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        errors: list[BaseException] = []

        def loop() -> None:
            try:
                while not self.killed and (deadline is None or time.monotonic() < deadline):
                    rid = self.claim()
                    if rid is not None:
                        self.process(rid)
                        continue
                    if not wait_for_retries or not self._any_active():
                        return
                    time.sleep(0.01)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                self.killed = True
                errors.append(exc)

        threads = [threading.Thread(target=loop) for _ in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return self.steps

    def _any_active(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(
                select(cybertip_reports.c.id).where(or_(
                    cybertip_reports.c.state.in_(ACTIVE),
                    and_(cybertip_reports.c.retract_requested, cybertip_reports.c.state.not_in((FINISHED, RETRACTED, NEEDS_ATTENTION))),
                )).limit(1)
            ).first() is not None
