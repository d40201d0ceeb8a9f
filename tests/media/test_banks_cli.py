"""Banks from lists, matching through the CLI, findings in the store, disable and negatives."""

from __future__ import annotations

import json

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from .imagegen import synthetic_image, watermark
from vaktpost.cli import app
from vaktpost.media.bank_formats import ListedHash, ListProblem, read_ncmec, read_vics
from vaktpost.media.hashing import digest_file, pdq_of_image_file
from vaktpost.store.db import open_store
from vaktpost.store.media_tables import media_bank_hashes, media_items
from vaktpost.store.tables import findings

runner = CliRunner()


def run(*args, ok=True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def jsonl(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture()
def world(tmp_path, db_url, monkeypatch):
    """A store, a bank listing one picture's PDQ and another file's MD5, and files to match."""
    db = db_url
    monkeypatch.setenv("VAKTPOST_MEDIA_INDEX", str(tmp_path / "v.db.media-index"))  # beside it on any store
    pics = tmp_path / "pics"
    pics.mkdir()
    listed = pics / "listed.png"
    synthetic_image(51).save(listed)
    near = pics / "near.jpg"
    watermark(synthetic_image(51)).save(near, quality=60)
    other = pics / "other.png"
    synthetic_image(52).save(other)
    exact = pics / "exact.bin.png"
    synthetic_image(53).save(exact)
    pdq = pdq_of_image_file(listed).hash
    md5 = digest_file(exact).md5
    csv = tmp_path / "list.csv"
    csv.write_text(f"signal_type,hash,listed_at\npdq,{pdq},2026-01-05\nmd5,{md5},\n"
                   f"pdq,nothex,\n")
    run("bank", "create", "known", "--db", db)
    imported = run("bank", "import", "known", csv, "--format", "csv", "--db", db)
    assert "2 added" in imported.stderr and "1 skipped" in imported.stderr
    assert "line 4" in imported.stderr
    return {"db": db, "near": near, "other": other, "exact": exact, "pdq": pdq, "md5": md5,
            "listed": listed, "tmp": tmp_path}


def test_match_finds_near_picture_and_exact_file_and_records_findings(world):
    out = jsonl(run("media", "match", world["near"], world["other"], world["exact"],
                    "--db", world["db"], "--format", "jsonl"))
    by_path = {o["path"]: o for o in out}
    near = by_path[str(world["near"])]["matches"]
    assert [(m["bank"], m["signal_type"], m["hash"]) for m in near] == [
        ("known", "pdq", world["pdq"])]
    assert 0 < near[0]["distance"] <= 31
    assert by_path[str(world["other"])]["matches"] == []
    assert by_path[str(world["exact"])]["matches"] == [
        {"bank": "known", "signal_type": "md5", "hash": world["md5"], "distance": 0}]

    engine = open_store(world["db"])
    with engine.connect() as conn:
        rows = conn.execute(select(findings).where(findings.c.kind == "media")).all()
    assert len(rows) == 2
    assert all(r.message_id is None and r.labels == ["KNOWN_MEDIA"] for r in rows)
    detail = {r.detail["path"]: r.detail for r in rows}[str(world["near"])]
    m = detail["matches"][0]
    assert m["bank"] == "known" and m["distance"] == near[0]["distance"]
    assert m["quality"] >= 50 and m["source"] == "list.csv"
    assert len(detail["sha256"]) == 64 and len(detail["pdq"]) == 64

    # Matching the same files again updates their findings instead of adding more.
    run("media", "match", world["near"], world["exact"], "--db", world["db"])
    with engine.connect() as conn:
        assert len(conn.execute(select(findings)).all()) == 2
        assert len(conn.execute(select(media_items)).all()) == 2


def test_disabling_one_hash_stops_it_matching_without_rebuild(world):
    run("media", "match", world["near"], "--db", world["db"])  # builds the index
    index_dir = world["tmp"] / "v.db.media-index"
    segments_before = json.loads((index_dir / "manifest.json").read_text())["segments"]
    run("bank", "disable", "known", world["pdq"], "--reason", "listed in error", "--db", world["db"])
    out = jsonl(run("media", "match", world["near"], "--db", world["db"]))
    assert out[0]["matches"] == []
    assert json.loads((index_dir / "manifest.json").read_text())["segments"] == segments_before
    exported = run("bank", "export", "known", "--format", "csv", "--db", world["db"]).stdout
    line = [x for x in exported.splitlines() if world["pdq"] in x][0]
    assert "2026-01-05" in line and line.split(",")[-1]  # provenance kept, disabled date set


def test_negative_bank_cancels_positive_matches(world):
    run("bank", "create", "benign", "--negative", "--db", world["db"])
    lst = world["tmp"] / "benign.txt"
    lst.write_text(f"# known memes\npdq,{world['pdq']}\n")
    run("bank", "import", "benign", lst, "--format", "ncmec", "--db", world["db"])
    out = jsonl(run("media", "match", world["near"], "--db", world["db"], "--no-record"))
    assert out[0]["matches"] == []
    assert [m["bank"] for m in out[0]["suppressed"]] == ["known"]


def test_threshold_and_min_quality_are_per_bank(world):
    run("bank", "create", "strict", "--threshold", "0", "--db", world["db"])
    lst = world["tmp"] / "strict.csv"
    lst.write_text(f"signal_type,hash\npdq,{world['pdq']}\n")
    run("bank", "import", "strict", lst, "--db", world["db"])
    out = jsonl(run("media", "match", world["near"], world["listed"], "--db", world["db"]))
    banks = {o["path"]: sorted(m["bank"] for m in o["matches"]) for o in out}
    assert banks[str(world["near"])] == ["known"]  # distance > 0: not in the strict bank
    assert banks[str(world["listed"])] == ["known", "strict"]

    flat = world["tmp"] / "flat.png"
    from PIL import Image

    Image.new("RGB", (200, 200), (128, 128, 128)).save(flat)
    flat_pdq = pdq_of_image_file(flat)
    assert flat_pdq.quality < 50
    lst2 = world["tmp"] / "flat.csv"
    lst2.write_text(f"signal_type,hash\npdq,{flat_pdq.hash}\n")
    run("bank", "import", "known", lst2, "--db", world["db"])
    assert jsonl(run("media", "match", flat, "--db", world["db"]))[0]["matches"] == []


def test_media_hash_lines_and_bad_file_exit_code(world):
    bad = world["tmp"] / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0garbage")
    result = run("media", "hash", world["near"], bad, "--format", "jsonl", ok=False)
    assert result.exit_code == 1
    lines = jsonl(result)
    assert set(lines[0]) >= {"path", "sha256", "md5", "pdq", "pdq_quality"}
    assert lines[1]["path"] == str(bad) and lines[1]["error"]
    assert f"error: {bad}:" in result.stderr and "Traceback" not in result.stderr


def test_unknown_bank_and_missing_list_are_one_line_errors(world):
    r = run("bank", "import", "nope", world["tmp"] / "list.csv", "--db", world["db"], ok=False)
    assert r.exit_code == 1 and "nope" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("bank", "create", "known", "--db", world["db"], ok=False)
    assert r.exit_code == 1 and "exists already" in r.stderr


def test_bank_list_counts(world):
    rows = jsonl(run("bank", "list", "--format", "jsonl", "--db", world["db"]))
    assert rows == [{"name": "known", "threshold": 31, "min_quality": 50, "negative": False,
                     "enabled": True, "hashes": {"md5": 1, "pdq": 1}, "disabled_hashes": 0}]


def test_vics_records_give_md5_sha1_and_category():
    doc = {
        "@odata.context": "http://example.org/$metadata#Media",
        "value": [
            {"MediaID": 1, "Category": 2, "MD5": "ADEBF3FA3C9BE7F73825E1CB9E2DEA09",
             "SHA1": "2B037F69C566DFDB3A5A79E5360D085959BDDE4C",
             "DateUpdated": "2023-06-07T02:31:49.8300123Z"},
            {"MediaID": 2, "MD5": "xyz"},
            {"MediaID": 3, "MediaSize": 10},
        ],
    }
    got = list(read_vics(orjson.dumps(doc).decode()))
    hashes = [g for g in got if isinstance(g, ListedHash)]
    assert [(h.signal_type, h.hash, h.category) for h in hashes] == [
        ("md5", "adebf3fa3c9be7f73825e1cb9e2dea09", "2"),
        ("sha1", "2b037f69c566dfdb3a5a79e5360d085959bdde4c", "2")]
    assert hashes[0].listed_at.year == 2023
    problems = [g for g in got if isinstance(g, ListProblem)]
    assert [p.where for p in problems] == ["record 2", "record 3"]


def test_vics_cases_with_nested_media():
    doc = {"value": [{"CaseID": 9, "Media": [{"MD5": "a" * 32}]}]}
    got = list(read_vics(json.dumps(doc)))
    assert got == [ListedHash("md5", "a" * 32, None, None)]


def test_ncmec_list_types_by_length_and_refuses_ambiguous():
    text = "# header\n" + "b" * 32 + "\n" + "c" * 40 + "\n" + "d" * 64 + "\nsha256:" + "e" * 64
    got = list(read_ncmec(text))
    assert [(g.signal_type if isinstance(g, ListedHash) else g.where) for g in got] == [
        "md5", "sha1", "line 4", "sha256"]
    assert "ambiguous" in got[2].why
    assert [g.signal_type for g in read_ncmec("d" * 64, signal_type="pdq")] == ["pdq"]


def test_export_round_trips_through_import(world):
    out = world["tmp"] / "out.csv"
    run("bank", "export", "known", "--output", out, "--db", world["db"])
    run("bank", "create", "copy", "--db", world["db"])
    r = run("bank", "import", "copy", out, "--db", world["db"])
    assert "2 added" in r.stderr
    engine = open_store(world["db"])
    with engine.connect() as conn:
        rows = conn.execute(select(media_bank_hashes.c.hash, media_bank_hashes.c.listed_at)
                            .order_by(media_bank_hashes.c.id)).all()
    assert rows[-2].hash == world["pdq"] and rows[-2].listed_at.year == 2026


def test_media_attached_to_a_message_share_that_message_finding(world):
    from datetime import datetime, timezone

    from vaktpost.media.files import hash_file
    from vaktpost.media.matcher import Matcher, record_finding
    from vaktpost.store.tables import actors, conversations, imports, messages, platforms

    engine = open_store(world["db"])
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        pid = conn.execute(platforms.insert().values(name="chat")).inserted_primary_key[0]
        aid = conn.execute(actors.insert().values(platform_id=pid, account_id="u1")).inserted_primary_key[0]
        cid = conn.execute(conversations.insert().values(
            platform_id=pid, conversation_id="c1")).inserted_primary_key[0]
        iid = conn.execute(imports.insert().values(path="x", format="jsonl", started_at=now)
                           ).inserted_primary_key[0]
        mid = conn.execute(messages.insert().values(
            platform_id=pid, message_id="m1", conversation_id=cid, sender_id=aid, sent_at=now,
            import_id=iid)).inserted_primary_key[0]
    matcher = Matcher(engine, world["tmp"] / "idx")
    f1 = record_finding(engine, matcher.match(hash_file(world["near"])), matcher, message_id=mid)
    f2 = record_finding(engine, matcher.match(hash_file(world["exact"])), matcher, message_id=mid)
    assert f1 == f2
    with engine.connect() as conn:
        row = conn.execute(select(findings).where(findings.c.id == f1)).one()
    assert row.message_id == mid and row.actor_id == aid
    assert sorted(m["path"] for m in row.detail["media"]) == sorted(
        [str(world["near"]), str(world["exact"])])
    assert record_finding(engine, matcher.match(hash_file(world["other"])), matcher, mid) is None
