"""scan, funnel, findings: the conversation commands of spec/cli.md."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
