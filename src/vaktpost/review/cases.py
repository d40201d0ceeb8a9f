"""Cases: actors and findings grouped for an investigation, assigned, noted, moved on.

Every change is audited with the case number; note text is the analyst's own, not evidence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from vaktpost.errors import UserError
from vaktpost.model import CaseStatus
from vaktpost.review import audit
from vaktpost.review.queue import Reviewer, utcnow
from vaktpost.store.review_tables import case_actors, case_findings, case_notes, cases, users
from vaktpost.store.tables import actors, findings, platforms

STATUSES = tuple(s.value for s in CaseStatus)


def _touch(conn: Connection, case_id: int, now: datetime, **values) -> None:
    done = conn.execute(
        update(cases).where(cases.c.id == case_id).values(updated_at=now, **values)
    ).rowcount
    if not done:
        raise UserError("no such case", where=f"case {case_id}")


def create_case(engine: Engine, who: Reviewer, title: str) -> int:
    title = title.strip()
    if not title or len(title) > 300:
        raise UserError("a case needs a title of 1–300 characters", where="title")
    now = utcnow()
    with engine.begin() as conn:
        case_id = conn.execute(
            insert(cases)
            .values(title=title, status="open", created_by=who.id, created_at=now, updated_at=now)
            .returning(cases.c.id)
        ).scalar_one()
        audit.append(conn, who.username, "case.create", f"case:{case_id}", now=now)
    return case_id


def add_actor(engine: Engine, who: Reviewer, case_id: int, actor_key: int) -> None:
    now = utcnow()
    with engine.begin() as conn:
        _touch(conn, case_id, now)
        if conn.execute(select(actors.c.id).where(actors.c.id == actor_key)).first() is None:
            raise UserError("no such actor", where=f"actor {actor_key}")
        try:
            with conn.begin_nested():
                conn.execute(insert(case_actors).values(case_id=case_id, actor_id=actor_key))
        except IntegrityError:
            return
        audit.append(
            conn, who.username, "case.add_actor", f"case:{case_id}", {"actor": actor_key}, now=now
        )


def add_finding(engine: Engine, who: Reviewer, case_id: int, finding_id: int) -> None:
    now = utcnow()
    with engine.begin() as conn:
        _touch(conn, case_id, now)
        actor_key = conn.execute(
            select(findings.c.actor_id).where(findings.c.id == finding_id)
        ).first()
        if actor_key is None:
            raise UserError("no such finding", where=f"finding {finding_id}")
        try:
            with conn.begin_nested():
                conn.execute(insert(case_findings).values(case_id=case_id, finding_id=finding_id))
        except IntegrityError:
            return
        if actor_key[0] is not None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(case_actors).values(case_id=case_id, actor_id=actor_key[0]))
            except IntegrityError:
                pass
        audit.append(
            conn,
            who.username,
            "case.add_finding",
            f"case:{case_id}",
            {"finding": finding_id},
            now=now,
        )


def assign(engine: Engine, who: Reviewer, case_id: int, username: str | None) -> None:
    now = utcnow()
    with engine.begin() as conn:
        user_id = None
        if username:
            user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
            if user_id is None:
                raise UserError("no such user", where=username)
        _touch(conn, case_id, now, assigned_to=user_id)
        audit.append(
            conn, who.username, "case.assign", f"case:{case_id}", {"to": username}, now=now
        )


def set_status(engine: Engine, who: Reviewer, case_id: int, status: str) -> None:
    if status not in STATUSES:
        raise UserError(
            f"unknown status {status!r}; use one of {', '.join(STATUSES)}", where=f"case {case_id}"
        )
    now = utcnow()
    with engine.begin() as conn:
        _touch(conn, case_id, now, status=status)
        audit.append(
            conn, who.username, "case.status", f"case:{case_id}", {"status": status}, now=now
        )


def add_note(engine: Engine, who: Reviewer, case_id: int, text: str) -> None:
    text = text.strip()
    if not text:
        raise UserError("an empty note", where=f"case {case_id}")
    now = utcnow()
    with engine.begin() as conn:
        _touch(conn, case_id, now)
        conn.execute(
            insert(case_notes).values(case_id=case_id, user_id=who.id, text=text, created_at=now)
        )
        audit.append(conn, who.username, "case.note", f"case:{case_id}", now=now)


def list_cases(conn: Connection) -> list:
    assignee = users.alias("assignee")
    n_actors = select(func.count()).where(case_actors.c.case_id == cases.c.id).scalar_subquery()
    n_findings = select(func.count()).where(case_findings.c.case_id == cases.c.id).scalar_subquery()
    return conn.execute(
        select(
            cases,
            assignee.c.username.label("assignee"),
            n_actors.label("actors"),
            n_findings.label("findings"),
        )
        .outerjoin(assignee, assignee.c.id == cases.c.assigned_to)
        .order_by(cases.c.updated_at.desc())
    ).all()


def case_detail(conn: Connection, case_id: int) -> dict | None:
    assignee = users.alias("assignee")
    row = conn.execute(
        select(cases, assignee.c.username.label("assignee"))
        .outerjoin(assignee, assignee.c.id == cases.c.assigned_to)
        .where(cases.c.id == case_id)
    ).first()
    if row is None:
        return None
    members = conn.execute(
        select(
            actors.c.id,
            actors.c.account_id,
            actors.c.name,
            actors.c.role,
            platforms.c.name.label("platform"),
        )
        .join(case_actors, case_actors.c.actor_id == actors.c.id)
        .join(platforms, platforms.c.id == actors.c.platform_id)
        .where(case_actors.c.case_id == case_id)
        .order_by(actors.c.account_id)
    ).all()
    items = conn.execute(
        select(
            findings.c.id, findings.c.kind, findings.c.labels, findings.c.score, actors.c.account_id
        )
        .join(case_findings, case_findings.c.finding_id == findings.c.id)
        .outerjoin(actors, actors.c.id == findings.c.actor_id)
        .where(case_findings.c.case_id == case_id)
        .order_by(findings.c.score.desc())
    ).all()
    notes = conn.execute(
        select(case_notes.c.text, case_notes.c.created_at, users.c.username)
        .join(users, users.c.id == case_notes.c.user_id)
        .where(case_notes.c.case_id == case_id)
        .order_by(case_notes.c.created_at.desc())
    ).all()
    return {"case": row, "actors": members, "findings": items, "notes": notes}


def open_cases(conn: Connection) -> list:
    return conn.execute(
        select(cases.c.id, cases.c.title)
        .where(cases.c.status.in_(["open", "in_review"]))
        .order_by(cases.c.id.desc())
    ).all()
