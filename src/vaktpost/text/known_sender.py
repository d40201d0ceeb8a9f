"""Known senders: an analyst's "this seller already confirmed a child to another buyer —
re-examine their borderline confirmations", as a rule over the whole store.

The reply model (`reply_model.py`) labels a turn `MINOR_CONFIRMED` at its threshold. A turn it
scores a little lower — in [low, threshold), `low` chosen by `vaktpost train` out of author
(`reply_training.choose_low`) — is BORDERLINE: the text stage reports it beside the findings
(never as a label), the engine stores it (`store/known_sender_tables.py`), and
`promote_known_senders` (`store/known_sender.py`, run by `vaktpost scan` after all files and by
`vaktpost rescore`) adds `MINOR_CONFIRMED` to it when its sender has a `MINOR_CONFIRMED` in
ANOTHER conversation of the store. The decision (`promotions`) is here, pure.

Why over the store and not the batch: what the text stage sees of a sender's history depends on
how a scan was chunked (CHUNK, the reader's share, a stream's batches); findings must not. The
store pass sees the same store whatever the path, so its result is a function of the stored
findings and borderline rows alone. Its own additions never make a sender known (that would
make the result depend on the order of the pass), so running it twice changes nothing.

How the borderline marks cross the engines: the text stage, inside `reporting_borderline()`,
appends one marker `Finding` per borderline turn (a single signal with rule `BORDERLINE_RULE`)
after the real findings. Every path carries findings lists already (the reader process's
plain tuples, the held rows, Ray, a stream's stage); the store's two writers split the markers
off (`split_borderline`) into their own table. Outside `reporting_borderline()` (the public
`scan_conversations`, tests, eval) no marker is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from vaktpost.model import Finding, Label, Signal

BORDERLINE_RULE = "reply.borderline"  # marker rule: never stored as a signal
PROMOTED_RULE = "reply_model.known_sender"  # the rule of the MINOR_CONFIRMED the pass adds

_reporting: ContextVar[bool] = ContextVar("vaktpost_reporting_borderline", default=False)


@contextmanager
def reporting_borderline() -> Iterator[None]:
    """Within it, the text stage appends borderline markers to its findings (engines only)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def reporting() -> bool:
    return _reporting.get()


def marker(platform: str, message_id: str, conversation_id: str, actor_id: str, end: int, score: float) -> Finding:
    """A borderline turn as a marker Finding: evidence = the whole line, score = its reply score."""
    s = round(score, 4)
    return Finding(platform, message_id, conversation_id, actor_id, (Signal(Label.MINOR_CONFIRMED, 0, end, BORDERLINE_RULE, s),), s)


def is_borderline(f: Finding) -> bool:
    sig = f.signals
    return len(sig) == 1 and sig[0].rule == BORDERLINE_RULE


def split_borderline(found: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(real findings, borderline markers)."""
    real, marks = [], []
    for f in found:
        (marks if is_borderline(f) else real).append(f)
    return real, marks


@dataclass(frozen=True)
class Borderline:
    """A stored borderline turn: message and conversation keys, its sender's key, span end, score."""

    message: int
    conversation: int
    actor: int
    end: int
    score: float


def confirmed_elsewhere(convs, conversation) -> bool:
    """The rule itself: a sender who confirmed a child in `convs` is known for a turn in
    `conversation` when one of them is another conversation (used by the pass and by training)."""
    return bool(convs) and (len(convs) > 1 or conversation not in convs)


def promotions(borderline: Iterable[Borderline], confirmed_in: Mapping[int, set[int]]) -> list[Borderline]:
    """The borderline turns to label `MINOR_CONFIRMED`: those whose sender (`actor`) has a
    `MINOR_CONFIRMED` — not one this pass added — in a conversation other than the turn's.
    `confirmed_in`: actor key -> conversation keys where it has one. Sorted by message key."""
    out = [b for b in borderline if confirmed_elsewhere(confirmed_in.get(b.actor), b.conversation)]
    return sorted(out, key=lambda b: b.message)


def promoted_signal(end: int, score: float) -> Signal:
    """The promotion's signal: the whole line as evidence, the reply score as its score."""
    return Signal(Label.MINOR_CONFIRMED, 0, end, PROMOTED_RULE, score)


def finding_parts(signals: Iterable[tuple[str, float]]) -> tuple[list[str], float]:
    """A finding's labels and score from its (label value, score) signals in order: each label
    once, by its first signal (as `Finding.labels`), and the highest score."""
    pairs = list(signals)
    return list(dict.fromkeys(label for label, _ in pairs)), max(score for _, score in pairs)
