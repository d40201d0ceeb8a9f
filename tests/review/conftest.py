"""Fixtures for the review tests: a migrated SQLite store, a small clinical world, one user per
role, and HTTP clients logged in as each of them (sessions made directly, to keep tests fast)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import vaktpost.store.review_tables  # noqa: F401
from vaktpost.review.accounts import Account, create_user, start_session
from vaktpost.review.policy import ROLES
from vaktpost.review.sample_world import build_world
from vaktpost.store.db import make_engine, upgrade
from vaktpost.web.app import create_app
from vaktpost.web.auth import SESSION_COOKIE
from vaktpost.web.config import WebSettings

PASSWORD = "correct horse battery staple"


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, conversations_n=24, seed=3, media_dir=tmp_path / "media", media_n=2)


@pytest.fixture
def accounts(engine) -> dict[str, Account]:
    out = {}
    for role in ROLES:
        uid = create_user(engine, f"{role}1", PASSWORD, role)
        out[role] = Account(uid, f"{role}1", role, None, {})
    return out


@pytest.fixture
def app(engine, world, accounts):
    return create_app(engine=engine, settings=WebSettings(cookie_secure=False))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class Client(TestClient):
    csrf: str | None = None


@pytest.fixture
def client_for(app, engine, accounts):
    """A TestClient logged in as the user of `role` (None: anonymous)."""
    made = []

    def make(role: str | None) -> Client:
        client = Client(app, base_url="http://127.0.0.1")
        if role is not None:
            from datetime import timedelta

            with engine.begin() as conn:
                token, csrf = start_session(conn, accounts[role], max_age=timedelta(hours=1))
            client.cookies.set(SESSION_COOKIE, token)
            client.csrf = csrf
        made.append(client)
        return client

    yield make
    for c in made:
        c.close()


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Argon2 with small parameters: same code path, a fraction of the time."""
    from argon2 import PasswordHasher

    from vaktpost.review import accounts

    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def pg_engine(pg_server):
    engine = make_engine(pg_server.new_database())
    upgrade(engine)
    yield engine
    engine.dispose()
