"""Login, sessions, CSRF, lockout."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.review.conftest import PASSWORD, csrf_of
from vaktpost.review.accounts import authenticate, load_session, start_session
from vaktpost.review.queue import utcnow
from vaktpost.store.review_tables import audit_log, users, web_sessions
from vaktpost.web.auth import SESSION_COOKIE
from vaktpost.web.config import WebSettings


def _login(client: TestClient, username: str, password: str):
    form = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(form.text),
            "next": "/queue",
        },
        follow_redirects=False,
    )


def test_login_sets_a_hardened_session_cookie(app, accounts):
    client = TestClient(app, base_url="http://127.0.0.1")
    response = _login(client, "reviewer1", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    cookie = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)][
        0
    ].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/queue").status_code == 200


def test_cookie_is_secure_by_default(engine, world, accounts):
    from vaktpost.web.app import create_app

    client = TestClient(
        create_app(engine=engine, settings=WebSettings()), base_url="https://127.0.0.1"
    )
    response = _login(client, "reviewer1", PASSWORD)
    cookie = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)][
        0
    ].lower()
    assert "secure" in cookie


def test_login_form_needs_its_own_csrf_token(app, accounts):
    client = TestClient(app, base_url="http://127.0.0.1")
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": "reviewer1", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.headers["location"].startswith("/login?error=")
    assert SESSION_COOKIE not in client.cookies


def test_wrong_password_is_refused_and_audited(app, engine, accounts):
    client = TestClient(app, base_url="http://127.0.0.1")
    response = _login(client, "reviewer1", "not the password")
    assert response.headers["location"].startswith("/login?")
    with engine.connect() as conn:
        actions = (
            conn.execute(select(audit_log.c.action).where(audit_log.c.username == "reviewer1"))
            .scalars()
            .all()
        )
    assert "login.failed" in actions


def test_lockout_after_repeated_failures_even_with_the_right_password(engine, accounts):
    for _ in range(3):
        assert authenticate(engine, "reviewer1", "wrong password", threshold=3) is None
    assert authenticate(engine, "reviewer1", PASSWORD, threshold=3) is None
    with engine.connect() as conn:
        locked = conn.execute(
            select(users.c.locked_until).where(users.c.username == "reviewer1")
        ).scalar()
    assert locked is not None
    later = utcnow() + timedelta(minutes=16)
    assert authenticate(engine, "reviewer1", PASSWORD, threshold=3, now=later) is not None


def test_unsafe_requests_without_the_csrf_token_are_refused(client_for, world):
    client = client_for("reviewer")
    assert client.post("/queue/claim", follow_redirects=False).status_code == 403
    assert (
        client.post(
            "/queue/claim", data={"csrf_token": "wrong"}, follow_redirects=False
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/queue/claim", headers={"X-CSRF-Token": "wrong"}, follow_redirects=False
        ).status_code
        == 403
    )
    ok = client.post("/queue/claim", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith("/items/")


def test_the_csrf_token_of_another_session_does_not_work(client_for):
    alice, bob = client_for("reviewer"), client_for("child_safety_lead")
    response = alice.post(
        "/settings", data={"csrf_token": bob.csrf, "blur": "on"}, follow_redirects=False
    )
    assert response.status_code == 403


def test_idle_session_expires(app, engine, accounts):
    idle = app.state.settings.session_idle
    with engine.begin() as conn:
        token, _ = start_session(conn, accounts["reviewer"], max_age=timedelta(hours=8))
        conn.execute(
            update(web_sessions).values(last_seen_at=utcnow() - idle - timedelta(seconds=1))
        )
    client = TestClient(app, base_url="http://127.0.0.1")
    client.cookies.set(SESSION_COOKIE, token)
    response = client.get("/queue", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    with engine.connect() as conn:
        assert conn.execute(select(web_sessions)).first() is None  # the dead session is removed


def test_absolute_session_end(engine, accounts):
    now = utcnow()
    with engine.begin() as conn:
        token, _ = start_session(conn, accounts["reviewer"], max_age=timedelta(hours=1), now=now)
    idle = timedelta(minutes=30)
    assert load_session(engine, token, idle=idle, now=now + timedelta(minutes=20)) is not None
    assert load_session(engine, token, idle=idle, now=now + timedelta(minutes=40)) is not None
    assert load_session(engine, token, idle=idle, now=now + timedelta(minutes=61)) is None


def test_logout_ends_the_session(client_for):
    client = client_for("reviewer")
    assert client.get("/api/me").json()["username"] == "reviewer1"
    client.post("/logout", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert client.get("/api/me").status_code == 401


def test_open_redirect_after_login_is_refused(app, accounts):
    client = TestClient(app, base_url="http://127.0.0.1")
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "reviewer1",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"
