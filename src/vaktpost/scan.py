"""The pure scan core: messages in, findings out. No I/O, no database, no engine imports.

The same functions run in a unit test, in the CLI, in a batch worker and in a stream
consumer. Dialogue rules need a whole conversation, so the unit of work is a conversation:
its messages in the order they were sent.
"""

from __future__ import annotations

from typing import Sequence

from vaktpost.model import Finding, Message
from vaktpost.text import analyse_conversations

__all__ = ["scan_conversation", "scan_conversations"]


def scan_conversation(messages: Sequence[Message]) -> list[Finding]:
    """Findings for one conversation's messages (sorted by `sent_at`)."""
    return analyse_conversations([messages])


def scan_conversations(conversations: Sequence[Sequence[Message]]) -> list[Finding]:
    """Findings for a batch of conversations. Prefer this to one call per conversation:
    the matcher scans the whole batch at once, which is most of the speed."""
    return analyse_conversations(conversations)
