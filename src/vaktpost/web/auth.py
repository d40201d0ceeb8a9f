"""Who is asking and what they may do: every route depends on `allow(permission)`.

A request is authenticated by an API token (`Authorization: Bearer …`, for machines) or by
the session cookie (for people). Unsafe methods on a cookie session must carry the
session's CSRF token in the `X-CSRF-Token` header or a `csrf_token` form field; token
requests carry no ambient credential and need none. `create_app` refuses to start if any
route lacks an `allow` dependency and is not on the short public list.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Callable

from fastapi import Depends, Request

from vaktpost.review.accounts import Account, account_for_api_token, load_session
from vaktpost.review.policy import allowed

SESSION_COOKIE = "vp_session"
LOGIN_CSRF_COOKIE = "vp_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PATHS = frozenset({"/login", "/healthz", "/static"})


class NotAuthenticated(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, why: str = "your role does not allow this"):
        self.why = why


@dataclass(frozen=True)
class Principal:
    account: Account
    via: str  # "session" | "token"
    csrf_token: str | None = None

    def can(self, permission: str) -> bool:
        return allowed(self.account.role, permission)


async def _csrf_ok(request: Request, expected: str) -> bool:
    sent = request.headers.get("x-csrf-token")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        sent = form.get("csrf_token")
    return isinstance(sent, str) and secrets.compare_digest(sent, expected)


async def current_principal(request: Request) -> Principal | None:
    """The caller, or None; cached on the request."""
    if "principal" in request.scope.get("state", {}):
        return request.state.principal
    engine = request.app.state.engine
    settings = request.app.state.settings
    principal = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        account = account_for_api_token(engine, header[7:].strip())
        principal = Principal(account, "token") if account else None
    elif SESSION_COOKIE in request.cookies:
        session = load_session(engine, request.cookies[SESSION_COOKIE], idle=settings.session_idle)
        principal = Principal(session.account, "session", session.csrf_token) if session else None
    request.state.principal = principal
    return principal


def allow(permission: str) -> Callable:
    """A dependency that admits only callers whose role holds `permission`."""

    async def dependency(
        request: Request, principal: Principal | None = Depends(current_principal)
    ) -> Principal:
        if principal is None:
            raise NotAuthenticated()
        if not principal.can(permission):
            raise Forbidden()
        if (
            request.method not in SAFE_METHODS
            and principal.via == "session"
            and not await _csrf_ok(request, principal.csrf_token or "")
        ):
            raise Forbidden(
                "the form was stale or not sent by this site (CSRF check); reload and try again"
            )
        return principal

    dependency.__permission__ = permission  # type: ignore[attr-defined]
    dependency.__name__ = f"allow_{permission.replace('.', '_')}"
    return dependency


def route_permission(route) -> str | None:
    """The permission a route requires, found in its dependency tree (None if it has none)."""
    stack = (
        list(getattr(route, "dependant", None).dependencies)
        if getattr(route, "dependant", None)
        else []
    )
    while stack:
        dep = stack.pop()
        perm = getattr(dep.call, "__permission__", None)
        if perm:
            return perm
        stack.extend(dep.dependencies)
    return None


def guard_table(routers) -> list[tuple[str, str, str | None]]:
    """(method, path, permission) for every route of these routers; fails on an unguarded one.

    Read from the routers themselves (full paths, prefixes included), which does not depend
    on how a FastAPI version stores included routers.
    """
    table = []
    for router in routers:
        for route in router.routes:
            path = getattr(route, "path", "")
            perm = route_permission(route)
            public = any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS)
            if perm is None and not public:
                raise RuntimeError(
                    f"route {path} has no allow(...) dependency: every route must name a permission"
                )
            for method in sorted(getattr(route, "methods", None) or ()):
                if method != "HEAD":
                    table.append((method, path, perm))
    return table
