"""Review policy as data: roles and what they may do, incident types, four-eyes, wellness.

Permissions are granted per role in `permissions.json`; anything not granted is denied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

ROLES = ("reviewer", "child_safety_lead", "investigator", "admin", "platform")
ROLE_NAMES = {
    "reviewer": "Reviewer",
    "child_safety_lead": "Child-safety lead",
    "investigator": "Investigator",
    "admin": "Administrator",
    "platform": "Platform ingest (machine account)",
}


def _data(name: str) -> dict:
    return json.loads(resources.files("vaktpost.review").joinpath(name).read_text())


@lru_cache(maxsize=1)
def permissions() -> dict[str, frozenset[str]]:
    """role → the permissions it holds."""
    raw = _data("permissions.json")["roles"]
    return {role: frozenset(perms) for role, perms in raw.items()}


def allowed(role: str | None, permission: str) -> bool:
    return role is not None and permission in permissions().get(role, frozenset())


@dataclass(frozen=True)
class IncidentType:
    id: str
    name: str
    four_eyes: bool
    annotations: tuple[str, ...]
    when: tuple[frozenset[str], ...]


@lru_cache(maxsize=1)
def incident_types() -> tuple[IncidentType, ...]:
    return tuple(
        IncidentType(
            t["id"],
            t["name"],
            bool(t["four_eyes"]),
            tuple(t["annotations"]),
            tuple(frozenset(rule) for rule in t["when"]),
        )
        for t in _data("incident_types.json")["incident_types"]
    )


def incident_type(type_id: str) -> IncidentType | None:
    return next((t for t in incident_types() if t.id == type_id), None)


def dismiss_reasons() -> list[str]:
    return list(_data("incident_types.json")["dismiss_reasons"])


def suggest_incident_type(labels: Iterable[str], kind: str = "text") -> IncidentType | None:
    """The first incident type whose label rule the finding meets (media counts as MEDIA)."""
    have = set(labels)
    if kind == "media":
        have.add("MEDIA")
    for t in incident_types():
        if any(rule <= have for rule in t.when):
            return t
    return None


@lru_cache(maxsize=1)
def wellness_defaults() -> dict:
    return {k: v for k, v in _data("wellness.json").items() if not k.startswith("_")}


def media_prefs(user_prefs: dict | None) -> dict:
    """The wellness defaults with a user's own blur/greyscale choices laid over them."""
    prefs = dict(wellness_defaults())
    for key in ("blur", "greyscale"):
        if user_prefs and isinstance(user_prefs.get(key), bool):
            prefs[key] = user_prefs[key]
    return prefs
