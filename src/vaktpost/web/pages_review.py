"""Pages of the review work: dashboard, queue, a claimed item, a finding's conversation."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy import select

from vaktpost.review import dashboard, queue, reopen
from vaktpost.review.cases import open_cases
from vaktpost.review.evidence import conversation_window, finding_summary, hints_available
from vaktpost.review.policy import (
    dismiss_reasons,
    incident_types,
    media_prefs,
    suggest_incident_type,
)
from vaktpost.store.review_tables import decisions, review_items, users
from vaktpost.web.auth import Principal, allow
from vaktpost.web.charts import bars_svg
from vaktpost.web.pages_media import panel_context
from vaktpost.web.ui import page, record_view, see_other

router = APIRouter()
QUEUE_PAGE = 50


@router.get("/", name="dashboard")
def dashboard_page(request: Request, me: Annotated[Principal, Depends(allow("dashboard.view"))]):
    with request.app.state.engine.connect() as conn:
        fig = dashboard.figures(conn)
    charts = {
        "labels": bars_svg(list(fig["findings_by_label"].items()), css_id="chart-labels"),
        "per_day": bars_svg(
            [(d.strftime("%d %b"), n) for d, n in fig["decisions_per_day"]],
            css_id="chart-decisions",
            vertical=True,
        ),
        "ages": bars_svg(fig["queue_by_age"], css_id="chart-ages"),
    }
    return page(request, "dashboard.html", me, fig=fig, charts=charts)


def queue_rows(conn, limit: int = QUEUE_PAGE, offset: int = 0):
    return queue.queue_listing(conn, limit, offset)


@router.get("/queue", name="queue")
def queue_page(
    request: Request, me: Annotated[Principal, Depends(allow("queue.view"))], offset: int = 0
):
    engine = request.app.state.engine
    with engine.begin() as conn:
        queue.sync_queue(conn)
    with engine.connect() as conn:
        rows = queue_rows(conn, offset=max(0, offset))
        counts = queue.queue_counts(conn)
        mine = queue.current_claim(conn, me.account)
    return page(
        request,
        "queue.html",
        me,
        rows=rows,
        counts=counts,
        mine=mine,
        offset=max(0, offset),
        page_size=QUEUE_PAGE,
    )


@router.post("/queue/claim", name="claim")
def claim(request: Request, me: Annotated[Principal, Depends(allow("item.claim"))]):
    engine = request.app.state.engine
    with engine.connect() as conn:
        held = queue.current_claim(conn, me.account)
    if held:
        return see_other(f"/items/{held}")
    item_id = queue.claim_next(engine, me.account, lease=request.app.state.settings.lease)
    if item_id is None:
        return see_other("/queue?flash=The+queue+is+empty+for+you")
    return see_other(f"/items/{item_id}")


@router.get("/items/{item_id}", name="item")
def item_page(
    request: Request, item_id: int, me: Annotated[Principal, Depends(allow("evidence.view"))]
):
    engine = request.app.state.engine
    with engine.connect() as conn:
        item = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
        if item is None:
            raise HTTPException(404, "no such review item")
        finding = finding_summary(conn, item.finding_id)
        if finding is None:
            raise HTTPException(404, "the finding behind this item was replaced by a newer scan")
        window = (
            conversation_window(conn, finding.conversation_key, finding.message_key)
            if finding.kind == "text" and finding.message_key
            else []
        )
        history = conn.execute(
            select(decisions, users.c.username)
            .join(users, users.c.id == decisions.c.user_id)
            .where(decisions.c.item_id == item_id)
            .order_by(decisions.c.created_at)
        ).all()
        reopens = reopen.history(conn, item_id)
        cases = open_cases(conn) if me.can("case.edit") else []
    record_view(request, me, "evidence.view", f"finding:{finding.id}", {"item": item_id})
    media = (
        panel_context(request, me, finding.id, finding.detail) if finding.kind == "media" else {}
    )
    holds = item.status == "claimed" and item.claimed_by == me.account.id
    if holds:  # looking at the item is work on it: the lease runs from now
        try:
            queue.renew_lease(engine, item_id, me.account, lease=request.app.state.settings.lease)
        except queue.ConflictError:
            holds = False
        with engine.connect() as conn:
            item = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
    suggested = suggest_incident_type(finding.labels or [], finding.kind)
    return page(
        request,
        "item.html",
        me,
        item=item,
        finding=finding,
        window=window,
        holds=holds,
        history=_history(history, reopens),
        seen_labels=json.dumps(list(finding.labels or [])),
        # the matches this page lists, from the same read (None: a text finding)
        seen_matches=json.dumps(reopen.match_keys(finding.detail)) if finding.kind == "media" else None,
        matches=reopen.shown_matches(finding.detail) if finding.kind == "media" else [],
        types=incident_types(),
        suggested=suggested,
        reasons=dismiss_reasons(),
        prefs=media_prefs(me.account.prefs),
        hints_available=hints_available(),
        cases=cases,
        back=request.url.path,
        **media,
    )


def _history(decided, reopens) -> list[dict]:
    """Decisions and reopens of an item, oldest first, for its History list."""
    out = [{"kind": "decision", "at": d.created_at, "row": d} for d in decided]
    out += [{"kind": "reopen", "at": r.created_at, "row": r,
             "why": reopen.match_reason(r.added_matches) if r.added_matches else reopen.reason(r.added_labels)}
            for r in reopens]
    return sorted(out, key=lambda h: (h["at"], h["kind"] == "reopen"))


@router.post("/items/{item_id}/decision", name="decide")
def decide(
    request: Request,
    item_id: int,
    me: Annotated[Principal, Depends(allow("item.decide"))],
    decision: Annotated[str, Form()],
    incident_type: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form()] = None,
    note: Annotated[str | None, Form()] = None,
    seen_labels: Annotated[str | None, Form()] = None,
    seen_matches: Annotated[str | None, Form()] = None,
):
    text = " — ".join(x for x in (reason, note) if x and x.strip()) or None
    state = queue.decide(
        request.app.state.engine,
        item_id,
        me.account,
        decision,
        incident_type_id=incident_type or None,
        reason=text,
        seen_labels=_strings_field(seen_labels),
        seen_matches=_strings_field(seen_matches),
    )
    return see_other(f"/queue?flash=Item+{item_id}:+{state.replace(' ', '+')}")


def _strings_field(value: str | None) -> list[str] | None:
    """The item page's hidden `seen_labels` / `seen_matches`: the finding's labels or match keys
    as shown, JSON. Missing or not a list of strings: None (the decision records the finding's
    labels or matches at that moment). `queue.decide` keeps only what the finding has."""
    if not value:
        return None
    try:
        got = json.loads(value)
    except ValueError:
        return None
    return got if isinstance(got, list) and all(isinstance(x, str) for x in got) else None


@router.post("/items/{item_id}/release", name="release")
def release(request: Request, item_id: int, me: Annotated[Principal, Depends(allow("item.claim"))]):
    queue.release(request.app.state.engine, item_id, me.account)
    return see_other(f"/queue?flash=Item+{item_id}+returned+to+the+queue")


@router.get("/findings/{finding_id}", name="finding")
def finding_page(
    request: Request, finding_id: int, me: Annotated[Principal, Depends(allow("evidence.view"))]
):
    with request.app.state.engine.connect() as conn:
        finding = finding_summary(conn, finding_id)
        if finding is None:
            raise HTTPException(404, "no such finding")
        window = (
            conversation_window(conn, finding.conversation_key, finding.message_key)
            if finding.kind == "text" and finding.message_key
            else []
        )
        cases = open_cases(conn) if me.can("case.edit") else []
    record_view(request, me, "evidence.view", f"finding:{finding_id}")
    media = (
        panel_context(request, me, finding.id, finding.detail) if finding.kind == "media" else {}
    )
    return page(
        request,
        "finding.html",
        me,
        finding=finding,
        window=window,
        matches=reopen.shown_matches(finding.detail) if finding.kind == "media" else [],
        prefs=media_prefs(me.account.prefs),
        hints_available=hints_available(),
        cases=cases,
        back=request.url.path,
        **media,
    )
