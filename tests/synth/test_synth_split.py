"""The train/test template split holds: a world generated in train mode contains no sentence
of a test family, and the family named in the truth is the one whose template produced it.

Each template is turned into a regular expression here (literal text kept, each {slot} any
text), independently of the generator's own bookkeeping; the worlds are generated with
perturbations off so that sentences can be compared with their templates.
"""

from __future__ import annotations

import re
from collections import defaultdict

from vaktpost.synth.templates import LANGUAGES, load_moves, load_templates

SLOT = re.compile(r"\{\w+\}")


def _pattern(text: str) -> re.Pattern:
    parts = SLOT.split(text)
    return re.compile("(?:.+?)".join(re.escape(p) for p in parts), re.DOTALL)


def _patterns(split: str, min_letters: int = 0) -> dict[str, list[re.Pattern]]:
    """Patterns of one side; `min_letters` drops templates that are nearly all slots (such as
    "{hi}"), which would match any sentence."""
    by_family: dict[str, list[re.Pattern]] = defaultdict(list)
    for t in load_templates():
        literal = sum(ch.isalpha() for ch in SLOT.sub("", t.text))
        if t.split == split and literal >= min_letters:
            by_family[t.family].append(_pattern(t.text))
    return by_family


def test_data_rule_every_language_and_move_has_both_sides():
    sides: dict[tuple[str, str], set[str]] = defaultdict(set)
    for t in load_templates():
        sides[(t.language, t.move)].add(t.split)
    for move in load_moves():
        assert sides[("en", move)] == {"train", "test"}, move
    assert all(s == {"train", "test"} for s in sides.values())
    assert {lang for lang, _ in sides} == set(LANGUAGES)


def test_train_mode_never_uses_a_test_family(clean_train_world):
    test_patterns = [p for ps in _patterns("test").values() for p in ps]
    assert all(t["split"] == "train" for t in clean_train_world.truth)
    leaks = [c["text"] for c in clean_train_world.chats
             if any(p.fullmatch(c["text"]) for p in test_patterns)]
    assert leaks == []


def test_test_mode_never_uses_a_train_family(clean_test_world):
    train_patterns = [p for ps in _patterns("train", min_letters=8).values() for p in ps]
    assert len(train_patterns) > 0.7 * sum(map(len, _patterns("train").values()))
    assert all(t["split"] == "test" for t in clean_test_world.truth)
    leaks = [c["text"] for c in clean_test_world.chats
             if any(p.fullmatch(c["text"]) for p in train_patterns)]
    assert leaks == []


def test_recorded_family_produced_the_sentence(clean_train_world, clean_test_world):
    patterns = {**_patterns("train"), **_patterns("test")}
    for world in (clean_train_world, clean_test_world):
        for chat, truth in zip(world.chats, world.truth):
            assert any(p.fullmatch(chat["text"]) for p in patterns[truth["family"]]), (
                chat["text"], truth["family"])


def test_both_modes_cover_the_same_moves(clean_train_world, clean_test_world):
    def moves(world):
        return {t["family"].split(".")[1] for t in world.truth}
    assert moves(clean_train_world) == moves(clean_test_world)
