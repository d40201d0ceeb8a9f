"""A media decision stands on the matches the reviewer was SHOWN, not on those stored when it is saved.

The hole (session 8, left open): the item page is rendered with bank `a`'s near match; while it
is open, bank `b` lists the file's MD5 and `media match` records the exact match (the item is
claimed, so nothing reopens). The reviewer dismisses. Before this, the decision recorded both
matches, so `b` became part of the baseline unseen and the item stayed dismissed for good. Now
the page sends back the matches it showed (hidden `seen_matches`; API `seen_matches`), the
decision records those (as far as the finding has them) and the item is reopened at once.
The pictures are generated (gradients with shapes).
"""

from __future__ import annotations

import html
import json
import re
import threading
import time

import pytest
from sqlalchemy import func, select, update

from tests.review.media_steps import (  # noqa: F401 (media: a fixture)
    T0, count, import_bank_b, match, media, reopen_events, the_item,
)
from vaktpost.review.queue import Reviewer, claim_next, decide, sync_queue
from vaktpost.review.reopen import match_keys, reopen_new_matches
from vaktpost.store.review_tables import decisions, item_reopens, review_items
from vaktpost.store.tables import findings


@pytest.fixture
def web(engine, accounts):
    """The web app over this store (no sample world), a reviewer logged in, with its CSRF token."""
    from datetime import timedelta

    from fastapi.testclient import TestClient

    from vaktpost.review.accounts import start_session
    from vaktpost.web.app import create_app
    from vaktpost.web.auth import SESSION_COOKIE
    from vaktpost.web.config import WebSettings

    with engine.begin() as conn:
        token, csrf = start_session(conn, accounts["reviewer"], max_age=timedelta(hours=1))
    client = TestClient(create_app(engine=engine, settings=WebSettings(cookie_secure=False)),
                        base_url="http://127.0.0.1")
    client.cookies.set(SESSION_COOKIE, token)
    client.csrf = csrf
    yield client
    client.close()


def reviewer(accounts) -> Reviewer:
    a = accounts["reviewer"]
    return Reviewer(a.id, a.username, a.role)


def claimed_media_item(media, engine, accounts) -> int:
    match(media)
    with engine.begin() as conn:
        sync_queue(conn, full=True, now=T0)
    item = claim_next(engine, reviewer(accounts))
    assert item == the_item(engine).id
    return item


def shown_matches(page: str) -> str:
    """The hidden `seen_matches` of every decision form on the page (they must agree)."""
    found = {html.unescape(v) for v in re.findall(r'name="seen_matches" value="([^"]*)"', page)}
    assert len(found) == 1, found
    return found.pop()


def test_a_match_recorded_while_the_page_is_open_reopens_the_item_at_once(media, engine, accounts, web):
    item = claimed_media_item(media, engine, accounts)
    c = web
    page = c.get(f"/items/{item}").text
    shown = shown_matches(page)
    a_key = match_keys(the_item(engine).detail)
    assert json.loads(shown) == a_key and [k.split(":")[:2] for k in a_key] == [["a", "pdq"]]
    assert 'id="matches"' in page and "near" in page  # the reviewer is shown bank a's near match

    import_bank_b(media)
    match(media)  # bank b's exact match lands while the page is open: the item is claimed, no reopen
    now = the_item(engine)
    assert now.status == "claimed" and len(match_keys(now.detail)) == 2

    r = c.post(f"/items/{item}/decision", data={"csrf_token": c.csrf, "decision": "dismiss",
                                              "reason": "Not the listed picture", "seen_matches": shown},
               follow_redirects=False)
    assert r.status_code == 303 and "reopened" in r.headers["location"], r.headers["location"]
    back = the_item(engine)
    assert (back.status, back.stage, back.reopen_reason) == ("queued", "review", "new match since decision: b")
    assert back.decided_matches == a_key  # what the page showed, not what was stored by then
    with engine.connect() as conn:
        assert conn.execute(select(decisions.c.matches)).scalar() == a_key
        reopen = conn.execute(select(item_reopens)).one()
    b_key = [k for k in match_keys(back.detail) if k not in a_key]
    assert (reopen.reopened_by, reopen.added_matches) == ("decision", b_key)
    events = reopen_events(engine)
    assert [(e["by"], e["reason"], e["added_matches"]) for e in events] == [
        ("decision", "new match since decision: b", b_key)]

    # Shown both matches now and dismissed again: it stands, and a rematch reopens nothing.
    assert claim_next(engine, reviewer(accounts)) == item
    page = c.get(f"/items/{item}").text
    assert sorted(json.loads(shown_matches(page))) == sorted(match_keys(back.detail))
    r = c.post(f"/items/{item}/decision", data={"csrf_token": c.csrf, "decision": "dismiss",
                                              "reason": "Not the listed picture",
                                              "seen_matches": shown_matches(page)}, follow_redirects=False)
    assert "reopened" not in r.headers["location"]
    match(media)
    assert the_item(engine).status == "dismissed"
    assert count(engine, select(func.count()).select_from(item_reopens)) == 1


def media_finding(engine, keys: list[tuple[str, int, int]]) -> int:
    """A stored media finding with these (bank, hash_id, distance) PDQ matches, its item claimed."""
    detail = {"path": "x.jpg", "matches": [
        {"bank": b, "signal_type": "pdq", "hash": f"{h:064x}", "distance": d, "hash_id": h,
         "source": "list.csv", "category": None, "negative": False} for b, h, d in keys]}
    with engine.begin() as conn:
        fid = conn.execute(findings.insert().values(
            kind="media", labels=["KNOWN_MEDIA"], score=0.9, detail=detail, created_at=T0,
        ).returning(findings.c.id)).scalar_one()
        sync_queue(conn, full=True, now=T0)
    return fid


