"""Media frames on the platform ingest API: hashed, matched against the banks, recorded as media
findings; idempotent on (platform, media id, frame index); bad frames named, the rest taken;
same tokens, limits and 429 slots as the message endpoint; documented in OpenAPI.

All pictures are generated (tests/media/imagegen.py); the bank lists the PDQ of one of them.
"""

from __future__ import annotations

import base64
import io
import logging
import threading

import pytest
from sqlalchemy import func, select

from tests.conftest import chat_record
from tests.media.imagegen import synthetic_image, watermark
from vaktpost.media.bank_formats import ListedHash
from vaktpost.media.banks import create_bank, import_hashes
from vaktpost.media.hashing import pdq_of_pixels
from vaktpost.store.media_tables import media_frames, media_items
from vaktpost.store.tables import findings, messages

URL = "/api/ingest/media-frames"


def _encoded(img, fmt: str = "JPEG", **save) -> str:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **save)
    return base64.b64encode(buf.getvalue()).decode()


def _frame(i: int, data: str, media_id: str = "stream-7", **extra) -> dict:
    return {"platform": "camsite", "media_id": media_id, "frame_index": i, "frame_ts": i * 1.0,
            "conversation_id": "c-1", "data": data, **extra}


def _count(engine, table, where=None) -> int:
    query = select(func.count()).select_from(table)
    with engine.connect() as conn:
        return conn.execute(query if where is None else query.where(where)).scalar_one()


@pytest.fixture
def platform(platform):
    """The shared platform app, with room for pictures: 1 MB a body (still 100 items, one slot)."""
    from vaktpost.web.ingest_api import IngestLimits

    client, _ = platform
    client.app.state.ingest_limits = IngestLimits(max_batch=100, max_bytes=1_000_000, slots=1, retry_after_s=3)
    return platform


@pytest.fixture
def bank(engine):
    """A bank listing the PDQ of generated picture 51 (as a platform might list a known file)."""
    listed = synthetic_image(51, size=(320, 240))
    import numpy as np

    pdq = pdq_of_pixels(np.asarray(listed)).hash
    create_bank(engine, "known")
    import_hashes(engine, "known", [ListedHash("pdq", pdq)], source="test list")
    return pdq


