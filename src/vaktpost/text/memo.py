"""Per-message work before the dialogue, done once per distinct text and remembered.

Everything the text stage does before the dialogue rules — normalising, the Hyperscan scan,
the age parser, the message rules and the learned stage — is a function of the text as
written and the sender's role alone. Chat repeats itself ("ok", "thanks po", the same price
line, greetings, a seller's pasted menu), so within a batch each distinct text is worked on
once, and across batches the results are remembered in a bounded table (`MAX_ENTRIES`;
when full, the older half is let go — emptying it all made a million generated messages
work out 39,000 texts twice). On 100,000 generated train messages 24,874 texts are distinct.

The facts handed out are shared between messages; the dialogue changes facts in place, so
the caller copies them first (`own_copy`). The table belongs to one state of the
configuration — the matcher, the learned model (or none) and the rule scores — and a new
one is started when any of them changes (tests switch the model off, for example).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from itertools import compress, islice, repeat
from operator import attrgetter, is_
from typing import NamedTuple

import numpy as np

from vaktpost.bulkwork import collector_paused
from vaktpost.model import Message, Participant, Role
from vaktpost.text.ages import find_ages, maybe_number
from vaktpost.text.labels import NOTHING, MessageFacts, label_message, rule_scores
from vaktpost.text.matcher import Hit, default_matcher
from vaktpost.text.normalise import normalise_batch, offset_map

_TEXT, _SENDER, _ROLE = attrgetter("text"), attrgetter("sender"), attrgetter("role")
MAX_ENTRIES = 400_000  # ~650 bytes each on generated chat: ~260 MB when full
MAX_OFFSETS = 50_000  # offset maps are a list per character: kept fewer
MAX_CHANGED = 100_000  # evidence of lines the dialogue changed: emptied when it reaches this


class _Memo:
    def __init__(self, owners: tuple) -> None:
        self.owners = owners  # the matcher and model the token names by id: kept alive, ids not reused
        self.texts: dict[str, tuple[str, list[Hit], bool]] = {}  # as written → (normalised, hits, worth labelling)
        self.facts: dict[tuple[str, Role], MessageFacts] = {}  # (as written, role) → facts before dialogue
        self.finding_parts: dict[tuple[str, Role], tuple] = {}  # (as written, role) → (signals, score) of those facts
        # (as written, the labels as the dialogue left them) → (signals, score): a line the
        # dialogue changed ("yes po" confirming) is changed the same way in many conversations
        self.changed_parts: dict[tuple[str, tuple], tuple] = {}
        # id(facts) → whether those (shared) facts open the dialogue, with the facts kept alive
        # in `opened` so no id is reused while it is here: spelling variants share one entry,
        # and an int key is looked up without comparing texts
        self.opens: dict[int, bool] = {}
        self.opened: list[MessageFacts] = []
        # the work after normalising, per normalised text: spelling variants share it (`_fill`)
        self.scanned: dict[str, tuple[list[Hit], bool]] = {}  # normalised → (hits, worth labelling)
        self.by_normalised: dict[tuple[str, Role], MessageFacts] = {}  # (normalised, role) → facts

    def is_shared(self, key: tuple[str, Role], f: MessageFacts) -> bool:
        """`f` is the remembered facts of `key` itself, not a copy the dialogue may have changed."""
        return self.facts.get(key) is f

    def full(self) -> bool:
        return len(self.texts) + len(self.facts) + len(self.finding_parts) > MAX_ENTRIES

    def let_go_older_half(self) -> None:
        """Forget the older half of the texts (in the order first seen) and the facts of
        those texts (facts need their text's entry). An entry is a function of its key
        alone, so what is forgotten is only worked out again."""
        texts = self.texts
        for k in list(islice(texts, len(texts) // 2)):
            del texts[k]
        self.facts = {k: v for k, v in self.facts.items() if k[0] in texts}
        self.finding_parts = {k: v for k, v in self.finding_parts.items() if k[0] in texts}
        self.changed_parts = {k: v for k, v in self.changed_parts.items() if k[0] in texts}
        self.opens, self.opened = {}, []  # worked out again when next met (one call each)
        self.scanned, self.by_normalised = {}, {}  # only shortcuts: emptied


_memos: dict[tuple, _Memo] = {}


def _memo(use_learned: bool, make_room: bool = True) -> _Memo:
    model = None
    if use_learned:
        from vaktpost.text import learned

        model = learned.installed_model()
    matcher = default_matcher()
    token = (id(matcher), use_learned, id(model), tuple(sorted(rule_scores().items())))
    memo = _memos.get(token)
    if memo is None:
        if len(_memos) >= 2:
            _memos.clear()
        memo = _memos[token] = _Memo((matcher, model))
    elif make_room and memo.full():
        memo.let_go_older_half()
    return memo


def clear() -> None:
    _memos.clear()
    _offsets.clear()
    from vaktpost.text import reply_model

    reply_model.clear()


def facts_before_dialogue(flat: Sequence[Message], use_learned: bool = True) -> tuple[list[MessageFacts], Sequence[str], _Memo]:
    """Shared facts (with the rules' and the learned stage's labels) and the normalised text
    of each message, and the table they came from. Messages with no hit and no number get
    `NOTHING`. The normalised texts are looked up only when asked for (evidence is built
    for few messages)."""
    memo = _memo(use_learned)
    known = memo.facts
    keys = [(m.text or "", m.sender.role) for m in flat]
    get = known.get
    facts = [get(k) for k in keys]
    if None in facts:
        missing: dict[tuple[str, Role], Message] = {}
        for k, m, f in zip(keys, flat, facts):
            if f is None and k not in missing:
                missing[k] = m  # one message per key: the learned stage reads its role
        _fill(memo, missing, use_learned)
        facts = [known[k] if f is None else f for k, f in zip(keys, facts)]
    return facts, _Normalised(memo.texts, keys), memo


def lookup(flat: Sequence[Message], opener, use_learned: bool = True):
    """`facts_before_dialogue`, plus the (text, role) key of each message and whether its
    facts open the dialogue (`opener(facts)`, remembered per shared facts object — `opener` is
    the same function on every call, text._opens_dialogue): one table look-up per message,
    and a conversation's test is a C-level `True in flags[i:j]`."""
    memo = _memo(use_learned)
    if len(memo.changed_parts) >= MAX_CHANGED:
        memo.changed_parts.clear()
    known, opens = memo.facts, memo.opens
    texts = list(map(_TEXT, flat))
    if None in texts:
        texts = [t or "" for t in texts]
    keys = list(zip(texts, map(_ROLE, map(_SENDER, flat))))  # (m.text or "", m.sender.role), at C level
    facts = list(map(known.get, keys))
    # the messages not yet known, picked out at C level (`None in facts` would call the
    # dataclass's __eq__ per item)
    unknown = list(compress(range(len(facts)), map(is_, facts, repeat(None))))
    if unknown:
        missing: dict[tuple[str, Role], Message] = {}
        for i in unknown:
            k = keys[i]
            if k not in missing:
                missing[k] = flat[i]
        _fill(memo, missing, use_learned)
        for i in unknown:
            facts[i] = known[keys[i]]
    flags = list(map(opens.get, map(id, facts)))
    if None in flags:  # only those messages visited (a batch's new facts are few)
        for i in list(compress(range(len(flags)), map(is_, flags, repeat(None)))):
            f = facts[i]
            flag = opens.get(id(f))
            if flag is None:
                flag = opens[id(f)] = f is not NOTHING and opener(f)
                memo.opened.append(f)
            flags[i] = flag
    return keys, facts, flags, _Normalised(memo.texts, keys), memo


class _Normalised(Sequence):
    """The normalised text of each message, looked up in the table on demand."""

    def __init__(self, texts: dict, keys: list[tuple[str, Role]]) -> None:
        self.texts, self.keys = texts, keys

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.texts[raw][0] for raw, _ in self.keys[i]]
        return self.texts[self.keys[i][0]][0]


