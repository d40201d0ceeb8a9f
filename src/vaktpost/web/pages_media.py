"""Media evidence behind the wellness screen.

`/preview` is always the server-made blurred greyscale rendering. `/reveal` (a deliberate
POST, audited) grants one user the clear file of one finding for a short time; `/clear`
serves it only inside that grant, and audits each serving.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import insert, select

from vaktpost.review import audit
from vaktpost.review.accounts import as_utc
from vaktpost.review.policy import media_prefs, wellness_defaults
from vaktpost.review.queue import utcnow
from vaktpost.store.review_tables import media_reveals
from vaktpost.store.tables import findings
from vaktpost.web.auth import Principal, allow
from vaktpost.web.media_render import is_video, media_mime, media_path, placeholder, render_preview
from vaktpost.web.ui import page, see_other

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store, private", "X-Content-Type-Options": "nosniff"}


def _media_finding(request: Request, finding_id: int):
    with request.app.state.engine.connect() as conn:
        row = conn.execute(
            select(findings.c.id, findings.c.kind, findings.c.detail).where(
                findings.c.id == finding_id
            )
        ).first()
    if row is None or row.kind != "media":
        raise HTTPException(404, "no such media finding")
    return row


def live_grant(request: Request, me: Principal, finding_id: int):
    with request.app.state.engine.connect() as conn:
        row = conn.execute(
            select(media_reveals.c.id, media_reveals.c.expires_at)
            .where(
                media_reveals.c.user_id == me.account.id, media_reveals.c.finding_id == finding_id
            )
            .order_by(media_reveals.c.expires_at.desc())
            .limit(1)
        ).first()
    if row is None or as_utc(row.expires_at) <= utcnow():
        return None
    return row


@router.get("/media/{finding_id}/preview", name="media_preview")
def preview(
    request: Request, finding_id: int, me: Annotated[Principal, Depends(allow("evidence.view"))]
):
    row = _media_finding(request, finding_id)
    path = media_path(row.detail)
    if path is None or not path.is_file():
        body = placeholder("media file not available")
    elif is_video(path, row.detail):
        body = placeholder("VIDEO - hidden until revealed (plays muted)")
    else:
        prefs = media_prefs(me.account.prefs)
        try:
            body = render_preview(
                path,
                blur=prefs["blur"],
                greyscale=prefs["greyscale"],
                blur_fraction=prefs["blur_fraction"],
                max_side=prefs["preview_max_side"],
            )
        except OSError:
            body = placeholder("the file cannot be decoded as an image")
    return Response(body, media_type="image/jpeg", headers=NO_STORE)


@router.post("/media/{finding_id}/reveal", name="media_reveal")
def reveal(
    request: Request,
    finding_id: int,
    me: Annotated[Principal, Depends(allow("media.reveal"))],
    reason: Annotated[str | None, Form()] = None,
    back: Annotated[str | None, Form()] = None,
):
    _media_finding(request, finding_id)
    seconds = int(wellness_defaults()["reveal_seconds"])
    now = utcnow()
    with request.app.state.engine.begin() as conn:
        seq = audit.append(
            conn,
            me.account.username,
            "media.reveal",
            f"finding:{finding_id}",
            {"seconds": seconds, "reason": (reason or "").strip() or None, "via": me.via},
            now=now,
        )
        conn.execute(
            insert(media_reveals).values(
                user_id=me.account.id,
                finding_id=finding_id,
                reason=reason,
                created_at=now,
                expires_at=now + timedelta(seconds=seconds),
            )
        )
    if request.headers.get("hx-request"):
        return media_panel(request, finding_id, me, audit_seq=seq)
    target = (
        back
        if back and back.startswith("/") and not back.startswith("//")
        else f"/findings/{finding_id}"
    )
    return see_other(target)


def panel_context(request: Request, me: Principal, finding_id: int, detail: dict | None) -> dict:
    """What `_media.html` needs: the live reveal grant, if any, and whether it is a video."""
    grant = live_grant(request, me, finding_id) if me.can("media.reveal") else None
    path = media_path(detail)
    remaining = int((as_utc(grant.expires_at) - utcnow()).total_seconds()) if grant else 0
    return {
        "finding_id": finding_id,
        "grant": grant,
        "remaining": max(0, remaining),
        "video": bool(path and is_video(path, detail)),
        "audit_seq": None,
    }


@router.get("/media/{finding_id}/panel", name="media_panel")
def media_panel(
    request: Request,
    finding_id: int,
    me: Annotated[Principal, Depends(allow("evidence.view"))],
    audit_seq: int | None = None,
):
    row = _media_finding(request, finding_id)
    ctx = panel_context(request, me, finding_id, row.detail)
    ctx["audit_seq"] = audit_seq
    back = request.headers.get("hx-current-url", "")
    back = "/" + back.split("://", 1)[-1].split("/", 1)[-1] if back else ""
    return page(request, "_media.html", me, prefs=media_prefs(me.account.prefs), back=back, **ctx)


@router.get("/media/{finding_id}/clear", name="media_clear")
def clear(
    request: Request, finding_id: int, me: Annotated[Principal, Depends(allow("media.reveal"))]
):
    row = _media_finding(request, finding_id)
    if live_grant(request, me, finding_id) is None:
        raise HTTPException(403, "reveal the media first; a reveal lasts a short time")
    path = media_path(row.detail)
    if path is None or not path.is_file():
        raise HTTPException(404, "media file not available")
    with request.app.state.engine.begin() as conn:
        audit.append(
            conn,
            me.account.username,
            "media.clear_served",
            f"finding:{finding_id}",
            {"via": me.via},
        )
    return FileResponse(path, media_type=media_mime(path, row.detail), headers=NO_STORE)
