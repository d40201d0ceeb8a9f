"""media: hash banks, bank hashes with provenance, media items

Revision ID: 0003_media
Revises: 0002_review
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_media"
down_revision = "0002_review"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "media_banks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("threshold", sa.Integer(), server_default="31", nullable=False),
        sa.Column("min_quality", sa.Integer(), server_default="50", nullable=False),
        sa.Column("negative", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_banks")),
        sa.UniqueConstraint("name", name=op.f("uq_media_banks_name")),
    )
    op.create_table(
        "media_bank_hashes",
        sa.Column("id", BigId, nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("signal_type", sa.String(length=16), nullable=False),
        sa.Column("hash", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["bank_id"], ["media_banks.id"],
                                name=op.f("fk_media_bank_hashes_bank_id_media_banks"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_bank_hashes")),
        sa.UniqueConstraint("bank_id", "signal_type", "hash", name="uq_media_bank_hashes_bank_hash"),
    )
    op.create_index("ix_media_bank_hashes_type_hash", "media_bank_hashes",
                    ["signal_type", "hash"], unique=False)
    op.create_table(
        "media_items",
        sa.Column("id", BigId, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("finding_id", sa.BigInteger(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"],
                                name=op.f("fk_media_items_finding_id_findings"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_items")),
        sa.UniqueConstraint("sha256", name=op.f("uq_media_items_sha256")),
    )


def downgrade() -> None:
    op.drop_table("media_items")
    op.drop_index("ix_media_bank_hashes_type_hash", table_name="media_bank_hashes")
    op.drop_table("media_bank_hashes")
    op.drop_table("media_banks")