def _fill(memo: _Memo, missing: dict[tuple[str, Role], Message], use_learned: bool) -> None:
    """Work out the facts of keys not yet in the table: each new text normalised once for
    the whole batch, each new *normalised* text scanned once, then labelled per role, then
    the learned stage on them all.

    Everything after normalising is a function of the normalised text (and the role), and
    spelling variants — case, leetspeak, homoglyphs, zero-width characters, repeated
    letters — normalise to one text (1M generated messages: 144,400 texts, 111,871
    normalised), so the scan, the rules and the model run once per normalised text and
    role, and the raw keys share those facts (the evidence is still per raw text)."""
    texts_known = memo.texts
    new_texts = list(dict.fromkeys(raw for raw, _ in missing if raw not in texts_known))
    if new_texts:
        normalised = normalise_batch(new_texts)
        scanned = memo.scanned
        to_scan = list(dict.fromkeys(t for t in normalised if t not in scanned))
        if to_scan:
            for t, h in zip(to_scan, default_matcher().scan_batch(to_scan)):
                scanned[t] = (h, bool(h) or maybe_number(t) is not None)
        for raw, t in zip(new_texts, normalised):
            h, worth = scanned[t]
            texts_known[raw] = (t, h, worth)
    by_normalised = memo.by_normalised
    todo: dict[tuple[str, Role], str] = {}  # (normalised, role) → a raw text of it
    new_keys = list(missing)
    normal_keys = []
    for key in new_keys:
        nk = (texts_known[key[0]][0], key[1])
        normal_keys.append(nk)
        if nk not in by_normalised and nk not in todo:
            todo[nk] = key[0]
    if todo:
        facts = []
        ages_of: dict[str, list] = {}  # the ages of a text are the same for every role: read once
        for (t, role), raw in todo.items():
            _, h, worth = texts_known[raw]
            if worth:
                ages = ages_of.get(t)
                if ages is None:
                    ages = ages_of[t] = find_ages(t)
                facts.append(label_message(t, h, role, ages))
            else:
                facts.append(NOTHING)
        if use_learned:
            from vaktpost.text.learned import apply_learned

            # one message per key: the learned stage reads its sender's role
            apply_learned([missing[(raw, role)] for (_, role), raw in todo.items()], [t for t, _ in todo], facts)
        by_normalised.update(zip(todo, facts))
    memo.facts.update(zip(new_keys, map(by_normalised.__getitem__, normal_keys)))


