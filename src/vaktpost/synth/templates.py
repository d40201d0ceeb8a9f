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
from pathlib import Path

import orjson

from vaktpost.errors import UserError
from vaktpost.synth.slots import Getter, build_getters

LANGUAGES = ("en", "nb", "tl", "ceb", "mixed")
SPLITS = ("train", "test")
FRESH_SPLITS = ("fresh",)
SPLIT_MODES = ("train", "test", "all", "fresh")
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
def _language_data() -> dict[str, tuple[dict, dict]]:
    """language -> (its shipped file's data, its slot getters), read and validated once."""
    common = _read_json("common.json")
    for values in common["lexicon"].values():
        _check_printable(values, "common.json")
    out = {}
    for lang in LANGUAGES:
        data = _read_json("templates", f"{lang}.json")
        for values in data.get("lexicon", {}).values():
            _check_printable(values, f"templates/{lang}.json")
        out[lang] = (data, build_getters(data.get("lexicon", {}), data["formats"], common))
    return out


def _compile_families(lang: str, families, splits: tuple[str, ...], where: str,
                      moves: dict[str, Move]) -> list[Template]:
    """Validate one language's families and compile their texts with that language's slots."""
    if not isinstance(families, dict):
        raise UserError("families must be an object of family id -> family", where)
    getters = _language_data()[lang][1]
    out: list[Template] = []
    for fam_id, fam in families.items():
        if not isinstance(fam, dict):
            raise UserError(f"family {fam_id}: must be an object", where)
        move = fam.get("move")
        if move not in moves:
            raise UserError(f"family {fam_id}: unknown move {move!r}", where)
        if fam.get("split") not in splits:
            raise UserError(f"family {fam_id}: split must be {' or '.join(splits)}", where)
        if not fam_id.startswith(f"{lang}.{move}.") or fam_id == f"{lang}.{move}.":
            raise UserError(f"family {fam_id}: id must be {lang}.{move}.<name>", where)
        texts = fam.get("texts")
        if not isinstance(texts, list) or not texts or not all(
                isinstance(t, str) and t.strip() for t in texts):
            raise UserError(f"family {fam_id}: texts must be a non-empty list of strings", where)
        _check_printable(texts, f"{where} {fam_id}")
        for text in texts:
            fill = compile_template(text, getters, f"{where} {fam_id}")
            out.append(Template(lang, move, fam_id, fam["split"], text, fill))
    return out


@lru_cache(maxsize=1)
def load_templates() -> tuple[Template, ...]:
    """Every template of every language, validated; raises UserError naming the bad family."""
    moves = load_moves()
    out: list[Template] = []
    for lang, (data, _) in _language_data().items():
        out += _compile_families(lang, data["families"], SPLITS, f"templates/{lang}.json", moves)
    return tuple(out)


def load_fresh_templates(folder: Path) -> tuple[Template, ...]:
    """Families written outside the package (`vaktpost synth --templates DIR`), split `fresh`.

    DIR holds `<lang>.json` files, each `{"language": lang, "families": {...}}`: families only;
    their slots are filled from the shipped language's lexicon and formats, so a fresh family
    differs from the shipped ones in wording, never in the entities it can name. Validation is
    the shipped families' (known move, `<lang>.<move>.<x>` ids, printable, known slots).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError("not a directory", str(folder))
    moves = load_moves()
    out: list[Template] = []
    found = sorted(p for p in folder.glob("*.json"))
    for path in found:
        lang = path.stem
        where = str(path)
        if lang not in LANGUAGES:
            raise UserError(f"file name must be one of {', '.join(LANGUAGES)} (.json)", where)
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise UserError(f"not valid JSON: {exc}", where) from None
        if not isinstance(data, dict) or data.get("language") != lang:
            raise UserError(f'must be an object with "language": "{lang}"', where)
        extra = set(data) - {"language", "families"}
        if extra:
            raise UserError(f"unexpected keys {sorted(extra)}: fresh files hold families only "
                            "(slots come from the shipped lexicon)", where)
        out += _compile_families(lang, data.get("families"), FRESH_SPLITS, where, moves)
    if not out:
        raise UserError("holds no <lang>.json file with families", str(folder))
    return tuple(out)


class TemplateBank:
    """Picks a phrasing for (language, move) from the families the split mode allows.

    A language without a family for a move falls back (mixed → tl → en; others → en), and the
    message's language in the ground truth is the language actually used. In `fresh` mode a
    (language, move) is phrased with the fresh families given for exactly that language and
    move, and otherwise with the shipped train families and their fallback chain.
    """

    def __init__(self, split_mode: str = "all", fresh: tuple[Template, ...] | None = None):
        if split_mode not in SPLIT_MODES:
            raise UserError(f"split must be {', '.join(SPLIT_MODES)}", "--split")
        if (split_mode == "fresh") != (fresh is not None):
            raise UserError("--split fresh and --templates go together", "--split")
        self.moves = load_moves()
        allowed = SPLITS if split_mode == "all" else ("train",) if split_mode == "fresh" \
            else (split_mode,)
        by_key: dict[tuple[str, str], list[Template]] = {}
        for t in load_templates():
            if t.split in allowed:
                by_key.setdefault((t.language, t.move), []).append(t)
        fresh_by_key: dict[tuple[str, str], list[Template]] = {}
        for t in fresh or ():
            fresh_by_key.setdefault((t.language, t.move), []).append(t)
        self._choices: dict[tuple[str, str], tuple[tuple, ...]] = {}
        for lang in LANGUAGES:
            for move in self.moves:
                if (lang, move) in fresh_by_key:
                    self._choices[(lang, move)] = tuple(
                        (t.fill, t.family, t.split, t.language) for t in fresh_by_key[(lang, move)])
                    continue
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
