"""The media migration goes up and down on SQLite and leaves the revisions before it intact."""

from sqlalchemy import inspect

from vaktpost.store.db import current_revision, downgrade, make_engine, upgrade

MEDIA_TABLES = {"media_banks", "media_bank_hashes", "media_items"}


def test_media_tables_come_and_go_with_0003(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0003_media")
    assert current_revision(engine) == "0003_media"
    names = set(inspect(engine).get_table_names())
    assert MEDIA_TABLES | {"findings", "review_items"} <= names
    downgrade(engine, "0002_review")
    names = set(inspect(engine).get_table_names())
    assert not names & MEDIA_TABLES
    assert {"findings", "review_items"} <= names
    upgrade(engine)
    assert MEDIA_TABLES <= set(inspect(engine).get_table_names())
