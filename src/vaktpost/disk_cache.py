"""Files a process can rebuild but would rather not: the compiled matcher, the folded
patterns, a new SQLite store's schema — kept under one folder, owner-only.

Every entry is named by a hash of everything it is a function of, so a stale entry is never
read (its name is never asked for again); a missing, unreadable or damaged one is rebuilt by
its caller, silently. Entries are written to a temporary file and renamed into place, so a
reader never sees half a file and two processes writing the same entry both leave a whole one.
The folder is `$VAKTPOST_CACHE_DIR`, else `$XDG_CACHE_HOME/vaktpost`, else `~/.cache/vaktpost`;
a read-only home only means rebuilding each time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("VAKTPOST_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vaktpost"


def read(name: str) -> bytes | None:
    """The entry's bytes, or None where it is missing or cannot be read."""
    try:
        return (cache_dir() / name).read_bytes()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Store an entry (owner-only: 0600 in a 0700 folder), atomically; never raises for a
    folder that cannot be written."""
    folder = cache_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"  # one per writer
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, folder / name)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError:
        pass


@contextmanager
def building(name: str) -> Iterator[None]:
    """Hold the entry's build lock (an advisory `flock` on a lock file beside it) while it
    is built: a process that needs an entry another one is building waits for it and then
    reads it (`read` again inside) instead of building it too — a scan's two processes both
    missing the compiled matcher spent ~2 CPU minutes each. Without a writable folder or
    `fcntl`, nothing is held."""
    try:
        import fcntl

        folder = cache_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(folder / f".{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
