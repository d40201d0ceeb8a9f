"""Wiring for the commands: a confirmed case into the evidence store and the outbox, the
worker with its file reader and preservation hook, and the inputs of a referral package."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import Engine, select

from vaktpost.errors import UserError
from vaktpost.evidence.audit import AuditHook
from vaktpost.evidence.store import EvidenceStore
from vaktpost.report.case import ReportableCase
from vaktpost.report.case_store import case_messages
from vaktpost.report.client import CyberTiplineClient
from vaktpost.report.referral import ReferralInput
from vaktpost.report.worker import OutboxWorker, RetryPolicy
from vaktpost.store.queries import funnels
from vaktpost.store.report_tables import cybertip_exchanges, cybertip_reports, evidence_links


def evidence_store(engine: Engine, settings, audit: AuditHook) -> EvidenceStore | None:
    """The evidence store, or None where no master key is configured."""
    if settings.evidence_key is None:
        return None
    return EvidenceStore.from_settings(engine, settings, audit=audit)


def preserve_files(case: ReportableCase, store: EvidenceStore | None) -> ReportableCase:
    """Copy each file of the case into the evidence store and point the report at the copy."""
    if store is None:
        return case
    files = []
    for f in case.files:
        if f.evidence_object is None and f.path:
            try:
                data = Path(f.path).read_bytes()
            except OSError as exc:
                raise UserError(f"cannot read the reported file ({exc.strerror})", where=f.path) from None
            f = dataclasses.replace(f, evidence_object=store.put(data, case_ref=case.case_ref))
        files.append(f)
    return dataclasses.replace(case, files=tuple(files))


def make_worker(engine: Engine, client: CyberTiplineClient, store: EvidenceStore | None,
                audit: AuditHook, policy: RetryPolicy | None = None) -> OutboxWorker:
    def read_file(f: dict) -> bytes:
        if f.get("evidence_object"):
            if store is None:
                raise UserError("this report's files are in the evidence store; set VAKTPOST_EVIDENCE_KEY")
            return store.get(f["evidence_object"])
        return Path(f["path"]).read_bytes()

    on_finished = store.start_preservation if store is not None else None
    return OutboxWorker(engine, client, policy=policy, read_file=read_file, on_finished=on_finished, audit=audit)


def referral_input(engine: Engine, case_ref: str, audit: AuditHook) -> ReferralInput:
    with engine.connect() as conn:
        rows = conn.execute(
            select(cybertip_reports).where(cybertip_reports.c.case_ref == case_ref).order_by(cybertip_reports.c.id)
        ).all()
        if not rows:
            raise UserError("no report for this case in the outbox; run `vaktpost report cybertip` first", where=case_ref)
        case = ReportableCase.from_json(rows[-1].case_json)
        keys = [(p.esp_service, p.esp_identifier) for p in case.persons if p.esp_service]
        messages = case_messages(conn, keys) if keys else []
        wanted = {(p, a) for p, a in keys}
        funnel = {f"{f.platform}/{f.actor_id}": f.counts for f in funnels(conn) if (f.platform, f.actor_id) in wanted}
        exchanges = conn.execute(
            select(cybertip_exchanges).where(cybertip_exchanges.c.report_id.in_([r.id for r in rows]))
            .order_by(cybertip_exchanges.c.id)
        ).all()
        objects = list(conn.execute(select(evidence_links.c.object_name).where(evidence_links.c.case_ref == case_ref)).scalars())
    custody = [
        {"at": e.at.isoformat() if e.at else None, "actor": e.actor, "action": e.action, "subject": e.subject, "detail": e.detail}
        for subject in [f"case:{case_ref}", *(f"evidence:{n}" for n in objects)]
        for e in audit.events_for(subject)
    ]
    custody += [
        {"at": x.started_at.isoformat(), "actor": "outbox", "action": f"ncmec.{x.call}",
         "subject": f"case:{case_ref}",
         "detail": {"ncmec_report_id": x.ncmec_report_id, "request_id": x.request_id,
                    "response_code": x.response_code, "error": x.error}}
        for x in exchanges
    ]
    custody.sort(key=lambda c: c["at"] or "")
    ncmec_ids = [r.ncmec_report_id for r in rows if r.state == "finished" and r.ncmec_report_id]
    return ReferralInput(case, messages, funnel, custody, ncmec_ids)
