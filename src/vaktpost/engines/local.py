"""The default engine: analyse conversations in this process, a chunk at a time.

Each chunk of conversations is one transaction, so an interrupted analysis leaves every
conversation either analysed or as it was, and running it again finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Engine

from vaktpost.bulkwork import collector_paused
from vaktpost.model import Role
from vaktpost.scan import scan_conversations
from vaktpost.store.conversations import iter_conversations, replace_text_findings
from vaktpost.text import memo

CHUNK = 500
_ROLES = {r.value: r for r in Role}


def analyse_conversations(
    engine: Engine,
    conversation_keys: Iterable[int],
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Run the scan core over these conversations and store the findings; returns their count."""
    keys = sorted(set(conversation_keys))
    total = 0
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        with engine.begin() as conn, collector_paused():
            conversations = list(iter_conversations(conn, chunk))
            found = scan_conversations([[s.message for s in c] for c in conversations])
            total += replace_text_findings(conn, [s for c in conversations for s in c], found)
        if on_progress:
            on_progress(len(chunk))
    return total


def prepare_texts(rows) -> None:
    """An importer hook (`import_file(..., on_rows=prepare_texts)`): works out the text
    stage's facts of each (text, sender role) of the rows just written, while the reader
    process parses the next batch; `analyse_conversations` then finds them remembered
    (text/memo.py). Findings are the same with or without it."""
    memo.prepare((w.text, _ROLES.get(w.sender_role, Role.UNKNOWN)) for w in rows)
