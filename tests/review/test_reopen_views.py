"""Where a reviewer sees why a decided item is back: the queue page, the item page (reason and
history), the JSON API and `vaktpost review queue`; the item page sends back the labels it showed."""

from __future__ import annotations

import json

from sqlalchemy import select, update
from typer.testing import CliRunner

from vaktpost.cli import app as cli
from vaktpost.review.queue import Reviewer, claim_next, decide, sync_queue
from vaktpost.review.reopen import reopen_grown
from vaktpost.store.review_tables import review_items
from vaktpost.store.tables import findings

WHY = "new label since decision: MINOR_CONFIRMED"


def reopened_item(engine, accounts) -> int:
    """Dismiss the top item, then let its finding gain MINOR_CONFIRMED (as a rescan would)."""
    a = accounts["reviewer"]
    who = Reviewer(a.id, a.username, a.role)
    with engine.begin() as conn:
        sync_queue(conn, full=True)
    item = claim_next(engine, who)
    decide(engine, item, who, "dismiss", reason="Adult context (hard negative)")
    with engine.begin() as conn:
        fid, labels = conn.execute(select(findings.c.id, findings.c.labels)
                                   .join(review_items, review_items.c.finding_id == findings.c.id)
                                   .where(review_items.c.id == item)).one()
        assert "MINOR_CONFIRMED" not in labels
        conn.execute(update(findings).where(findings.c.id == fid).values(labels=[*labels, "MINOR_CONFIRMED"]))
        assert reopen_grown(conn, [fid], by="rescan") == [item]
    return item


def test_queue_page_item_page_and_api_show_the_reason(engine, accounts, client_for):
    item = reopened_item(engine, accounts)
    c = client_for("reviewer")
    assert f"reopened: {WHY}" in c.get("/queue").text
    page = c.get(f"/items/{item}").text
    assert 'id="reopen-reason"' in page and WHY in page
    assert "<b>dismiss</b>" in page and "<b>reopened</b> by rescan" in page  # the decision stays in the history
    assert "decided on: " in page
    entry = [e for e in c.get("/api/queue?limit=500").json() if e["item_id"] == item]
    assert entry and entry[0]["reopen_reason"] == WHY
    assert client_for("investigator").get("/queue").status_code == 403  # no queue, no reasons (least privilege)
    assert client_for("admin").get(f"/items/{item}").status_code == 403


def test_the_item_form_sends_back_the_labels_it_showed(engine, accounts, client_for):
    c = client_for("reviewer")
    r = c.post("/queue/claim", data={"csrf_token": c.csrf}, follow_redirects=False)
    item = int(r.headers["location"].rsplit("/", 1)[1])
    page = c.get(f"/items/{item}").text
    with engine.connect() as conn:
        fid, labels = conn.execute(select(findings.c.id, findings.c.labels)
                                   .join(review_items, review_items.c.finding_id == findings.c.id)
                                   .where(review_items.c.id == item)).one()
    shown = json.dumps(list(labels))
    assert f'name="seen_labels" value="{shown.replace(chr(34), "&#34;")}"' in page
    with engine.begin() as conn:  # a rescan adds a label while the page is open
        conn.execute(update(findings).where(findings.c.id == fid).values(labels=[*labels, "MINOR_CONFIRMED"]))
    r = c.post(f"/items/{item}/decision", data={"csrf_token": c.csrf, "decision": "dismiss",
                                              "reason": "Adult context (hard negative)", "seen_labels": shown},
               follow_redirects=False)
    assert r.status_code == 303 and "reopened" in r.headers["location"]
    with engine.connect() as conn:
        status, why = conn.execute(select(review_items.c.status, review_items.c.reopen_reason)
                                   .where(review_items.c.id == item)).one()
    assert status == "queued" and why == WHY


def test_cli_queue_lists_the_reason_and_sync_counts_reopens(engine, accounts, world):
    url = engine.url.render_as_string(hide_password=False)
    item = reopened_item(engine, accounts)
    out = CliRunner().invoke(cli, ["review", "queue", "--db", url, "--format", "json", "--limit", "1000"])
    assert out.exit_code == 0, out.output
    rows = {r["item_id"]: r for r in json.loads(out.stdout)}
    assert rows[item]["reopen_reason"] == WHY and "MINOR_CONFIRMED" in rows[item]["labels"]
    assert sum(1 for r in rows.values() if r["reopen_reason"]) == 1
    table = CliRunner().invoke(cli, ["review", "queue", "--db", url, "--limit", "1000"])
    assert table.exit_code == 0 and f"#{item}" in table.stderr and f"reopened: {WHY}" in table.stderr
    bad = CliRunner().invoke(cli, ["review", "queue", "--db", url, "--format", "xml"])
    assert bad.exit_code == 1 and "--format" in bad.stderr
    sync = CliRunner().invoke(cli, ["review", "sync", "--db", url])
    assert sync.exit_code == 0 and "reopened 0 decided items" in sync.stderr  # already reopened: nothing new
