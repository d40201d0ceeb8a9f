"""Small worlds generated once per test session and shared by the synth tests."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from vaktpost.synth import GeneratorOptions, generate


def read_jsonl(path: Path) -> list[dict]:
    with open(path, "rb") as fh:
        return [orjson.loads(line) for line in fh]


class World:
    def __init__(self, out: Path, summary: dict):
        self.out = out
        self.summary = summary
        self.chats = read_jsonl(out / "chats.jsonl") if (out / "chats.jsonl").exists() else None
        self.truth = read_jsonl(out / "truth" / "messages.jsonl")
        self.actors = read_jsonl(out / "truth" / "actors.jsonl")
        self.world = orjson.loads((out / "world.json").read_bytes())


def make_world(tmp_path_factory, name: str, **kwargs) -> World:
    out = tmp_path_factory.mktemp(name)
    summary = generate(GeneratorOptions(out=out, **kwargs))
    return World(out, summary)


@pytest.fixture(scope="session")
def mixed_world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory, "mixed", messages=30_000, seed=11)


@pytest.fixture(scope="session")
def clean_train_world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory, "train", messages=15_000, seed=5, split="train", perturb=0)


@pytest.fixture(scope="session")
def clean_test_world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory, "test", messages=15_000, seed=6, split="test", perturb=0)


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory, "demo", scenario="demo", seed=7)
