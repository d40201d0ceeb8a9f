"""A real `vaktpost serve` on a free loopback port, for the browser tests and the UI benchmark.

The server's output goes to a log file, not a pipe: nobody reads a pipe while the server runs,
and a full pipe would block it mid-test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_vaktpost_server(db_url: str, env: dict[str, str] | None = None, timeout: float = 30) -> tuple[subprocess.Popen, str]:
    """(process, base URL) once `/healthz` answers; the caller terminates the process."""
    port = free_port()
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        **(env or {}),
    }
    log = tempfile.NamedTemporaryFile(prefix="vaktpost-serve-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from vaktpost.cli import main; main()", "serve", "--db", db_url, "--port", str(port)],
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                output = Path(log.name).read_text(errors="replace")[-2000:]
                raise RuntimeError(f"server did not start: {output}") from None
            time.sleep(0.2)
