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


@lru_cache(maxsize=1)
def patterns() -> tuple[Pattern, ...]:
    out: list[Pattern] = []
    seen: set[tuple[str, str]] = set()
    for lang, cats in raw_lexicons().items():
        for category, entries in cats.items():
            for i, entry in enumerate(entries):
                regex = entry[3:] if entry.startswith("re:") else _phrase_regex(entry)
                if (category, regex) in seen:
                    continue
                seen.add((category, regex))
                out.append(Pattern(len(out), category, lang, regex, f"{lang}/{category}#{i}"))
    return tuple(out)


def lexicon_phrases(category: str) -> tuple[str, ...]:
    from vaktpost.text.normalise import normalise

    return tuple(
        sorted({normalise(e) for cats in raw_lexicons().values() for e in cats.get(category, ()) if not e.startswith("re:")})
    )
