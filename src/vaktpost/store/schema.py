"""The whole schema: every module that puts tables on the shared `metadata`.

Import `metadata` from here (not from `tables`) wherever the complete schema matters:
Alembic's environment and the test that a migrated database matches the code.
"""

from vaktpost.store import known_sender_tables, media_tables, report_tables, review_tables  # noqa: F401
from vaktpost.store.tables import metadata

__all__ = ["metadata"]
