"""Same seed, same world, byte for byte; another seed, another world."""

from __future__ import annotations

import gzip

from vaktpost.synth import GeneratorOptions, generate

FILES = ("chats.jsonl", "truth/messages.jsonl", "truth/actors.jsonl", "world.json")


def _files(out, names=FILES) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in names}


def test_same_seed_gives_identical_bytes(tmp_path):
    for name in ("a", "b"):
        generate(GeneratorOptions(out=tmp_path / name, messages=4000, seed=42))
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_other_seed_gives_other_world(tmp_path):
    generate(GeneratorOptions(out=tmp_path / "a", messages=4000, seed=1))
    generate(GeneratorOptions(out=tmp_path / "b", messages=4000, seed=2))
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["chats.jsonl"] != b["chats.jsonl"]
    assert a["truth/messages.jsonl"] != b["truth/messages.jsonl"]


def test_gzip_output_is_deterministic_and_matches_plain(tmp_path):
    for name in ("a", "b"):
        generate(GeneratorOptions(out=tmp_path / name, messages=3000, seed=9, fmt="gzip"))
    generate(GeneratorOptions(out=tmp_path / "plain", messages=3000, seed=9))
    gz = "chats.jsonl.gz"
    assert (tmp_path / "a" / gz).read_bytes() == (tmp_path / "b" / gz).read_bytes()
    assert gzip.decompress((tmp_path / "a" / gz).read_bytes()) == (
        tmp_path / "plain" / "chats.jsonl").read_bytes()
    assert not (tmp_path / "a" / "chats.jsonl").exists()


def test_scenario_preset_is_deterministic(tmp_path):
    for name in ("a", "b"):
        generate(GeneratorOptions(out=tmp_path / name, scenario="demo", seed=7))
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
