"""`vaktpost user add|token|unlock`, `vaktpost review sync` through the real command line."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from vaktpost.cli import app as cli
from vaktpost.review.accounts import account_for_api_token, authenticate
from vaktpost.store.review_tables import review_items, users


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_user_add_creates_an_admin_who_can_log_in(engine):
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["user", "add", "chief", "--role", "admin", "--password-stdin", "--db", _url(engine)],
        input="a sufficiently long secret\n",
    )
    assert result.exit_code == 0, result.output
    assert authenticate(engine, "chief", "a sufficiently long secret").role == "admin"


def test_user_add_refuses_bad_input_on_one_line(engine):
    runner = CliRunner()
    short = runner.invoke(
        cli, ["user", "add", "x", "--password-stdin", "--db", _url(engine)], input="short\n"
    )
    assert (
        short.exit_code == 1 and "at least 12" in short.stderr and "Traceback" not in short.output
    )
    role = runner.invoke(
        cli,
        ["user", "add", "y", "--role", "boss", "--password-stdin", "--db", _url(engine)],
        input="long enough secret\n",
    )
    assert role.exit_code == 1 and "unknown role" in role.stderr
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(users)).scalar() == 0


def test_user_token_prints_a_working_token_once(engine, accounts):
    result = CliRunner().invoke(
        cli, ["user", "token", "reviewer1", "--name", "ingest bot", "--db", _url(engine)]
    )
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert token.startswith("vpt_")
    assert account_for_api_token(engine, token).username == "reviewer1"


def test_review_sync_queues_every_finding(engine, world):
    result = CliRunner().invoke(cli, ["review", "sync", "--db", _url(engine)])
    assert result.exit_code == 0
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(review_items)).scalar()
    assert n == len(world.finding_ids) + len(world.media_finding_ids)
