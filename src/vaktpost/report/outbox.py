"""The reporting outbox: each CyberTipline report is a durable state machine in the database.

    draft ─submit─▶ submitted ─upload+fileinfo per file─▶ files_uploaded ─finish─▶ finished
       ▲                │  (NCMEC would expire it: 24 h after opening / 1 h after the last change)
       └── re-open ◀── expired
    any unfinished state ─retract─▶ retracted;  a refusal a person must look at ─▶ needs_attention

Enqueueing validates the XML first, so nothing invalid ever waits in the outbox. The
worker (`worker.py`) advances rows; this module holds what the CLI and the review work call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, func, insert, select, update

from vaktpost.errors import UserError
from vaktpost.report.case import ReportableCase
from vaktpost.report.cybertip_xml import report_xml
from vaktpost.store.report_tables import cybertip_exchanges, cybertip_files, cybertip_reports

DRAFT, SUBMITTED, FILES_UPLOADED, FINISHED = "draft", "submitted", "files_uploaded", "finished"
RETRACTED, EXPIRED, NEEDS_ATTENTION = "retracted", "expired", "needs_attention"
ACTIVE = (DRAFT, SUBMITTED, FILES_UPLOADED, EXPIRED)
TERMINAL = (FINISHED, RETRACTED)
OPEN_AT_NCMEC = (SUBMITTED, FILES_UPLOADED)

NCMEC_OPEN_LIFETIME = timedelta(hours=24)
NCMEC_IDLE_LIFETIME = timedelta(hours=1)


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def ncmec_deadline(opened_at: datetime, last_change_at: datetime) -> datetime:
    """When NCMEC deletes an unfinished report: 24 h after opening or 1 h after the last change, whichever is later."""
    return max(aware(opened_at) + NCMEC_OPEN_LIFETIME, aware(last_change_at) + NCMEC_IDLE_LIFETIME)


def enqueue_report(engine: Engine, case: ReportableCase, *, now: datetime | None = None) -> int:
    """Put a confirmed case in the outbox as a draft; returns the outbox id.

    Idempotent on `case_ref`: a case already waiting or filed is not queued a second time
    (only a retracted one may be queued again).
    """
    report_xml(case)  # raises InvalidReport before anything is stored or sent
    now = now or utcnow()
    with engine.begin() as conn:
        existing = conn.execute(
            select(cybertip_reports.c.id)
            .where(cybertip_reports.c.case_ref == case.case_ref)
            .where(cybertip_reports.c.state != RETRACTED)
            .order_by(cybertip_reports.c.id)
        ).first()
        if existing is not None:
            return existing.id
        report_id = conn.execute(
            insert(cybertip_reports).values(
                case_ref=case.case_ref, state=DRAFT, case_json=case.to_json(), generation=0,
                created_at=now, updated_at=now, next_attempt_at=now, attempts=0,
            )
        ).inserted_primary_key[0]
        rows = [
            {
                "report_id": report_id, "position": i, "evidence_object": f.evidence_object,
                "path": f.path, "original_name": f.original_name, "sha256": f.sha256, "md5": f.md5,
                "details": {"viewed_by_esp": f.viewed_by_esp},
            }
            for i, f in enumerate(case.files)
        ]
        if rows:
            conn.execute(insert(cybertip_files), rows)
    return report_id


def request_retract(engine: Engine, outbox_id: int) -> None:
    with engine.begin() as conn:
        row = conn.execute(select(cybertip_reports.c.state).where(cybertip_reports.c.id == outbox_id)).first()
        if row is None:
            raise UserError("no such report in the outbox", where=str(outbox_id))
        if row.state == FINISHED:
            raise UserError("already finished at NCMEC; a finished report cannot be retracted", where=str(outbox_id))
        conn.execute(
            update(cybertip_reports)
            .where(cybertip_reports.c.id == outbox_id)
            .values(retract_requested=True, next_attempt_at=utcnow())
        )


def requeue_needing_attention(engine: Engine) -> int:
    """After a person fixed the cause (credentials, permission): start those reports afresh."""
    with engine.begin() as conn:
        result = conn.execute(
            update(cybertip_reports)
            .where(cybertip_reports.c.state == NEEDS_ATTENTION)
            .values(state=EXPIRED, attempts=0, next_attempt_at=utcnow(), last_error=None)
        )
    return result.rowcount


@dataclass(frozen=True)
class OutboxRow:
    id: int
    case_ref: str
    state: str
    ncmec_report_id: str | None
    generation: int
    attempts: int
    last_error: str | None
    exchanges: int
    finished_at: datetime | None


def outbox_status(conn: Connection, case_ref: str | None = None) -> list[OutboxRow]:
    counts = (
        select(cybertip_exchanges.c.report_id, func.count().label("n"))
        .group_by(cybertip_exchanges.c.report_id)
        .subquery()
    )
    query = (
        select(cybertip_reports, func.coalesce(counts.c.n, 0).label("n"))
        .outerjoin(counts, counts.c.report_id == cybertip_reports.c.id)
        .order_by(cybertip_reports.c.id)
    )
    if case_ref is not None:
        query = query.where(cybertip_reports.c.case_ref == case_ref)
    return [
        OutboxRow(r.id, r.case_ref, r.state, r.ncmec_report_id, r.generation, r.attempts,
                  r.last_error, r.n, aware(r.finished_at))
        for r in conn.execute(query)
    ]


def state_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(cybertip_reports.c.state, func.count()).group_by(cybertip_reports.c.state))
    return {state: n for state, n in rows}
