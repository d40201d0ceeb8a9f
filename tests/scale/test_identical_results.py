"""The same generated corpus through the local engine, Ray and the NATS worker: identical
findings (message, labels, score, evidence spans) and identical funnels."""

from __future__ import annotations

import pytest

from tests.conftest import store_url
from tests.scale.conftest import publish
from tests.scale.standin import standin_batch
from vaktpost.engines import local
from vaktpost.engines.stream.nats_worker import run_worker
from vaktpost.engines.stream.source import parse_source
from vaktpost.ingest.importer import import_file
from vaktpost.store.db import make_engine, upgrade
from vaktpost.store.queries import funnels, iter_text_findings
from vaktpost.synth import GeneratorOptions, generate


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    generate(GeneratorOptions(out=out, messages=3_000, seed=21))
    pq = tmp_path_factory.mktemp("corpus-parquet")
    generate(GeneratorOptions(out=pq, messages=3_000, seed=21, fmt="parquet"))
    return out / "chats.jsonl", pq


def _store(request, tmp_path, name):
    eng = make_engine(store_url(request, tmp_path, name))
    upgrade(eng)
    request.addfinalizer(eng.dispose)
    return eng


def snapshot(engine):
    with engine.connect() as conn:
        found = sorted(
            (f["platform"], f["message_id"], tuple(f["labels"]), round(f["score"], 6),
             tuple((e["label"], e["start"], e["end"], e["rule"]) for e in f["evidence"]))
            for f in iter_text_findings(conn)
        )
        funnel = sorted(tuple(sorted(f.as_json().items())) for f in funnels(conn))
    return found, funnel


@pytest.mark.slow
@pytest.mark.parametrize("core", ["real", "standin"])
def test_local_ray_and_nats_find_the_same(request, tmp_path, corpus, nats_server, monkeypatch, core):
    """`real`: the merged text analysis; `standin`: a detector that needs whole conversations."""
    import ray
    from ray import cloudpickle

    import tests.scale.standin
    from vaktpost.engines.ray_engine import RayOptions, scan_files

    from vaktpost.engines import ray_engine

    jsonl, parquet_dir = corpus
    monkeypatch.setattr(ray_engine, "RANGE_BYTES", 64 << 10)  # the JSONL file in ~13 read tasks
    scan = standin_batch if core == "standin" else None  # None: each engine's default core
    if scan:
        monkeypatch.setattr(local, "scan_conversations", standin_batch)
    lo = _store(request, tmp_path, "local.db")
    local.analyse_conversations(lo, import_file(lo, jsonl).conversation_keys)
    expected = snapshot(lo)
    assert len(expected[0]) > 50 and len(expected[1]) > 20  # the core found something to compare

    cloudpickle.register_pickle_by_value(tests.scale.standin)  # Ray workers need not import tests/
    try:
        via_ray = _store(request, tmp_path, "ray.db")
        result = scan_files(via_ray, [jsonl], RayOptions(workers=2, scan=scan))
        assert result.rejected == 0 and result.rescanned_locally == 0
        assert snapshot(via_ray) == expected

        via_parquet = _store(request, tmp_path, "parquet.db")
        scan_files(via_parquet, [parquet_dir], RayOptions(workers=2, scan=scan))
        assert snapshot(via_parquet) == expected
    finally:
        cloudpickle.unregister_pickle_by_value(tests.scale.standin)
        ray.shutdown()

    via_nats = _store(request, tmp_path, "nats.db")
    subject, stream = f"t.identical.{core}", f"IDENTICAL_{core.upper()}"
    src = parse_source(f"nats://{nats_server.url}/{subject}?stream={stream}&durable=w&dead={subject}.dead&batch=200")
    publish(nats_server.url, subject, stream, jsonl.read_bytes().splitlines())
    stats = run_worker(via_nats, src, scan=scan, idle_exit=1.5)
    assert stats.dead == 0
    assert snapshot(via_nats) == expected
