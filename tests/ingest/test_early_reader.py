"""`vaktpost scan` starts the first file's reader process before it loads the rest
(cli/early.py, ingest/parallel.start_early). The import takes that process over only for the
very same file, format and options; whatever the early start did, the stored findings are
those of the plain reload."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import store_url, write_jsonl
from tests.ingest.test_held_analysis import _stored
from vaktpost.cli import early
from vaktpost.engines.local import HeldMessages, analyse_conversations
from vaktpost.ingest import parallel
from vaktpost.ingest.importer import ImportOptions, import_file
from vaktpost.ingest.readers import PARALLEL_MIN_BYTES
from vaktpost.store.db import open_store

OPTS = ImportOptions(batch_size=400, parallel=True)


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> list[str]:
    from vaktpost.synth import GeneratorOptions, generate

    out = tmp_path_factory.mktemp("early-train")
    generate(GeneratorOptions(out=out, messages=1_500, seed=23, split="train"))
    return (out / "chats.jsonl").read_text(encoding="utf-8").splitlines()


def _scan_held(engine, path: Path, opts: ImportOptions) -> int:
    held = HeldMessages()
    touched = import_file(engine, path, opts, on_written=held.on_written, facts=held).conversation_keys
    return analyse_conversations(engine, touched, held=held)


def _scan_plain(engine, path: Path) -> int:
    touched = import_file(engine, path, ImportOptions(batch_size=400, parallel=False)).conversation_keys
    return analyse_conversations(engine, touched)


def test_an_early_reader_is_taken_over_by_its_import(request, db_url, tmp_path, lines):
    path = write_jsonl(tmp_path / "all.jsonl", lines)
    parallel.start_early(path, "jsonl", OPTS, OPTS.batch_size, with_findings=True)
    assert len(parallel._started) == 1
    held_engine, plain_engine = open_store(db_url), open_store(store_url(request, tmp_path, "plain.db"))
    n = _scan_held(held_engine, path, OPTS)
    assert parallel._started == {}  # taken over, not left running
    assert n == _scan_plain(plain_engine, path) > 20
    assert _stored(held_engine) == _stored(plain_engine)


def test_an_early_reader_for_other_options_is_not_used(request, db_url, tmp_path, lines):
    path = write_jsonl(tmp_path / "all.jsonl", lines)
    other = ImportOptions(batch_size=400, parallel=True, platform="elsewhere")
    parallel.start_early(path, "jsonl", other, other.batch_size, with_findings=True)
    try:
        held_engine, plain_engine = open_store(db_url), open_store(store_url(request, tmp_path, "plain.db"))
        _scan_held(held_engine, path, OPTS)
        assert len(parallel._started) == 1  # still waiting for an import that never came
        _scan_plain(plain_engine, path)
        assert _stored(held_engine) == _stored(plain_engine)
    finally:
        for child, out in parallel._started.values():
            child.terminate()
            child.join(timeout=5)
        parallel._started.clear()


def test_a_changed_file_does_not_take_over_the_early_reader(tmp_path, lines):
    path = write_jsonl(tmp_path / "all.jsonl", lines[:200])
    parallel.start_early(path, "jsonl", OPTS, OPTS.batch_size, with_findings=False)
    try:
        write_jsonl(path, lines[:300])  # rewritten: another size
        rows = [r for batch, _, _ in parallel.wire_batches_in_child(path, "jsonl", OPTS, OPTS.batch_size) for r in batch]
        assert len(rows) == 300
        assert len(parallel._started) == 1
    finally:
        for child, out in parallel._started.values():
            child.terminate()
            child.join(timeout=5)
        parallel._started.clear()


@pytest.fixture
def started(monkeypatch) -> list[tuple]:
    calls: list[tuple] = []
    monkeypatch.setattr(parallel, "start_early", lambda *a, **k: calls.append((*a, k)))
    return calls


@pytest.fixture
def big(tmp_path, lines) -> Path:
    """A file big enough for a reader process (>= 8 MiB)."""
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / "big.jsonl"
    path.write_bytes(data * (PARALLEL_MIN_BYTES // len(data) + 1))
    return path


def test_the_scan_command_line_starts_the_reader_with_the_import_options(started, big):
    early.start_scan_reader(["scan", str(big), "--db", "sqlite:///x.db", "--output=json", "--timezone", "Europe/Oslo", "--skip-invalid"])
    assert len(started) == 1
    path, fmt, opts, batch_size, kw = started[0]
    assert (Path(path), fmt, batch_size, kw) == (big, "jsonl", ImportOptions.batch_size, {"with_findings": True})
    assert opts.skip_invalid and str(opts.zone) == "Europe/Oslo" and opts.format == "auto"


@pytest.mark.parametrize(
    "argv",
    [
        ["funnel", "--db", "x"],
        ["scan"],
        ["scan", "--help"],
        ["scan", "{big}", "--engine", "ray"],
        ["scan", "{big}", "--unknown-option"],
        ["scan", "{big}", "--timezone", "Not/AZone"],
        ["scan", "{small}"],
        ["scan", "{missing}"],
    ],
    ids=["other command", "no file", "help", "ray engine", "unknown option", "bad zone", "small file", "missing file"],
)
def test_no_reader_is_started_where_the_import_would_not_use_one(started, big, tmp_path, lines, argv):
    small = write_jsonl(tmp_path / "small.jsonl", lines[:10])
    names = {"big": big, "small": small, "missing": tmp_path / "missing.jsonl"}
    early.start_scan_reader([a.format(**names) for a in argv])
    assert started == []
