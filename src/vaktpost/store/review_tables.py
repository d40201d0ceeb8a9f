"""Tables of the review work: users and their sessions, the review queue, decisions, cases
and the hash-chained audit log. Same `metadata` as the core tables; migration `0002_review`.

`review_items.finding_id` deliberately has no foreign key: a re-scan replaces text findings,
and a reviewer's decision must outlive the finding row it was made on.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from vaktpost.store.tables import BigId, findings, metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(200)),
    Column("role", String(40), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("prefs", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The cookie carries a random token; only its SHA-256 is stored, so a copy of the database
# cannot be replayed as a login.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("finding_id", BigId, nullable=False, unique=True),
    Column("priority", Float, nullable=False),
    # queued | claimed | confirmed | dismissed
    Column("status", String(20), nullable=False),
    # review: first look; second: four-eyes confirmation; lead: escalated to a lead
    Column("stage", String(20), nullable=False, server_default="review"),
    Column("claimed_by", Integer, ForeignKey("users.id")),
    Column("lease_expires_at", DateTime(timezone=True)),
    Column("first_reviewer_id", Integer, ForeignKey("users.id")),
    Column("incident_type", String(120)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    # The labels and score the item's latest decision stands on (migration 0008): a finding whose
    # labels grow beyond them is reopened (review/reopen.py). Decisions made before 0008 stand on
    # the finding's labels at migration time; NULL only where the finding was gone by then.
    Column("decided_labels", JSON),
    Column("decided_score", Float),
    # The media matches (`review/reopen.py: match_keys`) the latest decision stands on (migration
    # 0009): a media finding that gains a match beyond them is reopened. NULL for text findings.
    Column("decided_matches", JSON),
    # Why a decided item is back in the queue ("new label since decision: …"); cleared by the
    # next decision.
    Column("reopen_reason", Text),
    Index("ix_review_items_lease", "status", "lease_expires_at"),
    Index("ix_review_items_status_stage", "status", "stage"),  # queue counts without a table scan
    sqlite_autoincrement=True,  # ids are never reused (migration 0007)
)

# The queue is read highest priority first, oldest first at equal priority.
Index(
    "ix_review_items_queue",
    review_items.c.status,
    review_items.c.priority.desc(),
    review_items.c.id,
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("item_id", BigId, ForeignKey("review_items.id"), nullable=False),
    Column("finding_id", BigId, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("decision", String(20), nullable=False),  # confirm | dismiss | escalate
    Column("incident_type", String(120)),
    Column("reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # What the reviewer saw: the finding's labels and score (migration 0008; NULL = decided
    # before it, not recorded).
    Column("labels", JSON),
    Column("score", Float),
    Column("matches", JSON),  # media findings: their match keys (migration 0009); else NULL
    Index("ix_decisions_item", "item_id"),
    Index("ix_decisions_created", "created_at"),
    sqlite_autoincrement=True,  # ids are never reused (migration 0007)
)

# A decided item put back in the queue because its finding gained labels (or, for media, matches)
# after the decision (review/reopen.py): the decision it reopened, what was added, before and after. The item's
# history shows these beside its decisions; the audit log has an `item.reopen` event for each.
item_reopens = Table(
    "item_reopens",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("item_id", BigId, ForeignKey("review_items.id"), nullable=False),
    Column("finding_id", BigId, nullable=False),
    Column("decision_id", BigId),  # the latest decision when reopened (NULL: none recorded)
    Column("added_labels", JSON, nullable=False),  # [] for a reopen on a new media match
    Column("added_matches", JSON),  # the media matches added since the decision (0009)
    Column("labels_before", JSON),
    Column("labels_after", JSON, nullable=False),
    Column("score_before", Float),
    Column("score_after", Float),
    Column("reopened_by", String(100), nullable=False),  # the path: rescan, known-sender pass, review sync
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_item_reopens_item", "item_id"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("status", String(20), nullable=False, server_default="open"),
    Column("assigned_to", Integer, ForeignKey("users.id")),
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,  # ids are never reused (migration 0007)
)

case_actors = Table(
    "case_actors",
    metadata,
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("actor_id", BigId, ForeignKey("actors.id"), primary_key=True),
)

case_findings = Table(
    "case_findings",
    metadata,
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", BigId, primary_key=True),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_case_notes_case", "case_id"),
    sqlite_autoincrement=True,  # ids are never reused (migration 0007)
)

# A reveal grant: the clear bytes of one media finding for one user until `expires_at`.
media_reveals = Table(
    "media_reveals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("finding_id", BigId, nullable=False),
    Column("reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_media_reveals_user_finding", "user_id", "finding_id"),
)

# Append-only and hash-chained. `at` is text (ISO 8601, UTC) so the hashed bytes do not
# depend on how a database returns times; `prev_hash` is unique, so the chain cannot fork.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("username", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    Column("target", String(200), nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("prev_hash", name="uq_audit_log_prev_hash"),
    Index("ix_audit_log_action", "action"),
)

# One row: the sequence number and hash of the newest audit record. Updating it first
# serialises appenders (a write lock in SQLite, a row lock in PostgreSQL) and anchors the
# chain's tail, so deleting the newest record is detected too.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigId, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

# The actor page's timeline reads an actor's findings; the core schema has no index for it.
Index("ix_findings_actor", findings.c.actor_id)
