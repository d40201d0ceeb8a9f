"""The report XML: several case shapes validate, and elements come in the spec's order."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from vaktpost.report.case import (
    ChatIncident,
    IpCaptureEvent,
    ReportableCase,
    ReportedPerson,
    Reporter,
    ReportFile,
)
from vaktpost.report.cybertip_xml import (
    InvalidReport,
    file_details_xml,
    report_xml,
    schema,
    validate_document,
)

from .conftest import T0, make_case

# Written from shared/spec/cybertipline.md, independently of the builder.
REPORT_ORDER = ["incidentSummary", "internetDetails", "lawEnforcement", "reporter", "personOrUserReported",
                "intendedRecipient", "victim", "additionalInfo"]
SUMMARY_ORDER = ["incidentType", "escalateToHighPriority", "reportAnnotations", "incidentDateTime"]
PERSON_ORDER = ["espIdentifier", "espService", "screenName", "displayName", "profileUrl", "ipCaptureEvent",
                "deviceId", "priorCTReports", "groupIdentifier", "estimatedLocation"]
FILE_ORDER = ["reportId", "fileId", "originalFileName", "fileViewedByEsp", "exifViewedByEsp", "publiclyAvailable",
              "fileRelevance", "fileAnnotations", "industryClassification", "originalFileHash"]


def in_order(tags: list[str], order: list[str]) -> bool:
    positions = [order.index(t) for t in tags]
    return positions == sorted(positions)


def minimal() -> ReportableCase:
    """Only what the law requires: incident type and time (plus the reporter the schema needs)."""
    return ReportableCase(case_ref="min", incident_type="Online Enticement of Children for Sexual Act",
                          incident_time=T0, reporter=Reporter(email="trust@example.org"))


def full() -> ReportableCase:
    case, _ = make_case(1, files=2)
    person2 = ReportedPerson(
        esp_identifier="p-203", esp_service="camsite", screen_name="sunny", display_name="Sunny",
        profile_urls=("https://camsite.example/p-203",),
        ip_events=(IpCaptureEvent("203.0.113.9", "Other", T0), IpCaptureEvent("2001:db8::1", "Upload", T0)),
        device_ids=("dev-1", "dev-2"), prior_reports=("123456",), group_identifier="g-7", estimated_location="ph",
    )
    return dataclasses.replace(
        case, escalate=True, annotations=("csamSolicitation", "sextortion"), persons=(*case.persons, person2),
        chat=ChatIncident("camsite", "[c-1] text", chat_room_name="room 4", additional_info="exported 2026-03-05"),
    )


def other_zone() -> ReportableCase:
    manila = timezone(timedelta(hours=8))
    return dataclasses.replace(minimal(), case_ref="zone", incident_time=datetime(2026, 3, 5, 5, 13, tzinfo=manila),
                               incident_type="Child Sex Tourism", chat=ChatIncident(None, "travel dates and hotel"))


@pytest.mark.parametrize("case", [minimal(), full(), other_zone(), make_case(3, files=0)[0]], ids=["min", "full", "zone", "nofiles"])
def test_case_shapes_validate_and_follow_the_spec_order(case):
    root = etree.fromstring(report_xml(case))
    assert schema().validate(root)
    assert in_order([c.tag for c in root], REPORT_ORDER)
    summary = root.find("incidentSummary")
    assert in_order([c.tag for c in summary], SUMMARY_ORDER)
    assert summary.findtext("incidentType") == case.incident_type
    for person in root.findall("personOrUserReported"):
        assert in_order([c.tag for c in person], PERSON_ORDER)


def test_full_case_carries_every_fact():
    root = etree.fromstring(report_xml(full()))
    assert root.find("incidentSummary/escalateToHighPriority") is not None
    assert {e.tag for e in root.find("incidentSummary/reportAnnotations")} == {"csamSolicitation", "sextortion"}
    assert root.findtext("internetDetails/chatImIncident/chatRoomName") == "room 4"
    people = root.findall("personOrUserReported")
    assert [p.findtext("espIdentifier") for p in people] == ["u-1", "p-203"]
    assert [e.findtext("ipAddress") for e in people[1].findall("ipCaptureEvent")] == ["203.0.113.9", "2001:db8::1"]
    assert people[1].findtext("estimatedLocation/countryCode") == "PH"
    assert people[1].findtext("priorCTReports") == "123456"
    assert root.findtext("reporter/reportingPerson/email") == "trust@example.org"


def test_incident_time_keeps_its_zone():
    root = etree.fromstring(report_xml(other_zone()))
    assert root.findtext("incidentSummary/incidentDateTime") == "2026-03-05T05:13:00+08:00"
    assert etree.fromstring(report_xml(minimal())).findtext("incidentSummary/incidentDateTime") == "2026-03-04T21:13:05Z"


@pytest.mark.parametrize(
    "change",
    [
        {"incident_time": datetime(2026, 3, 4, 21, 13)},  # no zone
        {"incident_type": "Something Else"},
        {"annotations": ("notAnAnnotation",)},
        {"reporter": Reporter(email="")},
    ],
    ids=["naive-time", "bad-type", "bad-annotation", "no-email"],
)
def test_invalid_cases_are_refused_before_sending(change):
    with pytest.raises(InvalidReport):
        report_xml(dataclasses.replace(minimal(), **change))


def test_file_details_order_and_classification_only_on_reported_files():
    reported = ReportFile("a.png", "ab" * 32, "cd" * 16, viewed_by_esp=True, industry_classification="B2",
                          annotations=("liveStreaming",), sha1="ef" * 20)
    root = etree.fromstring(file_details_xml("100001", "f1", reported))
    assert in_order([c.tag for c in root], FILE_ORDER)
    assert root.findtext("fileViewedByEsp") == "true"
    assert root.findtext("industryClassification") == "B2"
    assert {h.get("hashType"): h.text for h in root.findall("originalFileHash")} == {
        "MD5": "cd" * 16, "SHA1": "ef" * 20, "SHA256": "ab" * 32}
    supplemental = dataclasses.replace(reported, relevance="Supplemental Reported", viewed_by_esp=False)
    root = etree.fromstring(file_details_xml("100001", "f1", supplemental))
    assert root.find("industryClassification") is None
    assert root.findtext("fileViewedByEsp") == "false"


def test_validate_document_tells_malformed_from_invalid():
    from vaktpost.report.cybertip_xml import MalformedXml

    with pytest.raises(MalformedXml):
        validate_document(b"<report><incidentSummary>")
    with pytest.raises(InvalidReport) as info:
        validate_document(b"<report><reporter/></report>")
    assert not isinstance(info.value, MalformedXml)


text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=200)


@settings(max_examples=60, deadline=None)
@given(content=text, screen=text, info=text)
def test_any_text_round_trips_and_validates(content, screen, info):
    case = dataclasses.replace(
        minimal(), chat=ChatIncident("camsite", content),
        persons=(ReportedPerson("u-1", screen_name=screen),), additional_info=info,
    )
    root = etree.fromstring(report_xml(case))
    assert (root.findtext("internetDetails/chatImIncident/content") or "") == content
    assert (root.findtext("personOrUserReported/screenName") or "") == screen
    assert (root.findtext("additionalInfo") or "") == info
