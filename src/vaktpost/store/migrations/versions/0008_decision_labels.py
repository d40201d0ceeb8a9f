"""review: the labels a decision was made on, and decided items reopened when labels grow

Revision ID: 0008_decision_labels
Revises: 0007_sqlite_ids
Create Date: 2026-11-23

`decisions.labels`/`score`: what the reviewer saw (NULL for decisions made before this
revision: not recorded). `review_items.decided_labels`/`decided_score`: what the item's latest
decision stands on, the baseline `review/reopen.py` compares a finding's labels with; for items
decided before this revision it is filled here with their finding's labels and score at
migration time (the best that is known: a label a rescan adds from now on reopens the item, one
added before the migration cannot be told apart). `review_items.reopen_reason` and the table
`item_reopens`: why and when a decided item came back. SQLite and PostgreSQL alike.
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_decision_labels"
down_revision = "0007_sqlite_ids"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("decisions", sa.Column("labels", sa.JSON(), nullable=True))
    op.add_column("decisions", sa.Column("score", sa.Float(), nullable=True))
    op.add_column("review_items", sa.Column("decided_labels", sa.JSON(), nullable=True))
    op.add_column("review_items", sa.Column("decided_score", sa.Float(), nullable=True))
    op.add_column("review_items", sa.Column("reopen_reason", sa.Text(), nullable=True))
    op.create_table(
        "item_reopens",
        sa.Column("id", BigId, nullable=False),
        sa.Column("item_id", BigId, nullable=False),
        sa.Column("finding_id", BigId, nullable=False),
        sa.Column("decision_id", BigId, nullable=True),
        sa.Column("added_labels", sa.JSON(), nullable=False),
        sa.Column("labels_before", sa.JSON(), nullable=True),
        sa.Column("labels_after", sa.JSON(), nullable=False),
        sa.Column("score_before", sa.Float(), nullable=True),
        sa.Column("score_after", sa.Float(), nullable=True),
        sa.Column("reopened_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["review_items.id"], name=op.f("fk_item_reopens_item_id_review_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_reopens")),
    )
    op.create_index("ix_item_reopens_item", "item_reopens", ["item_id"], unique=False)
    # Items decided before this revision: their baseline is the finding's labels now.
    op.execute(
        "UPDATE review_items SET "
        "decided_labels = (SELECT f.labels FROM findings f WHERE f.id = review_items.finding_id), "
        "decided_score = (SELECT f.score FROM findings f WHERE f.id = review_items.finding_id) "
        "WHERE EXISTS (SELECT 1 FROM decisions d WHERE d.item_id = review_items.id)"
    )


def downgrade() -> None:
    op.drop_index("ix_item_reopens_item", table_name="item_reopens")
    op.drop_table("item_reopens")
    op.drop_column("review_items", "reopen_reason")
    op.drop_column("review_items", "decided_score")
    op.drop_column("review_items", "decided_labels")
    op.drop_column("decisions", "score")
    op.drop_column("decisions", "labels")
