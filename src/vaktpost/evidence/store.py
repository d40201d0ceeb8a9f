"""The evidence store: content-addressed, encrypted objects with retention and legal holds.

Retention follows 18 U.S.C. 2258A as the spec summarises it: a finished CyberTipline report
is a preservation request, so every object linked to the reported case is kept at least
`preservation_days` (≥ 365) from `finish`. Objects with no finished report yet have no
clock and are never purged. `purge` removes only objects whose clock ran out and that no
legal hold covers; `destroy` (a law-enforcement request) removes one object or a case's
objects now, refuses while a hold covers them, and records who asked in the audit log.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, and_, exists, insert, or_, select, update

from vaktpost.errors import UserError
from vaktpost.evidence.audit import AuditEvent, AuditHook
from vaktpost.evidence.crypto import EvidenceKeys, parse_master_key
from vaktpost.store.keys import insert_ignoring_duplicates
from vaktpost.store.report_tables import evidence_links, evidence_objects, legal_holds


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@dataclass(frozen=True)
class StoredObject:
    name: str
    size: int
    preserve_until: datetime | None
    held: bool
    destroyed: bool


class EvidenceStore:
    def __init__(self, engine: Engine, root: str | Path, master_key: bytes, *, audit: AuditHook,
                 preservation_days: int = 365):
        if preservation_days < 365:
            raise UserError("evidence must be preserved at least 365 days after a report is finished")
        self.engine, self.root, self.audit = engine, Path(root), audit
        self.keys = EvidenceKeys(master_key)
        self.preservation = timedelta(days=preservation_days)

    @classmethod
    def from_settings(cls, engine: Engine, settings, *, audit: AuditHook) -> EvidenceStore:
        key = settings.evidence_key.get_secret_value() if settings.evidence_key else None
        return cls(engine, settings.evidence_dir, parse_master_key(key), audit=audit,
                   preservation_days=settings.preservation_days)

    def _path(self, name: str) -> Path:
        return self.root / name[:2] / name[2:4] / name

    def put(self, data: bytes, *, case_ref: str, actor: str = "system") -> str:
        """Store `data` for `case_ref`; the same bytes are stored once. Returns the object name."""
        name = self.keys.object_name(hashlib.sha256(data).hexdigest())
        with self.engine.begin() as conn:
            row = conn.execute(select(evidence_objects.c.destroyed_at).where(evidence_objects.c.name == name)).first()
            if row is None or row.destroyed_at is not None:
                blob, wrapped = self.keys.seal(name, data)
                path = self._path(name)
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(blob)
                os.replace(tmp, path)
                values = {"wrapped_key": wrapped, "size": len(data), "stored_at": _now(),
                          "destroyed_at": None, "destroyed_reason": None, "preserve_until": None}
                if row is None:
                    conn.execute(insert(evidence_objects).values(name=name, **values))
                else:
                    conn.execute(update(evidence_objects).where(evidence_objects.c.name == name).values(**values))
            insert_ignoring_duplicates(conn, evidence_links, [{"object_name": name, "case_ref": case_ref}])
        self.audit.append(AuditEvent(actor, "evidence.stored", f"evidence:{name}", {"case": case_ref, "size": len(data)}))
        return name

    def get(self, name: str) -> bytes:
        with self.engine.connect() as conn:
            row = conn.execute(select(evidence_objects).where(evidence_objects.c.name == name)).first()
        if row is None or row.destroyed_at is not None:
            raise UserError("no such evidence object (never stored, or destroyed)", where=name)
        data = self.keys.open(name, self._path(name).read_bytes(), row.wrapped_key)
        if self.keys.object_name(hashlib.sha256(data).hexdigest()) != name:
            raise UserError("evidence object does not match its name: altered on disk", where=name)
        return data

    def start_preservation(self, conn: Connection, case_ref: str, finished_at: datetime) -> int:
        """Called in the transaction that records `finish`: the clock runs from there."""
        until = finished_at + self.preservation
        linked = select(evidence_links.c.object_name).where(evidence_links.c.case_ref == case_ref)
        return conn.execute(
            update(evidence_objects)
            .where(evidence_objects.c.name.in_(linked))
            .where(or_(evidence_objects.c.preserve_until.is_(None), evidence_objects.c.preserve_until < until))
            .values(preserve_until=until)
        ).rowcount

    def _names(self, conn: Connection, target: str) -> list[str]:
        """`target` is an object name or a case reference."""
        if conn.execute(select(evidence_objects.c.name).where(evidence_objects.c.name == target)).first():
            return [target]
        names = list(conn.execute(select(evidence_links.c.object_name).where(evidence_links.c.case_ref == target)).scalars())
        if not names:
            raise UserError("no evidence object or case by that name", where=target)
        return names

    def hold(self, target: str, *, reason: str, by: str) -> list[str]:
        with self.engine.begin() as conn:
            names = self._names(conn, target)
            conn.execute(insert(legal_holds), [
                {"object_name": n, "reason": reason, "placed_by": by, "placed_at": _now()} for n in names
            ])
        for n in names:
            self.audit.append(AuditEvent(by, "evidence.hold", f"evidence:{n}", {"reason": reason}))
        return names

    def release(self, target: str, *, by: str) -> list[str]:
        with self.engine.begin() as conn:
            names = self._names(conn, target)
            conn.execute(update(legal_holds).where(legal_holds.c.object_name.in_(names))
                         .where(legal_holds.c.released_at.is_(None)).values(released_at=_now()))
        for n in names:
            self.audit.append(AuditEvent(by, "evidence.hold_released", f"evidence:{n}", {}))
        return names

    @staticmethod
    def _held():
        return exists().where(and_(legal_holds.c.object_name == evidence_objects.c.name,
                                   legal_holds.c.released_at.is_(None)))

    def purge(self, *, now: datetime | None = None, dry_run: bool = False, by: str = "retention") -> list[str]:
        """Delete every object whose preservation ran out and that no hold covers."""
        now = now or _now()
        with self.engine.connect() as conn:
            names = list(conn.execute(
                select(evidence_objects.c.name)
                .where(evidence_objects.c.destroyed_at.is_(None))
                .where(evidence_objects.c.preserve_until.is_not(None))
                .where(evidence_objects.c.preserve_until < now)
                .where(~self._held())
            ).scalars())
        if not dry_run:
            for n in names:
                self._erase(n, "retention period over", by)
        return names

    def destroy(self, target: str, *, reason: str, by: str) -> list[str]:
        """Destroy on request (law enforcement): now, whatever the clock, but never under a hold."""
        with self.engine.connect() as conn:
            names = self._names(conn, target)
            held = list(conn.execute(select(evidence_objects.c.name).where(evidence_objects.c.name.in_(names))
                                     .where(self._held())).scalars())
        if held:
            raise UserError(f"{len(held)} object(s) under legal hold; release the hold first", where=target)
        for n in names:
            self._erase(n, reason, by)
        return names

    def _erase(self, name: str, reason: str, by: str) -> None:
        path = self._path(name)
        if path.exists():
            path.unlink()
        with self.engine.begin() as conn:
            conn.execute(update(evidence_objects).where(evidence_objects.c.name == name)
                         .values(destroyed_at=_now(), destroyed_reason=reason, wrapped_key=b""))
        self.audit.append(AuditEvent(by, "evidence.destroyed", f"evidence:{name}", {"reason": reason}))

    def describe(self, name: str) -> StoredObject:
        with self.engine.connect() as conn:
            row = conn.execute(select(evidence_objects, self._held().label("held"))
                               .where(evidence_objects.c.name == name)).first()
        if row is None:
            raise UserError("no such evidence object", where=name)
        return StoredObject(row.name, row.size, _aware(row.preserve_until), bool(row.held), row.destroyed_at is not None)
