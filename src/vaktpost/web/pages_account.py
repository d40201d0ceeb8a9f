"""Login, logout, personal settings, user administration, the audit log page, health."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import select

from vaktpost.review import audit
from vaktpost.review.accounts import (
    authenticate,
    create_user,
    end_session,
    list_users,
    set_prefs,
    start_session,
    unlock,
)
from vaktpost.review.policy import ROLES, media_prefs
from vaktpost.store.review_tables import audit_head
from vaktpost.web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Principal, allow
from vaktpost.web.ui import page, see_other

router = APIRouter()
PAGE_VERIFY_LIMIT = 50_000


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/healthz", name="healthz", include_in_schema=False)
def healthz():
    return PlainTextResponse("ok")


@router.get("/login", name="login_form")
def login_form(request: Request, next: str = "/", error: str | None = None):
    token = secrets.token_urlsafe(24)
    response = page(
        request, "login.html", None, next=_safe_next(next), login_csrf=token, error=error
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
        path="/login",
        max_age=3600,
    )
    return response


@router.post("/login", name="login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
):
    """Double-submit check: the form's token must equal the cookie set with the form."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return see_other("/login?error=" + quote("The login form expired; please try again."))
    settings = request.app.state.settings
    engine = request.app.state.engine
    account = authenticate(
        engine,
        username.strip(),
        password,
        threshold=settings.lockout_threshold,
        lock_for=settings.lockout,
    )
    if account is None:
        return see_other(
            f"/login?next={quote(_safe_next(next))}&error="
            + quote("Wrong name or password, or the account is locked.")
        )
    with engine.begin() as conn:
        token, _ = start_session(conn, account, max_age=settings.session_max)
    response = see_other(_safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
        max_age=int(settings.session_max.total_seconds()),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", name="logout")
def logout(request: Request, me: Annotated[Principal, Depends(allow("self"))]):
    if me.via == "session":
        end_session(request.app.state.engine, request.cookies.get(SESSION_COOKIE, ""))
        with request.app.state.engine.begin() as conn:
            audit.append(conn, me.account.username, "logout", f"user:{me.account.username}")
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/settings", name="settings")
def settings_page(request: Request, me: Annotated[Principal, Depends(allow("prefs.edit"))]):
    return page(request, "settings.html", me, prefs=media_prefs(me.account.prefs))


@router.post("/settings", name="settings_save")
def settings_save(
    request: Request,
    me: Annotated[Principal, Depends(allow("prefs.edit"))],
    blur: Annotated[str | None, Form()] = None,
    greyscale: Annotated[str | None, Form()] = None,
):
    set_prefs(
        request.app.state.engine, me.account, {"blur": blur == "on", "greyscale": greyscale == "on"}
    )
    return see_other("/settings?flash=Saved")


@router.get("/admin/users", name="users")
def users_page(request: Request, me: Annotated[Principal, Depends(allow("user.manage"))]):
    with request.app.state.engine.connect() as conn:
        rows = list_users(conn)
    return page(request, "users.html", me, rows=rows, roles=ROLES)


@router.post("/admin/users", name="user_create")
def user_create(
    request: Request,
    me: Annotated[Principal, Depends(allow("user.manage"))],
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    display_name: Annotated[str, Form()] = "",
):
    create_user(
        request.app.state.engine,
        username,
        password,
        role,
        display_name=display_name or None,
        by=me.account.username,
    )
    return see_other("/admin/users?flash=User+created")


@router.post("/admin/users/{username}/unlock", name="user_unlock")
def user_unlock(
    request: Request, username: str, me: Annotated[Principal, Depends(allow("user.manage"))]
):
    unlock(request.app.state.engine, username, by=me.account.username)
    return see_other("/admin/users?flash=Unlocked")


@router.get("/audit", name="audit")
def audit_page(
    request: Request,
    me: Annotated[Principal, Depends(allow("audit.view"))],
    action: str | None = None,
):
    """The newest records; the whole chain is verified here while it is small enough to be
    quick, beyond that `vaktpost audit verify` does it."""
    with request.app.state.engine.connect() as conn:
        rows = audit.recent(conn, 300, action or None)
        size = conn.execute(select(audit_head.c.seq)).scalar() or 0
        report = audit.verify(conn) if size <= PAGE_VERIFY_LIMIT else None
    return page(
        request, "audit.html", me, rows=rows, report=report, action=action or "", size=size
    )


@router.get("/api/openapi.json", name="openapi", include_in_schema=False)
def openapi(request: Request, me: Annotated[Principal, Depends(allow("api.docs"))]):
    return JSONResponse(request.app.openapi())