def test_a_matching_frame_becomes_its_message_media_finding_and_a_resend_stores_nothing(platform, engine, bank):
    client, tokens = platform
    sent = client.post("/api/ingest/messages", json={"messages": [chat_record(1, text="see the stream")]},
                       headers=tokens["platform"])
    assert sent.status_code == 200, sent.text
    near = _encoded(watermark(synthetic_image(51, size=(320, 240))), quality=70)  # re-encoded, marked
    other = _encoded(synthetic_image(52, size=(320, 240)), "PNG")
    batch = {"frames": [
        _frame(0, near, message_id="m-000001"),
        _frame(1, other),
        _frame(2, base64.b64encode(b"this is text, not a picture").decode()),
        _frame(3, "@@not base64@@"),
        {k: v for k, v in _frame(4, other).items() if k != "media_id"},
    ]}
    first = client.post(URL, json=batch, headers=tokens["platform"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["received"], body["new"], body["seen_before"], body["matched"]) == (5, 2, 0, 1)
    reasons = {r["index"]: r["reason"] for r in body["rejected"]}
    assert sorted(reasons) == [2, 3, 4]
    assert reasons[2].startswith("data: not an image")
    assert reasons[3] == "data: not standard base64"
    assert reasons[4].startswith("media_id:")

    with engine.connect() as conn:
        message_pk = conn.execute(select(messages.c.id)).scalar_one()
        finding = conn.execute(select(findings).where(findings.c.kind == "media")).one()
        frames = conn.execute(select(media_frames).order_by(media_frames.c.frame_index)).all()
    assert body["findings"] == [finding.id]
    assert finding.message_id == message_pk and finding.labels == ["KNOWN_MEDIA"]
    entry, = finding.detail["media"]
    assert entry["path"] == "camsite:stream-7#0" and entry["matches"][0]["bank"] == "known"
    assert 0 < entry["matches"][0]["distance"] <= 31  # near, not identical: PDQ did the matching
    assert [(f.frame_index, f.matches, f.finding_id) for f in frames] == [(0, 1, finding.id), (1, 0, None)]
    assert frames[0].message_id == "m-000001" and frames[1].pdq and len(frames[1].sha256) == 64

    again = client.post(URL, json=batch, headers=tokens["platform"]).json()
    assert (again["new"], again["seen_before"], again["matched"], again["findings"]) == (0, 2, 0, [])
    assert [r["index"] for r in again["rejected"]] == [2, 3, 4]
    assert _count(engine, media_frames) == 2
    assert _count(engine, findings, findings.c.kind == "media") == 1
    assert _count(engine, media_items) == 1


def test_a_frame_without_a_stored_message_gets_its_own_finding_and_duplicates_in_a_batch_count_once(platform, engine, bank):
    client, tokens = platform
    exact = synthetic_image(51, size=(320, 240))
    data = _encoded(exact, "PNG")
    body = client.post(URL, json={"frames": [_frame(0, data, media_id="upload-1", message_id="m-unknown"),
                                             _frame(0, data, media_id="upload-1")]},
                       headers=tokens["platform"]).json()
    assert (body["new"], body["seen_before"], body["matched"], body["rejected"]) == (1, 1, 1, [])
    with engine.connect() as conn:
        finding = conn.execute(select(findings).where(findings.c.kind == "media")).one()
        item = conn.execute(select(media_items)).one()
    assert finding.message_id is None and item.finding_id == finding.id
    assert finding.detail["matches"][0]["distance"] == 0 and finding.score == 1.0


def test_only_the_platform_role_may_send_frames(platform):
    client, tokens = platform
    ok = {"frames": [_frame(0, _encoded(synthetic_image(3, size=(64, 64))))]}
    assert client.post(URL, json=ok).status_code == 401
    assert client.post(URL, json=ok, headers=tokens["reviewer"]).status_code == 403


def test_frame_batches_share_the_limits_and_the_slots(platform, engine, monkeypatch):
    from vaktpost.media import frames as frames_module

    client, tokens = platform
    big = {"frames": [_frame(0, "A" * 1_000_000)]}
    assert client.post(URL, json=big, headers=tokens["platform"]).status_code == 413  # over 1 MB
    many = {"frames": [_frame(i, "AAAA") for i in range(101)]}
    assert client.post(URL, json=many, headers=tokens["platform"]).status_code == 413  # over 100 frames
    assert client.post(URL, json={"frame": []}, headers=tokens["platform"]).status_code == 422

    entered, release = threading.Event(), threading.Event()
    real = frames_module.FrameIngest.handle

    def slow(self, raw):
        entered.set()
        release.wait(10)
        return real(self, raw)

    monkeypatch.setattr(frames_module.FrameIngest, "handle", slow)
    results = {}
    small = {"frames": [_frame(0, _encoded(synthetic_image(4, size=(64, 64))))]}
    t = threading.Thread(target=lambda: results.setdefault("first", client.post(URL, json=small, headers=tokens["platform"])))
    t.start()
    assert entered.wait(10)
    busy = client.post("/api/ingest/messages", json={"messages": [chat_record(2)]}, headers=tokens["platform"])
    release.set()
    t.join(10)
    assert busy.status_code == 429 and busy.headers["retry-after"] == "3"
    assert results["first"].status_code == 200 and results["first"].json()["new"] == 1


def test_frame_bytes_never_reach_the_logs_or_the_answer(platform, bank, caplog):
    client, tokens = platform
    good = _encoded(synthetic_image(51, size=(320, 240)), "PNG")
    bad = base64.b64encode(b"GIF89a truncated").decode()
    with caplog.at_level(logging.DEBUG):
        answer = client.post(URL, json={"frames": [_frame(0, good), _frame(1, bad), {"data": good}]},
                             headers=tokens["platform"])
    assert answer.status_code == 200 and [r["index"] for r in answer.json()["rejected"]] == [1, 2]
    for text in (caplog.text, answer.text):
        assert good[:40] not in text and good[-40:] not in text and bad not in text


def test_media_frames_are_in_the_openapi_document(platform, engine):
    from vaktpost.review.accounts import create_user, issue_api_token

    client, _ = platform
    create_user(engine, "ada", "a long admin password", "admin")
    doc = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {issue_api_token(engine, 'ada', 'docs')}"})
    assert doc.status_code == 200
    op = doc.json()["paths"][URL]["post"]
    assert {"200", "413", "429"} <= set(op["responses"]) and "ingest" in op["tags"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    frame = schema["$defs"]["FrameRecord"]
    assert {"platform", "media_id", "frame_index", "conversation_id", "data"} <= set(frame["required"])
    assert "FrameReceipt" in doc.text
