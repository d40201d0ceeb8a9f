"""The HTTP skin of the fake CyberTipline service, and a way to run it on a free loopback port.

A raw ASGI app (Starlette only parses the bodies) so a fault can cut a response short: the
connection then drops mid-answer, exactly as a client sees a network failure.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.requests import Request

from vaktpost.report.cybertip_xml import xsd_text
from vaktpost.report.fake_service import (
    AUTH_FAILED,
    NOT_ALLOWED,
    SERVER_ERROR,
    FakeNcmec,
    response_xml,
)

LOOPBACK = "127.0.0.1"


def _user(scope) -> tuple[str, str] | None:
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:6].lower() == b"basic ":
            try:
                user, _, password = base64.b64decode(value[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return user, password
    return None


def make_app(service: FakeNcmec):
    async def send_body(send, status: int, body: bytes, request_id: str, *, cut: bool = False,
                        content_type: bytes = b"application/xml") -> None:
        headers = [(b"content-type", content_type), (b"request-id", request_id.encode()),
                   (b"content-length", str(len(body) + (64 if cut else 0)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body[: len(body) // 2] if cut else body})

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        service.requests += 1
        request_id = f"fake-{service.requests:08d}"
        fault = service.faults.draw()
        if fault == "error500":
            return await send_body(send, 500, response_xml(SERVER_ERROR, {}), request_id)
        if fault == "drop_before":
            return await send_body(send, 200, response_xml(SERVER_ERROR, {}), request_id, cut=True)
        request = Request(scope, receive)
        await request.body()  # read it all first: a late answer still takes effect
        if fault == "timeout":
            await asyncio.sleep(service.faults.timeout_s)
        elif fault == "slow":
            await asyncio.sleep(service.faults.slow_s)

        creds = _user(scope)
        if creds is None or service.users.get(creds[0]) != creds[1]:
            return await send_body(send, 401, response_xml(AUTH_FAILED, {}), request_id)
        path, method = scope["path"].rstrip("/").rsplit("/", 1)[-1], scope["method"]
        if method == "GET" and path == "status":
            code, fields = 0, {}
        elif method == "GET" and path == "xsd":
            return await send_body(send, 200, xsd_text(), request_id)
        elif method == "POST" and path in ("submit", "fileinfo", "upload", "finish", "retract"):
            if path == "submit" and creds[0] in service.not_allowed:
                return await send_body(send, 403, response_xml(NOT_ALLOWED, {}), request_id)
            if path in ("submit", "fileinfo"):
                body = await request.body()
                code, fields = getattr(service, path)(body)
            else:
                form = await request.form()
                rid = form.get("id")
                if path == "upload":
                    upload = form.get("file")
                    data = await upload.read() if upload is not None and hasattr(upload, "read") else b""
                    name = getattr(upload, "filename", None) or "file"
                    code, fields = service.upload(rid, name, data)
                else:
                    code, fields = getattr(service, path)(rid)
        else:
            return await send_body(send, 404, b"not found", request_id, content_type=b"text/plain")
        status = 200 if code == 0 else 400
        await send_body(send, status, response_xml(code, fields), request_id, cut=fault == "drop_after")

    return app


def loopback_socket(port: int = 0) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets that say they are
    # TCP, and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    return sock


@contextmanager
def serve_fake(service: FakeNcmec, port: int = 0) -> Iterator[str]:
    """Run the fake in a background thread on loopback; yields its base URL."""
    import uvicorn

    sock = loopback_socket(port)
    config = uvicorn.Config(make_app(service), log_level="critical", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake CyberTipline service did not start")
        time.sleep(0.01)
    try:
        yield f"http://{LOOPBACK}:{sock.getsockname()[1]}/ispws"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