def test_the_api_gives_the_matches_and_checks_what_a_client_says_it_saw(engine, accounts, web):
    fid = media_finding(engine, [("a", 7, 4), ("b", 8, 0)])
    c = web
    item = c.post("/api/queue/claim", headers={"X-CSRF-Token": c.csrf}).json()["item_id"]
    got = c.get(f"/api/findings/{fid}").json()
    assert got["item_id"] == item and got["matches"] == ["a:pdq:7:near", "b:pdq:8:exact"]

    # A client cannot pre-empt a reopen by claiming a match the finding lacks: it is not recorded.
    r = c.post(f"/api/items/{item}/decision", headers={"X-CSRF-Token": c.csrf}, json={
        "decision": "dismiss", "reason": "Not the listed picture",
        "seen_matches": ["a:pdq:7:near", "z:md5:99:exact"]})
    assert r.status_code == 200 and r.json()["state"] == "reopened: new match since decision: b"
    assert the_item(engine).decided_matches == ["a:pdq:7:near"]

    # Without `seen_matches` (an older client) the decision stands on the matches at that moment.
    assert c.post("/api/queue/claim", headers={"X-CSRF-Token": c.csrf}).json()["item_id"] == item
    r = c.post(f"/api/items/{item}/decision", headers={"X-CSRF-Token": c.csrf},
               json={"decision": "dismiss", "reason": "Not the listed picture"})
    assert r.json()["state"] == "dismissed"
    assert the_item(engine).decided_matches == ["a:pdq:7:near", "b:pdq:8:exact"]


def test_a_malformed_form_field_is_not_taken_as_what_was_shown(engine, accounts, web):
    """Not JSON, or not a list of strings: the decision stands on the matches at that moment
    (as for `seen_labels`)."""
    media_finding(engine, [("a", 7, 4)])
    c = web
    item = c.post("/api/queue/claim", headers={"X-CSRF-Token": c.csrf}).json()["item_id"]
    r = c.post(f"/items/{item}/decision", data={"csrf_token": c.csrf, "decision": "dismiss",
                                              "reason": "Not the listed picture", "seen_matches": "{not json"},
               follow_redirects=False)
    assert r.status_code == 303 and the_item(engine).decided_matches == ["a:pdq:7:near"]
    assert c.post("/api/queue/claim", headers={"X-CSRF-Token": c.csrf}).json()["item_id"] is None


def test_a_match_written_while_the_decision_is_being_saved_is_not_lost(engine, accounts, db_url):
    """The narrowest window: the match writer has updated the finding (and found the item claimed,
    so it reopened nothing) but not committed when the decision is saved. The decision waits for
    the writer (the finding's row on PostgreSQL, the write lock on SQLite) and then sees the
    match, so the item is reopened; before, the decision read the old matches, stood on them,
    and the writer committed a match no one would see."""
    fid = media_finding(engine, [("a", 7, 4)])
    who = reviewer(accounts)
    item = claim_next(engine, who)
    writer = engine.connect()
    tx = writer.begin()
    detail = {"path": "x.jpg", "matches": [
        {"bank": "a", "signal_type": "pdq", "hash": f"{7:064x}", "distance": 4, "hash_id": 7},
        {"bank": "b", "signal_type": "md5", "hash": "0" * 32, "distance": 0, "hash_id": 9}]}
    writer.execute(update(findings).where(findings.c.id == fid).values(detail=detail, score=1.0))
    assert reopen_new_matches(writer, [fid], by="media match") == []  # claimed: nothing to reopen
    result: dict = {}

    def save():
        try:
            result["state"] = decide(engine, item, who, "dismiss", reason="Not the listed picture",
                                     seen_matches=["a:pdq:7:near"])
        except Exception as exc:  # pragma: no cover - reported below
            result["error"] = exc

    saver = threading.Thread(target=save)
    saver.start()
    time.sleep(1.0)
    assert saver.is_alive(), result  # waiting for the writer, not deciding on the old matches
    tx.commit()
    writer.close()
    saver.join(30)
    assert result.get("state") == "reopened: new match since decision: b", result
    back = the_item(engine)
    assert back.status == "queued" and back.decided_matches == ["a:pdq:7:near"]


@pytest.mark.parametrize("field", [None, []])
def test_a_text_decision_records_no_matches(engine, accounts, field):
    """`seen_matches` means nothing for a text finding: its decision keeps `matches` NULL."""
    with engine.begin() as conn:
        conn.execute(findings.insert().values(kind="text", labels=["OFF_PLATFORM_MOVE"], score=0.4,
                                              detail=None, created_at=T0))
        sync_queue(conn, full=True, now=T0)
    who = reviewer(accounts)
    item = claim_next(engine, who)
    assert decide(engine, item, who, "dismiss", reason="Adult context (hard negative)",
                  seen_matches=field) == "dismissed"
    with engine.connect() as conn:  # SQL NULL, not JSON null: no match baseline at all
        assert conn.execute(select(func.count()).select_from(decisions).where(decisions.c.matches.is_(None))).scalar() == 1
        assert conn.execute(select(func.count()).select_from(review_items).where(
            review_items.c.id == item, review_items.c.decided_matches.is_(None))).scalar() == 1
