"""`vaktpost scan` run without building the typer app (cli/early.run_scan) calls the command's
work (cli/scan_command.scan_files) with exactly what typer would, and leaves every other form
to typer."""

from __future__ import annotations

import inspect

import pytest
import typer
from typer.testing import CliRunner

from vaktpost.cli import conversations, early, scan_command


@pytest.fixture()
def calls(monkeypatch):
    seen: list[dict] = []
    signature = inspect.signature(scan_command.scan_files)

    def recorder(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        seen.append(dict(bound.arguments))

    monkeypatch.setattr(scan_command, "scan_files", recorder)
    monkeypatch.setattr(conversations, "scan_files", recorder)
    return seen


def through_typer(argv: list[str], calls: list[dict]) -> dict:
    app = typer.Typer()
    conversations.register(app)
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    return calls.pop()


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "a.jsonl", "--db", "sqlite:///x.db", "--output", "json"],
        ["scan", "a.jsonl", "b.csv", "--format=csv", "--column", "text=body", "--column=sender_id=from", "--skip-invalid",
         "--timezone", "Europe/Oslo", "--platform", "p"],
        ["scan", "--pan12-date", "2020-01-02", "x.xml", "--format", "pan12", "--engine", "ray", "--ray-address", "auto"],
        ["scan", "a.jsonl", "--output", "table", "--output=json", "--db=sqlite:///y.db"],
        ["scan", "a.jsonl"],
        ["scan", "--", "-odd.jsonl"],
    ],
)
def test_the_direct_path_calls_scan_as_typer_does(calls, argv):
    expected = through_typer(argv, calls)
    assert early.run_scan(argv) is True
    assert calls.pop() == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "a.jsonl", "--output", "xml"],  # not a choice: typer's usage error
        ["scan", "a.jsonl", "--engine", "spark"],
        ["scan", "a.jsonl", "--db"],  # no value
        ["scan", "a.jsonl", "--skip-invalid=yes"],
        ["scan", "--help"],
        ["scan"],
        ["funnel", "--db", "sqlite:///x.db"],
        [],
    ],
)
def test_other_forms_are_left_to_typer(calls, argv):
    assert early.run_scan(argv) is False
    assert calls == []


def test_a_user_error_is_one_line_and_exit_status_1(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        early.run_scan(["scan", str(tmp_path / "missing.jsonl"), "--db", f"sqlite:///{tmp_path / 's.db'}"])
    assert done.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "missing.jsonl" in err[0]
