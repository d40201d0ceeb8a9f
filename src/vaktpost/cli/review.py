"""`vaktpost serve`, `vaktpost user add|token|unlock|list`, `vaktpost audit verify`,
`vaktpost review sync|queue`."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from vaktpost.cli.common import DbOption, console, resolve_db, user_errors, write_json
from vaktpost.errors import UserError

user_app = typer.Typer(
    help="Review accounts: create users, API tokens, unlock.", no_args_is_help=True
)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
review_app = typer.Typer(help="The review queue.", no_args_is_help=True)


def _engine(db: str | None):
    import vaktpost.store.review_tables  # noqa: F401
    from vaktpost.store.db import open_store

    return open_store(resolve_db(db))


def _read_password(password_stdin: bool) -> str:
    env = os.environ.get("VAKTPOST_NEW_PASSWORD")
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if env:
        return env
    if not sys.stdin.isatty():
        raise UserError(
            "no password: use --password-stdin or set VAKTPOST_NEW_PASSWORD", where="user add"
        )
    return typer.prompt("Password (12+ characters)", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
@user_errors
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")] = "admin",
    role: Annotated[
        str, typer.Option("--role", help="reviewer | child_safety_lead | investigator | admin | platform (ingest API)")
    ] = "admin",
    display_name: Annotated[
        str | None, typer.Option("--name", help="Name shown in the UI.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create a user (the first one is usually the admin). The password is prompted for."""
    from vaktpost.review.accounts import create_user

    engine = _engine(db)
    password = _read_password(password_stdin)
    create_user(engine, username, password, role, display_name=display_name, by="cli")
    console.print(f"created {role} [bold]{username}[/bold]")


@user_app.command("token")
@user_errors
def user_token(
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
    db: DbOption = None,
) -> None:
    """Issue an API token (printed once on stdout; only its hash is kept)."""
    from vaktpost.review.accounts import issue_api_token

    print(issue_api_token(_engine(db), username, name))


@user_app.command("unlock")
@user_errors
def user_unlock(username: str, db: DbOption = None) -> None:
    """Lift a lockout after repeated failed logins."""
    from vaktpost.review.accounts import unlock

    unlock(_engine(db), username)
    console.print(f"unlocked {username}")


@user_app.command("list")
@user_errors
def user_list(db: DbOption = None, fmt: Annotated[str, typer.Option("--format")] = "table") -> None:
    from vaktpost.review.accounts import list_users

    with _engine(db).connect() as conn:
        rows = list_users(conn)
    if fmt == "json":
        write_json([{"username": r.username, "role": r.role, "disabled": r.disabled} for r in rows])
        return
    for r in rows:
        console.print(f"{r.username:24} {r.role:20} {'disabled' if r.disabled else ''}")


@audit_app.command("verify")
@user_errors
def audit_verify(
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """Check every link of the audit chain; exit 1 and name the first broken record if any."""
    from vaktpost.review.audit import verify

    with _engine(db).connect() as conn:
        report = verify(conn)
    if fmt == "json":
        write_json(report.as_json())
    if report.ok:
        if fmt != "json":
            console.print(f"audit chain intact: {report.checked} records")
        return
    print(f"error: audit record {report.broken_at}: {report.why}", file=sys.stderr)
    raise typer.Exit(1)


@review_app.command("sync")
@user_errors
def review_sync(db: DbOption = None) -> None:
    """Queue every finding that has no review item yet, and reopen decided items whose finding
    gained a label, or (media) a match, since the decision."""
    from vaktpost.review.queue import sync_queue
    from vaktpost.review.reopen import reopen_grown, sync_new_matches

    engine = _engine(db)
    with engine.begin() as conn:
        reopened = reopen_grown(conn, by="review sync")
        added = sync_queue(conn, full=True, reopen=False)
    reopened += sync_new_matches(engine, by="review sync")  # its own transaction per chunk
    console.print(f"queued {added} new findings; reopened {len(reopened)} decided items")


@review_app.command("queue")
@user_errors
def review_queue(
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="How many items.")] = 50,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """List the waiting items, highest priority first: labels, stage, and why a reopened item is
    back. Ids and labels only, never evidence text (read that in the web app)."""
    from vaktpost.review.queue import queue_listing

    if fmt not in ("table", "json"):
        raise UserError(f"unknown format {fmt!r}; use table or json", where="--format")
    with _engine(db).connect() as conn:
        rows = queue_listing(conn, limit)
    if fmt == "json":
        write_json([
            {"item_id": r.id, "finding_id": r.finding_id, "priority": r.priority, "stage": r.stage,
             "kind": r.kind, "labels": list(r.labels or []), "actor_id": r.account_id,
             "platform": r.platform, "reopen_reason": r.reopen_reason}
            for r in rows
        ])
        return
    from rich.markup import escape  # account ids are the platform's, not ours

    if not rows:
        console.print("nothing is waiting")
    for r in rows:
        why = f"  [bold]reopened: {escape(r.reopen_reason)}[/bold]" if r.reopen_reason else ""
        console.print(
            f"#{r.id:<7} {r.priority:.2f}  {r.stage:7} {escape(', '.join(r.labels or [])):40} "
            f"{escape(r.account_id or '-')}{why}",
            highlight=False,
        )


@user_errors
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Serve the review web app and JSON API."""
    import uvicorn

    from vaktpost.web.app import create_app

    app = create_app(resolve_db(db))
    console.print(f"vaktpost review on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
    app.add_typer(audit_app, name="audit")
    app.add_typer(review_app, name="review")
