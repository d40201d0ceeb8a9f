"""The command-line contract of spec/cli.md, run as a real process: exit codes, stdout purity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import chat_record, write_jsonl

VAKTPOST = [sys.executable, "-c", "from vaktpost.cli import main; main()"]


def run(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*VAKTPOST, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd, timeout=120
    )


@pytest.fixture
def chats(tmp_path) -> Path:
    recs = [chat_record(i, conversation=f"c-{i % 4}", sender="u-1" if i % 2 else "p-1", recipient="p-1" if i % 2 else "u-1") for i in range(40)]
    return write_jsonl(tmp_path / "chats.jsonl", recs)


def test_scan_then_funnel_json_is_pure_json_on_stdout(tmp_path, chats, db_url):
    scan = run("scan", str(chats), "--db", db_url, "--output", "json")
    assert scan.returncode == 0, scan.stderr
    summary = json.loads(scan.stdout)
    assert summary["imports"][0]["messages_new"] == 40
    out = run("funnel", "--db", db_url, "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {r["actor_id"] for r in rows} == {"u-1", "p-1"}
    keys = {"actor_id", "platform", "contacted", "asked_minor", "confirmed_minor", "price", "payment", "off_platform", "travel", "risk"}
    assert all(keys <= set(r) for r in rows)
    assert all(0.0 <= r["risk"] <= 1.0 for r in rows)


def test_findings_jsonl_is_one_object_per_line(chats, db_url):
    assert run("scan", str(chats), "--db", db_url).returncode == 0
    out = run("findings", "--db", db_url, "--format", "jsonl")
    assert out.returncode == 0
    assert all(json.loads(line) for line in out.stdout.splitlines())  # empty is fine: no detectors yet


def test_db_defaults_to_env_then_to_vaktpost_db_in_the_working_directory(tmp_path, chats):
    env_db = tmp_path / "from_env.db"
    assert run("scan", str(chats), env={"VAKTPOST_DB": f"sqlite:///{env_db}"}).returncode == 0
    assert env_db.exists()
    env = {k: v for k, v in os.environ.items() if k != "VAKTPOST_DB"}
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run([*VAKTPOST, "scan", str(chats)], capture_output=True, text=True, env=env, cwd=work, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (work / "vaktpost.db").exists()


def _file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "make_input, needle",
    [
        (lambda d: d, "is a directory"),
        (lambda d: d / "absent.jsonl", "no such file"),
        (lambda d: _file(d / "empty.jsonl", b""), "empty"),
        (lambda d: _file(d / "latin1.jsonl", b'{"text": "caf\xe9"}\n'), "UTF-8"),
    ],
)
def test_user_errors_exit_1_with_one_line_and_no_traceback(tmp_path, db_url, make_input, needle):
    path = make_input(tmp_path)
    proc = run("scan", str(path), "--db", db_url)
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in proc.stderr


def test_bad_line_error_names_file_line_and_key_and_writes_nothing(tmp_path, db_url):
    bad = chat_record(3)
    del bad["conversation_id"]
    path = write_jsonl(tmp_path / "chats.jsonl", [chat_record(1), chat_record(2), bad])
    proc = run("scan", str(path), "--db", db_url)
    assert proc.returncode == 1
    assert f"{path}:3" in proc.stderr and "conversation_id" in proc.stderr
    out = run("funnel", "--db", db_url, "--format", "json")
    assert json.loads(out.stdout) == []


def test_bad_usage_exits_2(db_url):
    assert run("scan", "--db", db_url).returncode == 2
    assert run("funnel", "--format", "xml", "--db", db_url).returncode == 2
    assert run("no-such-command").returncode == 2


def test_unknown_zone_and_bad_db_url_are_user_errors(chats, tmp_path):
    proc = run("scan", str(chats), "--timezone", "Mars/Olympus", "--db", f"sqlite:///{tmp_path}/x.db")
    assert proc.returncode == 1 and "time zone" in proc.stderr
    proc = run("scan", str(chats), "--db", "sqlite:////no/such/folder/x.db")
    assert proc.returncode == 1 and "does not exist" in proc.stderr


def test_help_teaches(tmp_path):
    proc = run("scan", "--help")
    assert proc.returncode == 0
    for option in ("--db", "--format", "--skip-invalid", "--timezone", "--column"):
        assert option in proc.stdout
