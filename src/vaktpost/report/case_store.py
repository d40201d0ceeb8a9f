"""Build a `ReportableCase` from the store for a set of actors (the review work calls this).

The case covers every conversation in which one of the actors sent a labelled message:
the whole conversation becomes the chat content, the actors become the reported persons
(with one IP capture event per distinct address they used), and the files attached to
those conversations become fileDetails, marked viewed only where the audit hook says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select, tuple_

from vaktpost.errors import UserError
from vaktpost.evidence.audit import AuditHook
from vaktpost.report.case import (
    ChatIncident,
    IpCaptureEvent,
    ReportableCase,
    ReportedPerson,
    Reporter,
    ReportFile,
    classify_incident,
)
from vaktpost.store.conversations import as_utc
from vaktpost.store.tables import actors, conversations, findings, messages, platforms


def _actor_rows(conn: Connection, actor_keys: Iterable[tuple[str, str]]):
    keys = list(actor_keys)
    rows = conn.execute(
        select(actors.c.id, platforms.c.name, actors.c.account_id, actors.c.name.label("screen_name"))
        .join(platforms, platforms.c.id == actors.c.platform_id)
        .where(tuple_(platforms.c.name, actors.c.account_id).in_(keys))
    ).all()
    found = {(r[1], r[2]) for r in rows}
    missing = [f"{p}/{a}" for p, a in keys if (p, a) not in found]
    if missing:
        raise UserError("no such actor in the store", where=", ".join(missing))
    order = {k: i for i, k in reversed(list(enumerate(keys)))}
    return sorted(rows, key=lambda r: order[(r[1], r[2])])  # as named: routing looks at the first


def case_from_store(
    conn: Connection,
    actor_keys: Iterable[tuple[str, str]],
    *,
    case_ref: str,
    reporter: Reporter,
    audit: AuditHook,
    incident_type: str | None = None,
) -> ReportableCase:
    rows = _actor_rows(conn, actor_keys)
    actor_ids = [r.id for r in rows]
    labelled = conn.execute(
        select(messages.c.conversation_id, messages.c.sent_at, findings.c.labels)
        .join(findings, (findings.c.message_id == messages.c.id) & (findings.c.kind == "text"))
        .where(messages.c.sender_id.in_(actor_ids))
    ).all()
    if not labelled:
        raise UserError("these actors sent no labelled message; nothing to report", where=case_ref)
    conv_keys = sorted({r.conversation_id for r in labelled})
    labels = {label for r in labelled for label in r.labels}
    incident_time = min(as_utc(r.sent_at) for r in labelled)
    guessed, annotations = classify_incident(labels)

    msgs = conn.execute(
        select(
            messages.c.sent_at, messages.c.text, messages.c.ip, messages.c.country,
            messages.c.attachments, messages.c.sender_id, actors.c.account_id, actors.c.name,
            conversations.c.conversation_id, platforms.c.name.label("platform"),
        )
        .join(actors, actors.c.id == messages.c.sender_id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .join(platforms, platforms.c.id == messages.c.platform_id)
        .where(messages.c.conversation_id.in_(conv_keys))
        .order_by(conversations.c.conversation_id, messages.c.sent_at, messages.c.id)
    ).all()

    lines, ips, countries, files = [], {}, {}, {}
    for m in msgs:
        at = as_utc(m.sent_at)
        who = f"{m.name} ({m.account_id})" if m.name else m.account_id
        lines.append(f"[{m.conversation_id}] {at.isoformat()} {who}: {m.text}")
        if m.sender_id in actor_ids:
            if m.ip:
                first = ips.setdefault((m.sender_id, m.ip), at)
                ips[(m.sender_id, m.ip)] = min(first, at)
            if m.country:
                countries.setdefault(m.sender_id, m.country)
        for a in m.attachments or ():
            if a.get("sha256") and a.get("md5"):
                files.setdefault(a["sha256"], a)

    persons = tuple(
        ReportedPerson(
            esp_identifier=r.account_id,
            esp_service=r.name,
            screen_name=r.screen_name,
            ip_events=tuple(
                IpCaptureEvent(ip, "Other", at)
                for (actor_id, ip), at in sorted(ips.items(), key=lambda kv: kv[1])
                if actor_id == r.id
            ),
            estimated_location=countries.get(r.id),
        )
        for r in rows
    )
    report_files = tuple(
        ReportFile(
            original_name=(a.get("path") or sha).rsplit("/", 1)[-1],
            sha256=sha,
            md5=a["md5"],
            viewed_by_esp=audit.was_viewed(sha),
            path=a.get("path"),
        )
        for sha, a in files.items()
    )
    platforms_seen = sorted({m.platform for m in msgs})
    return ReportableCase(
        case_ref=case_ref,
        incident_type=incident_type or guessed,
        incident_time=incident_time,
        reporter=reporter,
        annotations=annotations,
        chat=ChatIncident(chat_client=", ".join(platforms_seen), content="\n".join(lines)),
        persons=persons,
        files=report_files,
    )


def review_case_actors(conn: Connection, case_id: str) -> list[tuple[str, str]]:
    """The (platform, account id) of every actor a review case holds; empty if no such case."""
    from vaktpost.store.review_tables import case_actors

    if not case_id.isdigit():
        return []
    rows = conn.execute(
        select(platforms.c.name, actors.c.account_id)
        .join(actors, actors.c.platform_id == platforms.c.id)
        .join(case_actors, case_actors.c.actor_id == actors.c.id)
        .where(case_actors.c.case_id == int(case_id))
        .order_by(actors.c.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def case_messages(conn: Connection, actor_keys: Iterable[tuple[str, str]]) -> list[dict]:
    """The conversations of a case as canonical chat-export records (for referral packages)."""
    actor_ids = [r.id for r in _actor_rows(conn, actor_keys)]
    convs = select(messages.c.conversation_id).where(messages.c.sender_id.in_(actor_ids)).distinct()
    rows = conn.execute(
        select(
            messages.c.message_id, messages.c.sent_at, messages.c.text, messages.c.recipients,
            messages.c.attachments, messages.c.ip, messages.c.country, actors.c.account_id, actors.c.name,
            actors.c.role, conversations.c.conversation_id, platforms.c.name.label("platform"),
        )
        .join(actors, actors.c.id == messages.c.sender_id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .join(platforms, platforms.c.id == messages.c.platform_id)
        .where(messages.c.conversation_id.in_(convs))
        .order_by(messages.c.sent_at, messages.c.id)
    ).all()
    out = []
    for m in rows:
        record = {
            "platform": m.platform, "conversation_id": m.conversation_id, "message_id": m.message_id,
            "sent_at": as_utc(m.sent_at).isoformat().replace("+00:00", "Z"),
            "sender": {"id": m.account_id, "name": m.name, "role": m.role},
            "recipients": m.recipients or [], "text": m.text,
        }
        for key in ("attachments", "ip", "country"):
            if getattr(m, key):
                record[key] = getattr(m, key)
        out.append(record)
    return out


def reporter_from_settings(settings) -> Reporter:
    if not settings.reporter_email:
        raise UserError("set VAKTPOST_REPORTER_EMAIL (the reporting person NCMEC may contact)")
    return Reporter(
        email=settings.reporter_email,
        first_name=settings.reporter_first_name,
        last_name=settings.reporter_last_name,
        company_template=settings.reporter_company_template,
        terms_of_service=settings.reporter_terms_of_service,
    )


def aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("incident time must carry a zone")
    return value
