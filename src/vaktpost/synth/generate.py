"""The generator loop: pick a conversation, script its moves, phrase and perturb each message,
stamp it, write chat and truth lines side by side, and add the conversation to the funnels.

Deterministic for a seed: one `random.Random(seed)` drives every choice in a fixed order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from vaktpost.errors import UserError
from vaktpost.synth.clock import Clock
from vaktpost.synth.dialogue import SCRIPTS
from vaktpost.synth.funnel import FunnelBook
from vaktpost.synth.perturb import Perturber
from vaktpost.synth.templates import TemplateBank
from vaktpost.synth.world import PairPicker, World, _coprime_stride, _mix, load_scenarios, weighted_picker
from vaktpost.synth.writer import ChatSink, JsonlSink

GENERATOR_VERSION = "1.0"


@dataclass
class GeneratorOptions:
    out: Path
    scenario: str = "mixed"
    messages: int | None = None
    seed: int = 0
    split: str = "all"
    fmt: str = "jsonl"
    perturb: float = 1.0
    batch: int = 20_000
    progress: Callable[[int], None] | None = field(default=None, repr=False)


def _pool_sizes(sc: dict, messages: int, scale: float) -> dict[str, int]:
    if "actors" in sc:
        return {k: max(v, round(v * scale)) if k != "case_hunter" else v
                for k, v in sc["actors"].items()}
    per = sc["actors_per_10k_messages"]
    cap = sc["max_actors_per_pool"]
    return {k: min(cap, max(sc["min_actors"][k], round(v * messages / 10_000)))
            for k, v in per.items()}


class _CaseHunterPlan:
    """The case-2021 buyer: exactly `contacts` conversations, `asked` of them with a request,
    each asked performer a facilitator with probability `confirm_rate`."""

    def __init__(self, world: World, cfg: dict, rng: random.Random):
        pool = world.pools["case_hunter"]
        self.actor = pool.start
        world.fixed_names[self.actor] = cfg["name"]
        self.contacts = int(cfg["contacts"])
        self.asked = set(rng.sample(range(self.contacts), int(cfg["asked"])))
        self.rate = float(cfg["confirm_rate"])
        self.k = 0
        self.cursors = {}
        for name in ("performer", "performer_facilitator"):
            p = world.pools[name]
            self.cursors[name] = [p.start, p.size, _mix(world.seed, 31 + p.start) % max(p.size, 1),
                                  _coprime_stride(max(p.size, 1)), 0]

    def _take(self, name: str) -> int:
        c = self.cursors[name]
        start, size, off, stride, used = c
        if used >= size:
            raise UserError(f"case-2021 needs more actors in pool {name}", "scenario")
        c[4] = used + 1
        return start + (off + used * stride) % size

    def next(self, rnd: Callable[[], float]) -> tuple[int, int, bool, bool]:
        asks = self.k in self.asked
        self.k += 1
        confirms = asks and rnd() < self.rate
        target = self._take("performer_facilitator" if confirms else "performer")
        return self.actor, target, asks, confirms


def _schedule(counts: dict[str, int], rnd: Callable[[], float]) -> Iterator[str]:
    """Every conversation type exactly `counts` times, interleaved at random."""
    left = dict(counts)
    total = sum(left.values())
    while total:
        u = int(rnd() * total)
        for name, n in left.items():
            if u < n:
                left[name] = n - 1
                total -= 1
                yield name
                break
            u -= n


def generate(opts: GeneratorOptions) -> dict[str, Any]:
    """Write a world to `opts.out`; returns what `world.json` holds."""
    scenarios = load_scenarios()
    if opts.scenario not in scenarios:
        raise UserError(f"unknown scenario {opts.scenario!r}; known: {', '.join(scenarios)}",
                        "--scenario")
    sc = scenarios[opts.scenario]
    if opts.messages is not None and opts.messages < 1:
        raise UserError("must be at least 1", "--messages")
    exact = bool(sc.get("exact_messages"))
    target = opts.messages or sc["messages"]
    scale = target / sc["messages"]

    rng = random.Random(opts.seed)
    rnd = rng.random
    world = World(opts.seed, _pool_sizes(sc, target, scale))
    bank = TemplateBank(opts.split)
    moves = bank.moves
    move_labels = {m: list(v.labels) for m, v in moves.items()}
    move_hn = {m: v.hard_negative for m, v in moves.items()}
    perturber = Perturber(opts.perturb)
    perturb = perturber.apply if perturber.active else None
    clock = Clock(tuple(sc["window"]))
    behaviour = sc.get("behaviour", {})
    ask_rate = float(behaviour.get("hunter_ask_rate", 0.7))
    funnels = FunnelBook(world.total)

    types = [t for t in world.conversation_types if t != "case_hunter"]
    pickers = {t: PairPicker(world, t) for t in types
               if world.pools[world.conversation_types[t]["initiator"]].size}
    case_plan = _CaseHunterPlan(world, sc["case_hunter"], rng) if "case_hunter" in sc else None

    if exact:
        mix = {t: w for t, w in sc["conversation_mix"].items() if t in pickers}
        pick_type = weighted_picker(mix)

        def conversation_types() -> Iterator[str]:
            while True:
                yield pick_type(rnd())
        type_iter = conversation_types()
    else:
        counts = {t: max(1, round(n * scale)) for t, n in sc["conversations"].items() if n}
        if case_plan:
            counts["case_hunter"] = case_plan.contacts
        type_iter = _schedule(counts, rnd)

    out = Path(opts.out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    chats = ChatSink(out, opts.fmt)
    truth = JsonlSink(out / "truth" / "messages.jsonl")
    lang_pickers: dict[tuple[int, int], Callable[[float], str]] = {}

    stats: dict[str, dict[str, int]] = {k: {} for k in
                                        ("labels", "languages", "splits", "hard_negatives",
                                         "conversation_types")}
    n_msg = 0
    n_conv = 0
    skipped: dict[str, int] = {}
    chat_rows: list[dict] = []
    truth_rows: list[dict] = []
    batch = opts.batch
    iso = clock.iso
    next_t = clock.next

    try:
        for conv_type in type_iter:
            if exact and n_msg >= target:
                break
            kwargs: dict[str, Any] = {}
            if conv_type == "case_hunter":
                a, b, asks, confirms = case_plan.next(rnd)
                kwargs = {"asks": asks, "confirms": confirms}
            else:
                pair = pickers[conv_type].pick(rnd)
                if pair is None:
                    skipped[conv_type] = skipped.get(conv_type, 0) + 1
                    if exact and len(skipped) == len(pickers):
                        raise UserError("the world ran out of new pairs of actors", "--messages")
                    continue
                a, b = pair
                if conv_type == "hunter":
                    confirms = world.pool_of(b).kind == "facilitator"
                    kwargs = {"asks": rnd() < ask_rate, "confirms": confirms}
                elif conv_type == "offer":
                    kwargs = {"accepts": world.pool_of(b).kind == "traveller"}
            steps = SCRIPTS[conv_type](rnd, **kwargs)
            if exact and n_msg + len(steps) > target:
                steps = steps[: target - n_msg]
            n_conv += 1
            ct = stats["conversation_types"]
            ct[conv_type] = ct.get(conv_type, 0) + 1

            platform = world.pool_of(a).platform
            conv_id = f"c-{n_conv:08d}"
            people = []
            for me, other in ((a, b), (b, a)):
                key = (world.home[me], world.home[other])
                lp = lang_pickers.get(key)
                if lp is None:
                    lp = lang_pickers[key] = weighted_picker(world.language_weights(me, other))
                pool = world.pool_of(me)
                opool = world.pool_of(other)
                people.append((
                    {"id": world.actor_id(me), "name": world.actor_name(me), "role": pool.role},
                    [{"id": world.actor_id(other), "role": opool.role}],
                    world.country(me),
                    lp(rnd()),
                ))
            t = clock.open(rnd, world.utc_offset(a))
            last_speaker = -1
            spoken: list[tuple[int, tuple[str, ...]]] = []
            for speaker, move, hn_override in steps:
                sender, recipients, country, lang = people[speaker]
                choices = bank.choices(lang, move)
                fill, family, split, used_lang = choices[int(rnd() * len(choices))]
                text = fill(rnd)
                if perturb is not None:
                    text = perturb(text, used_lang, rnd)
                if last_speaker >= 0:
                    t = next_t(t, rnd, speaker == last_speaker)
                last_speaker = speaker
                n_msg += 1
                mid = f"m-{n_msg:010d}"
                labels = move_labels[move]
                hn = hn_override or move_hn[move]
                chat_rows.append({
                    "platform": platform, "conversation_id": conv_id, "message_id": mid,
                    "sent_at": iso(t), "sender": sender, "recipients": recipients,
                    "text": text, "country": country,
                })
                truth_rows.append({
                    "platform": platform, "message_id": mid, "conversation_id": conv_id,
                    "labels": labels, "language": used_lang, "family": family, "split": split,
                    "hard_negative": hn,
                })
                spoken.append((speaker, labels))
            funnels.add_conversation((a, b), spoken)
            if len(chat_rows) >= batch:
                _flush(chats, truth, chat_rows, truth_rows, stats)
                chat_rows, truth_rows = [], []
                if opts.progress:
                    opts.progress(n_msg)
        _flush(chats, truth, chat_rows, truth_rows, stats)
    finally:
        chats.close()
        truth.close()

    actors = _write_actors(out / "truth" / "actors.jsonl", world, funnels)
    summary = {
        "scenario": opts.scenario,
        "seed": opts.seed,
        "split": opts.split,
        "format": opts.fmt,
        "perturb": opts.perturb,
        "generator_version": GENERATOR_VERSION,
        "window": sc["window"],
        "chats": chats.path.name,
        "counts": {
            "messages": n_msg,
            "conversations": n_conv,
            "actors": actors,
            **stats,
        },
        "language_mix": {k: round(v / max(n_msg, 1), 4)
                         for k, v in sorted(stats["languages"].items())},
        "skipped_conversations": skipped,
    }
    (out / "world.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    return summary


def _flush(chats: ChatSink, truth: JsonlSink, chat_rows: list, truth_rows: list,
           stats: dict[str, dict[str, int]]) -> None:
    chats.write(chat_rows)
    truth.write(truth_rows)
    labels, langs, splits, hns = (stats["labels"], stats["languages"], stats["splits"],
                                  stats["hard_negatives"])
    for r in truth_rows:
        for lab in r["labels"] or ("NONE",):
            labels[lab] = labels.get(lab, 0) + 1
        lang = r["language"]
        langs[lang] = langs.get(lang, 0) + 1
        sp = r["split"]
        splits[sp] = splits.get(sp, 0) + 1
        hn = r["hard_negative"]
        if hn:
            hns[hn] = hns.get(hn, 0) + 1


def _write_actors(path: Path, world: World, funnels: FunnelBook) -> dict[str, int]:
    """One line per actor that sent a message; returns counts by kind."""
    by_kind: dict[str, int] = {}
    sink = JsonlSink(path)
    rows = []
    try:
        for actor in range(world.total):
            if not funnels.sent[actor]:
                continue
            pool = world.pool_of(actor)
            f = funnels.funnel(actor)
            rows.append({
                "platform": pool.platform, "actor_id": world.actor_id(actor), "role": pool.role,
                "kind": pool.kind, "asked_minor": f["asked_minor"] > 0,
                "offered_minor": funnels.offered[actor] > 0, "funnel": f,
            })
            by_kind[pool.kind] = by_kind.get(pool.kind, 0) + 1
            if len(rows) >= 10_000:
                sink.write(rows)
                rows = []
        sink.write(rows)
    finally:
        sink.close()
    return dict(sorted(by_kind.items()))
