"""The JSON API (documented at /api/openapi.json): the same actions as the pages, for machines
holding an API token (`Authorization: Bearer vpt_…`) or for a browser session with CSRF.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from vaktpost.review import audit, dashboard, queue, reopen
from vaktpost.review.actor_profile import actor_profile
from vaktpost.review.cases import list_cases
from vaktpost.review.evidence import conversation_window, finding_summary
from vaktpost.web.auth import Principal, allow
from vaktpost.web.pages_review import queue_rows
from vaktpost.web.ui import record_view

router = APIRouter(prefix="/api", tags=["review"])


class QueueEntry(BaseModel):
    item_id: int
    finding_id: int
    kind: str
    priority: float
    stage: str
    labels: list[str]
    actor_key: int | None
    actor_id: str | None
    platform: str | None
    reopen_reason: str | None = Field(
        None, description="Why a decided item is back, e.g. 'new label since decision: MINOR_CONFIRMED'."
    )


class Claimed(BaseModel):
    item_id: int | None = Field(
        description="The claimed item, or null when nothing is left for you."
    )


class DecisionIn(BaseModel):
    decision: Literal["confirm", "dismiss", "escalate"]
    incident_type: str | None = Field(
        None, description="An incident type id (required to confirm)."
    )
    reason: str | None = Field(None, description="Why (required to dismiss).")
    seen_labels: list[str] | None = Field(
        None,
        description="The finding labels you decided on (as GET /api/findings/{id} gave them); "
        "a label the finding has beyond these reopens the item at once. Default: its labels now.",
    )
    seen_matches: list[str] | None = Field(
        None,
        description="For a media finding, the match keys you decided on (`matches` of "
        "GET /api/findings/{id}); a match the finding has beyond these reopens the item at once, "
        "keys it lacks are not recorded. Default: its matches now.",
    )


class DecisionOut(BaseModel):
    item_id: int
    state: str


class Me(BaseModel):
    username: str
    role: str
    via: str


@router.get("/me", response_model=Me)
def me_(me: Annotated[Principal, Depends(allow("self"))]):
    return Me(username=me.account.username, role=me.account.role, via=me.via)


@router.get("/queue", response_model=list[QueueEntry])
def api_queue(
    request: Request,
    me: Annotated[Principal, Depends(allow("queue.view"))],
    limit: int = 50,
    offset: int = 0,
):
    engine = request.app.state.engine
    with engine.begin() as conn:
        queue.sync_queue(conn)
    with engine.connect() as conn:
        rows = queue_rows(conn, min(max(limit, 1), 500), max(offset, 0))
    return [
        QueueEntry(
            item_id=r.id,
            finding_id=r.finding_id,
            kind=r.kind,
            priority=r.priority,
            stage=r.stage,
            labels=list(r.labels or []),
            actor_key=r.actor_key,
            actor_id=r.account_id,
            platform=r.platform,
            reopen_reason=r.reopen_reason,
        )
        for r in rows
    ]


@router.post("/queue/claim", response_model=Claimed)
def api_claim(request: Request, me: Annotated[Principal, Depends(allow("item.claim"))]):
    return Claimed(
        item_id=queue.claim_next(
            request.app.state.engine, me.account, lease=request.app.state.settings.lease
        )
    )


@router.post("/items/{item_id}/decision", response_model=DecisionOut)
def api_decide(
    request: Request,
    item_id: int,
    body: DecisionIn,
    me: Annotated[Principal, Depends(allow("item.decide"))],
):
    state = queue.decide(
        request.app.state.engine,
        item_id,
        me.account,
        body.decision,
        incident_type_id=body.incident_type,
        reason=body.reason,
        seen_labels=body.seen_labels,
        seen_matches=body.seen_matches,
    )
    return DecisionOut(item_id=item_id, state=state)


@router.post("/items/{item_id}/release", response_model=DecisionOut)
def api_release(
    request: Request, item_id: int, me: Annotated[Principal, Depends(allow("item.claim"))]
):
    queue.release(request.app.state.engine, item_id, me.account)
    return DecisionOut(item_id=item_id, state="queued")


@router.get("/findings/{finding_id}")
def api_finding(
    request: Request, finding_id: int, me: Annotated[Principal, Depends(allow("evidence.view"))]
):
    """The finding and its conversation window with evidence spans (audited as a view)."""
    with request.app.state.engine.connect() as conn:
        f = finding_summary(conn, finding_id)
        if f is None:
            raise HTTPException(404, "no such finding")
        window = (
            conversation_window(conn, f.conversation_key, f.message_key) if f.message_key else []
        )
    record_view(request, me, "evidence.view", f"finding:{finding_id}")
    return {
        "finding_id": f.id,
        "kind": f.kind,
        "labels": f.labels,
        "score": f.score,
        "matches": reopen.match_keys(f.detail) if f.kind == "media" else None,
        "platform": f.platform,
        "actor_id": f.account_id,
        "conversation_id": f.conversation_id,
        "message_id": f.message_id,
        "item_id": f.item_id,
        "item_status": f.item_status,
        "messages": [
            {
                "message_id": m.message_id,
                "sender": m.sender,
                "sent_at": m.sent_at.isoformat(),
                "text": m.text,
                "labels": m.labels,
                "rules": m.rules,
                "focus": m.is_focus,
                "evidence": [
                    {"text": s.text, "labels": list(s.labels), "rules": list(s.rules)}
                    for s in m.segments
                    if s.labels
                ],
            }
            for m in window
        ],
    }


@router.get("/actors/{actor_key}")
def api_actor(
    request: Request, actor_key: int, me: Annotated[Principal, Depends(allow("actor.view"))]
):
    with request.app.state.engine.connect() as conn:
        p = actor_profile(conn, actor_key)
    if p is None:
        raise HTTPException(404, "no such actor")
    return {
        "actor_key": p.key,
        "platform": p.platform,
        "actor_id": p.account_id,
        "role": p.role,
        "funnel": p.funnel.as_json(),
        "counterparts": [
            {
                "actor_id": c.account_id,
                "role": c.role,
                "conversations": len(c.conversations),
                "sent_to": c.sent_to,
                "received_from": c.received_from,
                "deepest_step": c.deepest_step,
            }
            for c in p.counterparts
        ],
        "linked_accounts": [],
    }


@router.get("/cases")
def api_cases(request: Request, me: Annotated[Principal, Depends(allow("case.view"))]):
    with request.app.state.engine.connect() as conn:
        rows = list_cases(conn)
    return [
        {
            "id": r.id,
            "title": r.title,
            "status": r.status,
            "assigned_to": r.assignee,
            "actors": r.actors,
            "findings": r.findings,
        }
        for r in rows
    ]


@router.get("/dashboard")
def api_dashboard(request: Request, me: Annotated[Principal, Depends(allow("dashboard.view"))]):
    with request.app.state.engine.connect() as conn:
        return dashboard.as_json(dashboard.figures(conn))


@router.get("/audit/verify")
def api_audit_verify(request: Request, me: Annotated[Principal, Depends(allow("audit.view"))]):
    with request.app.state.engine.connect() as conn:
        return audit.verify(conn).as_json()
