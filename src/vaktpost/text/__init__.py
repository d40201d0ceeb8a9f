"""Conversation analysis: normalise, match, label, dialogue state, funnel.

`analyse_conversations` is the text stage of the scan core: a batch of conversations in,
findings out, no I/O. Every message is normalised and all messages of the batch are
scanned by one multi-pattern matcher; labels come from rules over the hits and the ages and
from the learned stage where it is installed (both per distinct text, in `memo`), then the
dialogue rules of each conversation, then the reply model on the turns the dialogue left open.
Evidence offsets are mapped back to the text as written only for labelled messages.
"""

from __future__ import annotations

from itertools import chain, compress
from operator import attrgetter, is_
from typing import Iterable, Sequence

from vaktpost.bulkwork import collector_paused
from vaktpost.model import Finding, Label, Message, Signal
from vaktpost.text.dialogue import MINOR as DIALOGUE_MINOR, apply_dialogue, turns_of
from vaktpost.text import known_sender, memo, reply_model
from vaktpost.text.labels import NOTHING, MessageFacts, Proposed, rule_scores
from vaktpost.text.memo import own_copy
from vaktpost.text.normalise import folds_in_place, original_span

__all__ = ["analyse_conversation", "analyse_conversations", "analyse_messages", "needs_dialogue"]

_OBFUSCATION_CATEGORIES = ("child", "young_ref", "relative", "codeword")


def analyse_conversation(messages: Sequence[Message]) -> list[Finding]:
    return analyse_conversations([messages])


def analyse_messages(conversations: Sequence[Sequence[Message]], use_learned: bool = True) -> list[list[MessageFacts]]:
    """Facts with proposed labels for every message (normalised offsets), dialogue applied.

    The learned stage runs on single messages before the dialogue rules, so a request it
    finds opens the dialogue state like a rule's would.
    """
    flat = [m for conv in conversations for m in conv]
    return _analyse(conversations, flat, use_learned)[0]


# Labels that give a conversation dialogue state (a pending request, an age question, a
# conversation about a child, a self-disclosed minor). Until a turn carries one of them, or
# a line could state a child in answer to an ask (`needs_dialogue`), `apply_dialogue`
# changes nothing, so a conversation without either skips it (tests/text/test_speed_paths.py
# pins that on generated conversations).
DIALOGUE_OPENERS = frozenset(DIALOGUE_MINOR) | {Label.AGE_PROBE}
_CHILD_WORDS = ("child", "young_ref", "codeword", "relative")
_STATED_AGES = ("person", "third", "grade", "under")


def _opens_dialogue(f: MessageFacts) -> bool:
    """A minor label or an age probe, or what a confirmation needs: a child's age or a child
    named (the answer to an ask no rule recognised: "my niece, 11 y/o")."""
    for p in f.proposed:
        if p.label in DIALOGUE_OPENERS:
            return True
    hits = f.hits
    for c in _CHILD_WORDS:
        if c in hits:
            return True
    for a in f.ages:
        if a.kind in _STATED_AGES and a.minor:
            return True
    return False


def needs_dialogue(conv_facts: Sequence[MessageFacts]) -> bool:
    """Whether the dialogue rules could change anything in a conversation with these facts."""
    return any(f is not NOTHING and _opens_dialogue(f) for f in conv_facts)


def _analyse(conversations, flat, use_learned: bool = True, copy_all: bool = True, borderline: list | None = None):
    """Facts per conversation (dialogue applied), the normalised text per message, the
    table the facts came from and each message's (text, role) key.

    Before the dialogue, facts depend on the text and the role alone: they are worked out
    once per distinct text (memo.py) and shared. The dialogue changes its own copies; with
    `copy_all` every message gets its own (the caller may change them), otherwise only the
    messages of conversations the dialogue runs on. Most chat lines hit nothing and hold no
    number: they share `NOTHING`, which nothing changes.
    """
    keys, shared, flags, texts, table = memo.lookup(flat, _opens_dialogue, use_learned)
    replies = reply_model.pending() if use_learned else None  # the reply model, where one is installed
    out, i = [], 0
    for conv in conversations:
        j = i + len(conv)
        conv_facts = shared[i:j]
        if True in flags[i:j]:  # needs_dialogue(conv_facts), remembered per text and role
            before, conv_facts = conv_facts, [f if f is NOTHING else own_copy(f) for f in conv_facts]
            turns = turns_of(conv, conv_facts)
            participants: set[str] = set()
            # a message with no recipients: only then the dialogue reads `participants` —
            # everyone in the conversation, in the order met (the set's order is read)
            if not all(map(_RECIPIENTS, conv)):
                for m in conv:
                    rs = m.recipients
                    participants.add(m.sender.id)
                    participants.update((rs[0].id,) if len(rs) == 1 else tuple([r.id for r in rs]))
            apply_dialogue(turns, participants)
            if replies is not None:
                replies.collect(len(out), conv, turns, texts, i)
            if not copy_all:  # copies the dialogue left as they were: back to the shared facts
                # (the dialogue never changes a label in place: the same labels, one by one, are
                # the labels unchanged; a label dropped and an equal one added keeps the copy,
                # whose evidence is the same)
                conv_facts = [b if _same_labels(c.proposed, b.proposed) else c for b, c in zip(before, conv_facts)]
        elif copy_all:
            conv_facts = [own_copy(f) for f in conv_facts]
        out.append(conv_facts)
        i = j
    if replies is not None:
        replies.apply(out)
        if borderline is not None:  # (conversation, index, score) of turns in [low, threshold)
            borderline.extend(replies.borderline())
    return out, texts, table, keys


