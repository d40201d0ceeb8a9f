"""Pins the public API: adding or removing a name must be a deliberate edit of this list."""

import vaktpost

PUBLIC = {
    "Actor", "Attachment", "Case", "CaseStatus", "Conversation", "Finding", "Funnel",
    "FunnelMessage", "ImportOptions", "ImportResult", "InvalidRecord", "Label", "MediaItem",
    "Message", "Participant", "Role", "Settings", "Signal", "UserError", "__version__",
    "compute_funnels", "get_settings", "import_file", "open_store", "scan_conversation",
    "scan_conversations",
}


def test_all_is_exactly_the_public_api():
    assert set(vaktpost.__all__) == PUBLIC
    assert len(vaktpost.__all__) == len(PUBLIC)


def test_every_public_name_resolves():
    missing = [name for name in vaktpost.__all__ if not hasattr(vaktpost, name)]
    assert missing == []


def test_version_matches_the_package_metadata():
    from importlib.metadata import version

    assert vaktpost.__version__ == version("vaktpost")
