"""`vaktpost scan --engine ray` on a folder of partitions, through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import chat_record, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def vaktpost(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    code = "import sys; from vaktpost.cli import app; app(sys.argv[1:], prog_name='vaktpost')"
    return subprocess.run([sys.executable, "-c", code, *args], check=False, capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.slow
def test_scan_engine_ray_reads_partitions_counts_bad_lines_and_is_idempotent(tmp_path, db_url):
    parts = tmp_path / "parts"
    (parts / "day=1").mkdir(parents=True)
    write_jsonl(parts / "day=1" / "a.jsonl", [chat_record(i, conversation=f"c-{i % 3}") for i in range(40)])
    write_jsonl(parts / "b.jsonl", [*(chat_record(i) for i in range(40, 60)), '{"platform": "camsite"}'])
    first = vaktpost("scan", "--engine", "ray", str(parts), "--db", db_url, "--output", "json")
    assert first.returncode == 0, first.stderr[-2000:]
    summary = json.loads(first.stdout)
    assert (summary["messages_read"], summary["messages_new"], summary["rejected"]) == (60, 60, 1)
    assert "required key is missing" in summary["first_errors"][0]
    again = json.loads(vaktpost("scan", "--engine", "ray", str(parts), "--db", db_url, "--output", "json").stdout)
    assert (again["messages_new"], again["rescanned_locally"]) == (0, 3)  # all three were in the store

    (tmp_path / "x.csv").write_text("a,b\n")
    bad = vaktpost("scan", "--engine", "ray", str(tmp_path / "x.csv"), "--db", db_url)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "x.csv" in bad.stderr
