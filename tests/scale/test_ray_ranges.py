"""A large JSONL file is split into byte ranges that end at line breaks: every line is read
by exactly one task, whatever the cut points, and bad lines are named by file and range."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import chat_record
from vaktpost.engines.ray_engine import _read_ranges, jsonl_ranges


def _columns(ranges):
    return {k: [r[k] for r in ranges] for k in ("path", "start", "end")}


@settings(max_examples=60, deadline=None)
@given(lengths=st.lists(st.integers(1, 300), min_size=1, max_size=40), size=st.integers(1, 500), trailing=st.booleans())
def test_ranges_cover_the_file_and_cut_only_at_line_breaks(tmp_path_factory, lengths, size, trailing):
    # lines of at least one byte: "\n" alone is one empty line or two, by the trailing rule
    path = tmp_path_factory.mktemp("ranges") / "f.jsonl"
    lines = [b"x" * n for n in lengths]
    data = b"\n".join(lines) + (b"\n" if trailing else b"")
    path.write_bytes(data)
    ranges = jsonl_ranges(str(path), size)
    assert bool(ranges) == bool(data)
    assert [r["start"] for r in ranges] == ([0] if data else []) + [r["end"] for r in ranges[:-1]]  # contiguous
    assert (ranges[-1]["end"] if ranges else 0) == len(data)
    for r in ranges[:-1]:
        assert data[r["end"] - 1 : r["end"]] == b"\n"  # every inner cut follows a line break
    pieces = [data[r["start"] : r["end"]] for r in ranges]
    assert b"".join(pieces) == data
    assert [ln for p in pieces for ln in p.split(b"\n")[: -1 if p.endswith(b"\n") else None]] == (lines if data else [])


def test_read_ranges_parses_each_line_once_and_names_bad_ones(tmp_path):
    path = tmp_path / "chats.jsonl"
    good = [json.dumps(chat_record(i)).encode() for i in range(50)]
    path.write_bytes(b"\n".join(good[:20] + [b"{not json", b"\xff\xfe bad bytes"] + good[20:]) + b"\n")
    ranges = jsonl_ranges(str(path), 700)
    assert len(ranges) > 5
    table = _read_ranges(_columns(ranges))
    ok = table.column("ok").to_pylist()
    assert ok.count(True) == 50 and ok.count(False) == 2
    assert [json.loads(x)["message_id"] for x, g in zip(table.column("line").to_pylist(), ok) if g] == [
        json.loads(g)["message_id"] for g in good
    ]
    errors = [e for e in table.column("error").to_pylist() if e]
    assert "not valid JSON" in errors[0] and "not UTF-8" in errors[1]
    assert all(e.startswith(f"{path} bytes ") for e in errors)
