"""media frames pushed by platforms through the ingest API

Revision ID: 0005_media_frames
Revises: 0004_report
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_media_frames"
down_revision = "0004_report"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "media_frames",
        sa.Column("id", BigId, nullable=False),
        sa.Column("platform", sa.String(length=200), nullable=False),
        sa.Column("media_id", sa.String(length=300), nullable=False),
        sa.Column("frame_index", sa.Integer(), nullable=False),
        sa.Column("frame_ts", sa.Float(), nullable=True),
        sa.Column("conversation_id", sa.String(length=300), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("pdq_quality", sa.Integer(), nullable=True),
        sa.Column("matches", sa.Integer(), server_default="0", nullable=False),
        sa.Column("finding_id", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"],
                                name=op.f("fk_media_frames_finding_id_findings"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_frames")),
        sa.UniqueConstraint("platform", "media_id", "frame_index", name="uq_media_frames_key"),
    )
    op.create_index("ix_media_frames_sha256", "media_frames", ["sha256"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_media_frames_sha256", table_name="media_frames")
    op.drop_table("media_frames")
