"""Conversation analysis: normalise, match, label, dialogue state, funnel.

`analyse_conversations` is the text stage of the scan core: a batch of conversations in,
findings out, no I/O. Every message is normalised and all messages of the batch are
scanned by one multi-pattern matcher; labels come from rules over the hits and the ages,
then the dialogue rules of each conversation, then the learned stage where it is installed.
Evidence offsets are mapped back to the text as written only for labelled messages.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from vaktpost.model import Finding, Label, Message, Role, Signal
from vaktpost.text.dialogue import Turn, apply_dialogue
from vaktpost.text.ages import maybe_number
from vaktpost.text.labels import NOTHING, MessageFacts, Proposed, label_message, rule_scores
from vaktpost.text.matcher import default_matcher
from vaktpost.text.normalise import normalise_batch, normalise_with_offsets, original_span

__all__ = ["analyse_conversation", "analyse_conversations", "analyse_messages"]

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


def _label_distinct(flat: Sequence[Message], use_learned: bool) -> tuple[list[MessageFacts], list[str]]:
    """Facts and normalised text per message, worked out once per distinct text of the batch.

    Everything before the dialogue rules is a function of the text and the sender's role
    alone, and chat repeats itself ("ok", "thanks", a price line, a greeting): normalising,
    scanning, labelling and the learned stage run on each distinct text (and each distinct
    (text, role)) once. The facts are shared until here; `_analyse` copies the ones the
    dialogue may change. Messages with no hit and no number share `NOTHING`.
    """
    index: dict[str, int] = {}
    text_of = [index.setdefault(m.text or "", len(index)) for m in flat]
    texts = normalise_batch(list(index))
    all_hits = default_matcher().scan_batch(texts)
    worth = [bool(h) or maybe_number(t) is not None for t, h in zip(texts, all_hits)]
    keys: dict[tuple[int, Role], int] = {}
    first: list[Message] = []  # one message per key: the learned stage reads its role
    key_of = []
    for m, u in zip(flat, text_of):
        k = keys.setdefault((u, m.sender.role), len(keys))
        if k == len(first):
            first.append(m)
        key_of.append(k)
    facts = [
        label_message(texts[u], all_hits[u], role) if worth[u] else NOTHING
        for (u, role) in keys
    ]
    if use_learned:
        from vaktpost.text.learned import apply_learned

        apply_learned(first, [texts[u] for u, _ in keys], facts)
    return [facts[k] for k in key_of], [texts[u] for u in text_of]


def _analyse(conversations, flat, use_learned: bool = True):
    shared, texts = _label_distinct(flat, use_learned)
    # The dialogue changes facts in place, so each message gets its own copy (the hits and
    # ages stay shared: nothing after labelling changes them); most chat lines hit nothing
    # and hold no number: they keep the one empty record, which no later stage changes.
    facts = [f if f is NOTHING else MessageFacts(f.hits, f.ages, list(f.proposed)) for f in shared]
    out, i = [], 0
    for conv in conversations:
        conv_facts = facts[i : i + len(conv)]
        turns = [
            Turn(m.sender.id, tuple(r.id for r in m.recipients), f)
            for m, f in zip(conv, conv_facts)
            if f is not NOTHING
        ]
        if turns:
            participants = {m.sender.id for m in conv}
            for m in conv:
                participants.update(r.id for r in m.recipients)
            apply_dialogue(turns, participants)
        out.append(conv_facts)
        i += len(conv)
    return out, texts


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
    # Normalising never lengthens an ASCII text (number words are longer than their
    # digits), so an ASCII text of unchanged length kept every offset: skip the map.
    if text.isascii() and len(normalised) == len(text):
        offsets = _Identity(len(text))
    else:
        normalised, offsets = normalise_with_offsets(text)
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
    conversations = [list(c) for c in conversations]
    if not conversations:
        return []
    flat = [m for conv in conversations for m in conv]
    facts_by_conv, texts = _analyse(conversations, flat)
    out: list[Finding] = []
    k = 0
    for conv, conv_facts in zip(conversations, facts_by_conv):
        for m, f in zip(conv, conv_facts):
            if f.proposed:
                out.append(_finding(m, f, texts[k]))
            k += 1
    return out
