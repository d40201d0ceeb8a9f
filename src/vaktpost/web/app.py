"""The review web app: JSON API and server-rendered pages over one store.

Offline by design: templates and static files (htmx vendored) ship in the package and the
Content-Security-Policy allows nothing from elsewhere. Pages are `no-store`: evidence must
not linger in a browser cache.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException

from vaktpost.errors import UserError
from vaktpost.review.queue import ConflictError, sync_queue
from vaktpost.review.reopen import sync_new_matches
from vaktpost.store.db import open_store
from vaktpost.web import api, ingest_api, pages_account, pages_cases, pages_media, pages_review
from vaktpost.web.auth import Forbidden, NotAuthenticated, current_principal, guard_table
from vaktpost.web.config import WebSettings
from vaktpost.web.ui import page, see_other

CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def create_app(
    db_url: str | None = None, *, engine: Engine | None = None, settings: WebSettings | None = None
) -> FastAPI:
    import vaktpost.store.review_tables  # noqa: F401  (tables on the shared metadata)

    if engine is None:
        if db_url is None:
            from vaktpost.settings import get_settings

            db_url = get_settings().db
        engine = open_store(db_url)
    app = FastAPI(
        title="vaktpost review",
        version="1",
        description="Review queue, evidence views, cases and audit log. Authenticate with a session "
        "cookie (browser, with X-CSRF-Token on writes) or `Authorization: Bearer <API token>`.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings or WebSettings()
    with engine.begin() as conn:
        sync_queue(conn, full=True)
    sync_new_matches(engine, by="review sync")  # media matches written past their writer

    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("vaktpost.web").joinpath("static"))),
        name="static",
    )
    routers = [m.router for m in (pages_account, pages_review, pages_media, pages_cases, api, ingest_api)]
    app.state.route_table = guard_table(routers)
    for router in routers:
        app.include_router(router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, _exc: NotAuthenticated):
        if _wants_json(request) or request.method != "GET":
            return JSONResponse({"detail": "log in first"}, status_code=401)
        return see_other(f"/login?next={request.url.path}")

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        if _wants_json(request):
            return JSONResponse({"detail": exc.why}, status_code=403)
        return page(
            request,
            "error.html",
            await current_principal(request),
            status_code=403,
            title="Not allowed",
            message=exc.why,
        )

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError):
        status = 409 if isinstance(exc, ConflictError) else 400
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return page(
            request,
            "error.html",
            await current_principal(request),
            status_code=status,
            title="That did not work",
            message=str(exc),
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if _wants_json(request) or exc.status_code == 405:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return page(
            request,
            "error.html",
            await current_principal(request),
            status_code=exc.status_code,
            title="Not found" if exc.status_code == 404 else "Error",
            message=str(exc.detail),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return JSONResponse(
            jsonable_encoder({"detail": "invalid request", "errors": exc.errors()}), status_code=422
        )

    return app
