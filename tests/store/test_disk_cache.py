"""The disk cache trusts only entries (and a folder) that are this user's and private."""

from __future__ import annotations

import os
import stat

from vaktpost import disk_cache


def test_an_entry_round_trips_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("VAKTPOST_CACHE_DIR", str(tmp_path))
    disk_cache.write("e.bin", b"abc")
    entry = tmp_path / "vaktpost" / "e.bin"
    assert disk_cache.read("e.bin") == b"abc"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert not [p for p in entry.parent.iterdir() if p.name.endswith(".tmp")]


def test_an_entry_others_may_write_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setenv("VAKTPOST_CACHE_DIR", str(tmp_path))
    disk_cache.write("e.bin", b"abc")
    os.chmod(tmp_path / "vaktpost" / "e.bin", 0o666)
    assert disk_cache.read("e.bin") is None


def test_a_folder_others_may_write_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("VAKTPOST_CACHE_DIR", str(tmp_path))
    folder = tmp_path / "vaktpost"
    folder.mkdir()
    (folder / "e.bin").write_bytes(b"planted")
    os.chmod(folder / "e.bin", 0o600)
    os.chmod(folder, 0o777)
    assert disk_cache.read("e.bin") is None
    disk_cache.write("f.bin", b"abc")
    assert not (folder / "f.bin").exists()
    with disk_cache.building("f.bin"):  # no lock file in a shared folder; nothing raised
        pass
    assert not (folder / ".f.bin.lock").exists()


def test_a_link_at_the_temporary_name_is_not_written_through(tmp_path, monkeypatch):
    import threading

    monkeypatch.setenv("VAKTPOST_CACHE_DIR", str(tmp_path))
    folder = tmp_path / "vaktpost"
    folder.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    (folder / f".e.bin.{os.getpid()}.{threading.get_ident()}.tmp").symlink_to(victim)
    disk_cache.write("e.bin", b"abc")
    assert victim.read_bytes() == b"keep" and disk_cache.read("e.bin") == b"abc"
