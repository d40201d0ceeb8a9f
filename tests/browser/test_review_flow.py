"""The review flow in a real browser against the real server: log in, open the queue,
claim, see the blurred image, reveal it and find the audit record, confirm, and see the
actor's funnel chart. Screenshots land in artifacts/browser/."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _login(context, base, username):
    page = context.new_page()
    page.goto(base + "/queue")
    assert "/login" in page.url  # not logged in yet: sent to the login page
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/queue$"))
    return page


def test_reviewer_flow(served, browser, shot):
    base, world, _ = served
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    problems: list[str] = []  # console errors, e.g. a Content-Security-Policy violation
    context.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    context.on("weberror", lambda err: problems.append(str(err.error)))
    page = context.new_page()
    page.goto(base + "/login")
    shot(page, "01-login")
    page.close()

    page = _login(context, base, "rita")
    assert page.locator("#queue-table tbody tr").count() > 5
    shot(page, "02-queue")

    page.click("#claim-next")
    page.wait_for_url(re.compile(r"/items/\d+$"))
    preview = page.locator("#media-preview")
    preview.wait_for()
    assert "/preview" in preview.get_attribute("src")
    assert page.evaluate("document.getElementById('media-preview').naturalWidth") > 0
    assert page.locator("#media-clear").count() == 0
    shot(page, "03-item-blurred")

    page.fill("input[name=reason]", "compare with the hash match")
    page.click("#reveal-button")
    page.locator("#media-clear").wait_for()
    # Poll with evaluate: wait_for_function's polling compiles its predicate in the page, which
    # the page's CSP (script-src 'self', no 'unsafe-eval') refuses whenever the image is not
    # loaded at the first check — a flaky failure on a loaded machine.
    deadline = time.monotonic() + 15
    while page.evaluate("document.getElementById('media-clear').naturalWidth") == 0:
        assert time.monotonic() < deadline, "the revealed image never loaded"
        page.wait_for_timeout(50)
    seq = int(page.locator("#reveal-audit-seq").inner_text())
    shot(page, "04-item-revealed")

    page.select_option("#incident-type", "child_pornography")
    page.click("#confirm-button")
    page.wait_for_url(re.compile(r"/queue"))
    assert "awaiting second review" in page.locator(".flash").inner_text()
    shot(page, "05-after-confirm")

    # The funnel chart of the buyer who asked the most.
    page.goto(f"{base}/actors/{world.buyers[0]}")
    chart = page.locator("svg#funnel-chart")
    chart.wait_for()
    counts = {
        s: int(page.locator(f'#funnel-chart [data-step="{s}"]').get_attribute("data-count"))
        for s in ("contacted", "asked_minor", "confirmed_minor")
    }
    assert counts["contacted"] >= counts["asked_minor"] >= counts["confirmed_minor"]
    assert counts["contacted"] > 0
    shot(page, "06-actor-funnel")
    context.close()
    assert problems == []

    # A lead finds the reveal in the audit log, by its sequence number.
    lead = browser.new_context(viewport={"width": 1360, "height": 900})
    lpage = _login(lead, base, "lena")
    lpage.goto(base + "/audit?action=media.reveal")
    row = lpage.locator("#audit-table tbody tr").first
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == str(seq) and cells[2] == "rita" and cells[3] == "media.reveal"
    assert lpage.locator("#chain-status").inner_text() == "chain intact"
    shot(lpage, "07-audit-log")

    # The lead takes the four-eyes item: the first confirmation is shown to them.
    lpage.goto(base + "/queue")
    lpage.click("#claim-next")
    lpage.wait_for_url(re.compile(r"/items/\d+$"))
    assert "second review" in lpage.locator(".status-line").inner_text()
    shot(lpage, "08-second-review")
    # A conversation finding with its evidence marked, and the dashboard.
    lpage.goto(f"{base}/findings/{world.finding_ids[0]}")
    lpage.locator("mark.evidence").first.wait_for()
    shot(lpage, "09-conversation")
    # A case: open it, add the buyer from the actor page, assign it, note it.
    lpage.goto(base + "/cases")
    lpage.fill("input[name=title]", "Buyer ring, March")
    lpage.click("button:has-text(\"Open case\")")
    lpage.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = lpage.url
    lpage.goto(f"{base}/actors/{world.buyers[0]}")
    lpage.click("form[data-case-kind=actors] button[type=submit]")
    lpage.wait_for_url(case_url)
    lpage.select_option("select[name=username]", "ivan")
    with lpage.expect_navigation():
        lpage.click("button:has-text(\"Assign\")")
    lpage.fill("textarea[name=text]", "Payment routes to be checked with the bank.")
    with lpage.expect_navigation():
        lpage.click("button:has-text(\"Add note\")")
    assert "buyer-5-0" in lpage.locator("table").first.inner_text()
    assert "assigned to ivan" in lpage.locator(".status-line").inner_text()
    shot(lpage, "10-case")
    lpage.goto(base + "/")
    lpage.locator("#chart-labels").wait_for()
    shot(lpage, "11-dashboard")
    lead.close()
