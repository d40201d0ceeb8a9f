"""The pure scan core: messages in, findings out. No I/O, no database, no engine imports.

The same functions run in a unit test, in the CLI, in a batch worker and in a stream
consumer. Dialogue rules need a whole conversation, so the unit of work is a conversation:
its messages in the order they were sent.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from vaktpost.model import Finding, Message
from vaktpost.text import analyse_conversation

__all__ = ["scan_conversation", "scan_conversations"]


def scan_conversation(messages: Sequence[Message]) -> list[Finding]:
    """Findings for one conversation's messages (sorted by `sent_at`)."""
    return analyse_conversation(messages)


def scan_conversations(conversations: Iterable[Sequence[Message]]) -> Iterator[Finding]:
    for messages in conversations:
        yield from scan_conversation(messages)