def _same_labels(a: list, b: list) -> bool:
    return len(a) == len(b) and all(map(is_, a, b))


def _evasion(f: MessageFacts, original: str, normalised: str, offsets: list[int]) -> Proposed | None:
    for category in _OBFUSCATION_CATEGORIES:
        h = f.hits.get(category)
        if h is None:
            continue
        s, e = original_span(offsets, h.start, h.end, original)
        as_written = original[s:e].lower()
        if "".join(as_written.split()) != "".join(normalised[h.start : h.end].split()):
            return Proposed(Label.EVASION_CODEWORD, h.start, h.end, f"evasion.obfuscated:{h.pattern.rule}", rule_scores()["evasion.obfuscated"])
    return None


class _Identity:
    """Offsets of a normalised text that kept every character where it was."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        return i


def _finding(m: Message, f: MessageFacts, normalised: str) -> Finding:
    text = m.text or ""
    # Normalising never lengthens a text (number words are longer than their digits), so a
    # text whose characters fold one to one (any ASCII text; one with emoji or accents) and
    # whose normalised form is as long kept every offset: skip the map (normalise.folds_in_place).
    if len(normalised) == len(text) and folds_in_place(text):
        offsets = _Identity(len(text))
    else:
        normalised, offsets = memo.offsets(text)
    proposed = list(f.proposed)
    if rule_scores()["evasion.obfuscated"] > 0 and any(
        p.label in (Label.MINOR_REQUEST, Label.MINOR_CONFIRMED, Label.CONTENT_REQUEST) for p in proposed
    ):
        ev = _evasion(f, text, normalised, offsets)
        if ev is not None and all(p.label != Label.EVASION_CODEWORD for p in proposed):
            proposed.append(ev)
    signals = []
    for p in proposed:
        s, e = original_span(offsets, p.start, p.end, text) if p.end > p.start else (0, 0)
        signals.append(Signal(p.label, s, e, p.rule, p.score))
    return Finding(m.platform, m.message_id, m.conversation_id, m.sender.id, tuple(signals), max(p.score for p in proposed))


def analyse_conversations(conversations: Iterable[Sequence[Message]]) -> list[Finding]:
    """Findings for a batch of conversations, each a list of messages in sending order."""
    # Facts, hits and findings are acyclic: reference counting frees them, and the cyclic
    # collector would only re-walk the heap (the remembered facts included) — it was a
    # third of the stage's time. It runs again after the batch.
    with collector_paused():
        return _findings([list(c) for c in conversations])


def _findings(conversations: list[list[Message]]) -> list[Finding]:
    if not conversations:
        return []
    flat = [m for conv in conversations for m in conv]
    marks: list | None = [] if known_sender.reporting() else None
    facts_by_conv, texts, table, keys = _analyse(conversations, flat, copy_all=False, borderline=marks)
    remembered = table.facts
    shared = table.finding_parts  # (text, role) → (signals, score) of facts the dialogue left shared
    changed = table.changed_parts  # (text, labels) → (signals, score) of facts the dialogue changed
    out: list[Finding] = []
    all_facts = list(chain.from_iterable(facts_by_conv))
    # the labelled messages, picked out at C level (most messages carry no label)
    for k in compress(range(len(all_facts)), map(_PROPOSED, all_facts)):
        f, m, key = all_facts[k], flat[k], keys[k]
        if remembered.get(key) is f:
            parts = shared.get(key)
            if parts is None:
                found = _finding(m, f, texts[k])
                parts = shared[key] = (found.signals, found.score)
        else:
            # the evidence is a function of the text (offsets, hits) and the labels
            ckey = (key[0], tuple([(p.label, p.start, p.end, p.rule, p.score) for p in f.proposed]))
            parts = changed.get(ckey)
            if parts is None:
                found = _finding(m, f, texts[k])
                parts = changed[ckey] = (found.signals, found.score)
        out.append(Finding(m.platform, m.message_id, m.conversation_id, m.sender.id, *parts))
    if marks:  # borderline markers after the findings (known_sender.py; engines only)
        starts = [0]
        for conv in conversations:
            starts.append(starts[-1] + len(conv))
        for ci, k, p in marks:
            m = flat[starts[ci] + k]
            out.append(known_sender.marker(m.platform, m.message_id, m.conversation_id, m.sender.id, len(m.text or ""), p))
    return out


_PROPOSED = attrgetter("proposed")
_RECIPIENTS = attrgetter("recipients")
