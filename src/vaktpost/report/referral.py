"""Referral packages for law enforcement: one zip an investigator can open and check.

Contents: `summary.html` and `summary.pdf` (who, what, when, the funnel, the timeline, the
linked accounts), `messages.jsonl` (the conversations, one canonical message a line),
`media.vics.json` (Project VIC VICS 2.0 media records: hashes and names, no media unless
the agency is authorised to receive it, then under `media/`), `custody.jsonl` (every audit
event and NCMEC exchange of the case), and `MANIFEST.sha256` (sha256sum format) over all
of them. `verify_referral` recomputes the manifest.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from vaktpost.errors import UserError
from vaktpost.report.case import ReportableCase

MANIFEST = "MANIFEST.sha256"
VICS_CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip entry times: the package's bytes depend on content only


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    country: str | None
    media_authorised: bool


@dataclass
class ReferralInput:
    case: ReportableCase
    messages: list[dict] = field(default_factory=list)  # canonical chat-export records
    funnels: dict[str, dict[str, int]] = field(default_factory=dict)  # account id -> funnel counts
    custody: list[dict] = field(default_factory=list)
    ncmec_report_ids: list[str] = field(default_factory=list)


def load_routing(path: str | Path | None = None) -> dict:
    if path is None:
        return json.loads(resources.files(__package__).joinpath("routing.json").read_text())
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"cannot read routing rules ({exc})", where=str(path)) from None


def route(case: ReportableCase, routing: dict, to: str | None = None) -> Agency:
    """The agency named by `to`, else the one the routing rules give for the persons' country."""
    agencies = routing["agencies"]
    if to is None:
        countries = [p.estimated_location.upper() for p in case.persons if p.estimated_location]
        to = next((routing["routes"][c] for c in countries if c in routing["routes"]), routing["default"])
    if to not in agencies:
        raise UserError(f"unknown agency; known: {', '.join(sorted(agencies))}", where=to)
    a = agencies[to]
    return Agency(to, a["name"], a.get("country"), bool(a.get("media_authorised")))


def vics_media(case: ReportableCase) -> dict:
    """VICS 2.0 media records. Category 0 (uncategorised): the receiving agency categorises."""
    return {
        "@odata.context": VICS_CONTEXT,
        "value": [
            {
                "MediaID": i,
                "Category": 0,
                "MD5": f.md5.upper(),
                "SHA1": f.sha1.upper() if f.sha1 else None,
                "SHA256": f.sha256.upper(),
                "Name": f.original_name,
                "RelativeFilePath": f"media/{f.sha256}" ,
                "IsPrecategorized": False,
                "Comments": [f"fileViewedByEsp={str(f.viewed_by_esp).lower()}", f"fileRelevance={f.relevance}"],
            }
            for i, f in enumerate(case.files, start=1)
        ],
    }


def _jsonl(rows) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False, sort_keys=True).encode() + b"\n" for r in rows)


def build_referral(
    data: ReferralInput,
    agency: Agency,
    out_path: str | Path,
    *,
    read_media: Callable[[str], bytes] | None = None,
    created_at: datetime | None = None,
) -> Path:
    from vaktpost.report.referral_summary import summary_html, summary_pdf

    created_at = created_at or datetime.now(UTC)
    entries: dict[str, bytes] = {
        "summary.html": summary_html(data, agency, created_at).encode(),
        "summary.pdf": summary_pdf(data, agency, created_at),
        "messages.jsonl": _jsonl(data.messages),
        "media.vics.json": json.dumps(vics_media(data.case), indent=2).encode(),
        "custody.jsonl": _jsonl(data.custody),
    }
    if agency.media_authorised and read_media is not None:
        for f in data.case.files:
            entries[f"media/{f.sha256}"] = read_media(f.sha256)
    manifest = "".join(f"{hashlib.sha256(b).hexdigest()}  {name}\n" for name, b in sorted(entries.items()))
    entries[MANIFEST] = manifest.encode()
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, body in entries.items():
            z.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME), body, compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(out)
    return out


def verify_referral(path: str | Path) -> list[str]:
    """Problems found (empty when every file matches the manifest and nothing is unlisted)."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        if MANIFEST not in names:
            return [f"{MANIFEST} is missing"]
        listed: dict[str, str] = {}
        for line in z.read(MANIFEST).decode().splitlines():
            digest, _, name = line.partition("  ")
            listed[name] = digest
        for name, digest in listed.items():
            if name not in names:
                problems.append(f"{name}: listed but missing")
            elif hashlib.sha256(z.read(name)).hexdigest() != digest:
                problems.append(f"{name}: SHA-256 does not match the manifest")
        for name in sorted(names - set(listed) - {MANIFEST}):
            problems.append(f"{name}: not in the manifest")
    return problems
