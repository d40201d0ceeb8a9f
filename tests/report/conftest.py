from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from vaktpost.report.case import (
    ChatIncident,
    IpCaptureEvent,
    ReportableCase,
    ReportedPerson,
    Reporter,
    ReportFile,
)
from vaktpost.report.client import CyberTiplineClient
from vaktpost.report.fake_app import serve_fake
from vaktpost.report.fake_service import FakeNcmec
from vaktpost.store.db import make_engine, upgrade

T0 = datetime(2026, 3, 4, 21, 13, 5, tzinfo=UTC)


@pytest.fixture
def engine(db_url):
    # A fresh engine (not open_store's cached one) so each test has its own database.
    e = make_engine(db_url)
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


# A small clinical store: a buyer asks two performers about availability, ages, price and payment.
CHAT = [
    ("c-1", "m-1", "2026-03-04T21:13:05Z", "u-17", "nordlys77", "customer", "p-203", "hi, are you online tonight?", None, "198.51.100.7", "NO"),
    ("c-1", "m-2", "2026-03-04T21:14:10Z", "p-203", "sunny", "performer", "u-17", "yes po, show starts at 9", None, "203.0.113.9", "PH"),
    ("c-1", "m-3", "2026-03-04T21:15:00Z", "u-17", "nordlys77", "customer", "p-203", "is there a younger one? 12 or so", None, "198.51.100.7", "NO"),
    ("c-1", "m-4", "2026-03-04T21:16:00Z", "p-203", "sunny", "performer", "u-17", "my niece is 12, 30 usd per show", "a.png", "203.0.113.9", "PH"),
    ("c-1", "m-5", "2026-03-04T21:17:00Z", "u-17", "nordlys77", "customer", "p-203", "ok, sending by remittance now", None, "198.51.100.8", "NO"),
    ("c-2", "m-6", "2026-03-05T08:00:00Z", "u-17", "nordlys77", "customer", "p-999", "hello, what time do you start?", "b.png", "198.51.100.7", "NO"),
]
LABELS = {"m-3": ["MINOR_REQUEST", "AGE_PROBE"], "m-4": ["MINOR_CONFIRMED", "PRICE_NEGOTIATION"], "m-5": ["PAYMENT_CHANNEL"]}


@pytest.fixture
def seeded(engine, tmp_path):
    """The store after an import and an analysis (findings written directly: analysis is not ours)."""
    import json

    from sqlalchemy import insert, select

    from vaktpost.ingest.importer import ImportOptions, import_file
    from vaktpost.store.tables import findings, messages

    media = {}
    for name in ("a.png", "b.png"):
        data = f"synthetic noise image {name}".encode() * 5
        (tmp_path / name).write_bytes(data)
        media[name] = data
    lines = []
    for conv, mid, at, sender, sname, role, to, text, attach, ip, country in CHAT:
        rec = {"platform": "camsite", "conversation_id": conv, "message_id": mid, "sent_at": at,
               "sender": {"id": sender, "name": sname, "role": role}, "recipients": [{"id": to}],
               "text": text, "ip": ip, "country": country}
        if attach:
            data = media[attach]
            rec["attachments"] = [{"path": str(tmp_path / attach), "sha256": hashlib.sha256(data).hexdigest(),
                                   "md5": hashlib.md5(data).hexdigest()}]
        lines.append(json.dumps(rec))
    export = tmp_path / "chat.jsonl"
    export.write_text("\n".join(lines) + "\n")
    import_file(engine, export, ImportOptions())
    with engine.begin() as conn:
        rows = conn.execute(select(messages.c.id, messages.c.message_id, messages.c.sender_id)).all()
        conn.execute(insert(findings), [
            {"kind": "text", "message_id": r.id, "actor_id": r.sender_id, "labels": LABELS[r.message_id],
             "score": 0.9, "created_at": T0}
            for r in rows if r.message_id in LABELS
        ])
    return {name: hashlib.sha256(d).hexdigest() for name, d in media.items()}
