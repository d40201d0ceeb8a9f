"""The audit hook reporting and evidence write through.

Reporting needs two things of an audit log: to append an event, and to ask whether a
reviewer viewed a file (that decides `fileViewedByEsp`). The review work owns the real,
hash-chained log; this small interface lets the lead point reporting at it. `SqlAuditLog`
is the local implementation on the `report_audit_events` table; `MemoryAuditLog` serves tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine, insert, select

from vaktpost.store.report_tables import audit_events

# Actions that mean a person saw a file's content (the review UI's deliberate reveal).
VIEW_ACTIONS = ("media.view", "media.reveal")


@dataclass(frozen=True, slots=True)
class AuditEvent:
    actor: str
    action: str
    subject: str
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None


class AuditHook(Protocol):
    def append(self, event: AuditEvent) -> None: ...

    def was_viewed(self, file_sha256: str) -> bool: ...

    def events_for(self, subject: str) -> list[AuditEvent]: ...


def media_subject(sha256: str) -> str:
    return f"media:{sha256.lower()}"


class MemoryAuditLog:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def append(self, event: AuditEvent) -> None:
        at = event.at or datetime.now(UTC)
        self.events.append(AuditEvent(event.actor, event.action, event.subject, event.detail, at))

    def was_viewed(self, file_sha256: str) -> bool:
        subject = media_subject(file_sha256)
        return any(e.subject == subject and e.action in VIEW_ACTIONS for e in self.events)

    def events_for(self, subject: str) -> list[AuditEvent]:
        return [e for e in self.events if e.subject == subject]


class SqlAuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, event: AuditEvent) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(audit_events).values(
                    at=event.at or datetime.now(UTC),
                    actor=event.actor,
                    action=event.action,
                    subject=event.subject,
                    detail=event.detail or None,
                )
            )

    def was_viewed(self, file_sha256: str) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(audit_events.c.id)
                .where(audit_events.c.subject == media_subject(file_sha256))
                .where(audit_events.c.action.in_(VIEW_ACTIONS))
                .limit(1)
            ).first()
        return row is not None

    def events_for(self, subject: str) -> list[AuditEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(audit_events).where(audit_events.c.subject == subject).order_by(audit_events.c.id)
            ).all()
        return [AuditEvent(r.actor, r.action, r.subject, r.detail or {}, r.at) for r in rows]


class ChainedAuditLog:
    """The review work's hash-chained audit log (`vaktpost.review.audit`) behind this interface.

    A reviewer's reveal is recorded there as `media.reveal` on `finding:<id>`; a file counts
    as viewed when a media finding with its SHA-256 was revealed, or when an event names the
    file itself (`media:<sha256>`).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, event: AuditEvent) -> None:
        from vaktpost.review import audit as chain

        with self.engine.begin() as conn:
            chain.append(conn, event.actor[:100], event.action, event.subject[:200], event.detail or None, now=event.at)

    def was_viewed(self, file_sha256: str) -> bool:
        from sqlalchemy import String, cast

        from vaktpost.store.review_tables import audit_log
        from vaktpost.store.tables import findings

        sha = file_sha256.lower()
        with self.engine.connect() as conn:
            finding_ids = conn.execute(
                select(findings.c.id, findings.c.detail)
                .where(findings.c.kind == "media")
                .where(cast(findings.c.detail, String).contains(sha))
            ).all()
            targets = [media_subject(sha)] + [
                f"finding:{f.id}" for f in finding_ids if str((f.detail or {}).get("sha256", "")).lower() == sha
            ]
            row = conn.execute(
                select(audit_log.c.id).where(audit_log.c.target.in_(targets))
                .where(audit_log.c.action.in_(VIEW_ACTIONS)).limit(1)
            ).first()
        return row is not None

    def events_for(self, subject: str) -> list[AuditEvent]:
        import orjson

        from vaktpost.store.review_tables import audit_log

        with self.engine.connect() as conn:
            rows = conn.execute(select(audit_log).where(audit_log.c.target == subject).order_by(audit_log.c.id)).all()
        return [
            AuditEvent(r.username, r.action, r.target, orjson.loads(r.detail) if r.detail else {}, datetime.fromisoformat(r.at))
            for r in rows
        ]
