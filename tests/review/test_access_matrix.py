"""Every route × every role and anonymous: anything not expected to be allowed must be refused.

The expected grants below are written out by hand from the product's role design, not read
from the permission file, so a change in either shows up here.
"""

from __future__ import annotations

import pytest

R, L, I, A, P = "reviewer", "child_safety_lead", "investigator", "admin", "platform"
ALL = {R, L, I, A}
PUBLIC = "public"

EXPECTED: dict[tuple[str, str], set[str] | str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): ALL,
    ("GET", "/settings"): ALL,
    ("POST", "/settings"): ALL,
    ("GET", "/admin/users"): {A},
    ("POST", "/admin/users"): {A},
    ("POST", "/admin/users/{username}/unlock"): {A},
    ("GET", "/audit"): {L, A},
    ("GET", "/api/openapi.json"): ALL,
    ("GET", "/"): ALL,
    ("GET", "/queue"): {R, L},
    ("POST", "/queue/claim"): {R, L},
    ("GET", "/items/{item_id}"): {R, L, I},
    ("POST", "/items/{item_id}/decision"): {R, L},
    ("POST", "/items/{item_id}/release"): {R, L},
    ("GET", "/findings/{finding_id}"): {R, L, I},
    ("GET", "/media/{finding_id}/preview"): {R, L, I},
    ("POST", "/media/{finding_id}/reveal"): {R, L, I},
    ("GET", "/media/{finding_id}/panel"): {R, L, I},
    ("GET", "/media/{finding_id}/clear"): {R, L, I},
    ("GET", "/actors/{actor_key}"): {R, L, I},
    ("GET", "/cases"): {L, I},
    ("POST", "/cases"): {L, I},
    ("GET", "/cases/{case_id}"): {L, I},
    ("POST", "/cases/{case_id}/actors"): {L, I},
    ("POST", "/cases/{case_id}/findings"): {L, I},
    ("POST", "/cases/{case_id}/assign"): {L, I},
    ("POST", "/cases/{case_id}/status"): {L, I},
    ("POST", "/cases/{case_id}/notes"): {L, I},
    ("GET", "/cases/{case_id}/export.json"): {L, I},
    ("GET", "/api/me"): ALL,
    ("POST", "/api/ingest/messages"): {P},
    ("POST", "/api/ingest/media-frames"): {P},
    ("GET", "/api/queue"): {R, L},
    ("POST", "/api/queue/claim"): {R, L},
    ("POST", "/api/items/{item_id}/decision"): {R, L},
    ("POST", "/api/items/{item_id}/release"): {R, L},
    ("GET", "/api/findings/{finding_id}"): {R, L, I},
    ("GET", "/api/actors/{actor_key}"): {R, L, I},
    ("GET", "/api/cases"): {L, I},
    ("GET", "/api/dashboard"): ALL,
    ("GET", "/api/audit/verify"): {L, A},
}

FORMS = {
    "/login": {"username": "nobody", "password": "x", "csrf_token": "x"},
    "/settings": {"blur": "on", "greyscale": "on"},
    "/admin/users": {
        "username": "made-by-matrix",
        "password": "a long enough password",
        "role": "reviewer",
    },
    "/items/{item_id}/decision": {"decision": "dismiss", "reason": "Insufficient evidence"},
    "/media/{finding_id}/reveal": {"reason": "matrix"},
    "/cases": {"title": "matrix case"},
    "/cases/{case_id}/actors": {"actor_key": "1"},
    "/cases/{case_id}/findings": {"finding_id": "1"},
    "/cases/{case_id}/assign": {"username": ""},
    "/cases/{case_id}/status": {"status": "open"},
    "/cases/{case_id}/notes": {"text": "matrix note"},
}
JSON_BODIES = {
    "/api/items/{item_id}/decision": {"decision": "dismiss", "reason": "matrix"},
    "/api/ingest/messages": {"messages": []},
    "/api/ingest/media-frames": {"frames": []},
}


@pytest.fixture
def ids(engine, world, accounts):
    from sqlalchemy import select

    from vaktpost.review.cases import create_case
    from vaktpost.review.queue import sync_queue
    from vaktpost.store.review_tables import review_items

    with engine.begin() as conn:
        sync_queue(conn, full=True)
        item_id = conn.execute(select(review_items.c.id).limit(1)).scalar()
    case_id = create_case(engine, accounts[L], "fixture case")
    return {
        "item_id": item_id,
        "finding_id": world.media_finding_ids[0],
        "actor_key": world.buyers[0],
        "case_id": case_id,
        "username": "reviewer1",
    }


def test_every_route_is_in_the_expected_matrix(app):
    routes = {(m, p) for m, p, _ in app.state.route_table if not p.startswith("/static")}
    assert routes - set(EXPECTED) == set(), "a new route needs a line in EXPECTED"
    assert set(EXPECTED) - routes == set(), "an expected route is gone"


@pytest.mark.parametrize("role", [None, R, L, I, A, P])
def test_access_matrix(app, client_for, ids, role):
    unexpected_allow, unexpected_deny = [], []
    for (method, template), grant in EXPECTED.items():
        path = template.format(**ids)
        client = client_for(role)
        headers = {"X-CSRF-Token": client.csrf} if client.csrf else {}
        kwargs = {"headers": headers, "follow_redirects": False}
        if method == "POST":
            if template in JSON_BODIES:
                kwargs["json"] = JSON_BODIES[template]
            else:
                kwargs["data"] = FORMS.get(template, {})
        response = client.request(method, path, **kwargs)
        denied = response.status_code in (401, 403) or (
            response.status_code == 303
            and response.headers["location"].startswith("/login")
            and template != "/login"
            and template != "/logout"
        )
        allowed_here = grant == PUBLIC or (role is not None and role in grant)
        if not allowed_here and not denied:
            unexpected_allow.append((method, template, response.status_code))
        if allowed_here and denied:
            unexpected_deny.append((method, template, response.status_code))
        assert response.status_code < 500, (method, template, response.text[:500])
    assert unexpected_allow == []
    assert unexpected_deny == []


def test_static_and_health_are_public_but_nothing_else(client_for):
    anon = client_for(None)
    assert anon.get("/static/app.css").status_code == 200
    assert anon.get("/healthz").text == "ok"
    assert anon.get("/api/queue").status_code == 401
    assert anon.get("/queue", follow_redirects=False).headers["location"].startswith("/login")


def test_api_token_acts_with_its_users_role(app, engine, accounts):
    from fastapi.testclient import TestClient

    from vaktpost.review.accounts import issue_api_token

    token = issue_api_token(engine, "reviewer1", "matrix")
    client = TestClient(app, base_url="http://127.0.0.1")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/queue", headers=auth).status_code == 200
    assert client.get("/api/cases", headers=auth).status_code == 403
    # A token needs no CSRF token: it is not an ambient credential.
    assert client.post("/api/queue/claim", headers=auth).status_code == 200
    assert (
        client.get("/api/queue", headers={"Authorization": "Bearer vpt_forged"}).status_code == 401
    )
