"""vaktpost: find, review and report child exploitation traded over chat platforms.

The public API is what `__all__` lists; tests/test_public_api.py pins it, so a change to it
is a deliberate one.
"""

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
