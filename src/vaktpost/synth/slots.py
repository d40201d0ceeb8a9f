"""Slot values for templates: static word lists and the few values that are computed.

A template says `{minor_age}` or `{remit}`; this module turns each slot name into a getter
`getter(rnd) -> str` for one language. Static slots come from the language's `lexicon`
(falling back to `common.json`); computed slots (ages, prices, phone numbers, dates, codes)
are built here from the language's `formats`, so ages appear as digits, words, "12yo",
"12 år", "12 anyos" or "grade 5" without a template per spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Getter = Callable[[Callable[[], float]], str]


def _pick(values: list[str]) -> Getter:
    n = len(values)
    vals = tuple(values)
    return lambda rnd: vals[int(rnd() * n)]


def _age_getter(formats: dict[str, Any], lo: int, hi: int, grades: bool) -> Getter:
    words: list[str] = formats["numbers"]
    age_fmts = tuple(formats["age"])
    grade_fmts = tuple(formats.get("grade", ()))
    span = hi - lo + 1
    nf = len(age_fmts)

    def get(rnd: Callable[[], float]) -> str:
        n = lo + int(rnd() * span)
        if grades and grade_fmts and 7 <= n <= 12 and rnd() < 0.2:
            return grade_fmts[int(rnd() * len(grade_fmts))].format(g=n - 6)
        fmt = age_fmts[int(rnd() * nf)]
        if "{w}" in fmt:
            return fmt.format(w=words[n] if n < len(words) else str(n))
        return fmt.format(n=n)

    return get


def _number_getter(formats: dict[str, Any], lo: int, hi: int) -> Getter:
    words: list[str] = formats["numbers"]
    span = hi - lo + 1

    def get(rnd: Callable[[], float]) -> str:
        n = lo + int(rnd() * span)
        if rnd() < 0.3 and n < len(words):
            return words[n]
        return str(n)

    return get


def _price_getter(formats: dict[str, Any]) -> Getter:
    rows = tuple((fmt, lo, (hi - lo) // step + 1, step) for fmt, lo, hi, step in formats["price"])
    nr = len(rows)

    def get(rnd: Callable[[], float]) -> str:
        fmt, lo, steps, step = rows[int(rnd() * nr)]
        return fmt.format(n=lo + int(rnd() * steps) * step)

    return get


def _digits_getter(patterns: list[str]) -> Getter:
    """Patterns where every `#` becomes a random digit (phone numbers, transfer codes)."""
    pats = tuple(patterns)
    n = len(pats)

    def get(rnd: Callable[[], float]) -> str:
        p = pats[int(rnd() * n)]
        return "".join(str(int(rnd() * 10)) if c == "#" else c for c in p)

    return get


def _date_getter(formats: dict[str, Any]) -> Getter:
    months = tuple(formats["months"])
    fmts = tuple(formats["date"])
    nf = len(fmts)

    def get(rnd: Callable[[], float]) -> str:
        m = int(rnd() * 12)
        return fmts[int(rnd() * nf)].format(d=1 + int(rnd() * 28), m=m + 1, month=months[m])

    return get


def _time_getter(formats: dict[str, Any]) -> Getter:
    fmts = tuple(formats["time"])
    nf = len(fmts)

    def get(rnd: Callable[[], float]) -> str:
        h = 7 + int(rnd() * 5)
        return fmts[int(rnd() * nf)].format(h=h, h24=h + 12)

    return get


def _handle_getter(parts: list[str]) -> Getter:
    vals = tuple(parts)
    n = len(vals)

    def get(rnd: Callable[[], float]) -> str:
        return f"{vals[int(rnd() * n)]}{vals[int(rnd() * n)]}{int(rnd() * 1000)}"

    return get


def build_getters(lexicon: dict[str, list[str]], formats: dict[str, Any],
                  common: dict[str, Any]) -> dict[str, Getter]:
    """All slot getters for one language: its lexicon over the common one, plus computed slots."""
    getters: dict[str, Getter] = {}
    for name, values in {**common["lexicon"], **lexicon}.items():
        getters[name] = _pick(values)
    getters["minor_age"] = _age_getter(formats, 5, 16, grades=True)
    getters["minor_age2"] = _age_getter(formats, 5, 13, grades=False)
    getters["adult_age"] = _age_getter(formats, 18, 34, grades=False)
    getters["young_age"] = _age_getter(formats, 18, 19, grades=False)
    getters["child_age"] = _age_getter(formats, 1, 16, grades=True)
    getters["thing_num"] = _number_getter(formats, 2, 30)
    getters["self_age"] = _age_getter(formats, 11, 17, grades=False)
    getters["self_grade"] = lambda rnd: str(5 + int(rnd() * 6))
    getters["birth_year"] = lambda rnd: str(1987 + int(rnd() * 17))
    getters["month_any"] = _pick(formats["months"])
    getters["price"] = _price_getter(formats)
    getters["price2"] = getters["price"]
    getters["phone"] = _digits_getter(formats["phone"])
    getters["code"] = _digits_getter(common["code_patterns"])
    getters["wallet_addr"] = _digits_getter(common["wallet_patterns"])
    getters["date"] = _date_getter(formats)
    getters["time"] = _time_getter(formats)
    handle = _handle_getter(common["handle_parts"])
    getters["handle"] = lambda rnd: "@" + handle(rnd)
    domains = _pick(common["mail_domains"])
    getters["email"] = lambda rnd: f"{handle(rnd)}@{domains(rnd)}"
    return getters
