"""Rendering helpers shared by the page routes: templates, redirects, the audit shortcut."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from vaktpost.review import audit
from vaktpost.review.accounts import as_utc
from vaktpost.review.policy import ROLE_NAMES
from vaktpost.web.auth import Principal

templates = Jinja2Templates(directory=str(resources.files("vaktpost.web").joinpath("templates")))


def _when(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value[:19].replace("T", " ")
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def _age(value: Any) -> str:
    if value is None:
        return "—"
    delta = value if isinstance(value, timedelta) else datetime.now(timezone.utc) - as_utc(value)
    s = int(delta.total_seconds())
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} d"


templates.env.filters["when"] = _when
templates.env.filters["age"] = _age
templates.env.globals["ROLE_NAMES"] = ROLE_NAMES


def _incident_name(type_id: str | None) -> str:
    from vaktpost.review.policy import incident_type

    kind = incident_type(type_id) if type_id else None
    return kind.name if kind else (type_id or "—")


templates.env.filters["incident_name"] = _incident_name


def page(
    request: Request, name: str, principal: Principal | None, status_code: int = 200, **context
) -> HTMLResponse:
    context.setdefault("flash", request.query_params.get("flash"))
    return templates.TemplateResponse(
        request,
        name,
        {"me": principal, "csrf": principal.csrf_token if principal else "", **context},
        status_code=status_code,
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def record_view(
    request: Request, principal: Principal, action: str, target: str, detail: dict | None = None
) -> None:
    """Audit a view of evidence (its own small transaction: a view has no other write)."""
    with request.app.state.engine.begin() as conn:
        audit.append(
            conn,
            principal.account.username,
            action,
            target,
            {"via": principal.via, **(detail or {})},
        )