def fingerprint(use_learned: bool = True) -> str:
    """What the facts are a function of besides the text and the role — the matcher's
    patterns, the learned model (or none) and the rule scores — as a hash another process
    can compare with its own before its facts are taken (`adopt`)."""
    # the patterns as one string (the same hash as one update per pattern, ~15,000 calls fewer)
    h = hashlib.sha256("".join([f"{p.id}\x00{p.category}\x00{p.language}\x00{p.regex}\x00{p.rule}\x01" for p in default_matcher().patterns]).encode())
    model = None
    if use_learned:
        from vaktpost.text import learned

        model = learned.installed_model()
    if model is None:
        h.update(b"no model")
    else:
        for a in (model.coef, model.intercept, model.thresholds, model.modes):
            h.update(b"none" if a is None else np.ascontiguousarray(a).tobytes())
        h.update(",".join(label.value for label in model.labels).encode())
    h.update(json.dumps(sorted(rule_scores().items())).encode())
    return h.hexdigest()


def work_out(pairs: Iterable[tuple[str | None, Role]]) -> tuple[list, list] | None:
    """`prepare` these pairs and return what it added to the table — the texts' entries and
    the facts (`None` for `NOTHING`) — for `adopt` in another process; `None` when the table
    is full or nothing was new. Run by an import's reader process (ingest/parallel.py), so the
    text facts are worked out beside the database writes instead of before them."""
    memo = _memo(True, make_room=False)
    if memo.full():
        return None
    texts, facts = memo.texts, memo.facts
    new_keys = list(dict.fromkeys(k for k in ((t or "", r) for t, r in pairs) if k not in facts))
    if not new_keys:
        return None
    new_texts = list(dict.fromkeys(raw for raw, _ in new_keys if raw not in texts))
    prepare(new_keys)
    return [(raw, texts[raw]) for raw in new_texts], [(k, None if facts[k] is NOTHING else facts[k]) for k in new_keys]


def adopt(payload: tuple[list, list]) -> None:
    """Take facts `work_out` found in another process (whose `fingerprint` was checked to
    be this one's) into the table; entries already here are kept. Facts are a function of
    (text, role) under one configuration, so they are the ones this process would find."""
    memo = _memo(True, make_room=False)
    if memo.full():
        return
    new_texts, new_facts = payload
    texts, facts = memo.texts, memo.facts
    for raw, entry in new_texts:
        if raw not in texts:
            texts[raw] = entry
    for key, f in new_facts:
        if key not in facts and key[0] in texts:
            facts[key] = NOTHING if f is None else f


class _Sender(NamedTuple):
    sender: Participant  # all the learned stage reads of a message


def prepare(pairs: Iterable[tuple[str | None, Role]], use_learned: bool = True) -> None:
    """Work out, ahead of time, the facts of these (text, sender role) pairs — e.g. while an
    import waits for its reader process — so the analysis after it finds them ready. Does
    nothing once the table is full: making room would let go of the facts of the import's
    earlier batches, which the analysis after it needs first."""
    memo = _memo(use_learned, make_room=False)
    if memo.full():
        return
    known = memo.facts
    missing: dict[tuple[str, Role], _Sender] = {}
    for text, role in pairs:
        k = (text or "", role)
        if k not in known and k not in missing:
            missing[k] = _Sender(Participant("", role))
    if missing:
        with collector_paused():
            _fill(memo, missing, use_learned)


def own_copy(f: MessageFacts) -> MessageFacts:
    """A copy the dialogue may change: its own list of labels; hits and ages stay shared
    (nothing after the message rules changes them). `NOTHING` is never changed: kept."""
    return f if f is NOTHING else MessageFacts(f.hits, f.ages, list(f.proposed), f.age_question, f.not_an_ask, f.weak_ask, when=f.when, serves_children=f.serves_children)


_offsets: dict[str, tuple[str, range | list[int]]] = {}


def offsets(text: str) -> tuple[str, range | list[int]]:
    """`normalise_with_offsets(text)` (the map a `range` where nothing moved), remembered
    (it depends on nothing configurable)."""
    got = _offsets.get(text)
    if got is None:
        if len(_offsets) >= MAX_OFFSETS:
            _offsets.clear()
        got = _offsets[text] = offset_map(text)
    return got
