"""A new SQLite store made from the remembered schema is the store the migrations make."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from vaktpost.store import db as db_mod
from vaktpost.store import sqlite_template
from vaktpost.store.db import current_revision, downgrade, make_engine, open_store, upgrade


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VAKTPOST_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "vaktpost"


def dump(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def migrated(path) -> list[str]:
    upgrade(make_engine(f"sqlite:///{path}"))
    return dump(path)


def no_chain(monkeypatch) -> None:
    def refuse(*_a, **_k):
        raise AssertionError("the Alembic chain ran")

    monkeypatch.setattr(db_mod, "_upgrade_on", refuse)


def test_a_new_store_from_the_template_is_the_migrated_store(tmp_path, cache, monkeypatch):
    reference = migrated(tmp_path / "chain.db")
    open_store(f"sqlite:///{tmp_path / 'first.db'}")  # runs the chain, remembers what it made
    [entry] = cache.glob("sqlite-schema-*.json")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600 and stat.S_IMODE(cache.stat().st_mode) == 0o700
    no_chain(monkeypatch)
    open_store(f"sqlite:///{tmp_path / 'second.db'}")
    assert dump(tmp_path / "first.db") == dump(tmp_path / "second.db") == reference
    assert any(line.startswith('INSERT INTO "audit_head"') for line in reference)  # rows the chain wrote come too


def test_a_store_at_head_is_left_alone_and_an_older_one_is_upgraded(tmp_path, cache, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_store(url)
    head = current_revision(engine)
    downgrade(engine, "-1")
    db_mod._engine_for.cache_clear()
    open_store(url)  # one revision behind: the chain runs
    assert current_revision(engine) == head
    db_mod._engine_for.cache_clear()
    no_chain(monkeypatch)
    before = dump(tmp_path / "store.db")
    open_store(url)
    assert dump(tmp_path / "store.db") == before


@pytest.mark.parametrize("damage", [b"not json", b'{"revision": "x", "statements": ["DROP TABLE messages"], "rows": []}', b""])
def test_a_damaged_template_is_ignored_and_written_again(tmp_path, cache, damage):
    reference = migrated(tmp_path / "chain.db")
    open_store(f"sqlite:///{tmp_path / 'first.db'}")
    [entry] = cache.glob("sqlite-schema-*.json")
    entry.write_bytes(damage)
    assert sqlite_template.load(sqlite_template.template_key()) is None
    open_store(f"sqlite:///{tmp_path / 'second.db'}")
    assert dump(tmp_path / "second.db") == reference
    assert sqlite_template.load(sqlite_template.template_key()) is not None


def test_the_template_is_named_by_the_migration_scripts(tmp_path, monkeypatch):
    copy = tmp_path / "migrations"
    (copy / "versions").mkdir(parents=True)
    for f in sqlite_template.MIGRATIONS.rglob("*.py"):
        target = copy / f.relative_to(sqlite_template.MIGRATIONS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.read_bytes())
    monkeypatch.setattr(sqlite_template, "MIGRATIONS", copy)
    key = sqlite_template.template_key()
    (copy / "versions" / "0099_more.py").write_text('revision = "0099"\n')
    assert sqlite_template.template_key() != key


def test_a_template_with_a_trigger_or_a_second_statement_is_not_replayed(tmp_path, cache):
    open_store(f"sqlite:///{tmp_path / 'first.db'}")
    [entry] = cache.glob("sqlite-schema-*.json")
    import orjson

    doc = orjson.loads(entry.read_bytes())
    key = sqlite_template.template_key()
    assert sqlite_template.load(key) is not None
    for extra in ("CREATE TRIGGER t AFTER INSERT ON findings BEGIN DELETE FROM findings; END",
                  "CREATE VIEW v AS SELECT 1"):
        entry.write_bytes(orjson.dumps({**doc, "statements": doc["statements"] + [extra]}))
        assert sqlite_template.load(key) is None
    entry.write_bytes(orjson.dumps({**doc, "statements": [doc["statements"][0] + "; DROP TABLE x"]}))
    tpl = sqlite_template.load(key)
    engine = make_engine(f"sqlite:///{tmp_path / 'second.db'}")
    with pytest.raises(Exception), engine.begin() as conn:  # sqlite3 runs one statement at a time
        sqlite_template.create(conn, tpl)
