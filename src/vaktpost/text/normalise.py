"""Undo what people do to words so one lexicon catches them all, and remember where each
character came from.

Steps, in order: NFKC + case folding + homoglyph folding + zero-width removal (one
character table), leetspeak between letters, spaced-out letters, repeated letters, number
words to digits. Two paths produce the same string: `normalise` (C-speed `str` and `re`
calls, for every message) and `normalise_with_offsets` (also returns, for every character of
the result, the index of the character of the original text it came from). The second runs
only for messages the matcher found something in, so evidence spans point at the text as
written without paying for a map on every benign message.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Callable

_DATA = resources.files("vaktpost.text") / "lexicons"


@lru_cache(maxsize=1)
def _folding() -> dict:
    return json.loads((_DATA / "folding.json").read_text(encoding="utf-8"))


class _CharTable(dict):
    """str.translate table computed lazily: each character → its folded form ('' drops it)."""

    def __missing__(self, code: int) -> str:
        folding = _folding()
        ch = chr(code)
        if ch in folding["zero_width"]:
            out = ""
        elif unicodedata.category(ch) == "Mn":
            out = ""  # stray combining marks left after NFKC
        else:
            out = "".join(folding["homoglyphs"].get(c, c) for c in unicodedata.normalize("NFKC", ch).casefold())
            out = "".join(folding["homoglyphs"].get(c, c) for c in out)
        self[code] = out
        return out


CHAR_TABLE = _CharTable()

_UNITS = r"(?:yo|y|yrs?|years?|ar|år|aring|åring|anyos?|k|kr|usd|php|nok|eur|am|pm|th|nd|rd|st|x|min|h|hrs?|gb|mb|p)"
# Leet digits/symbols count as letters only inside a word: between two letters, at the start
# of a word of 3+ letters that is not a unit ("5yo", "3pm"), or as a plural "s" after letters.
# The leading lookahead lets the regex engine reject most positions with one class test
# (every alternative starts on one of these characters): ~6x faster on a batch.
# "@" opening a word is a handle ("@angeljoy258", "Line ko @x"), never leet: chat writes
# handles far more often than "@" for "a", and folding it took the handle's mark away from
# the off-platform patterns (session 5).
# "9" stands for "g" only between letters ("dau9hter", "ni9ht"; session 7): at a word's start
# or end it is a number ("9yo", "9am", "top9"), and the leet-word step leaves it alone.
# Every match opens on one of the characters [01345789$!|@], consumed first so that the regex
# engine's search skips the positions that cannot match with a C-level character-set scan
# instead of entering the matcher at each (a pattern opening with a look-around gets no such
# scan): ~1.6x faster on a batch. The look-behinds that stood before that character are
# checked after it, one character wider, so each alternative matches exactly where it did
# (session 7; `tests/text/test_normalise_speed7.py` holds the old patterns and pins the two
# equal).
_EMAIL_AFTER_AT = r"[a-z0-9-]*\.[a-z]{2,}"
LEET_RE = re.compile(
    r"[01345789$!|@](?:"
    rf"(?:(?<=[a-zæøå][01345789$!|])|(?<=[a-zæøå]@)(?!{_EMAIL_AFTER_AT}))(?:[01345789$!|]|@(?!{_EMAIL_AFTER_AT}))*(?=[a-zæøå])"
    rf"|(?<=[0134578$])(?<![\w@$].)(?=[a-zæøå]{{2,}})(?!{_UNITS}\b)"
    r"|(?<=[a-zæøå]{2}[5$])(?![\w@$])"
    r"|(?<=1)(?<![\w@$].)(?='[a-z])"
    r")"
)
LEET_TABLE = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"})
_LEET_BETWEEN_TABLE = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g", "@": "a", "$": "s", "!": "i", "|": "l"})
# A whole word of letters and leet digits ("53lf13"), unless it reads as a number with a
# unit ("12yo", "3rd", "30min") or a code ("u18", "mp4").
# Not a handle ("@moon77") nor an e-mail address ("luna379@gmail.com": the word runs up to
# the domain's dot): their digits are the identifier, and linking reads them as written.
# (The digit test first: most words hold none, and fail it before the e-mail test scans them.
# It skips the word's run of letters, "@" and "$" possessively and then wants a digit — the
# same test as "[\w@$]*?\d", without a lazy step per character: ~12 % fewer instructions.)
LEET_WORD_RE = re.compile(r"(?<![\w@$])(?=[^\W\d]*+(?:[@$][^\W\d]*+)*+\d)(?!@)(?![\w$]*@[\w@$]*\.[a-z]{2,})(?=[\w@$]*?[a-zæøå])[\w@$]{3,}(?![\w@$])")
_NOT_LEET_WORD = re.compile(rf"\d+(?:[.,]\d+)?{_UNITS}|\d+(?:st|nd|rd|th|s)|[a-z]{{1,2}}\d+|\d+[a-z]\d+|\w*\d{{3,}}\w*")
# "I ' m" → "i'm"
# A match opens on a blank (not a line break) or an apostrophe: that character is consumed
# first (a character-set scan skips every other position), and the look-behind for the
# letter before it is checked after it.
# (`[^\S\n]` spelled out, so that it can share one class with "'"; a test checks the two
# classes are equal over all of Unicode.)
_BLANK = r"[\t\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
APOS_RE = re.compile(
    "[" + _BLANK[1:-1] + "'](?:"
    f"(?<=[a-zæøå]{_BLANK}){_BLANK}*'{_BLANK}*(?=[a-zæøå])"
    f"|(?<=[a-zæøå]'){_BLANK}+(?=[a-zæøå])"
    ")"
)
# "k i d s", "k.i.d.s", "k-i-d-s": three or more single letters with separators between.
# (The letter first, then a separator must follow, then the look-behind: most letters are
# followed by a letter and fail at the second test, without the look-behind's cost.)
SPACED_RE = re.compile(r"[a-zæøå](?=[ .\-_*])(?<![\w'].)(?:[ .\-_*]{1,2}[a-zæøå]){2,}(?![\w'])")
_SPACE_CHARS = re.compile(r"[ .\-_*]")
# (Equal to "([a-zæøå])\1+"; the look-ahead rejects a letter not doubled before a group
# repeat is set up: ~1.3x faster on a batch.)
REPEAT_RE = re.compile(r"([a-zæøå])(?=\1)\1*")

# The same two passes for a joined batch, each opening on the character before the word:
# every match of LEET_WORD_RE and of the number words starts where no word character stands
# before it, so on a batch that opens with a line break each
# match has such a character in front. Consuming it first lets the regex engine skip every
# word character with a C-level character-set scan and enter the matcher only at the
# separators (~1 position in 5) instead of at every position (session 9, branch speed10).
# A match here is that character and then exactly the old pattern's match, at the same
# places: the separator is kept as it is by the callbacks below.
# (`tests/text/test_normalise_speed7.py` pins `normalise_batch` to the old passes.)
LEET_WORD_AFTER_RE = re.compile(r"[^\w@$]" + LEET_WORD_RE.pattern[len(r"(?<![\w@$])"):])


def _leet_word(m: re.Match) -> str:
    word = m.group()
    return word if _NOT_LEET_WORD.fullmatch(word) else word.translate(LEET_TABLE)


def _apostrophe(m: re.Match) -> str:
    return "'"


def _leet(m: re.Match) -> str:
    return m.group().translate(_LEET_BETWEEN_TABLE)  # a "9" is in a match only between letters


def _unspace(m: re.Match) -> str:
    return _SPACE_CHARS.sub("", m.group())


def _one(m: re.Match) -> str:
    return m.group(1)


def _leet_word_after(m: re.Match) -> str:
    """`_leet_word` of a LEET_WORD_AFTER_RE match: the separator kept, the word after it."""
    found = m.group()
    word = found[1:]
    return found if _NOT_LEET_WORD.fullmatch(word) else found[0] + word.translate(LEET_TABLE)


@lru_cache(maxsize=1)
def number_words() -> tuple[re.Pattern, dict[str, str]]:
    """Number words (en, nb, tl, ceb) that are never ordinary words, keyed by normalised form."""
    data = json.loads((_DATA / "numbers.json").read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for words in data["always"].values():
        for word, value in words.items():
            table[_fold_plain(word)] = str(value)
    for spec in data["compound"].values():  # "twenty-four", "tjuefire", "beinte kwatro"
        for tens, t in spec["tens"].items():
            for unit, u in spec["units"].items():
                for joiner in spec["joiners"]:
                    table[_fold_plain(f"{tens}{joiner}{unit}")] = str(t + u)
    pattern = re.compile(r"(?<![\w])(?:" + word_alternation(table) + r")(?![\w])")
    return pattern, table


@lru_cache(maxsize=1)
def _number_words_after() -> re.Pattern:
    """The number-word pattern opening on the character before the word (LEET_WORD_AFTER_RE)."""
    pattern = number_words()[0].pattern
    return re.compile(r"[^\w]" + pattern[len(r"(?<![\w])"):])


@lru_cache(maxsize=1)
def _typo_tens() -> frozenset[str]:
    """One-letter slips (a letter dropped, added, changed, or two swapped) of the tens words of
    the compound number words ("tewnty", "twety", "tjeu"), less any number word itself."""
    data = json.loads((_DATA / "numbers.json").read_text(encoding="utf-8"))
    letters = "abcdefghijklmnopqrstuvwxyzæøå"
    out: set[str] = set()
    for spec in data["compound"].values():
        for tens in spec["tens"]:
            w = _fold_plain(tens)
            out |= {w[:i] + w[i + 1 :] for i in range(len(w))}
            out |= {w[:i] + w[i + 1] + w[i] + w[i + 2 :] for i in range(len(w) - 1)}
            out |= {w[:i] + c + w[i + 1 :] for i in range(len(w)) for c in letters}
            out |= {w[:i] + c + w[i:] for i in range(len(w) + 1) for c in letters}
    return frozenset(out - set(number_words()[1]))


_WORD_HYPHEN_BEFORE = re.compile(r"([a-zæøå]+)[- ]$")


def _number_word(m: re.Match) -> str:
    """The digits of a number word — but not of the second part of a compound whose first part
    is a slip of a tens word ("im tewnty-three", and with a space, "im tewnty three": session 8):
    that part alone is no age, and no age is better than a wrong one (it read as 3; session 7). Affixed number words keep their digits
    (tl/ceb "mag-onse", "kaka-19")."""
    return _number_word_at(m.string, m.start(), m.group(), 0)


def _number_word_at(string: str, s: int, word: str, first: int) -> str:
    """`_number_word` of `word` found at `s` in `string`, whose text begins at `first`."""
    if s - first > 1 and string[s - 1] in "- ":
        before = _WORD_HYPHEN_BEFORE.search(string, max(first, s - 12), s)
        if before is not None and before.group(1) in _typo_tens():
            return word
    return number_words()[1][word]


def _number_word_after(m: re.Match) -> str:
    """`_number_word` of a `_number_words_after` match in a batch opened by a line break:
    the separator kept, the word read where it starts, the text counted from 1."""
    found = m.group()
    return found[0] + _number_word_at(m.string, m.start() + 1, found[1:], 1)


def word_alternation(words) -> str:
    """One alternation of `words` factored by common prefixes ("twenty|twelve" →
    "tw(?:e(?:nty|lve))"): Python's regex engine tries alternatives one by one, so the flat
    list cost ~7x more per batch. Longer continuations come before "stop here", so the
    longest word that ends on a word boundary wins, as with a longest-first flat list."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        kids = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _fold_plain(text: str) -> str:
    """The steps before number words (used to key the number-word table itself)."""
    t = text.lower() if text.isascii() else text.translate(CHAR_TABLE)
    t = LEET_RE.sub(_leet, LEET_RE.sub(_leet, t))
    t = LEET_WORD_RE.sub(_leet_word, t)
    t = SPACED_RE.sub(_unspace, t)
    return APOS_RE.sub("'", t)


