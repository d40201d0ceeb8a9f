"""Properties of the building blocks, checked with hypothesis."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from vaktpost.synth.clock import Clock
from vaktpost.synth.perturb import Perturber
from vaktpost.synth.world import PairPicker, World


@settings(max_examples=30, deadline=None)
@given(initiators=st.integers(1, 12), targets=st.integers(1, 40), seed=st.integers(0, 10_000))
def test_pair_picker_never_repeats_a_pair_until_exhausted(initiators, targets, seed):
    world = World(seed, {"groomer": initiators, "minor": targets})
    picker = PairPicker(world, "groomer")
    rnd = random.Random(seed).random
    pairs = []
    while (pair := picker.pick(rnd)) is not None:
        pairs.append(pair)
    assert len(pairs) == len(set(pairs)) == initiators * targets
    g, m = world.pools["groomer"], world.pools["minor"]
    assert all(g.start <= a < g.start + g.size and m.start <= b < m.start + m.size
               for a, b in pairs)


@settings(max_examples=200, deadline=None)
@given(text=st.text(min_size=0, max_size=60), lang=st.sampled_from(["en", "nb", "tl", "ceb", "mixed"]),
       seed=st.integers(0, 1000))
def test_perturber_takes_any_text(text, lang, seed):
    rnd = random.Random(seed).random
    out = Perturber(scale=5.0).apply(text, lang, rnd)
    assert isinstance(out, str)
    assert Perturber(scale=0).apply(text, lang, rnd) == text


def test_perturbation_rates_are_roughly_honoured():
    p = Perturber(scale=1.0)
    rnd = random.Random(1).random
    n = 20_000
    changed = sum(p.apply("please send the photo tonight", "nb", rnd) != "please send the photo tonight"
                  for _ in range(n))
    expected = 1 - p.untouched["nb"]
    assert abs(changed / n - expected) < 0.03


CLOCK = Clock(("2021-01-01", "2021-12-31"))


@settings(max_examples=100, deadline=None)
@given(t=st.integers(1_500_000_000, 1_800_000_000))
def test_clock_writes_zone_aware_utc(t):
    assert datetime.fromisoformat(CLOCK.iso(t)) == datetime.fromtimestamp(t, tz=UTC)


def test_conversations_open_at_night_in_the_openers_zone():
    clock = Clock(("2021-01-01", "2021-12-31"))
    rnd = random.Random(4).random
    hours = [((clock.open(rnd, 1) + 3600) % 86_400) // 3600 for _ in range(2000)]
    night = sum(h >= 19 or h < 3 for h in hours)
    assert night / len(hours) > 0.8
