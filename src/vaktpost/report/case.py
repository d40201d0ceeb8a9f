"""What a CyberTipline report is made from: a confirmed case as one small domain record.

The review work produces confirmed decisions; reporting only needs the facts below, so it
defines them itself and the review work (or a person at the CLI) fills them in.
`case_from_store` builds one from the store's actors, messages and findings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

INCIDENT_TYPES = (
    "Child Pornography (possession, manufacture, and distribution)",
    "Child Sex Trafficking",
    "Child Sex Tourism",
    "Child Sexual Molestation",
    "Misleading Domain Name",
    "Misleading Words or Digital Images on the Internet",
    "Online Enticement of Children for Sexual Act",
    "Unsolicited Obscene Material Sent to a Child",
)
REPORT_ANNOTATIONS = ("sextortion", "csamSolicitation", "minorToMinorInteraction", "spam", "sadisticOnlineExploitation")
FILE_ANNOTATIONS = ("animeDrawingVirtualHentai", "physicalHarm", "violenceGore", "bestiality", "liveStreaming", "infant", "generativeAi")
INDUSTRY_CLASSES = ("A1", "A2", "B1", "B2")
IP_EVENT_NAMES = ("Login", "Registration", "Purchase", "Upload", "Other", "Unknown")


@dataclass(frozen=True, slots=True)
class IpCaptureEvent:
    ip_address: str
    event_name: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ReportedPerson:
    esp_identifier: str
    esp_service: str | None = None
    screen_name: str | None = None
    display_name: str | None = None
    profile_urls: tuple[str, ...] = ()
    ip_events: tuple[IpCaptureEvent, ...] = ()
    device_ids: tuple[str, ...] = ()
    prior_reports: tuple[str, ...] = ()
    group_identifier: str | None = None
    estimated_location: str | None = None  # ISO country code


@dataclass(frozen=True, slots=True)
class ReportFile:
    original_name: str
    sha256: str
    md5: str
    viewed_by_esp: bool  # true only where the audit log shows a person viewed it
    relevance: str = "Reported"  # or "Supplemental Reported"
    annotations: tuple[str, ...] = ()
    industry_classification: str | None = None  # only on Reported files
    exif_viewed_by_esp: bool = False
    publicly_available: bool = False
    sha1: str | None = None
    path: str | None = None
    evidence_object: str | None = None


@dataclass(frozen=True, slots=True)
class Reporter:
    email: str
    first_name: str | None = None
    last_name: str | None = None
    company_template: str | None = None
    terms_of_service: str | None = None


@dataclass(frozen=True, slots=True)
class ChatIncident:
    chat_client: str | None
    content: str
    chat_room_name: str | None = None
    additional_info: str | None = None


@dataclass(frozen=True, slots=True)
class ReportableCase:
    case_ref: str
    incident_type: str
    incident_time: datetime  # must carry a zone
    reporter: Reporter
    chat: ChatIncident | None = None
    annotations: tuple[str, ...] = ()
    escalate: bool = False
    persons: tuple[ReportedPerson, ...] = ()
    files: tuple[ReportFile, ...] = ()
    additional_info: str | None = None
    prior_reports: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self), default=_iso))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportableCase:
        d = dict(data)
        d["incident_time"] = datetime.fromisoformat(d["incident_time"])
        d["reporter"] = Reporter(**d["reporter"])
        d["chat"] = ChatIncident(**d["chat"]) if d.get("chat") else None
        d["annotations"] = tuple(d.get("annotations", ()))
        d["prior_reports"] = tuple(d.get("prior_reports", ()))
        d["persons"] = tuple(_person(p) for p in d.get("persons", ()))
        d["files"] = tuple(
            ReportFile(**{**f, "annotations": tuple(f.get("annotations", ()))}) for f in d.get("files", ())
        )
        return cls(**d)


def _person(p: dict[str, Any]) -> ReportedPerson:
    events = tuple(
        IpCaptureEvent(e["ip_address"], e["event_name"], datetime.fromisoformat(e["at"]))
        for e in p.get("ip_events", ())
    )
    tuples = {k: tuple(p.get(k, ())) for k in ("profile_urls", "device_ids", "prior_reports")}
    return ReportedPerson(**{**p, **tuples, "ip_events": events})


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _rules() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("incident_rules.json").read_text())


def classify_incident(labels: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """Incident type and report annotations for a set of taxonomy labels (taxonomy.md's table)."""
    present = set(labels)
    rules = _rules()
    incident, annotations = rules["default_incident_type"], []
    for rule in rules["rules"]:
        if set(rule["all"]) <= present and (not rule["any"] or present & set(rule["any"])):
            incident, annotations = rule["incident_type"], list(rule["annotations"])
            break
    for label, note in rules["extra_annotations"].items():
        if label in present and note not in annotations:
            annotations.append(note)
    return incident, tuple(annotations)
