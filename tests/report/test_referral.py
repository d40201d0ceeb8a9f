"""Referral packages: the manifest verifies, tampering shows, routing picks the agency, media only when authorised."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zipfile

import pytest

from vaktpost.errors import UserError
from vaktpost.report.referral import (
    ReferralInput,
    build_referral,
    load_routing,
    route,
    verify_referral,
)

from .conftest import make_case


def referral_input():
    case, blobs = make_case(5, files=2)
    msgs = [{"platform": "camsite", "conversation_id": "c-5", "message_id": f"m-{i}", "sent_at": f"2026-03-04T21:1{i}:00Z",
             "sender": {"id": "u-5"}, "text": f"price {i}0 usd"} for i in range(3)]
    return ReferralInput(case, msgs, {"camsite/u-5": {"contacted": 9, "asked_minor": 4, "confirmed_minor": 2}},
                         [{"at": "2026-03-05T00:00:00", "action": "report.finished"}], ["100001"]), blobs


def test_package_contents_and_manifest(tmp_path):
    data, _ = referral_input()
    agency = route(data.case, load_routing())
    path = build_referral(data, agency, tmp_path / "r.zip")
    assert verify_referral(path) == []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        assert names == {"summary.html", "summary.pdf", "messages.jsonl", "media.vics.json", "custody.jsonl", "MANIFEST.sha256"}
        manifest = dict(reversed(line.split("  ")) for line in z.read("MANIFEST.sha256").decode().splitlines())
        assert manifest["messages.jsonl"] == hashlib.sha256(z.read("messages.jsonl")).hexdigest()
        assert [json.loads(line)["message_id"] for line in z.read("messages.jsonl").splitlines()] == ["m-0", "m-1", "m-2"]
        vics = json.loads(z.read("media.vics.json"))
        assert "2.0" in vics["@odata.context"]
        assert [m["MD5"] for m in vics["value"]] == [f.md5.upper() for f in data.case.files]
        assert z.read("summary.pdf").startswith(b"%PDF")
        html = z.read("summary.html").decode()
        assert "Kripos" in html and "u-5" in html and "100001" in html and "<svg" in html
        assert not any(n.startswith("media/") for n in names)  # agency not authorised for media


def test_tampering_is_found(tmp_path):
    data, _ = referral_input()
    path = build_referral(data, route(data.case, load_routing()), tmp_path / "r.zip")
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, body.replace(b"price 1", b"price 9") if item.filename == "messages.jsonl" else body)
        dst.writestr("extra.txt", b"x")
    assert verify_referral(tampered) == ["messages.jsonl: SHA-256 does not match the manifest", "extra.txt: not in the manifest"]


def test_media_only_for_an_authorised_agency(tmp_path):
    data, blobs = referral_input()
    routing = load_routing()
    routing["agencies"]["NO-KRIPOS"]["media_authorised"] = True
    path = build_referral(data, route(data.case, routing, "NO-KRIPOS"), tmp_path / "m.zip", read_media=blobs.__getitem__)
    assert verify_referral(path) == []
    with zipfile.ZipFile(path) as z:
        for f in data.case.files:
            assert z.read(f"media/{f.sha256}") == blobs[f.sha256]


def test_routing_by_country_explicit_and_unknown():
    data, _ = referral_input()
    routing = load_routing()
    assert route(data.case, routing).id == "NO-KRIPOS"
    ph = dataclasses.replace(data.case, persons=(dataclasses.replace(data.case.persons[0], estimated_location="ph"),))
    assert route(ph, routing).id == "PH-WCPC"
    nowhere = dataclasses.replace(data.case, persons=())
    assert route(nowhere, routing).id == routing["default"]
    assert route(data.case, routing, "GB-NCA").id == "GB-NCA"
    with pytest.raises(UserError, match="unknown agency"):
        route(data.case, routing, "XX")
