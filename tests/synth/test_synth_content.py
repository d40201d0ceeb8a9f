"""Content rule: no sexual wording anywhere the generator can write from. The blocklist lives
beside this test; text is normalised first so that perturbations cannot hide a word."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from vaktpost.synth.perturb import load_perturb_config
from vaktpost.synth.templates import LANGUAGES, _read_json, load_templates
from vaktpost.synth.world import read_data

BLOCKLIST = [w.strip() for w in (Path(__file__).parent / "blocklist.txt").read_text().splitlines()
             if w.strip() and not w.startswith("#")]
BLOCKED = re.compile(r"\b(" + "|".join(map(re.escape, BLOCKLIST)) + r")", re.IGNORECASE)
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060"))
UNLEET = str.maketrans({v: k for k, v in load_perturb_config()["leet"].items()})
UNGLYPH = str.maketrans({v: k for k, v in load_perturb_config()["homoglyph"].items()})
SPACED = re.compile(r"\b(?:\w ){2,}\w\b")


def normalise(text: str) -> list[str]:
    """The text as written and with perturbations undone (zero-width, homoglyphs, spacing,
    leetspeak, repeated letters)."""
    t = unicodedata.normalize("NFKC", text).translate(ZERO_WIDTH).translate(UNGLYPH).lower()
    joined = SPACED.sub(lambda m: m.group(0).replace(" ", ""), t)
    return [t, joined, joined.translate(UNLEET), re.sub(r"(\w)\1{2,}", r"\1", joined)]


def _hits(texts) -> list[str]:
    return [t for t in texts if any(BLOCKED.search(v) for v in normalise(t))]


def test_blocklist_catches_disguised_words():
    assert BLOCKLIST and len(BLOCKLIST) >= 20
    assert _hits(["n a k e d", "p0rn", "nu\u200bde", "nаked"]) == ["n a k e d", "p0rn", "nu\u200bde",
                                                                    "nаked"]
    assert _hits(["my kids are asleep", "Essex is far", "price 20 usd"]) == []


def test_no_generated_line_contains_a_blocked_word(mixed_world, demo_world):
    for world in (mixed_world, demo_world):
        assert _hits(c["text"] for c in world.chats) == []
        assert _hits(c["sender"]["name"] for c in world.chats) == []


def test_templates_and_word_lists_are_clean():
    assert _hits(t.text for t in load_templates()) == []
    values = []
    for lang in LANGUAGES:
        data = _read_json("templates", f"{lang}.json")
        values += [v for vs in data["lexicon"].values() for v in vs]
    values += [v for vs in _read_json("common.json")["lexicon"].values() for v in vs]
    values += read_data("world.json")["name_parts"]
    assert _hits(values) == []
