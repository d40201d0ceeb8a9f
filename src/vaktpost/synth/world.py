"""The world: actors in pools (customers, hunters, performers, facilitators, travellers,
groomers, minors, benign users) on two platforms, and who may talk to whom.

Actors are numbered; everything about an actor (id, name, home, language) is derived from
its number and the seed, so the world costs a few bytes per actor and memory stays flat
however many messages are generated. Ids are scrambled so that neither an id nor its order
betrays an actor's kind.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import orjson

from vaktpost.errors import UserError

ID_MODULUS = 99_999_989  # a prime: (n * multiplier + salt) mod it is a bijection on n


def read_data(name: str) -> dict:
    return orjson.loads(resources.files("vaktpost.synth").joinpath("data", name).read_bytes())


def load_scenarios() -> dict[str, dict]:
    return read_data("scenarios.json")


def _mix(seed: int, n: int) -> int:
    """splitmix64: a stateless hash so an actor's traits need no stored random state."""
    z = (seed * 0x9E3779B97F4A7C15 + n * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) & (2**64 - 1)
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
    return z ^ (z >> 31)


def _cumulative(weights: dict[str, float]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    keys = tuple(weights)
    total = sum(weights.values())
    acc, cum = 0.0, []
    for k in keys:
        acc += weights[k] / total
        cum.append(acc)
    cum[-1] = 1.0
    return keys, tuple(cum)


def weighted_picker(weights: dict[str, float]) -> Callable[[float], str]:
    keys, cum = _cumulative(weights)

    def pick(u: float) -> str:
        for k, c in zip(keys, cum):
            if u < c:
                return k
        return keys[-1]

    return pick


@dataclass(slots=True)
class Pool:
    name: str
    start: int
    size: int
    kind: str
    role: str
    platform: str
    prefix: str


class Targets:
    """A union of pools (or one half of a pool) seen as one numbered list of counterparts."""

    def __init__(self, parts: list[tuple[int, int]]):
        self.parts = parts
        self.size = sum(n for _, n in parts)

    def actor(self, k: int) -> int:
        for start, n in self.parts:
            if k < n:
                return start + k
            k -= n
        raise IndexError(k)


def _coprime_stride(n: int) -> int:
    s = max(1, int(n * 0.6180339887)) | 1
    while math.gcd(s, n) != 1:
        s += 2
    return s


class World:
    def __init__(self, seed: int, pool_sizes: dict[str, int]):
        data = read_data("world.json")
        self.seed = seed
        self.homes = data["homes"]
        self.home_names = tuple(self.homes)
        self.cross_border = data["cross_border_languages"]
        self.name_parts = tuple(data["name_parts"])
        self.conversation_types = data["conversation_types"]
        self.pools: dict[str, Pool] = {}
        start = 0
        for name, cfg in data["pools"].items():
            size = int(pool_sizes.get(name, 0))
            self.pools[name] = Pool(name, start, size, cfg["kind"], cfg["role"], cfg["platform"],
                                    cfg["prefix"])
            start += size
        self.total = start
        if self.total >= ID_MODULUS:
            raise UserError("world too large", "--messages")
        self._pool_of = array("B")
        self.home = array("B")
        pool_cfg = data["pools"]
        for p_index, (name, pool) in enumerate(self.pools.items()):
            keys, cum = _cumulative(pool_cfg[name]["homes"])
            for i in range(pool.start, pool.start + pool.size):
                u = (_mix(seed, i) & 0xFFFFFFFF) / 2**32
                h = next((k for k, c in zip(keys, cum) if u < c), keys[-1])
                self.home.append(self.home_names.index(h))
                self._pool_of.append(p_index)
        self._pool_list = tuple(self.pools.values())
        self._id_mult = 1 + _mix(seed, -1) % (ID_MODULUS - 2)
        self._id_salt = _mix(seed, -2) % ID_MODULUS
        self.fixed_names: dict[int, str] = {}

    def pool_of(self, actor: int) -> Pool:
        return self._pool_list[self._pool_of[actor]]

    def actor_id(self, actor: int) -> str:
        pool = self.pool_of(actor)
        return f"{pool.prefix}-{(actor * self._id_mult + self._id_salt) % ID_MODULUS:08d}"

    def actor_name(self, actor: int) -> str:
        if actor in self.fixed_names:
            return self.fixed_names[actor]
        h = _mix(self.seed, actor + 7_777_777)
        parts = self.name_parts
        n = len(parts)
        return f"{parts[h % n]}{parts[(h >> 8) % n]}{(h >> 16) % 100}"

    def home_of(self, actor: int) -> str:
        return self.home_names[self.home[actor]]

    def country(self, actor: int) -> str:
        return self.homes[self.home_of(actor)]["country"]

    def utc_offset(self, actor: int) -> int:
        return self.homes[self.home_of(actor)]["utc_offset"]

    def language_weights(self, actor: int, other: int) -> dict[str, float]:
        """Which languages this actor writes to that one: home tongue at home, else English
        (Filipino speakers code-switch into Taglish with foreigners)."""
        mine, theirs = self.home_of(actor), self.home_of(other)
        same_country = self.homes[mine]["country"] == self.homes[theirs]["country"]
        if same_country:
            return self.homes[mine]["languages"]
        return self.cross_border.get(mine, {"en": 1.0})

    def targets(self, conv_type: str, half_key: str = "target_half") -> Targets:
        spec = self.conversation_types[conv_type]
        parts = []
        for name in spec["target"]:
            pool = self.pools[name]
            parts.append(_half(pool, spec.get(half_key)))
        return Targets(parts)

    def initiators(self, conv_type: str) -> tuple[int, int]:
        spec = self.conversation_types[conv_type]
        return _half(self.pools[spec["initiator"]], spec.get("initiator_half"))


def _half(pool: Pool, half: int | None) -> tuple[int, int]:
    if half is None:
        return (pool.start, pool.size)
    first = pool.size // 2
    return (pool.start, first) if half == 0 else (pool.start + first, pool.size - first)


class PairPicker:
    """Chooses (initiator, counterpart) so that no pair of actors ever meets twice.

    Each initiator walks its own permutation of the counterparts (offset + k·stride mod n,
    stride coprime to n), so distinct conversations are distinct counterparts and a funnel
    can be summed per conversation without remembering pairs. Busy initiators are chosen more
    often (a skewed draw), as on real platforms.
    """

    def __init__(self, world: World, conv_type: str, skew: float = 2.0):
        self.world = world
        self.init_start, self.init_size = world.initiators(conv_type)
        self.targets = world.targets(conv_type)
        if self.init_size <= 0 or self.targets.size <= 0:
            raise UserError(f"conversation type {conv_type} has no actors", "scenario")
        self.used = array("I", bytes(4 * self.init_size))
        self.stride = _coprime_stride(self.targets.size)
        self.skew = skew

    def pick(self, rnd: Callable[[], float]) -> tuple[int, int] | None:
        n, t = self.init_size, self.targets.size
        first = int(n * rnd() ** self.skew)
        for k in range(n):
            i = (first + k) % n
            used = self.used[i]
            if used < t:
                self.used[i] = used + 1
                actor = self.init_start + i
                off = _mix(self.world.seed, actor) % t
                return actor, self.targets.actor((off + used * self.stride) % t)
        return None
