"""Template families per language and dialogue move, compiled once into fast fill functions.

Every template belongs to a family (`<lang>.<move>.<letter>`) and every family to one side of
the train/test split (see docs/synth.md). A generator in `train` mode phrases messages only
with train families, so an evaluation in `test` mode sees phrasings the training side never
saw. Labels come from the move (`data/moves.json`), never from the words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import orjson

from vaktpost.errors import UserError
from vaktpost.synth.slots import Getter, build_getters

LANGUAGES = ("en", "nb", "tl", "ceb", "mixed")
SPLITS = ("train", "test")
FALLBACK = {"mixed": ("tl", "en"), "tl": ("en",), "ceb": ("en",), "nb": ("en",), "en": ()}
SLOT = re.compile(r"\{(\w+)\}")


def _read_json(*parts: str) -> dict:
    ref = resources.files("vaktpost.synth").joinpath("data", *parts)
    return orjson.loads(ref.read_bytes())


@dataclass(frozen=True, slots=True)
class Move:
    name: str
    labels: tuple[str, ...]
    hard_negative: str | None


@dataclass(frozen=True, slots=True)
class Template:
    """One phrasing: `fill(rnd)` gives a sentence; family and split say where it came from."""

    language: str
    move: str
    family: str
    split: str
    text: str
    fill: Callable[[Callable[[], float]], str]


def _check_printable(values, where: str) -> None:
    """The writer copies texts into JSON without escaping when they hold no quote or
    backslash, so data files must not hold control characters."""
    for v in values:
        if any(ord(ch) < 0x20 for ch in v):
            raise UserError(f"control character in {v!r}", where)


def compile_template(text: str, getters: dict[str, Getter], where: str) -> Callable:
    pieces = SLOT.split(text)
    literals = pieces[0::2]
    slots = pieces[1::2]
    for name in slots:
        if name not in getters:
            raise UserError(f"unknown slot {{{name}}}", where)
    if not slots:
        return lambda rnd, t=text: t
    first = literals[0]
    pairs = tuple((getters[s], lit) for s, lit in zip(slots, literals[1:]))
    if len(pairs) == 1:
        (g, lit), = pairs
        return lambda rnd: first + g(rnd) + lit

    def fill(rnd: Callable[[], float]) -> str:
        out = [first]
        for g, lit in pairs:
            out.append(g(rnd))
            out.append(lit)
        return "".join(out)

    return fill


def load_moves() -> dict[str, Move]:
    raw = _read_json("moves.json")
    return {name: Move(name, tuple(v["labels"]), v.get("hard_negative")) for name, v in raw.items()}


@lru_cache(maxsize=1)
def load_templates() -> tuple[Template, ...]:
    """Every template of every language, validated; raises UserError naming the bad family."""
    moves = load_moves()
    common = _read_json("common.json")
    for values in common["lexicon"].values():
        _check_printable(values, "common.json")
    out: list[Template] = []
    for lang in LANGUAGES:
        where = f"templates/{lang}.json"
        data = _read_json("templates", f"{lang}.json")
        for values in data.get("lexicon", {}).values():
            _check_printable(values, where)
        getters = build_getters(data.get("lexicon", {}), data["formats"], common)
        for fam_id, fam in data["families"].items():
            move = fam["move"]
            if move not in moves:
                raise UserError(f"family {fam_id}: unknown move {move!r}", where)
            if fam["split"] not in SPLITS:
                raise UserError(f"family {fam_id}: split must be train or test", where)
            if not fam_id.startswith(f"{lang}.{move}."):
                raise UserError(f"family {fam_id}: id must start with {lang}.{move}.", where)
            _check_printable(fam["texts"], f"{where} {fam_id}")
            for text in fam["texts"]:
                fill = compile_template(text, getters, f"{where} {fam_id}")
                out.append(Template(lang, move, fam_id, fam["split"], text, fill))
    return tuple(out)


class TemplateBank:
    """Picks a phrasing for (language, move) from the families the split mode allows.

    A language without a family for a move falls back (mixed → tl → en; others → en), and the
    message's language in the ground truth is the language actually used.
    """

    def __init__(self, split_mode: str = "all"):
        if split_mode not in ("train", "test", "all"):
            raise UserError("split must be train, test or all", "--split")
        self.moves = load_moves()
        allowed = SPLITS if split_mode == "all" else (split_mode,)
        by_key: dict[tuple[str, str], list[Template]] = {}
        for t in load_templates():
            if t.split in allowed:
                by_key.setdefault((t.language, t.move), []).append(t)
        self._choices: dict[tuple[str, str], tuple[tuple, ...]] = {}
        for lang in LANGUAGES:
            for move in self.moves:
                for candidate in (lang, *FALLBACK[lang]):
                    found = by_key.get((candidate, move))
                    if found:
                        self._choices[(lang, move)] = tuple(
                            (t.fill, t.family, t.split, t.language) for t in found)
                        break
                else:
                    raise UserError(f"no {split_mode} template for move {move!r}", lang)

    def choices(self, language: str, move: str) -> tuple[tuple, ...]:
        """(fill, family, split, language) tuples; the generator indexes them with its rng."""
        return self._choices[(language, move)]
