"""reply-model borderline turns for the known-sender pass

Revision ID: 0006_known_sender
Revises: 0005_media_frames
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_known_sender"
down_revision = "0005_media_frames"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_borderline",
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_reply_borderline_message_id_messages"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], name=op.f("fk_reply_borderline_actor_id_actors")),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_reply_borderline")),
    )
    op.create_index("ix_reply_borderline_actor", "reply_borderline", ["actor_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reply_borderline_actor", table_name="reply_borderline")
    op.drop_table("reply_borderline")
