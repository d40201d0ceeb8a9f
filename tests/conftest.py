"""Shared fixtures: a fresh SQLite store per test, and a writer of canonical chat lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaktpost.store.db import make_engine, upgrade


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'vaktpost.db'}"


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
