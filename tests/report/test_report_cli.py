"""The commands end to end: a case from the store filed with the fake, its status, a referral, evidence."""

from __future__ import annotations

import json
import zipfile

import pytest
from typer.testing import CliRunner

from vaktpost.cli import app
from vaktpost.report.referral import verify_referral
from vaktpost.settings import get_settings


@pytest.fixture
def env(monkeypatch, tmp_path, engine, seeded, fake):
    service, url = fake
    db = str(engine.url)
    for key, value in {
        "NCMEC_URL": url, "NCMEC_USER": "esp", "NCMEC_PASSWORD": "secret",
        "REPORTER_EMAIL": "trust@example.org", "EVIDENCE_KEY": "11" * 32,
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
    }.items():
        monkeypatch.setenv(f"VAKTPOST_{key}", value)
    get_settings.cache_clear()
    yield db, service, tmp_path
    get_settings.cache_clear()


def run(*args):
    return CliRunner().invoke(app, list(args))


def test_cybertip_prints_valid_xml_without_submitting(env):
    db, service, _ = env
    result = run("report", "cybertip", "K-1", "--actor", "camsite/u-17", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<?xml") and "<espIdentifier>u-17</espIdentifier>" in result.stdout
    assert service.requests == 0


def test_submit_status_referral_and_evidence(env):
    db, service, tmp = env
    result = run("report", "cybertip", "K-1", "--actor", "camsite/u-17", "--actor", "camsite/p-203", "--submit", "--db", db)
    assert result.exit_code == 0, result.output
    [filed] = [r for r in service.reports.values() if r.finished_at is not None]
    assert len(filed.files) == 1  # a.png, read back from the encrypted evidence store

    status = run("report", "status", "--format", "json", "--db", db)
    rows = json.loads(status.stdout)
    assert [(r["case"], r["state"], r["ncmec_report_id"]) for r in rows] == [("K-1", "finished", filed.report_id)]

    out = tmp / "ref.zip"
    ref = run("report", "referral", "K-1", "--out", str(out), "--db", db)
    assert ref.exit_code == 0, ref.output
    assert json.loads(ref.stdout)["agency"] == "NO-KRIPOS" and verify_referral(out) == []
    with zipfile.ZipFile(out) as z:
        actions = [json.loads(line)["action"] for line in z.read("custody.jsonl").splitlines()]
    assert "report.finished" in actions and "ncmec.finish" in actions and "evidence.stored" in actions

    assert run("evidence", "hold", "K-1", "--reason", "court order", "--by", "legal", "--db", db).exit_code == 0
    purge = run("evidence", "purge", "--db", db)
    assert purge.exit_code == 0 and purge.stdout == ""  # inside the year, and held
    refused = run("evidence", "destroy", "K-1", "--reason", "request", "--by", "agency", "--db", db)
    assert refused.exit_code == 1 and "legal hold" in refused.stderr and "Traceback" not in refused.output


def test_user_errors_are_one_line(env):
    db, _, _ = env
    for args, needle in [
        (("report", "cybertip", "K-9", "--actor", "camsite/nobody", "--db", db), "camsite/nobody"),
        (("report", "cybertip", "K-9", "--actor", "no-slash", "--db", db), "PLATFORM/ACCOUNT_ID"),
        (("report", "status", "K-404", "--db", db), "K-404"),
        (("report", "referral", "K-404", "--db", db), "K-404"),
    ]:
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_review_case_id_names_the_actors(env):
    from sqlalchemy import select

    from vaktpost.review.accounts import create_user
    from vaktpost.review.cases import add_actor, create_case
    from vaktpost.review.queue import Reviewer
    from vaktpost.store.db import make_engine
    from vaktpost.store.tables import actors

    db, _, _ = env
    engine = make_engine(db)
    lead = Reviewer(create_user(engine, "lead", "a long passphrase 1", "child_safety_lead"), "lead", "child_safety_lead")
    case_id = create_case(engine, lead, "buyer u-17")
    with engine.connect() as conn:
        key = conn.execute(select(actors.c.id).where(actors.c.account_id == "u-17")).scalar_one()
    add_actor(engine, lead, case_id, key)
    result = run("report", "cybertip", str(case_id), "--db", db)
    assert result.exit_code == 0, result.output
    assert "<espIdentifier>u-17</espIdentifier>" in result.stdout and "p-203</espIdentifier>" not in result.stdout
    missing = run("report", "cybertip", "999", "--db", db)
    assert missing.exit_code == 1 and "999" in missing.stderr
