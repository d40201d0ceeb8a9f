"""Lexicons: per-language data files of phrases and regexes, grouped by category.

A category says what a phrase is evidence of ("child", "request", "payment", ...); the
labeller combines categories into taxonomy labels. Plain phrases are folded exactly like
message text (`normalise`), so "little" in a file matches "l1ttle" and "liiittle" in a
chat; entries starting with "re:" are regexes over already-normalised text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LANGUAGES = ("common", "en", "nb", "tl", "ceb")


@dataclass(frozen=True, slots=True)
class Pattern:
    id: int
    category: str
    language: str
    regex: str  # over normalised text, hyperscan- and re-compatible
    rule: str  # stable name stored as the evidence's rule

    def __reduce__(self):
        # Facts worked out in an import's reader process come back pickled, a batch at a
        # time: one object per pattern on this side, not one per batch (text/memo.py).
        return _interned, (self.id, self.category, self.language, self.regex, self.rule)


def patterns_from_rows(rows) -> tuple[Pattern, ...]:
    """`tuple(Pattern(*row) for row in rows)`, for the ~15,000 remembered patterns every
    analysing process loads (text/matcher.py): a frozen dataclass's `__init__` sets each
    field through `object.__setattr__` (~0.012 s for them all); here the slots are filled
    directly (~0.004 s). Pattern has no `__post_init__` nor defaults, so the objects are equal."""
    new = object.__new__
    set_id, set_category, set_language, set_regex, set_rule = (
        Pattern.__dict__[name].__set__ for name in ("id", "category", "language", "regex", "rule")
    )
    out = []
    append = out.append
    for pid, category, language, regex, rule in rows:
        p = new(Pattern)
        set_id(p, pid)
        set_category(p, category)
        set_language(p, language)
        set_regex(p, regex)
        set_rule(p, rule)
        append(p)
    return tuple(out)


_INTERNED: dict[tuple, Pattern] = {}


def _interned(*fields) -> Pattern:
    p = _INTERNED.get(fields)
    if p is None:
        p = _INTERNED[fields] = Pattern(*fields)
    return p


@lru_cache(maxsize=1)
def raw_lexicons() -> dict[str, dict[str, list[str]]]:
    base = resources.files("vaktpost.text") / "lexicons"
    out = {}
    for lang in LANGUAGES:
        data = json.loads((base / f"{lang}.json").read_text(encoding="utf-8"))
        out[lang] = {k: v for k, v in data.items() if not k.startswith("_")}
    return out


def _phrase_regex(phrase: str) -> str:
    from vaktpost.text.normalise import normalise

    folded = normalise(phrase)
    body = re.escape(folded).replace(r"\ ", r"\s+")
    # Hyperscan's \b is ASCII-only (no UCP with \b), so only put it next to ASCII word chars.
    left = r"\b" if re.match(r"[a-z0-9_]", folded) else ""
    right = r"\b" if re.search(r"[a-z0-9_]$", folded) else ""
    return f"{left}{body}{right}"


def _misspellings(word: str) -> set[str]:
    """One letter dropped (not the first) or two neighbours swapped."""
    out = {word[:i] + word[i + 1 :] for i in range(1, len(word))}
    out |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    out.discard(word)
    return out


@lru_cache(maxsize=1)
def _fuzzy_config() -> dict:
    return json.loads((resources.files("vaktpost.text") / "lexicons" / "fuzzy.json").read_text(encoding="utf-8"))


def _fuzzy_variants(phrase: str, ordinary: set[str]) -> set[str]:
    from vaktpost.text.normalise import normalise

    cfg = _fuzzy_config()
    words = normalise(phrase).split()
    out = set()
    for i, w in enumerate(words):
        if len(w) < cfg["min_length"] or not w.isalpha():
            continue
        for v in _misspellings(w):
            v = normalise(v)  # a swap can make a double letter that folding removes
            # ... or a number word: "tulog" less its g is ceb "tulo" (three), folded to "3",
            # which made every "3" ("grade 3", "3 pm") an innocent context
            if v != w and v not in ordinary and v.isalpha():
                out.add(" ".join(words[:i] + [v] + words[i + 1 :]))
    return out


@lru_cache(maxsize=1)
def patterns() -> tuple[Pattern, ...]:
    from vaktpost.text.normalise import normalise

    out: list[Pattern] = []
    seen: set[tuple[str, str]] = set()
    cfg = _fuzzy_config()
    ordinary = {normalise(w) for w in cfg["ordinary_words"]}
    for cats in raw_lexicons().values():
        for entries in cats.values():
            for e in entries:
                if not e.startswith("re:"):
                    ordinary.update(normalise(e).split())

    def add(category: str, lang: str, regex: str, rule: str) -> None:
        if (category, regex) not in seen:
            seen.add((category, regex))
            out.append(Pattern(len(out), category, lang, regex, rule))

    for lang, cats in raw_lexicons().items():
        for category, entries in cats.items():
            for i, entry in enumerate(entries):
                if entry.startswith("re:"):
                    add(category, lang, entry[3:], f"{lang}/{category}#{i}")
                    continue
                add(category, lang, _phrase_regex(entry), f"{lang}/{category}#{i}")
                if category in cfg["categories"]:
                    for variant in sorted(_fuzzy_variants(entry, ordinary)):
                        add(category, lang, _phrase_regex(variant), f"{lang}/{category}#{i}~")
    return tuple(out)


def lexicon_phrases(category: str) -> tuple[str, ...]:
    from vaktpost.text.normalise import normalise

    return tuple(
        sorted({normalise(e) for cats in raw_lexicons().values() for e in cats.get(category, ()) if not e.startswith("re:")})
    )
