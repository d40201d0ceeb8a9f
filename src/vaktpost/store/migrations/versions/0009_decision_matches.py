"""review: the media matches a decision was made on, and decided media items reopened on a new match

Revision ID: 0009_decision_matches
Revises: 0008_decision_labels
Create Date: 2026-11-23

Media findings never gain a label (KNOWN_MEDIA once), so `decided_labels` cannot tell that a
file dismissed on a near match of one bank was since matched by another bank, or exactly.
`decisions.matches`: the match keys of the finding when the reviewer decided
(`review/reopen.py: match_keys`; NULL for decisions made before this revision and for text
findings). `review_items.decided_matches`: the baseline of the item's latest decision; for
media items decided before this revision it is filled here with their finding's matches at
migration time (as 0008 did for labels: a match recorded from now on reopens the item, one
recorded before cannot be told apart). `item_reopens.added_matches`: what a match reopen added.
The keys are computed in Python (`_keys`, a frozen copy of `match_keys` as of this revision),
so SQLite and PostgreSQL get the same baseline.
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_decision_matches"
down_revision = "0008_decision_labels"
branch_labels = None
depends_on = None


def _keys(detail) -> list[str]:
    """Frozen copy of `review/reopen.py: match_keys` (a migration must not change with the code)."""
    if not isinstance(detail, dict):
        return []
    entries = detail.get("media") if "media" in detail else [detail]
    keys: dict[str, None] = {}
    for entry in entries or ():
        for m in (entry or {}).get("matches") or ():
            kind = "exact" if m.get("signal_type") != "pdq" or m.get("distance") == 0 else "near"
            keys[f"{m.get('bank')}:{m.get('signal_type')}:{m.get('hash_id', m.get('hash'))}:{kind}"] = None
    return list(keys)


def upgrade() -> None:
    op.add_column("decisions", sa.Column("matches", sa.JSON(), nullable=True))
    op.add_column("review_items", sa.Column("decided_matches", sa.JSON(), nullable=True))
    op.add_column("item_reopens", sa.Column("added_matches", sa.JSON(), nullable=True))
    conn = op.get_bind()
    items = sa.table("review_items", sa.column("id"), sa.column("finding_id"),
                     sa.column("decided_matches", sa.JSON()))
    findings = sa.table("findings", sa.column("id"), sa.column("kind"), sa.column("detail", sa.JSON()))
    decisions = sa.table("decisions", sa.column("item_id"))
    rows = conn.execute(
        sa.select(items.c.id, findings.c.detail)
        .join(findings, findings.c.id == items.c.finding_id)
        .where(findings.c.kind == "media",
               sa.exists().where(decisions.c.item_id == items.c.id))
    ).all()
    for item_id, detail in rows:
        conn.execute(sa.update(items).where(items.c.id == item_id)
                     .values(decided_matches=_keys(detail)))


def downgrade() -> None:
    op.drop_column("item_reopens", "added_matches")
    op.drop_column("review_items", "decided_matches")
    op.drop_column("decisions", "matches")
