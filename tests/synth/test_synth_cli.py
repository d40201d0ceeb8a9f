"""`vaktpost synth` through typer's runner: files written, options honoured, one-line errors."""

from __future__ import annotations

import gzip

import orjson
import pytest
import typer
from typer.testing import CliRunner

from vaktpost.cli import synth as synth_cli


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    # A group of its own, so the command is invoked by name whatever else is registered.
    app = typer.Typer()

    @app.callback()
    def _group() -> None:
        pass

    synth_cli.register(app)
    return app


def _run(app, *args):
    return CliRunner().invoke(app, ["synth", *args])


def test_demo_scenario_writes_the_layout(app, tmp_path):
    out = tmp_path / "demo"
    result = _run(app, "--scenario", "demo", "--seed", "7", "--out", str(out))
    assert result.exit_code == 0, result.output
    for name in ("chats.jsonl", "truth/messages.jsonl", "truth/actors.jsonl", "world.json"):
        assert (out / name).stat().st_size > 0
    world = orjson.loads((out / "world.json").read_bytes())
    assert world["scenario"] == "demo" and world["seed"] == 7


def test_messages_and_json_summary_on_stdout(app, tmp_path):
    result = _run(app, "--messages", "1500", "--seed", "3", "--out", str(tmp_path / "w"),
                  "--format", "json")
    assert result.exit_code == 0, result.output
    summary = orjson.loads(result.stdout)
    assert summary["counts"]["messages"] == 1500
    lines = (tmp_path / "w" / "chats.jsonl").read_bytes().splitlines()
    assert len(lines) == 1500


def test_gzip_and_parquet_outputs(app, tmp_path):
    assert _run(app, "--messages", "1200", "--out", str(tmp_path / "g"), "--gzip").exit_code == 0
    rows = gzip.decompress((tmp_path / "g" / "chats.jsonl.gz").read_bytes()).splitlines()
    assert len(rows) == 1200 and orjson.loads(rows[0])["message_id"]

    pq = pytest.importorskip("pyarrow.parquet")
    assert _run(app, "--messages", "1200", "--out", str(tmp_path / "p"), "--parquet").exit_code == 0
    table = pq.read_table(tmp_path / "p" / "chats.parquet")
    assert table.num_rows == 1200
    plain = _run(app, "--messages", "1200", "--out", str(tmp_path / "j"))
    assert plain.exit_code == 0
    first = orjson.loads((tmp_path / "j" / "chats.jsonl").read_bytes().splitlines()[0])
    row = table.slice(0, 1).to_pylist()[0]
    assert row["text"] == first["text"] and row["sender"] == first["sender"]
    assert row["sent_at"].isoformat().replace("+00:00", "Z") == first["sent_at"]


def test_split_option_is_recorded(app, tmp_path):
    assert _run(app, "--messages", "800", "--split", "test", "--out", str(tmp_path / "t")).exit_code == 0
    splits = {orjson.loads(line)["split"]
              for line in (tmp_path / "t" / "truth" / "messages.jsonl").read_bytes().splitlines()}
    assert splits == {"test"}


@pytest.mark.parametrize("args, where", [
    (["--scenario", "nope"], "--scenario"),
    (["--split", "dev"], "--split"),
    (["--messages", "0"], "--messages"),
    (["--gzip", "--parquet"], "--gzip"),
    (["--perturb", "-1"], "--perturb"),
    (["--perturb-rate", "typo"], "--perturb-rate"),
    (["--perturb-rate", "sparkle=0.1"], "--perturb-rate"),
    (["--perturb-rate", "typo=2"], "--perturb-rate"),
])
def test_bad_options_fail_with_one_line(app, tmp_path, args, where):
    result = _run(app, "--out", str(tmp_path / "x"), *args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and where in lines[0]
    assert "Traceback" not in result.output


def test_out_that_is_a_file_is_refused(app, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    result = _run(app, "--out", str(f), "--messages", "10")
    assert result.exit_code == 1 and "not a folder" in result.stderr


def test_single_perturbation_rate_can_be_set(app, tmp_path):
    out = tmp_path / "zw"
    result = _run(app, "--messages", "1500", "--seed", "4", "--out", str(out),
                  "--perturb-rate", "zero_width=1", "--perturb-rate", "emoji=0")
    assert result.exit_code == 0, result.output
    texts = [orjson.loads(line)["text"] for line in (out / "chats.jsonl").read_bytes().splitlines()]
    assert all(any(ch in t for ch in "\u200b\u200c\u200d\u2060") for t in texts if len(t) >= 3)
    world = orjson.loads((out / "world.json").read_bytes())
    assert world["perturb_rates"]["zero_width"] == 1 and world["perturb_rates"]["emoji"] == 0
