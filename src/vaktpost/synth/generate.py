"""The generator loop: pick a conversation, script its moves, phrase and perturb each message,
stamp it, write chat and truth lines side by side, and add the conversation to the funnels.

Deterministic for a seed: one `random.Random(seed)` drives every choice in a fixed order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from vaktpost.errors import UserError
from vaktpost.synth.clock import DAY, Clock
from vaktpost.synth.dialogue import SCRIPTS
from vaktpost.synth.funnel import FunnelBook
from vaktpost.synth.perturb import Perturber
from vaktpost.synth.templates import LANGUAGES, TemplateBank, load_fresh_templates
from vaktpost.synth.world import (
    PairPicker,
    World,
    _coprime_stride,
    _mix,
    load_scenarios,
    weighted_picker,
)
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
    perturb_rates: dict[str, float] | None = None
    templates: Path | None = None  # a folder of fresh families; needs split "fresh"
    batch: int = 5_000
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
    fresh = load_fresh_templates(opts.templates) if opts.templates is not None else None
    if opts.split == "fresh" and fresh is None:
        raise UserError("needs --templates DIR (the fresh families)", "--split")
    bank = TemplateBank(opts.split, fresh)
    moves = bank.moves
    move_labels = {m: list(v.labels) for m, v in moves.items()}
    move_hn = {m: v.hard_negative for m, v in moves.items()}
    perturber = Perturber(opts.perturb, rates=opts.perturb_rates)
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
    dumps = orjson.dumps
    as_rows = opts.fmt == "parquet"

    # Every phrasing the bank can pick gets a number; its truth-line ending (labels, language,
    # family, split, hard negative) is serialised once, and counting numbers gives every
    # statistic for world.json.
    table, metas = _phrasing_table(bank)
    tails_plain = [dumps(_truth_tail(m, None, move_labels, move_hn)).decode()[1:] for m in metas]
    tails_ac = [dumps(_truth_tail(m, "adult_commerce", move_labels, move_hn)).decode()[1:]
                for m in metas]
    counts_plain = [0] * len(metas)
    counts_ac = [0] * len(metas)
    ct: dict[str, int] = {}
    n_msg = 0
    n_conv = 0
    skipped: dict[str, int] = {}
    chat_lines: list = []
    truth_lines: list[str] = []
    batch = opts.batch
    day_prefix: dict[int, str] = {}
    tod = clock.tod
    log = math.log
    utc = UTC

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
            ct[conv_type] = ct.get(conv_type, 0) + 1

            platform = world.pool_of(a).platform
            conv_id = f"c-{n_conv:08d}"
            head = f'{{"platform":"{platform}","conversation_id":"{conv_id}","message_id":"'
            people = []
            for me, other in ((a, b), (b, a)):
                key = (world.home[me], world.home[other])
                lp = lang_pickers.get(key)
                if lp is None:
                    lp = lang_pickers[key] = weighted_picker(world.language_weights(me, other))
                sender = {"id": world.actor_id(me), "name": world.actor_name(me),
                          "role": world.pool_of(me).role}
                recipients = [{"id": world.actor_id(other), "role": world.pool_of(other).role}]
                country = world.country(me)
                middle = ('","sender":' + dumps(sender).decode() + ',"recipients":'
                          + dumps(recipients).decode() + f',"country":"{country}","text":')
                people.append((middle, table[lp(rnd())], sender, recipients, country))
            t = clock.open(rnd, world.utc_offset(a))
            last_speaker = -1
            for speaker, move, hn_override in steps:
                middle, phrasings, sender, recipients, country = people[speaker]
                choices, n_choices = phrasings[move]
                fill, used_lang, k = choices[int(rnd() * n_choices)]
                text = fill(rnd)
                if perturb is not None:
                    text = perturb(text, used_lang, rnd)
                # Reply delays (see Clock.next, inlined here for speed).
                if last_speaker >= 0:
                    if speaker == last_speaker:
                        t += 2 + int(rnd() * 25)
                    else:
                        u = rnd()
                        if u < 0.04:
                            t += DAY * (1 + int(rnd() * 3)) + int((rnd() - 0.5) * 7200)
                        else:
                            t += 5 + int(-log(1.0 - u) * 55)
                last_speaker = speaker
                n_msg += 1
                mid = f"m-{n_msg:010d}"
                day, sec = divmod(t, DAY)
                prefix = day_prefix.get(day)
                if prefix is None:
                    prefix = day_prefix[day] = datetime.fromtimestamp(
                        day * DAY, tz=utc).strftime("%Y-%m-%dT")
                sent_at = prefix + tod[sec]
                if hn_override is None:
                    tail = tails_plain[k]
                    counts_plain[k] += 1
                else:
                    tail = tails_ac[k]
                    counts_ac[k] += 1
                if as_rows:
                    chat_lines.append({
                        "platform": platform, "conversation_id": conv_id, "message_id": mid,
                        "sent_at": sent_at, "sender": sender, "recipients": recipients,
                        "text": text, "country": country})
                elif '"' in text or "\\" in text:
                    chat_lines.append(f'{head}{mid}","sent_at":"{sent_at}{middle}'
                                      f'{dumps(text).decode()}}}')
                else:
                    # Templates hold no control characters; only quotes and backslashes
                    # need escaping, so most texts are written as they are.
                    chat_lines.append(f'{head}{mid}","sent_at":"{sent_at}{middle}"{text}"}}')
                truth_lines.append(f'{{"platform":"{platform}","message_id":"{mid}",'
                                   f'"conversation_id":"{conv_id}",{tail}')
            funnels.add_conversation((a, b), [(sp, move_labels[mv]) for sp, mv, _ in steps])
            if len(truth_lines) >= batch:
                chats.write(chat_lines)
                truth.write_lines(truth_lines)
                chat_lines, truth_lines = [], []
                if opts.progress:
                    opts.progress(n_msg)
        chats.write(chat_lines)
        truth.write_lines(truth_lines)
    finally:
        chats.close()
        truth.close()

    stats = _tally(metas, counts_plain, counts_ac, move_labels, move_hn)
    stats["conversation_types"] = ct
    actors = _write_actors(out / "truth" / "actors.jsonl", world, funnels)
    summary = {
        "scenario": opts.scenario,
        "seed": opts.seed,
        "split": opts.split,
        "templates": str(opts.templates) if opts.templates is not None else None,
        "format": opts.fmt,
        "perturb": opts.perturb,
        "perturb_rates": perturber.rates,
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


def _phrasing_table(bank: TemplateBank) -> tuple[dict, list[tuple]]:
    """language -> move -> ((fill, language used, number), ...), count; and each number's
    (family, move, split, language)."""
    metas: list[tuple] = []
    table: dict[str, dict[str, tuple]] = {}
    for lang in LANGUAGES:
        table[lang] = {}
        for move in bank.moves:
            entries = []
            for fill, family, split, used_lang in bank.choices(lang, move):
                entries.append((fill, used_lang, len(metas)))
                metas.append((family, move, split, used_lang))
            table[lang][move] = (tuple(entries), len(entries))
    return table, metas


def _truth_tail(meta: tuple, hn_override: str | None, move_labels: dict, move_hn: dict) -> dict:
    family, move, split, lang = meta
    return {"labels": move_labels[move], "language": lang, "family": family, "split": split,
            "hard_negative": hn_override or move_hn[move]}


def _tally(metas: list[tuple], counts_plain: list[int], counts_ac: list[int],
           move_labels: dict, move_hn: dict) -> dict:
    stats: dict[str, dict[str, int]] = {"labels": {}, "languages": {}, "splits": {},
                                        "hard_negatives": {}}
    for meta, n_plain, n_ac in zip(metas, counts_plain, counts_ac):
        for hn_override, n in ((None, n_plain), ("adult_commerce", n_ac)):
            if not n:
                continue
            tail = _truth_tail(meta, hn_override, move_labels, move_hn)
            for lab in tail["labels"] or ("NONE",):
                stats["labels"][lab] = stats["labels"].get(lab, 0) + n
            for key, value in (("languages", tail["language"]), ("splits", tail["split"]),
                               ("hard_negatives", tail["hard_negative"])):
                if value:
                    stats[key][value] = stats[key].get(value, 0) + n
    return {k: dict(sorted(v.items())) for k, v in stats.items()}


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
