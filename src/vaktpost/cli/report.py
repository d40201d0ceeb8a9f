"""Commands for reporting and evidence: report cybertip|status|referral, outbox run, fake-ncmec, evidence …"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vaktpost.cli.common import DbOption, console, resolve_db, user_errors, write_json, write_jsonl
from vaktpost.errors import UserError

report_app = typer.Typer(help="CyberTipline reports and referral packages.", no_args_is_help=True)
evidence_app = typer.Typer(help="The encrypted evidence store: retention, holds, destruction.", no_args_is_help=True)
outbox_app = typer.Typer(help="The reporting outbox.", no_args_is_help=True)


def get_settings():
    """`vaktpost.settings.get_settings`, imported on use: every command module is loaded for
    any command, and pydantic-settings is ~0.07 CPU s of a `vaktpost scan`'s start-up."""
    from vaktpost.settings import get_settings as settings

    return settings()


def _engine(db):
    from vaktpost.store.db import open_store

    return open_store(resolve_db(db))


def _audit(engine):
    """Reporting and evidence write to the review work's hash-chained audit log."""
    from vaktpost.evidence.audit import ChainedAuditLog

    return ChainedAuditLog(engine)


def _actor_key(text: str) -> tuple[str, str]:
    platform, sep, account = text.partition("/")
    if not sep or not platform or not account:
        raise UserError("an actor is PLATFORM/ACCOUNT_ID", where=text)
    return platform, account


@report_app.command("cybertip")
@user_errors
def cybertip(
    case_id: Annotated[str, typer.Argument(help="Your reference for the case (kept with the report).")],
    actor: Annotated[
        list[str] | None, typer.Option("--actor", help="PLATFORM/ACCOUNT_ID of a reported person; repeat.")
    ] = None,
    case_file: Annotated[Path | None, typer.Option("--case-file", help="A ReportableCase as JSON instead of --actor.")] = None,
    incident_type: Annotated[str | None, typer.Option(help="Override the incident type the labels suggest.")] = None,
    submit: Annotated[bool, typer.Option("--submit", help="Queue it and file it with NCMEC now.")] = False,
    db: DbOption = None,
) -> None:
    """Build the report XML for a confirmed case (validated); print it, or with --submit file it.

    CASE_ID is a review case id (its actors are reported), or any reference of yours with
    --actor or --case-file.
    """
    from vaktpost.report.case import ReportableCase
    from vaktpost.report.case_store import (
        case_from_store,
        reporter_from_settings,
        review_case_actors,
    )
    from vaktpost.report.cybertip_xml import report_xml

    settings = get_settings()
    engine = _engine(db)
    audit = _audit(engine)
    if case_file is not None:
        try:
            case = ReportableCase.from_json({**json.loads(case_file.read_text()), "case_ref": case_id})
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(f"not a ReportableCase ({exc})", where=str(case_file)) from None
    else:
        with engine.connect() as conn:
            keys = [_actor_key(a) for a in actor] if actor else review_case_actors(conn, case_id)
            if not keys:
                raise UserError("not a review case with actors; name the accounts with --actor "
                                "PLATFORM/ACCOUNT_ID, or give --case-file", where=case_id)
            case = case_from_store(conn, keys, case_ref=case_id, reporter=reporter_from_settings(settings),
                                   audit=audit, incident_type=incident_type)
    xml = report_xml(case)
    if not submit:
        typer.echo(xml.decode())
        return
    from vaktpost.report.client import CyberTiplineClient
    from vaktpost.report.filing import evidence_store, make_worker, preserve_files
    from vaktpost.report.outbox import enqueue_report, outbox_status

    store = evidence_store(engine, settings, audit)
    outbox_id = enqueue_report(engine, preserve_files(case, store))
    with CyberTiplineClient.from_settings(settings) as client:
        make_worker(engine, client, store, audit).run_until_idle(wait_for_retries=False)
    with engine.connect() as conn:
        row = next(r for r in outbox_status(conn, case_id) if r.id == outbox_id)
    console.print(f"outbox report {row.id}: {row.state}" + (f", NCMEC report {row.ncmec_report_id}" if row.ncmec_report_id else "")
                  + (f" ({row.last_error})" if row.last_error else ""))


@report_app.command("status")
@user_errors
def status(
    case_id: Annotated[str | None, typer.Argument()] = None,
    format: Annotated[str, typer.Option("--format", help="table|json")] = "table",
    db: DbOption = None,
) -> None:
    """The outbox: each report's state, NCMEC id, attempts and last error."""
    from vaktpost.report.outbox import outbox_status

    with _engine(db).connect() as conn:
        rows = outbox_status(conn, case_id)
    if case_id is not None and not rows:
        raise UserError("no report for this case in the outbox", where=case_id)
    if format == "json":
        write_json([{"id": r.id, "case": r.case_ref, "state": r.state, "ncmec_report_id": r.ncmec_report_id,
                     "reopened": r.generation, "attempts": r.attempts, "exchanges": r.exchanges,
                     "last_error": r.last_error,
                     "finished_at": r.finished_at.isoformat() if r.finished_at else None} for r in rows])
        return
    if format != "table":
        raise typer.BadParameter("use table or json", param_hint="--format")
    table = Table("id", "case", "state", "NCMEC id", "reopened", "attempts", "exchanges", "last error")
    for r in rows:
        table.add_row(str(r.id), r.case_ref, r.state, r.ncmec_report_id or "", str(r.generation), str(r.attempts),
                      str(r.exchanges), r.last_error or "")
    console.print(table)


