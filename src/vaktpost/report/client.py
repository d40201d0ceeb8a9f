"""An httpx client for the CyberTipline lifecycle: status, xsd, submit, upload, fileinfo, finish, retract.

Every call returns an `Exchange` — what was sent, what came back, the Request-ID, or the
transport error — and never raises for a network failure: the outbox records each exchange
and decides whether to retry. `Exchange.raise_for_code()` turns a failure into an
`NcmecError` for callers that want exceptions (the CLI's `report status`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Self

import httpx
from lxml import etree

from vaktpost.errors import UserError

TEST_URL = "https://exttest.cybertip.org/ispws"
PRODUCTION_URL = "https://report.cybertip.org/ispws"
# Codes worth trying again unchanged: the service failed, not the report.
TRANSIENT_CODES = frozenset({1000})


class NcmecError(UserError):
    def __init__(self, exchange: Exchange):
        self.exchange = exchange
        why = exchange.error or f"response code {exchange.response_code} ({exchange.description})"
        super().__init__(why, where=f"CyberTipline /{exchange.call}")


@dataclass
class Exchange:
    call: str
    request_body: str
    http_status: int | None = None
    response_code: int | None = None
    description: str | None = None
    response_body: str | None = None
    request_id: str | None = None
    error: str | None = None  # transport failure or a broken promise (MD5 mismatch)
    fields: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and self.response_code == 0

    @property
    def transient(self) -> bool:
        """Unknown outcome or a server-side failure: the same request may succeed later."""
        if self.error is not None or self.response_code is None:
            return True
        return self.response_code in TRANSIENT_CODES or (self.http_status or 0) >= 500

    def raise_for_code(self) -> Exchange:
        if not self.ok:
            raise NcmecError(self)
        return self


def _parse(ex: Exchange, response: httpx.Response) -> None:
    ex.http_status = response.status_code
    ex.request_id = response.headers.get("Request-ID")
    ex.response_body = response.text
    try:
        root = etree.fromstring(response.content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        ex.error = f"HTTP {response.status_code} without a reportResponse"
        return
    if root.tag != "reportResponse" or root.findtext("responseCode") is None:
        ex.error = f"HTTP {response.status_code}: unexpected <{root.tag}> answer"
        return
    ex.response_code = int(root.findtext("responseCode"))
    ex.description = root.findtext("responseDescription")
    for key in ("reportId", "fileId", "hash"):
        if root.findtext(key) is not None:
            ex.fields[key] = root.findtext(key)
    files = root.find("files")
    if files is not None:
        ex.fields["files"] = [f.text for f in files.findall("fileId")]


class CyberTiplineClient:
    def __init__(self, base_url: str, user: str, password: str, *, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url + "/",
            auth=httpx.BasicAuth(user, password),
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "vaktpost"},
        )

    @classmethod
    def from_settings(cls, settings, **kwargs) -> CyberTiplineClient:
        if not settings.ncmec_user or settings.ncmec_password is None:
            raise UserError("set VAKTPOST_NCMEC_USER and VAKTPOST_NCMEC_PASSWORD")
        return cls(settings.ncmec_url, settings.ncmec_user, settings.ncmec_password.get_secret_value(), **kwargs)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _send(self, call: str, request_body: str, **request) -> Exchange:
        ex = Exchange(call=call, request_body=request_body)
        try:
            response = self.http.request(url=call, **request)
        except httpx.HTTPError as exc:
            ex.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return ex
        _parse(ex, response)
        return ex

    def status(self) -> Exchange:
        return self._send("status", "", method="GET")

    def xsd(self) -> bytes:
        return self.http.get("xsd").raise_for_status().content

    def submit(self, report_xml: bytes) -> Exchange:
        return self._send("submit", report_xml.decode(), method="POST", content=report_xml,
                          headers={"Content-Type": "text/xml; charset=utf-8"})

    def upload(self, report_id: str, file_name: str, data: bytes) -> Exchange:
        """Upload one file; an answer whose MD5 differs from ours is a failed upload."""
        ours = hashlib.md5(data).hexdigest()
        ex = self._send(
            "upload",
            f"id={report_id}; file={file_name} ({len(data)} bytes, md5 {ours})",
            method="POST", data={"id": report_id}, files={"file": (file_name, data)},
        )
        if ex.ok and str(ex.fields.get("hash", "")).lower() != ours:
            ex.error = f"NCMEC computed MD5 {ex.fields.get('hash')}, ours is {ours}"
        return ex

    def fileinfo(self, file_details_xml: bytes) -> Exchange:
        return self._send("fileinfo", file_details_xml.decode(), method="POST", content=file_details_xml,
                          headers={"Content-Type": "text/xml; charset=utf-8"})

    def finish(self, report_id: str) -> Exchange:
        return self._send("finish", f"id={report_id}", method="POST", data={"id": report_id})

    def retract(self, report_id: str) -> Exchange:
        return self._send("retract", f"id={report_id}", method="POST", data={"id": report_id})
