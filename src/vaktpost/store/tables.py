"""SQLAlchemy Core tables. One schema for SQLite and PostgreSQL; Alembic migrations mirror it.

Surrogate integer keys keep the big tables narrow; the platform's own ids are kept as
text with a unique constraint per platform, which is what makes re-imports idempotent.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

platforms = Table(
    "platforms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
)

actors = Table(
    "actors",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("platform_id", Integer, ForeignKey("platforms.id"), nullable=False),
    Column("account_id", String(300), nullable=False),
    Column("name", String(300)),
    Column("role", String(20), nullable=False, server_default="unknown"),
    UniqueConstraint("platform_id", "account_id", name="uq_actors_platform_account"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("platform_id", Integer, ForeignKey("platforms.id"), nullable=False),
    Column("conversation_id", String(300), nullable=False),
    UniqueConstraint("platform_id", "conversation_id", name="uq_conversations_platform_conv"),
)

imports = Table(
    "imports",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("path", Text, nullable=False),
    Column("format", String(20), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("lines_read", BigInteger, nullable=False, server_default="0"),
    Column("messages_new", BigInteger, nullable=False, server_default="0"),
    Column("messages_seen_before", BigInteger, nullable=False, server_default="0"),
    Column("rejected", BigInteger, nullable=False, server_default="0"),
    Column("rejects_path", Text),
)

messages = Table(
    "messages",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("platform_id", Integer, ForeignKey("platforms.id"), nullable=False),
    Column("message_id", String(300), nullable=False),
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), nullable=False),
    Column("sender_id", BigInteger, ForeignKey("actors.id"), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False, server_default=""),
    # [{"id": account id, "role": role}] as given; empty when the export left it out.
    Column("recipients", JSON),
    Column("attachments", JSON),
    Column("ip", String(64)),
    Column("country", String(8)),
    Column("meta", JSON),
    Column("import_id", BigInteger, ForeignKey("imports.id"), nullable=False),
    UniqueConstraint("platform_id", "message_id", name="uq_messages_platform_message"),
    Index("ix_messages_conversation_sent", "conversation_id", "sent_at"),
    Index("ix_messages_sender", "sender_id"),
)

signals = Table(
    "signals",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(40), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("rule", String(200), nullable=False),
    Column("score", Float, nullable=False),
    Index("ix_signals_message", "message_id"),
    Index("ix_signals_label", "label"),
    sqlite_autoincrement=True,  # ids are never reused (migration 0007)
)

# A finding is one thing worth a reviewer's look: a labelled message, or a media match.
findings = Table(
    "findings",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("kind", String(20), nullable=False),  # "text" | "media"
    Column("message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE")),
    Column("actor_id", BigInteger, ForeignKey("actors.id")),
    Column("labels", JSON, nullable=False),
    Column("score", Float, nullable=False),
    Column("detail", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "message_id", name="uq_findings_kind_message"),
    Index("ix_findings_score", "score"),
    sqlite_autoincrement=True,  # ids are never reused (migration 0007)
)
