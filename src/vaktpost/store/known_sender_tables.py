"""The reply model's borderline turns (text/known_sender.py), kept for the store pass
`promote_known_senders`: one row per message whose reply score was in [low, threshold).

Written by the same two writers as the text findings, in the same transaction, replaced per
conversation with them (a rescan of a conversation replaces its rows), so the pass reads the
same rows whatever path filled the store.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, ForeignKey, Index, Integer, Table

from vaktpost.store.tables import metadata

reply_borderline = Table(
    "reply_borderline",
    metadata,
    Column("message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("actor_id", BigInteger, ForeignKey("actors.id"), nullable=False),  # the sender
    Column("end", Integer, nullable=False),  # evidence: the whole line, [0, end) of the text as written
    Column("score", Float, nullable=False),  # the reply model's probability
    Index("ix_reply_borderline_actor", "actor_id"),
)
