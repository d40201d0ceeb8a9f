"""The evidence store: nothing readable on disk, names that reveal nothing, purge, holds, destruction."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaktpost.errors import UserError
from vaktpost.evidence.audit import MemoryAuditLog
from vaktpost.evidence.crypto import parse_master_key
from vaktpost.evidence.store import EvidenceStore
from vaktpost.store.db import make_engine, upgrade

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def engine(db_url):
    e = make_engine(db_url)
    upgrade(e)
    yield e
    e.dispose()


@pytest.fixture
def store(engine, tmp_path):
    return EvidenceStore(engine, tmp_path / "objects", os.urandom(32), audit=MemoryAuditLog())


def payload(i: int) -> bytes:
    # recognisable benign bytes: a header line and a repeated marker
    return f"PLAINTEXT-MARKER-{i:04d} synthetic gradient row ".encode() * 40


def every_file_bytes(root) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_round_trip_and_no_plaintext_or_hash_on_disk(store, tmp_path):
    names = [store.put(payload(i), case_ref="case-1") for i in range(5)]
    disk = every_file_bytes(tmp_path)  # objects and the database
    for i, name in enumerate(names):
        data = payload(i)
        assert store.get(name) == data
        assert b"PLAINTEXT-MARKER" not in disk
        for digest in (hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()):
            assert digest.encode() not in disk and digest not in name


@settings(max_examples=25, deadline=None)
@given(data=st.binary(min_size=16, max_size=2048))
def test_any_bytes_are_sealed(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("ev")
    e = make_engine(f"sqlite:///{root / 's.db'}")
    upgrade(e)
    s = EvidenceStore(e, root / "o", os.urandom(32), audit=MemoryAuditLog())
    name = s.put(data, case_ref="c")
    blob = (root / "o" / name[:2] / name[2:4] / name).read_bytes()
    assert data not in blob and s.get(name) == data
    e.dispose()


def test_same_bytes_stored_once_and_another_key_cannot_read(engine, store, tmp_path):
    a = store.put(payload(1), case_ref="case-1")
    assert store.put(payload(1), case_ref="case-2") == a
    assert len([p for p in (tmp_path / "objects").rglob("*") if p.is_file()]) == 1
    stranger = EvidenceStore(engine, tmp_path / "objects", os.urandom(32), audit=MemoryAuditLog())
    with pytest.raises(UserError, match="another master key"):
        stranger.get(a)


def test_altered_object_is_detected(store, tmp_path):
    name = store.put(payload(2), case_ref="c")
    path = next(p for p in (tmp_path / "objects").rglob(name))
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))
    with pytest.raises(UserError, match="altered"):
        store.get(name)


def test_purge_respects_the_clock_and_holds(engine, store):
    reported = store.put(payload(1), case_ref="reported")
    held = store.put(payload(2), case_ref="held")
    pending = store.put(payload(3), case_ref="pending")  # no finished report: no clock
    with engine.begin() as conn:
        store.start_preservation(conn, "reported", NOW)
        store.start_preservation(conn, "held", NOW)
    store.hold("held", reason="court order 12/26", by="legal")
    assert store.purge(now=NOW + timedelta(days=364)) == []  # within the year
    assert store.purge(now=NOW + timedelta(days=366)) == [reported]
    assert store.describe(reported).destroyed and not store.describe(held).destroyed
    assert not store.describe(pending).destroyed
    store.release("held", by="legal")
    assert store.purge(now=NOW + timedelta(days=366)) == [held]


def test_a_later_report_extends_preservation(engine, store):
    name = store.put(payload(1), case_ref="a")
    store.put(payload(1), case_ref="b")
    with engine.begin() as conn:
        store.start_preservation(conn, "a", NOW)
        store.start_preservation(conn, "b", NOW + timedelta(days=200))
        store.start_preservation(conn, "a", NOW)  # an earlier clock never shortens it
    assert store.describe(name).preserve_until == NOW + timedelta(days=565)


@settings(max_examples=25, deadline=None)
@given(
    finish_days=st.lists(st.one_of(st.none(), st.integers(0, 800)), min_size=1, max_size=6),
    held=st.lists(st.booleans(), min_size=6, max_size=6),
    purge_day=st.integers(0, 1600),
)
def test_purge_property(tmp_path_factory, finish_days, held, purge_day):
    root = tmp_path_factory.mktemp("p")
    e = make_engine(f"sqlite:///{root / 's.db'}")
    upgrade(e)
    s = EvidenceStore(e, root / "o", os.urandom(32), audit=MemoryAuditLog())
    names = []
    for i, day in enumerate(finish_days):
        names.append(s.put(payload(i), case_ref=f"c{i}"))
        if day is not None:
            with e.begin() as conn:
                s.start_preservation(conn, f"c{i}", NOW + timedelta(days=day))
        if held[i]:
            s.hold(f"c{i}", reason="r", by="b")
    purged = set(s.purge(now=NOW + timedelta(days=purge_day)))
    for i, day in enumerate(finish_days):
        expired = day is not None and purge_day > day + 365
        assert (names[i] in purged) == (expired and not held[i])
    e.dispose()


def test_destroy_on_request_is_audited_and_refused_under_hold(engine, tmp_path):
    audit = MemoryAuditLog()
    store = EvidenceStore(engine, tmp_path / "o", os.urandom(32), audit=audit)
    name = store.put(payload(1), case_ref="case-9")
    store.hold(name, reason="investigation", by="legal")
    with pytest.raises(UserError, match="legal hold"):
        store.destroy("case-9", reason="request", by="Agency X")
    store.release(name, by="legal")
    assert store.destroy("case-9", reason="Agency X request 2026/77", by="Agency X") == [name]
    with pytest.raises(UserError):
        store.get(name)
    assert not any((tmp_path / "o").rglob(name))
    events = [e for e in audit.events_for(f"evidence:{name}") if e.action == "evidence.destroyed"]
    assert len(events) == 1 and events[0].actor == "Agency X" and "2026/77" in events[0].detail["reason"]


def test_master_key_parsing():
    assert parse_master_key("ab" * 32) == bytes.fromhex("ab" * 32)
    for bad in (None, "", "abcd", "zz" * 32):
        with pytest.raises(UserError):
            parse_master_key(bad)


def test_preservation_below_one_year_is_refused(engine, tmp_path):
    with pytest.raises(UserError):
        EvidenceStore(engine, tmp_path, os.urandom(32), audit=MemoryAuditLog(), preservation_days=30)
