"""Actor pages and cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse

from vaktpost.review import cases as case_store
from vaktpost.review.accounts import list_users
from vaktpost.review.actor_profile import actor_profile, timeline
from vaktpost.review.policy import incident_type
from vaktpost.web.auth import Principal, allow
from vaktpost.web.charts import funnel_svg
from vaktpost.web.ui import page, record_view, see_other

router = APIRouter()


@router.get("/actors/{actor_key}", name="actor")
def actor_page(
    request: Request, actor_key: int, me: Annotated[Principal, Depends(allow("actor.view"))]
):
    with request.app.state.engine.connect() as conn:
        profile = actor_profile(conn, actor_key)
        if profile is None:
            raise HTTPException(404, "no such actor")
        events = timeline(conn, actor_key)
        cases = case_store.open_cases(conn) if me.can("case.edit") else []
    record_view(request, me, "evidence.view", f"actor:{actor_key}", {"timeline": len(events)})
    return page(
        request,
        "actor.html",
        me,
        p=profile,
        chart=funnel_svg(profile.funnel.counts),
        events=events,
        cases=cases,
        incident_type=incident_type,
    )


@router.get("/cases", name="cases")
def cases_page(request: Request, me: Annotated[Principal, Depends(allow("case.view"))]):
    with request.app.state.engine.connect() as conn:
        rows = case_store.list_cases(conn)
    return page(request, "cases.html", me, rows=rows, statuses=case_store.STATUSES)


@router.post("/cases", name="case_create")
def case_create(
    request: Request,
    me: Annotated[Principal, Depends(allow("case.edit"))],
    title: Annotated[str, Form()],
):
    case_id = case_store.create_case(request.app.state.engine, me.account, title)
    return see_other(f"/cases/{case_id}")


@router.get("/cases/{case_id}", name="case")
def case_page(
    request: Request, case_id: int, me: Annotated[Principal, Depends(allow("case.view"))]
):
    with request.app.state.engine.connect() as conn:
        detail = case_store.case_detail(conn, case_id)
        if detail is None:
            raise HTTPException(404, "no such case")
        people = [
            u
            for u in list_users(conn)
            if u.role in ("child_safety_lead", "investigator") and not u.disabled
        ]
    return page(request, "case.html", me, d=detail, people=people, statuses=case_store.STATUSES)


@router.post("/cases/{case_id}/actors", name="case_add_actor")
def case_add_actor(
    request: Request,
    case_id: int,
    me: Annotated[Principal, Depends(allow("case.edit"))],
    actor_key: Annotated[int, Form()],
):
    case_store.add_actor(request.app.state.engine, me.account, case_id, actor_key)
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/findings", name="case_add_finding")
def case_add_finding(
    request: Request,
    case_id: int,
    me: Annotated[Principal, Depends(allow("case.edit"))],
    finding_id: Annotated[int, Form()],
):
    case_store.add_finding(request.app.state.engine, me.account, case_id, finding_id)
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/assign", name="case_assign")
def case_assign(
    request: Request,
    case_id: int,
    me: Annotated[Principal, Depends(allow("case.edit"))],
    username: Annotated[str, Form()] = "",
):
    case_store.assign(request.app.state.engine, me.account, case_id, username or None)
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/status", name="case_status")
def case_status(
    request: Request,
    case_id: int,
    me: Annotated[Principal, Depends(allow("case.edit"))],
    status: Annotated[str, Form()],
):
    case_store.set_status(request.app.state.engine, me.account, case_id, status)
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/notes", name="case_note")
def case_note(
    request: Request,
    case_id: int,
    me: Annotated[Principal, Depends(allow("case.edit"))],
    text: Annotated[str, Form()],
):
    case_store.add_note(request.app.state.engine, me.account, case_id, text)
    return see_other(f"/cases/{case_id}")


@router.get("/cases/{case_id}/export.json", name="case_export")
def case_export(
    request: Request, case_id: int, me: Annotated[Principal, Depends(allow("case.export"))]
):
    """The case as JSON for a referral; audited as an export."""
    with request.app.state.engine.connect() as conn:
        d = case_store.case_detail(conn, case_id)
    if d is None:
        raise HTTPException(404, "no such case")
    record_view(request, me, "case.export", f"case:{case_id}", {"findings": len(d["findings"])})
    c = d["case"]
    body = {
        "case": {"id": c.id, "title": c.title, "status": c.status, "assigned_to": c.assignee},
        "actors": [
            {"platform": a.platform, "account_id": a.account_id, "role": a.role}
            for a in d["actors"]
        ],
        "findings": [
            {"id": f.id, "kind": f.kind, "labels": f.labels, "score": f.score}
            for f in d["findings"]
        ],
        "notes": [
            {"by": n.username, "at": n.created_at.isoformat(), "text": n.text} for n in d["notes"]
        ],
    }
    return JSONResponse(
        body, headers={"Content-Disposition": f'attachment; filename="case-{case_id}.json"'}
    )
