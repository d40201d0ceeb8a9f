"""Tables of the reporting outbox, the evidence store and the local audit hook.

The outbox row *is* the report's state machine: every step the worker takes is a
conditional UPDATE on it, so a crashed worker leaves a row that the next one can resume.
Every HTTP exchange with NCMEC is a row of its own, written before the call (the intent)
and completed after it; a row with neither response nor error is a call whose outcome is
unknown.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from vaktpost.store.tables import BigId, metadata

cybertip_reports = Table(
    "cybertip_reports",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("case_ref", String(200), nullable=False),
    Column("state", String(20), nullable=False),
    Column("case_json", JSON, nullable=False),
    Column("xml_sent", Text),  # the exact bytes (UTF-8) of the last /submit body
    Column("ncmec_report_id", String(64)),
    Column("generation", Integer, nullable=False, server_default="0"),  # re-opens so far
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("opened_at", DateTime(timezone=True)),  # NCMEC's 24 h clock
    Column("last_change_at", DateTime(timezone=True)),  # NCMEC's 1 h clock
    Column("finished_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime(timezone=True)),
    Column("retract_requested", Boolean, nullable=False, server_default=false()),
    Index("ix_cybertip_reports_due", "state", "next_attempt_at"),
    Index("ix_cybertip_reports_case", "case_ref"),
    sqlite_autoincrement=True,  # ids are never reused (migration 0007)
)

cybertip_files = Table(
    "cybertip_files",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("report_id", BigInteger, ForeignKey("cybertip_reports.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("evidence_object", String(128)),  # name in the evidence store, if kept there
    Column("path", Text),  # else a file on disk
    Column("original_name", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("md5", String(32), nullable=False),
    Column("details", JSON, nullable=False),  # the fileDetails fields except ids
    Column("ncmec_file_id", String(64)),
    Column("uploaded_generation", Integer),
    Column("described_generation", Integer),
    UniqueConstraint("report_id", "position", name="uq_cybertip_files_report_position"),
)

cybertip_exchanges = Table(
    "cybertip_exchanges",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("report_id", BigInteger, ForeignKey("cybertip_reports.id", ondelete="CASCADE")),
    Column("call", String(20), nullable=False),
    Column("generation", Integer),
    Column("ncmec_report_id", String(64)),
    Column("request_body", Text),  # XML or form fields; file bytes are named by hash, never copied
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("http_status", Integer),
    Column("response_code", Integer),
    Column("response_body", Text),
    Column("request_id", String(200)),
    Column("error", Text),
    Index("ix_cybertip_exchanges_report", "report_id"),
)

audit_events = Table(
    "report_audit_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("detail", JSON),
    Index("ix_report_audit_events_subject", "subject", "action"),
)

evidence_objects = Table(
    "evidence_objects",
    metadata,
    Column("name", String(128), primary_key=True),  # HMAC of the SHA-256, never the hash itself
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Column("preserve_until", DateTime(timezone=True)),  # null: no report finished yet
    Column("destroyed_at", DateTime(timezone=True)),
    Column("destroyed_reason", Text),
)

evidence_links = Table(
    "evidence_links",
    metadata,
    Column("object_name", String(128), ForeignKey("evidence_objects.name"), primary_key=True),
    Column("case_ref", String(200), primary_key=True),
)

legal_holds = Table(
    "legal_holds",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("object_name", String(128), ForeignKey("evidence_objects.name"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("placed_by", String(200), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True)),
    Index("ix_legal_holds_object", "object_name"),
)