@report_app.command("referral")
@user_errors
def referral(
    case_id: str,
    to: Annotated[str | None, typer.Option("--to", help="Agency id; default: by the routing rules.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Zip to write (default referral-CASE-AGENCY.zip).")] = None,
    routing: Annotated[Path | None, typer.Option("--routing", help="Routing rules JSON (default: shipped).")] = None,
    db: DbOption = None,
) -> None:
    """Write a referral package for law enforcement and print where, with its manifest check."""
    from vaktpost.report.filing import evidence_store, referral_input
    from vaktpost.report.referral import build_referral, load_routing, route, verify_referral

    engine = _engine(db)
    audit = _audit(engine)
    data = referral_input(engine, case_id, audit)
    agency = route(data.case, load_routing(routing), to)
    store = evidence_store(engine, get_settings(), audit) if agency.media_authorised else None
    names = {f.sha256: f.evidence_object for f in data.case.files}
    read = (lambda sha: store.get(names[sha])) if store is not None else None
    path = build_referral(data, agency, out or Path(f"referral-{case_id}-{agency.id}.zip"), read_media=read)
    problems = verify_referral(path)
    if problems:
        raise UserError("; ".join(problems), where=str(path))
    console.print(f"referral for {agency.name}: {path} (manifest verified)")
    write_json({"path": str(path), "agency": agency.id})


@outbox_app.command("run")
@user_errors
def outbox_run(
    once: Annotated[bool, typer.Option("--once", help="Do what is due now, then stop.")] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=64)] = 4,
    db: DbOption = None,
) -> None:
    """Advance every queued report (submit, upload, fileinfo, finish) with retries."""
    from vaktpost.report.client import CyberTiplineClient
    from vaktpost.report.filing import evidence_store, make_worker
    from vaktpost.report.outbox import state_counts

    settings = get_settings()
    engine = _engine(db)
    audit = _audit(engine)
    with CyberTiplineClient.from_settings(settings) as client:
        make_worker(engine, client, evidence_store(engine, settings, audit), audit).run_until_idle(
            concurrency=concurrency, wait_for_retries=not once)
    with engine.connect() as conn:
        write_json(state_counts(conn))


def fake_ncmec(
    port: Annotated[int, typer.Option(help="Loopback port (0: a free one).")] = 8765,
    user: Annotated[str, typer.Option(help="Basic-auth user it accepts.")] = "esp",
    password: Annotated[str, typer.Option(envvar="VAKTPOST_FAKE_NCMEC_PASSWORD", help="Its password.")] = "secret",
    fault_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Share of requests that fail.")] = 0.0,
    seed: Annotated[int | None, typer.Option(help="Seed of the fault draws.")] = None,
    timeout_s: Annotated[float, typer.Option(help="How long a 'timeout' fault holds its answer.")] = 35.0,
    slow_s: Annotated[float, typer.Option(help="How long a 'slow' fault delays its answer.")] = 2.0,
) -> None:
    """Run the local fake CyberTipline service on 127.0.0.1 (for demos and tests)."""
    import time

    from vaktpost.report.fake_app import serve_fake
    from vaktpost.report.fake_service import FakeNcmec, FaultPlan

    service = FakeNcmec({user: password}, faults=FaultPlan(rate=fault_rate, seed=seed, timeout_s=timeout_s, slow_s=slow_s))
    with serve_fake(service, port=port) as url:
        console.print(f"fake CyberTipline at {url} (user {user}); Ctrl-C stops it")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


def _store(db):
    from vaktpost.evidence.store import EvidenceStore

    engine = _engine(db)
    return EvidenceStore.from_settings(engine, get_settings(), audit=_audit(engine))


@evidence_app.command("purge")
@user_errors
def evidence_purge(dry_run: Annotated[bool, typer.Option("--dry-run")] = False, db: DbOption = None) -> None:
    """Delete evidence whose preservation period is over and that no legal hold covers."""
    names = _store(db).purge(dry_run=dry_run)
    console.print(f"{'would purge' if dry_run else 'purged'} {len(names)} object(s)")
    write_jsonl({"object": n, "purged": not dry_run} for n in names)


@evidence_app.command("hold")
@user_errors
def evidence_hold(
    target: Annotated[str, typer.Argument(help="An object name or a case reference.")],
    reason: Annotated[str, typer.Option(help="Why (e.g. the legal process).")],
    by: Annotated[str, typer.Option(help="Who placed it.")],
    release: Annotated[bool, typer.Option("--release", help="Release the holds instead.")] = False,
    db: DbOption = None,
) -> None:
    """Place (or release) a legal hold: held evidence is never purged or destroyed."""
    store = _store(db)
    names = store.release(target, by=by) if release else store.hold(target, reason=reason, by=by)
    write_jsonl({"object": n, "held": not release} for n in names)


@evidence_app.command("destroy")
@user_errors
def evidence_destroy(
    target: Annotated[str, typer.Argument(help="An object name or a case reference.")],
    reason: Annotated[str, typer.Option(help="The request, e.g. the agency and its reference.")],
    by: Annotated[str, typer.Option(help="Who asked.")],
    db: DbOption = None,
) -> None:
    """Destroy evidence now on request (recorded in the audit log); refused under a legal hold."""
    names = _store(db).destroy(target, reason=reason, by=by)
    write_jsonl({"object": n, "destroyed": True} for n in names)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
    app.add_typer(evidence_app, name="evidence")
    app.add_typer(outbox_app, name="outbox")
    app.command("fake-ncmec")(fake_ncmec)
