"""A ReportableCase from the store: who, what, when, files, and fileViewedByEsp from the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from vaktpost.errors import UserError
from vaktpost.evidence.audit import AuditEvent, MemoryAuditLog, media_subject
from vaktpost.report.case import Reporter, classify_incident
from vaktpost.report.case_store import case_from_store, case_messages
from vaktpost.report.cybertip_xml import report_xml

REPORTER = Reporter(email="trust@example.org")


def test_case_from_the_store(engine, seeded):
    audit = MemoryAuditLog()
    audit.append(AuditEvent("reviewer-1", "media.reveal", media_subject(seeded["a.png"])))
    audit.append(AuditEvent("reviewer-1", "media.blurred_preview", media_subject(seeded["b.png"])))
    with engine.connect() as conn:
        case = case_from_store(conn, [("camsite", "u-17"), ("camsite", "p-203")], case_ref="K-1",
                               reporter=REPORTER, audit=audit)
    assert case.incident_type == "Child Sex Trafficking" and case.annotations == ("csamSolicitation",)
    assert case.incident_time == datetime(2026, 3, 4, 21, 15, tzinfo=UTC)  # first labelled message
    persons = {p.esp_identifier: p for p in case.persons}
    assert persons["u-17"].screen_name == "nordlys77" and persons["u-17"].estimated_location == "NO"
    assert [e.ip_address for e in persons["u-17"].ip_events] == ["198.51.100.7", "198.51.100.8"]
    assert "[c-1]" in case.chat.content and "c-2" not in case.chat.content  # c-2 has no labelled message
    viewed = {f.sha256: f.viewed_by_esp for f in case.files}
    assert viewed == {seeded["a.png"]: True}  # b.png is only in c-2; a blurred preview is no view
    root = etree.fromstring(report_xml(case))
    assert root.findtext("incidentSummary/incidentType") == "Child Sex Trafficking"


def test_reviewer_override_and_unknown_actor(engine, seeded):
    with engine.connect() as conn:
        case = case_from_store(conn, [("camsite", "u-17")], case_ref="K-2", reporter=REPORTER,
                               audit=MemoryAuditLog(), incident_type="Child Sex Tourism")
        assert case.incident_type == "Child Sex Tourism"
        with pytest.raises(UserError, match="camsite/nobody"):
            case_from_store(conn, [("camsite", "nobody")], case_ref="K-3", reporter=REPORTER, audit=MemoryAuditLog())
        with pytest.raises(UserError, match="no labelled message"):
            case_from_store(conn, [("camsite", "p-999")], case_ref="K-4", reporter=REPORTER, audit=MemoryAuditLog())


def test_case_messages_are_canonical_records(engine, seeded):
    with engine.connect() as conn:
        msgs = case_messages(conn, [("camsite", "u-17")])
    assert [m["message_id"] for m in msgs] == ["m-1", "m-2", "m-3", "m-4", "m-5", "m-6"]
    assert msgs[0]["sent_at"] == "2026-03-04T21:13:05Z" and msgs[0]["sender"]["id"] == "u-17"


@pytest.mark.parametrize("labels, expected", [
    ({"MINOR_CONFIRMED", "PAYMENT_CHANNEL"}, ("Child Sex Trafficking", ("csamSolicitation",))),
    ({"TRAVEL_MEETING", "MINOR_REQUEST"}, ("Child Sex Tourism", ())),
    ({"SELF_DISCLOSED_MINOR", "COERCION_SEXTORTION"}, ("Online Enticement of Children for Sexual Act", ("sextortion",))),
    ({"MINOR_REQUEST"}, ("Online Enticement of Children for Sexual Act", ("csamSolicitation",))),
    ({"TRAVEL_MEETING"}, ("Online Enticement of Children for Sexual Act", ())),  # travel alone: no minor label
])
def test_incident_classification_follows_the_taxonomy_table(labels, expected):
    assert classify_incident(labels) == expected


@pytest.mark.parametrize("log", ["chained", "local"])
def test_audit_logs_answer_was_viewed_from_a_reveal(engine, seeded, log):
    from sqlalchemy import insert

    from vaktpost.evidence.audit import ChainedAuditLog, SqlAuditLog
    from vaktpost.review import audit as chain
    from vaktpost.store.tables import findings

    audit = ChainedAuditLog(engine) if log == "chained" else SqlAuditLog(engine)
    assert not audit.was_viewed(seeded["a.png"])
    if log == "chained":  # as the review UI records it: a reveal of the media finding
        with engine.begin() as conn:
            fid = conn.execute(insert(findings).values(
                kind="media", labels=[], score=1.0, detail={"sha256": seeded["a.png"], "bank": "test"},
                created_at=datetime(2026, 3, 5, tzinfo=UTC))).inserted_primary_key[0]
            chain.append(conn, "reviewer-1", "media.reveal", f"finding:{fid}", {"seconds": 30})
    else:
        audit.append(AuditEvent("reviewer-1", "media.reveal", media_subject(seeded["a.png"])))
    assert audit.was_viewed(seeded["a.png"]) and not audit.was_viewed(seeded["b.png"])
    audit.append(AuditEvent("outbox", "report.finished", "case:K-1", {"ncmec_report_id": "1"}))
    [event] = audit.events_for("case:K-1")
    assert event.action == "report.finished" and event.detail == {"ncmec_report_id": "1"}
    if log == "chained":
        with engine.connect() as conn:
            assert chain.verify(conn).ok
