"""A throw-away PostgreSQL server for tests, started from the Debian packages' binaries.

Skips (with the reason) where the server binaries or the driver are not installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self):
        bins = _bin_dir()
        if bins is None:
            pytest.skip("PostgreSQL server binaries are not installed (apt-get install postgresql)")
        try:
            import psycopg  # noqa: F401
        except ImportError:
            pytest.skip("the psycopg driver is not installed")
        # Its own folder under /tmp: pytest's are private to root, and the server runs as postgres.
        root = Path(tempfile.mkdtemp(prefix="vaktpost-pg-"))
        self.bins, self.root, self.port = bins, root, _free_port()
        self.data, self.sock = root / "data", root / "sock"
        self.sock.mkdir(parents=True)
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(root, "postgres")
            shutil.chown(self.sock, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(root / "log"),
            "-o",
            f"-p {self.port} -k {self.sock} -c listen_addresses='' -c fsync=off -c max_connections=60",
            "start",
        )

    def _run(self, name: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.bins / name), *args], capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"{name} failed: {done.stderr.strip()[-800:]}")

    def new_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(
            host=str(self.sock), port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@/{name}?host={self.sock}&port={self.port}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bins / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)
