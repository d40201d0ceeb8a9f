"""Helpers for the synth tests: generate a small world and read it back (a module with a
unique name, so that it never collides with another area's test helpers)."""

from __future__ import annotations

from pathlib import Path

import orjson

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
