"""What reviewers see: evidence spans marked in the text as written, media behind the
wellness screen until a deliberate, time-limited, audited reveal, and the actor funnel."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select, update

from vaktpost.review.evidence import Span, segments
from vaktpost.review.queue import utcnow
from vaktpost.store.review_tables import audit_log, media_reveals

spans_st = st.lists(
    st.tuples(st.integers(-3, 40), st.integers(-3, 40), st.sampled_from(["A", "B", "C"])),
    max_size=6,
)


@given(st.text(max_size=30), spans_st)
def test_segments_cover_the_text_and_carry_exactly_the_covering_labels(text, raw):
    spans = [Span(a, b, label, f"rule.{label}") for a, b, label in raw]
    parts = segments(text, spans)
    assert "".join(p.text for p in parts) == text
    pos = 0
    for part in parts:
        for i in range(pos, pos + len(part.text)):
            expected = {s.label for s in spans if s.start <= i < s.end}
            assert set(part.labels) == expected
        pos += len(part.text)


def test_segments_keep_offsets_into_the_text_as_written():
    text = "jeg har en yngre – 12 år"
    at = text.index("12 år")
    parts = segments(text, [Span(at, at + 5, "MINOR_CONFIRMED", "no.age")])
    assert [(p.text, p.labels) for p in parts] == [(text[:at], ()), ("12 år", ("MINOR_CONFIRMED",))]


def test_conversation_view_marks_the_evidence_and_names_labels_and_rules(client_for, world):
    client = client_for("reviewer")
    html = client.get(f"/findings/{world.finding_ids[0]}").text
    marks = re.findall(r'<mark class="evidence" title="([^"]+)"[^>]*>([^<]+)</mark>', html)
    assert marks, "no evidence marked"
    texts = {t for _, t in marks}
    assert texts & {
        "younger one",
        "young one available",
        "my niece, 12",
        "30 dollars",
        "remittance",
    }
    assert any("rule en." in title for title, _ in marks)
    assert 'class="msg focus' in html


def _png_is_grey_and_blurred(data: bytes, original) -> None:
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG"
    assert img.mode == "L"  # greyscale
    clear = Image.open(original).convert("L").resize(img.size)

    # Blurring removes the single-pixel noise: far less local contrast than the original.
    def roughness(im):
        px = im.load()
        w, h = im.size
        return sum(abs(px[x, y] - px[x + 1, y]) for y in range(0, h, 4) for x in range(0, w - 1, 4))

    assert roughness(img) < 0.35 * roughness(clear)


def test_media_preview_is_blurred_greyscale_and_never_the_clear_file(client_for, world):
    client = client_for("reviewer")
    fid, path = world.media_finding_ids[0], world.media_paths[0]
    preview = client.get(f"/media/{fid}/preview")
    assert preview.status_code == 200 and preview.headers["cache-control"].startswith("no-store")
    assert preview.content != path.read_bytes()
    _png_is_grey_and_blurred(preview.content, path)
    page = client.get(f"/findings/{fid}").text
    assert f'src="/media/{fid}/preview"' in page and f"/media/{fid}/clear" not in page


def test_clear_media_needs_a_reveal_which_is_audited_and_expires(client_for, engine, world):
    client = client_for("reviewer")
    fid, path = world.media_finding_ids[0], world.media_paths[0]
    assert client.get(f"/media/{fid}/clear").status_code == 403
    response = client.post(
        f"/media/{fid}/reveal",
        data={"reason": "confirm match"},
        headers={"X-CSRF-Token": client.csrf, "HX-Request": "true"},
    )
    assert f'src="/media/{fid}/clear"' in response.text
    seq = int(re.search(r'id="reveal-audit-seq">(\d+)<', response.text).group(1))
    clear = client.get(f"/media/{fid}/clear")
    assert clear.status_code == 200 and clear.content == path.read_bytes()
    with engine.connect() as conn:
        rec = conn.execute(select(audit_log).where(audit_log.c.id == seq)).one()
        served = (
            conn.execute(select(audit_log.c.action).where(audit_log.c.id > seq)).scalars().all()
        )
    assert (rec.username, rec.action, rec.target) == ("reviewer1", "media.reveal", f"finding:{fid}")
    assert "media.clear_served" in served
    # Another user's reveal does not open it for me; an expired reveal is closed.
    assert client_for("child_safety_lead").get(f"/media/{fid}/clear").status_code == 403
    with engine.begin() as conn:
        conn.execute(update(media_reveals).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get(f"/media/{fid}/clear").status_code == 403


def test_user_preference_can_turn_greyscale_off(client_for, world):
    client = client_for("investigator")
    client.post("/settings", data={"csrf_token": client.csrf, "blur": "on"})
    img = Image.open(io.BytesIO(client.get(f"/media/{world.media_finding_ids[0]}/preview").content))
    assert img.mode == "RGB"


def test_actor_page_shows_the_funnel_chart_with_the_actors_counts(engine, client_for, accounts):
    """A hand-built world: buyer asks three sellers; two confirm; one of those gives a price."""
    from datetime import datetime, timezone

    from sqlalchemy import insert

    from vaktpost.store.tables import actors, conversations, findings, imports, messages, platforms

    t = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with engine.begin() as conn:
        pid = conn.execute(
            insert(platforms).values(name="handmade").returning(platforms.c.id)
        ).scalar_one()
        imp = conn.execute(
            insert(imports).values(path="x", format="jsonl", started_at=t).returning(imports.c.id)
        ).scalar_one()
        ids = {}
        for name in ["b", "s1", "s2", "s3", "s4"]:
            ids[name] = conn.execute(
                insert(actors).values(platform_id=pid, account_id=name).returning(actors.c.id)
            ).scalar_one()
        script = {
            "s1": [("b", ["MINOR_REQUEST"]), ("s1", ["MINOR_CONFIRMED", "PRICE_NEGOTIATION"])],
            "s2": [("b", ["MINOR_REQUEST"]), ("s2", ["MINOR_CONFIRMED"])],
            "s3": [("b", ["MINOR_REQUEST"]), ("s3", [])],
            "s4": [("b", []), ("s4", [])],
        }
        n = 0
        for seller, lines in script.items():
            cid = conn.execute(
                insert(conversations)
                .values(platform_id=pid, conversation_id=f"c-{seller}")
                .returning(conversations.c.id)
            ).scalar_one()
            for sender, labels in lines:
                n += 1
                other = seller if sender == "b" else "b"
                mid = conn.execute(
                    insert(messages)
                    .values(
                        platform_id=pid,
                        message_id=f"m{n}",
                        conversation_id=cid,
                        sender_id=ids[sender],
                        sent_at=t + timedelta(minutes=n),
                        text="clinical line",
                        recipients=[{"id": other}],
                        import_id=imp,
                    )
                    .returning(messages.c.id)
                ).scalar_one()
                if labels:
                    conn.execute(
                        insert(findings).values(
                            kind="text",
                            message_id=mid,
                            actor_id=ids[sender],
                            labels=labels,
                            score=0.5,
                            created_at=t,
                        )
                    )
    client = client_for("investigator")
    html = client.get(f"/actors/{ids['b']}").text
    steps = dict(re.findall(r'data-step="(\w+)" data-count="(\d+)"', html))
    assert steps == {
        "contacted": "4",
        "asked_minor": "3",
        "confirmed_minor": "2",
        "price": "1",
        "payment": "0",
    }
    assert 'id="funnel-chart"' in html and 'id="linked-accounts-empty"' in html
    api = client.get(f"/api/actors/{ids['b']}").json()
    deepest = {c["actor_id"]: c["deepest_step"] for c in api["counterparts"]}
    assert deepest == {
        "s1": "price",
        "s2": "confirmed_minor",
        "s3": "asked_minor",
        "s4": "contacted",
    }


def test_video_stays_hidden_until_revealed_and_then_plays_muted(client_for, engine, tmp_path):
    from datetime import datetime, timezone

    from sqlalchemy import insert

    from vaktpost.store.tables import findings

    video = tmp_path / "clip.mp4"
    video.write_bytes(
        b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
    )  # generated bytes, not a real clip
    with engine.begin() as conn:
        fid = conn.execute(
            insert(findings)
            .values(
                kind="media",
                labels=["MEDIA_MATCH"],
                score=0.9,
                detail={"path": str(video), "mime": "video/mp4"},
                created_at=datetime.now(timezone.utc),
            )
            .returning(findings.c.id)
        ).scalar_one()
    client = client_for("reviewer")
    preview = client.get(f"/media/{fid}/preview")
    assert (
        preview.headers["content-type"] == "image/jpeg"
        and video.read_bytes() not in preview.content
    )
    assert "<video" not in client.get(f"/findings/{fid}").text
    panel = client.post(
        f"/media/{fid}/reveal", headers={"X-CSRF-Token": client.csrf, "HX-Request": "true"}
    ).text
    tag = re.search(r"<video[^>]*>", panel).group(0)
    assert " muted" in tag and f'src="/media/{fid}/clear"' in tag
    assert client.get(f"/media/{fid}/clear").content == video.read_bytes()
