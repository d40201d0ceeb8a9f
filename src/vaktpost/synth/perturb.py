"""Perturbations that make phrasing hard to memorise: typos, leetspeak, spaced letters,
homoglyphs, zero-width characters, repeated letters, emoji, abbreviations and "po".

They change only the text, never the labels, and are recorded nowhere but in the text: a
detector has to see through them. Rates come from `data/perturb.json` and can be scaled
(`--perturb 0` for clean text, `--perturb 2` for twice as noisy).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from importlib import resources

import orjson

from vaktpost.errors import UserError

Rnd = Callable[[], float]


def load_perturb_config() -> dict:
    ref = resources.files("vaktpost.synth").joinpath("data", "perturb.json")
    return orjson.loads(ref.read_bytes())


def _word_index(words: list[str], rnd: Rnd, min_len: int = 3) -> int:
    """A random word that is long enough and mostly letters, or -1."""
    n = len(words)
    start = int(rnd() * n)
    for k in range(n):
        i = (start + k) % n
        w = words[i]
        if len(w) >= min_len and w[0].isalpha():
            return i
    return -1


class Perturber:
    def __init__(self, scale: float = 1.0, config: dict | None = None,
                 rates: dict[str, float] | None = None):
        cfg = config or load_perturb_config()
        for name, rate in (rates or {}).items():
            if name not in cfg["rates"]:
                raise UserError(f"unknown perturbation {name!r}; known: {', '.join(cfg['rates'])}",
                                "--perturb-rate")
            if not 0 <= rate <= 1:
                raise UserError(f"rate for {name} must be between 0 and 1", "--perturb-rate")
        base = {**cfg["rates"], **(rates or {})}
        self.rates = {k: min(1.0, v * scale) for k, v in base.items()}
        self.leet = str.maketrans(cfg["leet"])
        self.homoglyph = cfg["homoglyph"]
        self.zero_width = tuple(cfg["zero_width"])
        self.abbrev = cfg["abbreviate"]
        self._abbrev_re = re.compile(r"\b(" + "|".join(map(re.escape, self.abbrev)) + r")\b")
        self.abbrev_langs = frozenset(cfg["abbreviate_languages"])
        self.po_langs = frozenset(cfg["po_languages"])
        self.emoji = tuple(cfg["emoji"])
        generic = ("typo", "leet", "spaced", "repeat", "homoglyph", "zero_width", "emoji")
        self._generic = tuple((self.rates[name], getattr(self, f"_{name}")) for name in generic
                              if self.rates.get(name, 0) > 0)
        self.untouched_generic = math.prod(1 - r for r, _ in self._generic)
        # Abbreviations and "po" belong to some languages and are frequent: drawn on their own.
        self._lead: dict[str, tuple] = {}
        for lang in ("en", "nb", "tl", "ceb", "mixed"):
            self._lead[lang] = tuple(
                (self.rates[name], getattr(self, f"_{name}")) for name in ("abbreviate", "po")
                if self.rates.get(name, 0) > 0
                and lang in (self.abbrev_langs if name == "abbreviate" else self.po_langs))
        self.active = bool(self._generic) or any(self._lead.values())
        self.untouched = {lang: self.untouched_generic * math.prod(1 - r for r, _ in lead)
                          for lang, lead in self._lead.items()}

    def apply(self, text: str, language: str, rnd: Rnd) -> str:
        """Each perturbation independently with its rate. For the rare ones, one draw decides
        whether any applies (most messages stay clean); if some do, their independent draws are
        repeated until at least one fires, which is exactly the independent law given "at
        least one"."""
        for rate, op in self._lead[language]:
            if rnd() < rate:
                text = op(text, language, rnd)
        if rnd() < self.untouched_generic:
            return text
        ops = self._generic
        while True:
            fired = [op for rate, op in ops if rnd() < rate]
            if fired:
                break
        for op in fired:
            text = op(text, language, rnd)
        return text

    def _abbreviate(self, text: str, language: str, rnd: Rnd) -> str:
        if language not in self.abbrev_langs:
            return text
        ab = self.abbrev
        return self._abbrev_re.sub(lambda m: ab[m.group(1)], text)

    def _po(self, text: str, language: str, rnd: Rnd) -> str:
        if language not in self.po_langs or " po" in text:
            return text
        if text and text[-1] in "?!.":
            return text[:-1] + " po" + text[-1]
        return text + " po"

    def _typo(self, text: str, language: str, rnd: Rnd) -> str:
        words = text.split(" ")
        i = _word_index(words, rnd, 4)
        if i < 0:
            return text
        w = words[i]
        j = 1 + int(rnd() * (len(w) - 2))
        if rnd() < 0.5:
            words[i] = w[:j] + w[j + 1:]
        else:
            words[i] = w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]
        return " ".join(words)

    def _leet(self, text: str, language: str, rnd: Rnd) -> str:
        words = text.split(" ")
        i = _word_index(words, rnd)
        if i >= 0:
            words[i] = words[i].translate(self.leet)
        return " ".join(words)

    def _spaced(self, text: str, language: str, rnd: Rnd) -> str:
        words = text.split(" ")
        i = _word_index(words, rnd)
        if i >= 0 and len(words[i]) <= 8:
            words[i] = " ".join(words[i])
        return " ".join(words)

    def _repeat(self, text: str, language: str, rnd: Rnd) -> str:
        for j in range(len(text) - 1, -1, -1):
            if text[j] in "aeiouy":
                return text[:j] + text[j] * (2 + int(rnd() * 3)) + text[j + 1:]
        return text

    def _homoglyph(self, text: str, language: str, rnd: Rnd) -> str:
        chars = list(text)
        hits = [j for j, c in enumerate(chars) if c in self.homoglyph]
        for _ in range(min(len(hits), 1 + int(rnd() * 3))):
            j = hits[int(rnd() * len(hits))]
            chars[j] = self.homoglyph.get(chars[j], chars[j])
        return "".join(chars)

    def _zero_width(self, text: str, language: str, rnd: Rnd) -> str:
        if len(text) < 3:
            return text
        j = 1 + int(rnd() * (len(text) - 2))
        return text[:j] + self.zero_width[int(rnd() * len(self.zero_width))] + text[j:]

    def _emoji(self, text: str, language: str, rnd: Rnd) -> str:
        return text + " " + self.emoji[int(rnd() * len(self.emoji))]
