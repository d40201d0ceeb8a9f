"""Session 8: `vaktpost scan`'s start-up. A plain scan from the command line runs without typer
or rich and with the cyclic collector paused for the whole command; the progress bar and the
table are still drawn where a person looks at them."""

from __future__ import annotations

import ast
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from vaktpost.cli import early, scan_command

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample.jsonl"
SRC = Path(scan_command.__file__).resolve().parents[2]

# what the scan process had loaded, how many collections ran in `main()` and whether the
# collector is on again after it
PROBE = """
import gc, sys
from vaktpost.cli import main
runs = []
gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "start" else None)
try:
    main()
finally:
    sys.stderr.write("PROBE " + repr(("typer" in sys.modules, "rich" in sys.modules, len(runs), gc.isenabled())) + "\\n")
"""


def _run(args: list[str], tmp_path: Path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    environ.update(PYTHONPATH=str(SRC), **env)
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=environ, cwd=tmp_path, timeout=300, check=False)


def _probe(stderr: str) -> tuple:
    line = [x for x in stderr.splitlines() if x.startswith("PROBE ")][-1]
    return ast.literal_eval(line.removeprefix("PROBE "))  # the tuple PROBE wrote


def test_a_plain_scan_loads_neither_typer_nor_rich_and_stores_everything(tmp_path):
    db = tmp_path / "s.db"
    done = _run(["scan", str(SAMPLE), "--db", f"sqlite:///{db}", "--output", "json"], tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["imports"][0]["messages_new"] == 6
    assert _probe(done.stderr) == (False, False, 0, True)  # no collection ran; on again after
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 6


def test_a_plain_scan_prints_its_table_for_people(tmp_path):
    done = _run(["scan", str(SAMPLE), "--db", f"sqlite:///{tmp_path / 's.db'}"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "conversation(s) analysed" in done.stderr and "sample.jsonl" in done.stderr
    typer_loaded, rich_loaded, collections, _ = _probe(done.stderr)
    assert rich_loaded and not typer_loaded and collections == 0


def test_another_command_runs_through_typer_with_the_collector_on(tmp_path):
    done = _run(["funnel", "--db", f"sqlite:///{tmp_path / 's.db'}", "--format", "json"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    typer_loaded, rich_loaded, collections, enabled = _probe(done.stderr)
    assert typer_loaded and rich_loaded and enabled
    assert collections > 0  # loading typer's app and every command set some off


def test_a_user_error_of_a_plain_scan_is_one_line(tmp_path):
    done = _run(["scan", str(tmp_path / "missing.jsonl"), "--db", f"sqlite:///{tmp_path / 's.db'}"], tmp_path)
    assert done.returncode == 1
    lines = [x for x in done.stderr.splitlines() if not x.startswith("PROBE ")]
    assert len(lines) == 1 and lines[0].startswith("error:") and "missing.jsonl" in lines[0]


def test_a_usage_error_is_left_to_typer(tmp_path):
    done = _run(["scan", str(SAMPLE), "--output", "xml"], tmp_path)
    assert done.returncode == 2
    assert "xml" in done.stderr


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "env", "plain"),
    [
        (False, {}, True),
        (True, {}, False),
        (False, {"FORCE_COLOR": "1"}, False),
        (False, {"FORCE_COLOR": ""}, False),  # rich decides (it says no)
        (False, {"TTY_COMPATIBLE": "1"}, False),
        (False, {"TTY_COMPATIBLE": "0"}, True),
    ],
)
def test_no_terminal_is_assumed_only_where_rich_would_find_none(monkeypatch, tty, env, plain):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(sys, "stderr", _Stream(tty))
    assert scan_command.plainly_not_a_terminal() is plain
    if plain:
        from rich.console import Console

        assert Console(stderr=True).is_terminal is False
        assert isinstance(scan_command._progress(), scan_command._NoProgress)
    else:
        from rich.progress import Progress

        assert isinstance(scan_command._progress(), Progress)


def test_is_plain_scan_matches_what_run_scan_takes():
    assert early.is_plain_scan(["scan", "a.jsonl", "--output", "json"])
    assert not early.is_plain_scan(["scan", "a.jsonl", "--db"])  # no value
    assert not early.is_plain_scan(["scan", "--help"])
    assert not early.is_plain_scan(["funnel"])
    assert not early.is_plain_scan([])
