"""A local fake of NCMEC's CyberTipline ISP web service, built from shared/spec/cybertipline.md.

It speaks every documented endpoint and response code, checks Basic auth, validates bodies
against the project's XSD, deletes unfinished reports on NCMEC's 24 h / 1 h rule (on an
injectable clock), and injects faults: 500s, timeouts, slow answers and connections dropped
before or after the request took effect, which is what makes a lost response ambiguous.
It serves on loopback only.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from lxml import etree

from vaktpost.report.cybertip_xml import InvalidReport, MalformedXml, validate_document

OK, SERVER_ERROR, AUTH_FAILED, NOT_ALLOWED = 0, 1000, 2000, 3100
VALIDATION_FAILED, MALFORMED_XML = 4100, 4110
NO_SUCH_REPORT, ALREADY_RETRACTED, ALREADY_FINISHED = 5001, 5101, 5102
DESCRIPTIONS = {
    OK: "Success", SERVER_ERROR: "Server error", AUTH_FAILED: "Authentication failed",
    NOT_ALLOWED: "Not allowed to submit", VALIDATION_FAILED: "Validation failed",
    MALFORMED_XML: "Malformed XML", NO_SUCH_REPORT: "No such report",
    ALREADY_RETRACTED: "Report already retracted", ALREADY_FINISHED: "Report already finished",
}
FAULT_KINDS = ("error500", "drop_before", "drop_after", "timeout", "slow")


@dataclass
class FaultPlan:
    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    timeout_s: float = 0.5  # longer than the client's timeout: the client gives up
    slow_s: float = 0.05  # shorter than the client's timeout: only slow
    seed: int | None = None

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def draw(self) -> str | None:
        return self.rng.choice(self.kinds) if self.rng.random() < self.rate else None


@dataclass
class FakeReport:
    report_id: str
    xml: bytes
    opened_at: datetime
    last_change_at: datetime
    files: dict[str, dict] = field(default_factory=dict)
    file_details: dict[str, bytes] = field(default_factory=dict)
    finished_at: datetime | None = None
    retracted: bool = False
    finish_calls: int = 0

    @property
    def case_note(self) -> str | None:
        return etree.fromstring(self.xml).findtext("additionalInfo")


class FakeNcmec:
    """The service's state; the ASGI app below is a thin HTTP skin over it."""

    def __init__(self, users: dict[str, str] | None = None, *, not_allowed: set[str] = frozenset(),
                 faults: FaultPlan | None = None, clock: Callable[[], datetime] | None = None):
        self.users = users or {"esp": "secret"}
        self.not_allowed = set(not_allowed)
        self.faults = faults or FaultPlan()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.reports: dict[str, FakeReport] = {}
        self.expired: dict[str, FakeReport] = {}
        self._ids = itertools.count(100_001)
        self._file_ids = itertools.count(1)
        self.requests = 0

    def expire_due(self) -> None:
        now = self.clock()
        for rid, r in list(self.reports.items()):
            if r.finished_at is None and not r.retracted:
                deadline = max(r.opened_at + timedelta(hours=24), r.last_change_at + timedelta(hours=1))
                if now > deadline:
                    self.expired[rid] = self.reports.pop(rid)

    def _open(self, rid: str | None) -> tuple[int, FakeReport | None]:
        self.expire_due()
        r = self.reports.get(rid or "")
        if r is None:
            return NO_SUCH_REPORT, None
        if r.retracted:
            return ALREADY_RETRACTED, r
        if r.finished_at is not None:
            return ALREADY_FINISHED, r
        return OK, r

    @staticmethod
    def _document(body: bytes, tag: str):
        """(response code, parsed tree): the body must be valid XML of the expected root."""
        try:
            tree = validate_document(body)
        except MalformedXml:
            return MALFORMED_XML, None
        except InvalidReport:
            return VALIDATION_FAILED, None
        return (OK, tree) if tree.tag == tag else (VALIDATION_FAILED, None)

    def submit(self, body: bytes) -> tuple[int, dict]:
        code, tree = self._document(body, "report")
        if code != OK:
            return code, {}
        rid, now = str(next(self._ids)), self.clock()
        self.reports[rid] = FakeReport(rid, body, now, now)
        return OK, {"reportId": rid}

    def upload(self, rid: str | None, name: str, data: bytes) -> tuple[int, dict]:
        code, r = self._open(rid)
        if code != OK:
            return code, {}
        fid = f"f{next(self._file_ids)}-{secrets.token_hex(4)}"
        md5 = hashlib.md5(data).hexdigest()
        r.files[fid] = {"name": name, "md5": md5, "size": len(data)}
        r.last_change_at = self.clock()
        return OK, {"reportId": rid, "fileId": fid, "hash": md5}

    def fileinfo(self, body: bytes) -> tuple[int, dict]:
        code, tree = self._document(body, "fileDetails")
        if code != OK:
            return code, {}
        rid, fid = tree.findtext("reportId"), tree.findtext("fileId")
        code, r = self._open(rid)
        if code != OK:
            return code, {}
        if fid not in r.files:
            return VALIDATION_FAILED, {}
        r.file_details[fid] = body
        r.last_change_at = self.clock()
        return OK, {"reportId": rid}

    def finish(self, rid: str | None) -> tuple[int, dict]:
        code, r = self._open(rid)
        if r is not None:
            r.finish_calls += 1
        if code != OK:
            return code, {}
        r.finished_at = self.clock()
        return OK, {"reportId": rid, "files": list(r.files)}

    def retract(self, rid: str | None) -> tuple[int, dict]:
        code, r = self._open(rid)
        if code != OK:
            return code, {}
        r.retracted = True
        return OK, {"reportId": rid}

    def finished_by_note(self) -> dict[str, list[FakeReport]]:
        out: dict[str, list[FakeReport]] = {}
        for r in self.reports.values():
            if r.finished_at is not None:
                out.setdefault(r.case_note or "", []).append(r)
        return out


def response_xml(code: int, fields: dict) -> bytes:
    parts = [f"<responseCode>{code}</responseCode>",
             f"<responseDescription>{escape(DESCRIPTIONS[code])}</responseDescription>"]
    for key in ("reportId", "fileId", "hash"):
        if key in fields:
            parts.append(f"<{key}>{escape(fields[key])}</{key}>")
    if "files" in fields:
        parts.append("<files>" + "".join(f"<fileId>{escape(f)}</fileId>" for f in fields["files"]) + "</files>")
    return ("<?xml version='1.0' encoding='UTF-8'?><reportResponse>" + "".join(parts) + "</reportResponse>").encode()

