"""Files a process can rebuild but would rather not: the compiled matcher, the folded
patterns, a new SQLite store's schema — kept under one folder, owner-only.

Every entry is named by a hash of everything it is a function of, so a stale entry is never
read (its name is never asked for again); a missing, unreadable or damaged one is rebuilt by
its caller, silently. Entries are written to a temporary file and renamed into place, so a
reader never sees half a file and two processes writing the same entry both leave a whole one.
The folder is `$VAKTPOST_CACHE_DIR`, else `$XDG_CACHE_HOME/vaktpost`, else `~/.cache/vaktpost`;
a read-only home only means rebuilding each time. An entry is trusted (a compiled database is
loaded by native code, a schema entry is replayed into a new store) only where it and the
folder are this user's and writable by no one else; elsewhere the folder is not used at all.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("VAKTPOST_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vaktpost"


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (no owner on a platform without uids)."""
    return not (st.st_mode & 0o022) and (not hasattr(os, "getuid") or st.st_uid == os.getuid())


def _folder(create: bool) -> Path | None:
    """The cache folder where it is private (see `_private`), else None."""
    folder = cache_dir()
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder if _private(folder.stat()) else None
    except OSError:
        return None


def read(name: str) -> bytes | None:
    """The entry's bytes, or None where it is missing, cannot be read or is not private."""
    folder = _folder(create=False)
    if folder is None:
        return None
    try:
        with open(folder / name, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or not _private(st):
                return None
            return fh.read()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Store an entry (owner-only: 0600 in a 0700 folder), atomically; never raises for a
    folder that cannot be written."""
    folder = _folder(create=True)
    if folder is None:
        return
    try:
        tmp = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"  # one per writer
        tmp.unlink(missing_ok=True)  # a crashed writer's leftover
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never through a link
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

        folder = _folder(create=True)
        if folder is None:
            raise OSError("no private cache folder")
        fd = os.open(folder / f".{name}.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
