"""Errors a person can act on. The CLI prints them on one line and exits 1."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a missing thing: says where and why, never needs a traceback."""

    def __init__(self, why: str, where: str | None = None):
        self.why = why
        self.where = where
        super().__init__(f"{where}: {why}" if where else why)


class InvalidRecord(UserError):
    """One input record that cannot be read; `where` is `file:line`."""

    def __init__(self, why: str, path: str, line: int, key: str | None = None):
        self.path = path
        self.line = line
        self.key = key
        super().__init__(why, f"{path}:{line}")