_LINE_BREAKS = str.maketrans("\r\n", "  ")


def normalise(text: str) -> str:
    """The matching form of `text` (see module docstring)."""
    return normalise_batch([text])[0]


def normalise_batch(texts: list[str]) -> list[str]:
    """`normalise` of each text, done on the batch joined into one string: every step is one
    C-level call per batch instead of per message. Line breaks become spaces (the matcher
    joins messages with newlines), which keeps lengths and offsets unchanged."""
    t = "\n".join(texts)
    if t.count("\n") != len(texts) - 1:
        texts = [x.translate(_LINE_BREAKS) for x in texts]
        t = "\n".join(texts)
    if t.isascii():
        t = t.lower()
    else:
        # Per text: `lower` for the ASCII ones (most; the table folds ASCII as `lower` does,
        # a test checks) is ~20x cheaper per character than the table's dictionary look-up.
        t = "\n".join([x.lower() if x.isascii() else x.translate(CHAR_TABLE) for x in texts])
    if LEET_RE.search(t):  # twice: "k1d5" needs "1" gone before "5" has letters behind it
        t = LEET_RE.sub(_leet, LEET_RE.sub(_leet, t))
    # A line break before the batch: every word then has a character before it, which the
    # separator-opening passes consume (LEET_WORD_AFTER_RE); a line break is where every
    # pass already sees a text begin. Dropped again before the split.
    t = LEET_WORD_AFTER_RE.sub(_leet_word_after, "\n" + t)
    t = SPACED_RE.sub(_unspace, t)
    t = APOS_RE.sub("'", t)
    t = _number_words_after().sub(_number_word_after, t)  # before folding repeats: "teen" is not "ten"
    t = REPEAT_RE.sub(r"\1", t)
    return t[1:].split("\n") if texts else []


