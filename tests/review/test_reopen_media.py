"""A decided MEDIA item comes back to the queue when its finding gains a NEW MATCH.

Media findings never gain a label (KNOWN_MEDIA once), so label growth cannot reopen them. The
hole (session 8, "media writers"): a reviewer dismisses a file that bank `a` lists by a near PDQ
match; later bank `b` lists the file's exact MD5 and `media match` records it, and the item
stayed dismissed. Here: the same steps reopen it (queued, first review, the reason, an
`item_reopens` row, one `item.reopen` event); matching again reopens nothing new; a rematch
with no new match reopens nothing. The picture is a generated gradient with shapes.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tests.review.media_steps import (  # noqa: F401 (media: a fixture)
    T0, count, item_page, match, media, reopen_events, run, the_item,
)
from vaktpost.review.queue import Reviewer, claim_next, decide, sync_queue
from vaktpost.review.reopen import match_keys
from vaktpost.store.review_tables import decisions, item_reopens

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
