"""A decided MEDIA item comes back to the queue when its finding gains a NEW MATCH.

Media findings never gain a label (KNOWN_MEDIA once), so label growth cannot reopen them. The
hole (session 8, "media writers"): a reviewer dismisses a file that bank `a` lists by a near PDQ
match; later bank `b` lists the file's exact MD5 and `media match` records it, and the item
stayed dismissed. Here: the same steps reopen it (queued, first review, the reason, an
`item_reopens` row, one `item.reopen` event); matching again reopens nothing new; a rematch
with no new match reopens nothing. The picture is a generated gradient with shapes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.media.imagegen import synthetic_image, watermark
from vaktpost.cli import app as cli
from vaktpost.media.hashing import digest_file, pdq_of_image_file
from vaktpost.review.queue import Reviewer, claim_next, decide, sync_queue
from vaktpost.review.reopen import match_keys
from vaktpost.store.review_tables import audit_log, decisions, item_reopens, review_items
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


def test_a_new_bank_matching_a_dismissed_file_reopens_its_item(media, engine, accounts):
    a = accounts["reviewer"]
    who = Reviewer(a.id, a.username, a.role)
    match(media)
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
    item = claim_next(engine, who, now=T0)
    assert item == the_item(engine).id
    assert decide(engine, item, who, "dismiss", reason="Not the listed picture", now=T0) == "dismissed"
    decided = the_item(engine)
    assert decided.status == "dismissed"
    assert [m.split(":")[:2] for m in decided.decided_matches] == [["a", "pdq"]]  # near, bank a
    with engine.connect() as conn:
        assert conn.execute(select(decisions.c.matches)).scalar() == decided.decided_matches

    match(media)  # the same evidence again: nothing new
    assert the_item(engine).status == "dismissed"

    run("bank", "create", "b", "--db", media["db"])
    run("bank", "import", "b", media["b"], "--format", "csv", "--db", media["db"])
    assert the_item(engine).status == "dismissed"  # an import matches nothing stored
    match(media)

    back = the_item(engine)
    assert (back.status, back.stage, back.claimed_by) == ("queued", "review", None)
    assert back.reopen_reason == "new match since decision: b"
    assert back.priority == back.score == 1.0  # the exact match, now
    new = [k for k in match_keys(back.detail) if k not in decided.decided_matches]
    assert [k.split(":")[:2] for k in new] == [["b", "md5"]]
    with engine.connect() as conn:
        row = conn.execute(select(item_reopens)).one()
    assert (row.item_id, row.added_labels, row.added_matches, row.reopened_by) == (
        item, [], new, "media match")
    events = reopen_events(engine)
    assert len(events) == 1
    assert events[0]["target"] == f"item:{item}" and events[0]["by"] == "media match"
    assert events[0]["reason"] == "new match since decision: b" and events[0]["was"] == "dismissed"

    page = item_page(engine, accounts["reviewer"], item)  # what the reviewer is shown
    assert "Reopened after a decision: <b>new match since decision: b</b>" in page
    assert page.count("new match since decision: b") == 2  # the notice and the history entry

    match(media)  # a second match run: the item is queued, nothing new to reopen
    assert count(engine, select(func.count()).select_from(item_reopens)) == 1
    assert len(reopen_events(engine)) == 1

    # Decided again, on both matches: a rematch with no new match reopens nothing.
    assert claim_next(engine, who, now=T0) == item
    assert decide(engine, item, who, "dismiss", reason="Still not it", now=T0) == "dismissed"
    assert sorted(the_item(engine).decided_matches) == sorted(match_keys(back.detail))
    match(media)
    assert the_item(engine).status == "dismissed"
    assert count(engine, select(func.count()).select_from(item_reopens)) == 1
    assert len(reopen_events(engine)) == 1
