from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from vaktpost.report.case import (
    ChatIncident,
    IpCaptureEvent,
    ReportableCase,
    Reporter,
    ReportedPerson,
    ReportFile,
)
from vaktpost.report.client import CyberTiplineClient
from vaktpost.report.fake_app import serve_fake
from vaktpost.report.fake_service import FakeNcmec
from vaktpost.store.db import make_engine, upgrade

T0 = datetime(2026, 3, 4, 21, 13, 5, tzinfo=timezone.utc)


@pytest.fixture
def engine(tmp_path):
    # A fresh engine (not open_store's cached one) so each test has its own database.
    e = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(e)
    yield e
    e.dispose()


def benign_file(i: int) -> tuple[ReportFile, bytes]:
    data = f"benign gradient placeholder {i}".encode() * 3
    return (
        ReportFile(
            original_name=f"frame-{i}.png",
            sha256=hashlib.sha256(data).hexdigest(),
            md5=hashlib.md5(data).hexdigest(),
            viewed_by_esp=i % 2 == 0,
        ),
        data,
    )


def make_case(i: int = 0, *, files: int = 1) -> tuple[ReportableCase, dict[str, bytes]]:
    blobs, report_files = {}, []
    for k in range(files):
        f, data = benign_file(i * 10 + k)
        blobs[f.sha256] = data
        report_files.append(f)
    case = ReportableCase(
        case_ref=f"case-{i}",
        incident_type="Child Sex Trafficking",
        incident_time=T0,
        reporter=Reporter(email="trust@example.org", first_name="Kari", last_name="Nordmann"),
        annotations=("csamSolicitation",),
        chat=ChatIncident(chat_client="camsite", content=f"[c-{i}] u-17: how much for the show, 30 usd by remittance?"),
        persons=(
            ReportedPerson(
                esp_identifier=f"u-{i}", esp_service="camsite", screen_name=f"buyer{i}",
                ip_events=(IpCaptureEvent("198.51.100.7", "Login", T0 - timedelta(hours=1)),),
                estimated_location="NO",
            ),
        ),
        files=tuple(report_files),
        additional_info=f"case-{i}",
    )
    return case, blobs


@pytest.fixture
def fake():
    service = FakeNcmec({"esp": "secret", "readonly": "pw"}, not_allowed={"readonly"})
    with serve_fake(service) as url:
        yield service, url


@pytest.fixture
def client(fake):
    _, url = fake
    with CyberTiplineClient(url, "esp", "secret", timeout=2.0) as c:
        yield c
