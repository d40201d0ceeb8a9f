"""Tables for media matching: hash banks, their hashes with provenance, and media seen.

A bank hash is never deleted by a correction: it is disabled (with when and why), so the
record of what a list once contained stays, and the index drops it with a tombstone.
`media_items` remembers each file by its SHA-256 so re-matching a file updates its finding
instead of adding another.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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
    false,
    true,
)

from vaktpost.store.tables import BigId, metadata

media_banks = Table(
    "media_banks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("threshold", Integer, nullable=False, server_default="31"),
    Column("min_quality", Integer, nullable=False, server_default="50"),
    # A negative bank lists known-benign media: a match there cancels every other match.
    Column("negative", Boolean, nullable=False, server_default=false()),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

media_bank_hashes = Table(
    "media_bank_hashes",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("bank_id", Integer, ForeignKey("media_banks.id", ondelete="CASCADE"), nullable=False),
    Column("signal_type", String(16), nullable=False),  # pdq | md5 | sha1 | sha256
    Column("hash", String(128), nullable=False),  # lowercase hex
    Column("source", String(300), nullable=False),  # the list it came from
    Column("listed_at", DateTime(timezone=True)),  # the date the list gives, if any
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("category", String(100)),
    Column("disabled_at", DateTime(timezone=True)),
    Column("disabled_reason", Text),
    UniqueConstraint("bank_id", "signal_type", "hash", name="uq_media_bank_hashes_bank_hash"),
    Index("ix_media_bank_hashes_type_hash", "signal_type", "hash"),
)

media_items = Table(
    "media_items",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("md5", String(32), nullable=False),
    Column("sha1", String(40), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("kind", String(10), nullable=False),  # image | video
    Column("path", Text),
    Column("finding_id", BigInteger, ForeignKey("findings.id", ondelete="SET NULL")),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,  # ids are never reused (migration 0007)
)

# Frames a platform pushed through the ingest API (POST /api/ingest/media-frames): one row per
# (platform, media id, frame index) — the key that makes a resent batch store nothing new —
# with the frame's hashes and the finding it went into when it matched a bank. The frame's
# bytes are not kept here; `media_items` holds a matched frame by SHA-256 like any file.
media_frames = Table(
    "media_frames",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("platform", String(200), nullable=False),
    Column("media_id", String(300), nullable=False),
    Column("frame_index", Integer, nullable=False),
    Column("frame_ts", Float),  # seconds from the start of the stream or video, if sent
    Column("conversation_id", String(300), nullable=False),
    Column("message_id", String(300)),
    Column("sha256", String(64), nullable=False),
    Column("pdq", String(64)),
    Column("pdq_quality", Integer),
    Column("matches", Integer, nullable=False, server_default="0"),
    Column("finding_id", BigInteger, ForeignKey("findings.id", ondelete="SET NULL")),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("platform", "media_id", "frame_index", name="uq_media_frames_key"),
    Index("ix_media_frames_sha256", "sha256"),
    sqlite_autoincrement=True,  # ids are never reused (migration 0007)
)
