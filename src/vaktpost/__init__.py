"""vaktpost: find, review and report child exploitation traded over chat platforms.

The public API is what `__all__` lists; tests/test_public_api.py pins it, so a change to it
is a deliberate one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Loaded on first use (PEP 562), so that a process needing one light module — the reader
# process of a parallel import, say — does not load the database layer and the text stage.
_WHERE = {
    "InvalidRecord": "vaktpost.errors",
    "UserError": "vaktpost.errors",
    "ImportOptions": "vaktpost.ingest.importer",
    "ImportResult": "vaktpost.ingest.importer",
    "import_file": "vaktpost.ingest.importer",
    **{name: "vaktpost.model" for name in (
        "Actor", "Attachment", "Case", "CaseStatus", "Conversation", "Finding", "Label",
        "MediaItem", "Message", "Participant", "Role", "Signal",
    )},
    "scan_conversation": "vaktpost.scan",
    "scan_conversations": "vaktpost.scan",
    "Settings": "vaktpost.settings",
    "get_settings": "vaktpost.settings",
    "open_store": "vaktpost.store.db",
    "Funnel": "vaktpost.text.funnel",
    "FunnelMessage": "vaktpost.text.funnel",
    "compute_funnels": "vaktpost.text.funnel",
}

if TYPE_CHECKING:
    from vaktpost.errors import InvalidRecord, UserError
    from vaktpost.ingest.importer import ImportOptions, ImportResult, import_file
    from vaktpost.model import (
        Actor,
        Attachment,
        Case,
        CaseStatus,
        Conversation,
        Finding,
        Label,
        MediaItem,
        Message,
        Participant,
        Role,
        Signal,
    )
    from vaktpost.scan import scan_conversation, scan_conversations
    from vaktpost.settings import Settings, get_settings
    from vaktpost.store.db import open_store
    from vaktpost.text.funnel import Funnel, FunnelMessage, compute_funnels


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'vaktpost' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Attachment",
    "Case",
    "CaseStatus",
    "Conversation",
    "Finding",
    "Funnel",
    "FunnelMessage",
    "ImportOptions",
    "ImportResult",
    "InvalidRecord",
    "Label",
    "MediaItem",
    "Message",
    "Participant",
    "Role",
    "Settings",
    "Signal",
    "UserError",
    "__version__",
    "compute_funnels",
    "get_settings",
    "import_file",
    "open_store",
    "scan_conversation",
    "scan_conversations",
]
