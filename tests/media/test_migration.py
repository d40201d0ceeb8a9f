"""The media migration goes up and down on SQLite and leaves the first revision intact."""

from sqlalchemy import inspect

from vaktpost.store.db import current_revision, downgrade, make_engine, upgrade


def test_media_tables_come_and_go_with_0002(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    assert current_revision(engine) == "0002_media"
    names = set(inspect(engine).get_table_names())
    assert {"media_banks", "media_bank_hashes", "media_items", "findings"} <= names
    downgrade(engine, "0001")
    names = set(inspect(engine).get_table_names())
    assert not names & {"media_banks", "media_bank_hashes", "media_items"}
    assert "findings" in names
    upgrade(engine)
    assert current_revision(engine) == "0002_media"
