"""The httpx client against the fake service: the lifecycle and every documented response code."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from lxml import etree

from vaktpost.report.client import CyberTiplineClient, NcmecError
from vaktpost.report.cybertip_xml import file_details_xml, report_xml
from vaktpost.report.fake_app import serve_fake
from vaktpost.report.fake_service import FakeNcmec, FaultPlan

from .conftest import make_case


def test_happy_path_files_a_report_with_its_file(fake, client):
    service, _ = fake
    case, blobs = make_case(1)
    f = case.files[0]
    assert client.status().ok
    sub = client.submit(report_xml(case)).raise_for_code()
    rid = sub.fields["reportId"]
    up = client.upload(rid, f.original_name, blobs[f.sha256]).raise_for_code()
    assert up.fields["hash"] == f.md5
    client.fileinfo(file_details_xml(rid, up.fields["fileId"], f)).raise_for_code()
    fin = client.finish(rid).raise_for_code()
    assert fin.fields["files"] == [up.fields["fileId"]]
    stored = service.reports[rid]
    assert stored.finished_at is not None and stored.xml == report_xml(case)
    assert etree.fromstring(stored.file_details[up.fields["fileId"]]).findtext("fileViewedByEsp") == "true"
    # every answer carries a Request-ID, and each is different
    ids = {x.request_id for x in (sub, up, fin)}
    assert len(ids) == 3 and all(i.startswith("fake-") for i in ids)


def test_xsd_endpoint_serves_the_schema(client):
    assert b"<xs:schema" in client.xsd()


def test_2000_wrong_password(fake):
    _, url = fake
    with CyberTiplineClient(url, "esp", "wrong") as c:
        ex = c.status()
    assert ex.response_code == 2000 and not ex.transient
    with pytest.raises(NcmecError, match="2000"):
        ex.raise_for_code()


def test_3100_user_not_allowed_to_submit(fake):
    _, url = fake
    with CyberTiplineClient(url, "readonly", "pw") as c:
        assert c.status().ok
        assert c.submit(report_xml(make_case()[0])).response_code == 3100


def test_4100_and_4110(client):
    assert client.submit(b"<report><reporter/></report>").response_code == 4100
    assert client.submit(b"<report><incidentSummary>").response_code == 4110
    sub = client.submit(report_xml(make_case()[0])).raise_for_code()
    f = make_case()[0].files[0]
    # fileinfo for a file id the report does not have
    assert client.fileinfo(file_details_xml(sub.fields["reportId"], "nope", f)).response_code == 4100


def test_5001_5101_5102(client):
    case, _ = make_case(2)
    assert client.finish("999999").response_code == 5001
    rid = client.submit(report_xml(case)).fields["reportId"]
    assert client.retract(rid).ok
    assert client.retract(rid).response_code == 5101
    assert client.upload(rid, "x.png", b"x").response_code == 5101
    rid2 = client.submit(report_xml(case)).fields["reportId"]
    assert client.finish(rid2).ok
    assert client.finish(rid2).response_code == 5102
    assert client.retract(rid2).response_code == 5102


def test_1000_server_error_is_transient():
    service = FakeNcmec(faults=FaultPlan(rate=1.0, kinds=("error500",)))
    with serve_fake(service) as url, CyberTiplineClient(url, "esp", "secret") as c:
        ex = c.status()
    assert ex.http_status == 500 and ex.response_code == 1000 and ex.transient


@pytest.mark.parametrize("kind", ["drop_before", "drop_after", "timeout"])
def test_network_faults_are_transient_and_never_raise(kind):
    service = FakeNcmec(faults=FaultPlan(rate=1.0, kinds=(kind,), timeout_s=0.3))
    with serve_fake(service) as url, CyberTiplineClient(url, "esp", "secret", timeout=0.1) as c:
        ex = c.submit(report_xml(make_case()[0]))
        time.sleep(0.4)  # let a timed-out request finish on the server
    assert ex.error is not None and ex.transient and not ex.ok
    if kind == "drop_before":
        assert service.reports == {}  # the request never took effect
    else:  # the answer was lost, but the report was opened: the ambiguity the outbox must live with
        assert len(service.reports) == 1


def test_slow_answers_still_succeed():
    service = FakeNcmec(faults=FaultPlan(rate=1.0, kinds=("slow",), slow_s=0.05))
    with serve_fake(service) as url, CyberTiplineClient(url, "esp", "secret", timeout=2) as c:
        assert c.status().ok


def test_upload_with_a_different_md5_is_a_failed_upload():
    def handler(request: httpx.Request) -> httpx.Response:
        body = "<reportResponse><responseCode>0</responseCode><reportId>1</reportId><fileId>f</fileId><hash>00000000000000000000000000000000</hash></reportResponse>"
        return httpx.Response(200, text=body, headers={"Request-ID": "r1"})

    with CyberTiplineClient("http://ncmec.invalid/ispws", "u", "p", transport=httpx.MockTransport(handler)) as c:
        ex = c.upload("1", "a.png", b"benign bytes")
    assert not ex.ok and "MD5" in ex.error and ex.request_id == "r1"


def test_unfinished_reports_expire_on_the_24h_and_1h_rule(fake):
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    service = FakeNcmec(clock=lambda: now[0])
    with serve_fake(service) as url, CyberTiplineClient(url, "esp", "secret") as c:
        case, _ = make_case(3)
        rid = c.submit(report_xml(case)).fields["reportId"]
        now[0] += timedelta(hours=23)
        assert c.upload(rid, "a", b"x").ok  # a change at 23 h keeps it until 24 h (the later of 24 h and 23+1 h)
        now[0] += timedelta(minutes=59)
        assert c.upload(rid, "b", b"y").ok  # 23:59 — still open; last change now 23:59
        now[0] += timedelta(minutes=61)  # 25:00: past 24 h and past 1 h since the last change
        assert c.finish(rid).response_code == 5001
        assert rid in service.expired
        rid2 = c.submit(report_xml(case)).fields["reportId"]
        now[0] += timedelta(hours=1, seconds=1)  # idle for over an hour, but within 24 h of opening
        assert c.finish(rid2).ok
