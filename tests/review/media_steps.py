"""Shared steps of the media reopen tests: a store where bank `a` lists a generated picture's PDQ and
the file matched is a watermarked JPEG of it (a near match); bank `b`'s list names the file's MD5
(an exact match, once imported). The pictures are gradients with shapes (`tests/media/imagegen.py`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.media.imagegen import synthetic_image, watermark
from vaktpost.cli import app as cli
from vaktpost.media.hashing import digest_file, pdq_of_image_file
from vaktpost.store.review_tables import audit_log, review_items
from vaktpost.store.tables import findings

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
runner = CliRunner()


def run(*args):
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture()
def media(tmp_path, db_url, engine, monkeypatch):
    """Bank `a` lists a picture's PDQ; the file matched is a watermarked JPEG of it (near)."""
    monkeypatch.setenv("VAKTPOST_MEDIA_INDEX", str(tmp_path / "index"))
    listed = tmp_path / "listed.png"
    synthetic_image(61).save(listed)
    near = tmp_path / "near.jpg"
    watermark(synthetic_image(61)).save(near, quality=60)
    (tmp_path / "a.csv").write_text(f"signal_type,hash\npdq,{pdq_of_image_file(listed).hash}\n")
    (tmp_path / "b.csv").write_text(f"signal_type,hash\nmd5,{digest_file(near).md5}\n")
    run("bank", "create", "a", "--db", db_url)
    run("bank", "import", "a", tmp_path / "a.csv", "--format", "csv", "--db", db_url)
    return {"db": db_url, "near": near, "b": tmp_path / "b.csv"}


def the_item(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(review_items, findings.c.detail, findings.c.score)
            .join(findings, findings.c.id == review_items.c.finding_id)
            .where(findings.c.kind == "media")
        ).one()


def count(engine, query) -> int:
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def reopen_events(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.username, audit_log.c.target, audit_log.c.detail)
                            .where(audit_log.c.action == "item.reopen")).all()
    return [{"by": u, "target": t, **json.loads(d)} for u, t, d in rows]


def item_page(engine, account, item: int) -> str:
    from datetime import timedelta

    from fastapi.testclient import TestClient

    from vaktpost.review.accounts import start_session
    from vaktpost.web.app import create_app
    from vaktpost.web.auth import SESSION_COOKIE
    from vaktpost.web.config import WebSettings

    with engine.begin() as conn:
        token, _ = start_session(conn, account, max_age=timedelta(hours=1))
    app = create_app(engine=engine, settings=WebSettings(cookie_secure=False))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.cookies.set(SESSION_COOKIE, token)
        response = client.get(f"/items/{item}")
    assert response.status_code == 200
    return response.text


def match(media) -> None:
    run("media", "match", media["near"], "--db", media["db"])


def import_bank_b(media) -> None:
    """Bank `b` lists the file's MD5; importing it matches nothing already stored."""
    run("bank", "create", "b", "--db", media["db"])
    run("bank", "import", "b", media["b"], "--format", "csv", "--db", media["db"])
