"""Opening chat files: plain or gzip, checked before anything is read.

Readers get numbered raw lines and a way to tell how far through the file they are,
so a progress bar can follow the bytes of a compressed file too.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from vaktpost.errors import UserError

GZIP_MAGIC = b"\x1f\x8b"


def check_input(path: Path) -> int:
    """Raise a UserError unless `path` is a readable, non-empty file; return its size."""
    if not path.exists():
        raise UserError("no such file", where=str(path))
    if path.is_dir():
        raise UserError(
            f"is a directory, not a chat file (pass the files inside it, e.g. {path}/*.jsonl)",
            where=str(path),
        )
    if not path.is_file():
        raise UserError("not a regular file", where=str(path))
    size = path.stat().st_size
    if size == 0:
        raise UserError("the file is empty", where=str(path))
    return size


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


class InputFile:
    """A chat file opened for reading; `position()` is the offset into the file on disk."""

    def __init__(self, path: Path):
        self.path = path
        self.size = check_input(path)
        self.compressed = is_gzip(path)
        self._raw: BinaryIO | None = None
        self._stream: BinaryIO | None = None

    def __enter__(self) -> InputFile:
        self._raw = self.path.open("rb")
        if self.compressed:
            self._stream = gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
        else:
            self._stream = self._raw
        return self

    def __exit__(self, *exc) -> None:
        if self._stream is not None and self._stream is not self._raw:
            self._stream.close()
        if self._raw is not None:
            self._raw.close()

    def position(self) -> int:
        return self._raw.tell() if self._raw is not None else 0

    @property
    def stream(self) -> BinaryIO:
        assert self._stream is not None, "use InputFile as a context manager"
        return self._stream

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """(line number from 1, raw line without its newline); gzip damage becomes a UserError."""
        with _gzip_errors(self.path):
            for number, line in enumerate(self.stream, start=1):
                yield number, line.rstrip(b"\r\n")


@contextmanager
def _gzip_errors(path: Path):
    try:
        yield
    except EOFError:
        raise UserError(
            "the gzip stream is truncated (the file ends before its end marker)", where=str(path)
        ) from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise UserError(f"the gzip stream is damaged ({exc})", where=str(path)) from None


gzip_errors = _gzip_errors
