"""The report XML and the per-file fileDetails XML, in the order the documentation gives.

Nothing leaves vaktpost unvalidated: `report_xml` and `file_details_xml` validate what they
built against `cybertipline.xsd` and raise `InvalidReport` (with the schema's own message)
rather than hand NCMEC a document it would answer with 4100.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources

from lxml import etree

from vaktpost.errors import UserError
from vaktpost.report.case import ReportableCase, ReportFile

E = etree.Element
SUB = etree.SubElement


class InvalidReport(UserError):
    """The XML does not validate against the schema (NCMEC's 4100); `where` names the case."""


class MalformedXml(InvalidReport):
    """The body is not well-formed XML (NCMEC's 4110)."""


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    with resources.files(__package__).joinpath("cybertipline.xsd").open("rb") as f:
        return etree.XMLSchema(etree.parse(f))


def xsd_text() -> bytes:
    return resources.files(__package__).joinpath("cybertipline.xsd").read_bytes()


def zoned(value: datetime) -> str:
    if value.tzinfo is None:
        raise InvalidReport("a time without a zone; NCMEC needs ISO 8601 with a zone", where=str(value))
    if value.utcoffset() == UTC.utcoffset(None):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat(timespec="seconds")


def _text(parent, tag: str, value) -> None:
    if value is not None and value != "":
        SUB(parent, tag).text = str(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def build_report_tree(case: ReportableCase) -> etree._Element:
    root = E("report")
    summary = SUB(root, "incidentSummary")
    _text(summary, "incidentType", case.incident_type)
    if case.escalate:
        _text(summary, "escalateToHighPriority", "Escalated by reviewer")
    if case.annotations:
        notes = SUB(summary, "reportAnnotations")
        for a in case.annotations:
            SUB(notes, a)
    _text(summary, "incidentDateTime", zoned(case.incident_time))

    if case.chat is not None:
        chat = SUB(SUB(root, "internetDetails"), "chatImIncident")
        _text(chat, "chatClient", case.chat.chat_client)
        _text(chat, "chatRoomName", case.chat.chat_room_name)
        _text(chat, "content", case.chat.content)
        _text(chat, "additionalInfo", case.chat.additional_info)

    reporter = SUB(root, "reporter")
    person = SUB(reporter, "reportingPerson")
    _text(person, "firstName", case.reporter.first_name)
    _text(person, "lastName", case.reporter.last_name)
    _text(person, "email", case.reporter.email)
    _text(reporter, "companyTemplate", case.reporter.company_template)
    _text(reporter, "termsOfService", case.reporter.terms_of_service)

    for p in case.persons:
        el = SUB(root, "personOrUserReported")
        _text(el, "espIdentifier", p.esp_identifier)
        _text(el, "espService", p.esp_service)
        _text(el, "screenName", p.screen_name)
        _text(el, "displayName", p.display_name)
        for url in p.profile_urls:
            _text(el, "profileUrl", url)
        for ev in p.ip_events:
            ip = SUB(el, "ipCaptureEvent")
            _text(ip, "ipAddress", ev.ip_address)
            _text(ip, "eventName", ev.event_name)
            _text(ip, "dateTime", zoned(ev.at))
        for d in p.device_ids:
            _text(el, "deviceId", d)
        for r in (*p.prior_reports, *case.prior_reports):
            _text(el, "priorCTReports", r)
        _text(el, "groupIdentifier", p.group_identifier)
        if p.estimated_location:
            _text(SUB(el, "estimatedLocation"), "countryCode", p.estimated_location.upper())
    _text(root, "additionalInfo", case.additional_info)
    return root


def _validated(tree: etree._Element, where: str) -> bytes:
    s = schema()
    if not s.validate(tree):
        err = s.error_log.last_error
        raise InvalidReport(f"does not validate against the CyberTipline XSD: {err.message} (line {err.line})", where=where)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def report_xml(case: ReportableCase) -> bytes:
    """The exact bytes to POST to /submit."""
    return _validated(build_report_tree(case), case.case_ref)


def file_details_xml(report_id: str, file_id: str, f: ReportFile) -> bytes:
    root = E("fileDetails")
    _text(root, "reportId", report_id)
    _text(root, "fileId", file_id)
    _text(root, "originalFileName", f.original_name)
    _text(root, "fileViewedByEsp", _bool(f.viewed_by_esp))
    _text(root, "exifViewedByEsp", _bool(f.exif_viewed_by_esp))
    _text(root, "publiclyAvailable", _bool(f.publicly_available))
    _text(root, "fileRelevance", f.relevance)
    if f.annotations:
        notes = SUB(root, "fileAnnotations")
        for a in f.annotations:
            SUB(notes, a)
    if f.relevance == "Reported":
        _text(root, "industryClassification", f.industry_classification)
    for kind, value in (("MD5", f.md5), ("SHA1", f.sha1), ("SHA256", f.sha256)):
        if value:
            h = SUB(root, "originalFileHash", hashType=kind)
            h.text = value
    return _validated(root, f"{f.original_name} in report {report_id}")


def validate_document(xml: bytes) -> etree._Element:
    """Parse and validate any document of the schema; raises InvalidReport (4110 or 4100)."""
    try:
        tree = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise MalformedXml(f"malformed XML: {exc}", where="body") from None
    s = schema()
    if not s.validate(tree):
        raise InvalidReport(str(s.error_log.last_error.message), where=tree.tag)
    return tree
