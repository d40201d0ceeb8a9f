"""A real server on a free port over a prepared store, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.live_server import start_vaktpost_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, world, db URL) of a live `vaktpost serve`."""
    import vaktpost.store.review_tables  # noqa: F401
    from vaktpost.review.accounts import create_user
    from vaktpost.review.sample_world import build_world
    from vaktpost.store.db import make_engine, upgrade

    root = tmp_path_factory.mktemp("served")
    url = f"sqlite:///{root / 'review.db'}"
    engine = make_engine(url)
    upgrade(engine)
    world = build_world(engine, conversations_n=36, seed=5, media_dir=root / "media", media_n=1)
    for name, role in [
        ("rita", "reviewer"),
        ("lena", "child_safety_lead"),
        ("ivan", "investigator"),
    ]:
        create_user(engine, name, PASSWORD, role, display_name=name.capitalize())
    engine.dispose()
    proc, base = start_vaktpost_server(url)
    yield base, world, url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
