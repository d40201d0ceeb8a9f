"""Rule tests run without the shipped learned model, so they pin the rules themselves;
tests of the model (test_learned.py) pass their own."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def rules_only(request, monkeypatch):
    if request.node.get_closest_marker("with_shipped_model"):
        return
    from vaktpost.text import learned

    monkeypatch.setattr(learned, "installed_model", lambda: None)
