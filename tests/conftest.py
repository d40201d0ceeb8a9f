"""Shared fixtures: a fresh store per test, and a writer of canonical chat lines.

The store is SQLite by default. `VAKTPOST_TEST_DB=postgresql` switches every test that takes
`db_url` or `engine` (and the review/report fixtures built on them) to a fresh database on a
throw-away PostgreSQL server that the test session starts from Debian's binaries.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from vaktpost.store.db import make_engine, upgrade

# The machines tests run on are shared and slow at times: no property test fails because drawing
# or running an example took long (each test still sets its own example count).
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")

TEST_DB = os.environ.get("VAKTPOST_TEST_DB", "sqlite").strip().lower() or "sqlite"
if TEST_DB not in {"sqlite", "postgresql"}:
    raise pytest.UsageError(f"VAKTPOST_TEST_DB must be sqlite or postgresql, not {TEST_DB!r}")


STORE_FIXTURES = frozenset({"db_url", "engine", "pg_server", "pg_engine"})


def pytest_report_header(config):
    return f"vaktpost test store: {TEST_DB}"


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass, run only the tests that touch a store: the others would repeat
    the SQLite pass exactly (VAKTPOST_TEST_DB_ALL=1 runs everything anyway)."""
    if TEST_DB != "postgresql" or os.environ.get("VAKTPOST_TEST_DB_ALL"):
        return
    keep, drop = [], []
    for item in items:
        (keep if STORE_FIXTURES & set(getattr(item, "fixturenames", ())) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the session (each test gets its own database on it)."""
    from tests.review.pg import PgServer

    server = PgServer()
    yield server
    server.stop()


def store_url(request, tmp_path: Path, name: str = "vaktpost.db") -> str:
    """A fresh, empty database for one test on the store the session was asked to use."""
    if TEST_DB == "postgresql":
        return request.getfixturevalue("pg_server").new_database()
    return f"sqlite:///{tmp_path / name}"


@pytest.fixture
def db_url(request, tmp_path: Path) -> str:
    return store_url(request, tmp_path)


@pytest.fixture
def engine(db_url: str):
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def chat_record(i: int, conversation: str = "c-1", sender: str = "u-1", recipient: str = "p-1", **extra) -> dict:
    record = {
        "platform": "camsite",
        "conversation_id": conversation,
        "message_id": f"m-{i:06d}",
        "sent_at": f"2021-03-04T21:{(i // 60) % 60:02d}:{i % 60:02d}Z",
        "sender": {"id": sender, "name": f"name-{sender}", "role": "customer"},
        "recipients": [{"id": recipient, "role": "performer"}],
        "text": f"hello, message number {i}",
    }
    record.update(extra)
    return record


def write_jsonl(path: Path, records) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path
