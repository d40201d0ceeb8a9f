"""One matcher for all languages over a batch; offsets in characters; compiled database cached."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vaktpost.text import matcher as matcher_mod
from vaktpost.text.lexicon import Pattern
from vaktpost.text.matcher import Matcher, default_matcher
from vaktpost.text.normalise import normalise_batch


def categories(hits, text):
    return {(h.pattern.category, text[h.start : h.end]) for h in hits}


def test_batch_offsets_are_per_message_characters_even_after_non_ascii():
    texts = normalise_batch(["hei, er du på nett?", "har du barn tilgjengelig? ålreit", "any kids available?"])
    hits = default_matcher().scan_batch(texts)
    assert ("child", "barn") in categories(hits[1], texts[1])
    assert ("offer", "tilgjengelig") in categories(hits[1], texts[1])
    assert ("child", "kids") in categories(hits[2], texts[2])
    assert not any(h.pattern.category == "child" for h in hits[0])


def test_code_switched_line_meets_every_language():
    [text] = normalise_batch(["hi po, meron ka bang bata? how much, gcash ok"])
    [hits] = default_matcher().scan_batch([text])
    langs = {h.pattern.language for h in hits}
    assert {"tl", "en", "common"} <= langs


def test_compiled_database_is_cached_and_a_bad_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("VAKTPOST_CACHE_DIR", str(tmp_path))
    pats = (Pattern(0, "child", "en", r"\bkids\b", "t#0"), Pattern(1, "payment", "common", r"\bgcash\b", "t#1"))
    first = Matcher(pats)
    [cached] = list((tmp_path / "vaktpost").glob("*.hsdb"))
    cached.write_bytes(b"not a database")
    second = Matcher(pats)  # must not fail on the damaged file
    for m in (first, second):
        [hits] = m.scan_batch(["kids via gcash"])
        assert [(h.pattern.id, h.start, h.end) for h in hits] == [(0, 0, 4), (1, 9, 14)]
    assert cached.read_bytes() != b"not a database"


def test_fallback_without_hyperscan_gives_the_same_hits(monkeypatch):
    texts = normalise_batch(["do you have a y0unger one? 12yo", "send 30 usd via gcash"])
    fast = default_matcher().scan_batch(texts)
    monkeypatch.setattr(matcher_mod, "hyperscan", None)
    slow = Matcher().scan_batch(texts)
    for a, b in zip(fast, slow):
        assert {(h.pattern.category, h.start) for h in a} == {(h.pattern.category, h.start) for h in b}
        assert any(h.pattern.category in ("young_ref", "payment") for h in a)


def test_a_match_does_not_run_on_into_the_next_message_of_the_batch():
    """"…11 yrs" then a line starting "here": `11 yrs\\s+here` (a self-age phrase) matched
    across the newline that joins them, and a laptop's age became a minor's self-disclosure
    — depending on which line happened to follow in the batch."""
    texts = normalise_batch(["old na laptop ko, 11 yrs", "here is the receipt"])
    together = default_matcher().scan_batch(texts)
    assert together == [default_matcher().scan_batch([t])[0] for t in texts]
    assert not any(h.end > len(texts[0]) for h in together[0])


_WORDS = ["11 yrs", "here", "12", "yo", "kids", "po", "available", "é", "gcash", "", " ", "how old", "laptop", "15 y/o", "dito"]


@given(st.lists(st.lists(st.sampled_from(_WORDS), max_size=5).map(" ".join), min_size=1, max_size=6))
@settings(max_examples=200, deadline=None)
def test_hits_in_a_batch_are_the_hits_of_each_message_alone(lines):
    texts = normalise_batch(lines)
    m = default_matcher()
    assert m.scan_batch(texts) == [m.scan_batch([t])[0] for t in texts]


def test_a_match_running_across_messages_hides_no_hit_of_the_next_one():
    # "[^?]*" may take the newline between two messages of a batch: Hyperscan then reports,
    # for the match end in the second message, only the leftmost start (in the first), and
    # that crossing match is dropped. The second message must still get its own hit, as
    # when it is scanned alone: a text's hits never depend on what else is in the batch.
    pats = (Pattern(0, "age_probe", "tl", r"\bage\b[^?]*\?", "t#0"),)
    m = Matcher(pats)
    texts = ["age nung sinabi mo", "age nung sinabi mo kanina po?"]
    batch = m.scan_batch(texts)
    alone = [m.scan_batch([t])[0] for t in texts]
    assert [[(h.start, h.end) for h in hs] for hs in alone] == [[], [(0, 29)]]
    assert batch == alone


@settings(max_examples=60)
@given(st.lists(st.sampled_from([
    "age nung sinabi mo kanina?", "age nung sinabi mo kanina po?", "age of the one u mentioned?",
    "how old is she", "any kids available?", "12yo ok?", "send gcash na po", "", "ok",
    "har du barn tilgjengelig? ålreit", "pila edad sa imong pag-umangkon",
]), min_size=1, max_size=8))
def test_batch_hits_equal_each_text_scanned_alone(texts):
    m = default_matcher()
    texts = normalise_batch(texts)
    assert m.scan_batch(texts) == [m.scan_batch([t])[0] for t in texts]


def test_a_database_another_process_is_compiling_is_waited_for_not_compiled_again(tmp_path, monkeypatch):
    """The scan's two processes both missing the cache compiled it twice (~2 CPU minutes each)."""
    import threading
    import time as _time

    monkeypatch.setenv("VAKTPOST_CACHE_DIR", str(tmp_path))
    pats = (Pattern(0, "child", "en", r"\bkids\b", "t#0"),)
    real, compiles = matcher_mod._compile, []

    def slow_compile(p):
        compiles.append(1)
        _time.sleep(0.3)  # the other caller arrives while this one compiles
        return real(p)

    monkeypatch.setattr(matcher_mod, "_compile", slow_compile)
    found = []
    workers = [threading.Thread(target=lambda: found.append(matcher_mod._cached_database(pats))) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(compiles) == 1 and len(found) == 2
    [entry] = list((tmp_path / "vaktpost").glob("*.hsdb"))
    assert oct(entry.stat().st_mode & 0o777) == "0o600"
