"""`vaktpost review sync` (and server start) reopen a decided media item whose finding has a match
its latest decision was not made on, whoever wrote that match.

The match writer (`record_finding`) reopens as it writes, but a match written by a version before
0009, a bulk load of matches that bypassed it, or a crash between a match and its reopen (in any
writer that splits them) left the item decided; the sync only checked labels. Here the matches
are written straight into `findings.detail` as such a writer would leave them.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from tests.review.media_steps import T0, reopen_events
from vaktpost.cli import app as cli
from vaktpost.review import reopen
from vaktpost.review.audit import verify
from vaktpost.review.queue import Reviewer, claim_next, decide, sync_queue
from vaktpost.store.review_tables import decisions, item_reopens, review_items
from vaktpost.store.tables import findings


def pdq(bank: str, hash_id: int, distance: int) -> dict:
    return {"bank": bank, "signal_type": "pdq", "hash": f"{hash_id:064x}", "distance": distance,
            "hash_id": hash_id, "source": "list.csv", "category": None, "negative": False}


def md5(bank: str, hash_id: int) -> dict:
    return {"bank": bank, "signal_type": "md5", "hash": f"{hash_id:032x}", "distance": 0,
            "hash_id": hash_id, "source": "list.csv", "category": None, "negative": False}


def decided_world(engine, accounts, n_media: int) -> dict[int, int]:
    """n media findings (one near match of bank `a` each) and one text finding, all dismissed;
    returns {finding id: item id}."""
    who = Reviewer(accounts["reviewer"].id, "reviewer1", "reviewer")
    with engine.begin() as conn:
        for i in range(n_media):
            conn.execute(findings.insert().values(
                kind="media", labels=["KNOWN_MEDIA"], score=0.8, created_at=T0,
                detail={"path": f"f{i}.jpg", "matches": [pdq("a", 100 + i, 5)]}))
        conn.execute(findings.insert().values(kind="text", labels=["OFF_PLATFORM_MOVE"], score=0.4,
                                              detail=None, created_at=T0))
        sync_queue(conn, full=True, now=T0)
    while (item := claim_next(engine, who, now=T0)) is not None:
        assert decide(engine, item, who, "dismiss", reason="Not the listed picture", now=T0) == "dismissed"
    with engine.connect() as conn:
        return dict(conn.execute(select(review_items.c.finding_id, review_items.c.id)).all())


def add_match(engine, finding_id: int, match: dict, *, in_message: bool = False) -> None:
    """What an older writer or a bulk load leaves: the match in `detail`, no reopen."""
    with engine.begin() as conn:
        detail = conn.execute(select(findings.c.detail).where(findings.c.id == finding_id)).scalar()
        detail = {**detail, "matches": [*detail["matches"], match]}
        if in_message:
            detail = {"media": [{"path": "other.jpg", "matches": []}, detail]}
        conn.execute(update(findings).where(findings.c.id == finding_id).values(detail=detail, score=1.0))


def statuses(engine) -> dict[int, tuple[str, str | None]]:
    with engine.connect() as conn:
        return {r.finding_id: (r.status, r.reopen_reason) for r in conn.execute(
            select(review_items.c.finding_id, review_items.c.status, review_items.c.reopen_reason))}


def sync_cli(engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["review", "sync", "--db", url])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_review_sync_reopens_a_media_item_whose_match_was_written_past_the_writer(engine, accounts):
    items = decided_world(engine, accounts, 4)
    media_ids = sorted(items)[:4]
    text_id = sorted(items)[4]
    add_match(engine, media_ids[1], md5("b", 900))                    # another bank, exactly
    add_match(engine, media_ids[2], pdq("a", 102, 0))                  # the same hash, now exact
    add_match(engine, media_ids[3], pdq("c", 903, 3), in_message=True)  # a message's file entry
    before = statuses(engine)
    assert {s for s, _ in before.values()} == {"dismissed"}

    out = sync_cli(engine)
    assert "reopened 3 decided items" in out, out
    after = statuses(engine)
    assert after[media_ids[0]] == ("dismissed", None)
    assert after[text_id] == ("dismissed", None)
    assert after[media_ids[1]] == ("queued", "new match since decision: b")
    assert after[media_ids[2]] == ("queued", "new match since decision: a")
    assert after[media_ids[3]] == ("queued", "new match since decision: c")
    with engine.connect() as conn:
        rows = conn.execute(select(item_reopens).order_by(item_reopens.c.item_id)).all()
        priority = conn.execute(select(review_items.c.priority).where(
            review_items.c.finding_id == media_ids[1])).scalar()
    assert priority == 1.0  # the finding's score now
    assert [(r.item_id, r.reopened_by, r.added_matches) for r in rows] == [
        (items[media_ids[1]], "review sync", ["b:md5:900:exact"]),
        (items[media_ids[2]], "review sync", ["a:pdq:102:exact"]),
        (items[media_ids[3]], "review sync", ["c:pdq:903:near"]),
    ]
    events = reopen_events(engine)
    assert sorted((e["target"], e["by"], e["reason"]) for e in events) == sorted(
        (f"item:{items[f]}", "review sync", f"new match since decision: {bank}")
        for f, bank in ((media_ids[1], "b"), (media_ids[2], "a"), (media_ids[3], "c")))

    assert "reopened 0 decided items" in sync_cli(engine)  # idempotent: they are queued now
    assert statuses(engine) == after
    assert len(reopen_events(engine)) == 3


def test_server_start_reopens_on_a_new_match_too(engine, accounts):
    from vaktpost.web.app import create_app
    from vaktpost.web.config import WebSettings

    items = decided_world(engine, accounts, 2)
    fid = sorted(items)[0]
    add_match(engine, fid, md5("b", 900))
    create_app(engine=engine, settings=WebSettings(cookie_secure=False))
    assert statuses(engine)[fid] == ("queued", "new match since decision: b")


def test_the_sync_works_in_chunks_each_committed_on_its_own(engine, accounts, monkeypatch):
    """7 due items in chunks of 3: a failure in the third chunk keeps the first two chunks'
    reopens (committed), leaves none of the third's half-done, and a rerun finishes the rest."""
    items = decided_world(engine, accounts, 9)
    media_ids = sorted(items)[:9]
    due = media_ids[:4] + media_ids[5:8]  # 7 of 9, items 5 and 9 have nothing new
    for fid in due:
        add_match(engine, fid, md5("b", 900 + fid))
    real = reopen.audit.append_many
    failing_item = f"item:{items[media_ids[7]]}"  # the 8th item: in the third chunk of 3

    def failing(conn, records, **kwargs):  # after the chunk's items and item_reopens are written
        if any(target == failing_item for _, _, target, _ in records):
            raise RuntimeError("the machine went away")
        return real(conn, records, **kwargs)

    monkeypatch.setattr(reopen.audit, "append_many", failing)
    with pytest.raises(RuntimeError):
        reopen.sync_new_matches(engine, by="review sync", chunk=3)
    s = statuses(engine)
    assert [s[f][0] for f in media_ids] == [
        "queued", "queued", "queued", "queued", "dismissed", "queued",  # chunks 1-2 committed
        "dismissed", "dismissed", "dismissed"]                           # chunk 3 rolled back
    monkeypatch.setattr(reopen.audit, "append_many", real)
    assert len(reopen.sync_new_matches(engine, by="review sync", chunk=3)) == 2
    s = statuses(engine)
    assert [f for f in media_ids if s[f][0] == "queued"] == due
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(item_reopens)).scalar() == 7
    assert len(reopen_events(engine)) == 7
    with engine.connect() as conn:
        assert verify(conn).ok  # records written in batches chain like single appends


def test_a_decision_made_since_the_match_is_not_reopened_by_the_sync(engine, accounts):
    """The sync compares with the latest decision: one made on the new match stands."""
    items = decided_world(engine, accounts, 1)
    fid = sorted(items)[0]
    add_match(engine, fid, md5("b", 900))
    assert reopen.sync_new_matches(engine, by="review sync") == [items[fid]]
    who = Reviewer(accounts["reviewer"].id, "reviewer1", "reviewer")
    later = T0 + timedelta(minutes=1)
    assert claim_next(engine, who, now=later) == items[fid]
    assert decide(engine, items[fid], who, "dismiss", reason="Not the listed picture", now=later) == "dismissed"
    assert reopen.sync_new_matches(engine, by="review sync") == []
    with engine.connect() as conn:
        latest = conn.execute(select(decisions.c.matches).order_by(decisions.c.id.desc())).first()[0]
    assert sorted(latest) == ["a:pdq:100:near", "b:md5:900:exact"]
    assert json.loads(json.dumps(statuses(engine)[fid])) == ["dismissed", None]