def _sub_mapped(pattern: re.Pattern, repl: Callable[[re.Match], str], text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Like pattern.sub(repl, text) but carries the offset map along.

    A replacement as long as its match keeps the offsets of the match; a shorter one keeps
    the offsets of the characters it kept (the first of each run for repeats); a longer or
    different one maps every new character to the start of the match.
    """
    out: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        s, e = m.span()
        out.append(text[last:s])
        new_offsets.extend(offsets[last:s])
        r = repl(m)
        if len(r) == e - s:
            new_offsets.extend(offsets[s:e])
        elif repl is _unspace:
            new_offsets.extend(offsets[i] for i in range(s, e) if not _SPACE_CHARS.match(text[i]))
        elif repl is _one:
            new_offsets.append(offsets[s])
        elif repl is _apostrophe:
            new_offsets.append(offsets[s + text[s:e].index("'")])
        elif r:
            new_offsets.extend([offsets[s]] * (len(r) - 1) + [offsets[e - 1]])
        out.append(r)
        last = e
    out.append(text[last:])
    new_offsets.extend(offsets[last:])
    return "".join(out), new_offsets


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """`normalise(text)` and, for each of its characters, the index in `text` it came from."""
    t, offsets = offset_map(text)
    return t, list(offsets)


def folds_in_place(text: str) -> bool:
    """Every character of `text` folds to exactly one character (every ASCII one does), so
    the folded text keeps every offset. No later step lengthens a text (leetspeak swaps one
    character for one; spaced letters, apostrophes, number words — each longer than its
    digits — and repeats only shorten), so a text that folds in place and whose normalised
    form is as long as it kept every offset: no step changed its length."""
    return text.isascii() or all(len(CHAR_TABLE[ord(ch)]) == 1 for ch in set(text) if not ch.isascii())


def offset_map(text: str) -> tuple[str, range | list[int]]:
    """`normalise_with_offsets`, with the map as a `range` while every character is still
    where it was: most chat lines that reach here are non-ASCII only for an emoji or an
    accent, which fold one character to one, and most steps find nothing to change in a
    line — a step is skipped when its pattern has no match (a C-level search), instead of
    walking the line and copying its map seven times."""
    text = text.translate(_LINE_BREAKS) if ("\n" in text or "\r" in text) else text
    offsets: range | list[int]
    if text.isascii():
        t, offsets = text.lower(), range(len(text))
    else:
        t = text.translate(CHAR_TABLE)
        if len(t) == len(text) and all(len(CHAR_TABLE[ord(ch)]) == 1 for ch in set(text) if not ch.isascii()):
            offsets = range(len(text))
        else:
            parts, offsets = [], []
            for i, ch in enumerate(text):
                folded = ch.lower() if ch.isascii() else CHAR_TABLE[ord(ch)]
                parts.append(folded)
                offsets.extend([i] * len(folded))
            t = "".join(parts)
    # Leetspeak swaps one character for one (LEET_TABLE maps single characters): every
    # character stays where it was, so the map is kept as it is instead of copied through
    # `_sub_mapped` (which would rebuild the same list).
    if LEET_RE.search(t) is not None:
        t = LEET_RE.sub(_leet, LEET_RE.sub(_leet, t))
    # (a leet word holds a digit, an apostrophe fix an apostrophe: cheaper tests first)
    if _ANY_DIGIT.search(t) is not None and LEET_WORD_RE.search(t) is not None:
        t = LEET_WORD_RE.sub(_leet_word, t)
    pattern = number_words()[0]
    for rx, repl in ((SPACED_RE, _unspace), (APOS_RE, _apostrophe), (pattern, _number_word), (REPEAT_RE, _one)):
        if (rx is not APOS_RE or "'" in t) and rx.search(t) is not None:
            t, offsets = _sub_mapped(rx, repl, t, offsets)
    return t, offsets


_ANY_DIGIT = re.compile(r"\d")


def original_span(offsets, start: int, end: int, original: str) -> tuple[int, int]:
    """The span of `original` that produced normalised characters [start, end)."""
    if not offsets or start >= end:
        return 0, 0
    s = offsets[min(start, len(offsets) - 1)]
    e = offsets[min(end, len(offsets)) - 1] + 1
    # A character folded to several (ß → ss) or a dropped zero-width run inside the span is
    # covered because offsets are monotone; widen to the whole original character.
    return s, min(max(e, s + 1), len(original))
