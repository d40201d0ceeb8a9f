"""Conversation scripts: which dialogue moves (taxonomy.md) each kind of conversation makes,
in what order, and who makes them.

A script returns steps `(speaker, move, hard_negative)`; speaker 0 opened the conversation.
Labels follow from the move, so a refusal carries no MINOR_CONFIRMED and an adult's price talk
carries PRICE_NEGOTIATION with the hard-negative tag `adult_commerce`. Phrasing is chosen
later, per language, by the template bank.
"""

from __future__ import annotations

from collections.abc import Callable

Rnd = Callable[[], float]
Step = tuple[int, str, str | None]
AC = "adult_commerce"


def _opening(rnd: Rnd, steps: list[Step]) -> None:
    steps.append((0, "greeting", None))
    if rnd() < 0.6:
        steps.append((1, "greeting", None))
    if rnd() < 0.3:
        steps.append((1, "availability", None))


def _age_check(rnd: Rnd, steps: list[Step], p: float) -> None:
    if rnd() < p:
        steps.append((0, "age_probe", None))
        steps.append((1, "adult_teen" if rnd() < 0.25 else "adult_age", None))


def _smalltalk(rnd: Rnd, steps: list[Step], pairs: int) -> None:
    for _ in range(pairs):
        steps.append((0, "smalltalk", None))
        steps.append((1, "smalltalk" if rnd() < 0.7 else "ack", None))


def _adult_commerce(rnd: Rnd, steps: list[Step]) -> None:
    """A show for an adult: price, payment, maybe another app; all hard negatives."""
    if rnd() < 0.08:
        steps.append((1, "own_children", None))
    if rnd() < 0.06:
        steps.append((1, "thing_age", None))
    if rnd() < 0.85:
        steps.append((0, "price_ask", AC))
        steps.append((1, "price_quote", AC))
        if rnd() < 0.3:
            steps.append((0, "price_counter", AC))
            steps.append((1, "ack", None))
    if rnd() < 0.55:
        steps.append((1, "payment_route", AC))
        if rnd() < 0.6:
            steps.append((0, "payment_sent", AC))
    if rnd() < 0.12:
        steps.append((int(rnd() * 2), "off_platform", AC))


def _closing(rnd: Rnd, steps: list[Step]) -> None:
    steps.append((0, "goodbye", None))
    if rnd() < 0.5:
        steps.append((1, "goodbye", None))


def adult_show(rnd: Rnd, **_: object) -> list[Step]:
    steps: list[Step] = []
    _opening(rnd, steps)
    _age_check(rnd, steps, 0.3)
    _smalltalk(rnd, steps, int(rnd() * 3))
    _adult_commerce(rnd, steps)
    _closing(rnd, steps)
    return steps


def _minor_deal(rnd: Rnd, steps: list[Step], buyer: int, seller: int) -> None:
    """After a confirmation: price, payment, other apps, secrecy, sometimes travel."""
    if rnd() < 0.4:
        steps.append((buyer, "content_request", None))
    steps.append((buyer, "price_ask", None))
    steps.append((seller, "price_quote", None))
    if rnd() < 0.4:
        steps.append((buyer, "price_counter", None))
        steps.append((seller, "ack", None))
    if rnd() < 0.85:
        steps.append((seller, "payment_route", None))
        if rnd() < 0.7:
            steps.append((buyer, "payment_sent", None))
    if rnd() < 0.35:
        steps.append((buyer if rnd() < 0.5 else seller, "off_platform", None))
    if rnd() < 0.35:
        steps.append((buyer if rnd() < 0.6 else seller, "secrecy", None))


def hunter(rnd: Rnd, asks: bool, confirms: bool, **_: object) -> list[Step]:
    """A buyer who asks performers for children; facilitators confirm, performers refuse."""
    steps: list[Step] = []
    _opening(rnd, steps)
    _age_check(rnd, steps, 0.5)
    _smalltalk(rnd, steps, int(rnd() * 2))
    if not asks:
        _adult_commerce(rnd, steps)
        _closing(rnd, steps)
        return steps
    u = rnd()
    ask = "minor_request" if u < 0.65 else "minor_request_coded" if u < 0.8 else "content_request"
    steps.append((0, ask, None))
    if confirms:
        steps.append((1, "minor_confirm", None))
        _minor_deal(rnd, steps, 0, 1)
        if rnd() < 0.08:
            steps.append((0, "travel_plan", None))
        _closing(rnd, steps)
    else:
        steps.append((1, "refusal", None))
        if rnd() < 0.25:
            steps.append((0, "minor_request", None))
            steps.append((1, "refusal", None))
        if rnd() < 0.4:
            steps.append((0, "goodbye", None))
    return steps


def offer(rnd: Rnd, accepts: bool, **_: object) -> list[Step]:
    """A facilitator offers a child unprompted; an ordinary user declines, a traveller bites."""
    steps: list[Step] = [(0, "greeting", None), (0, "minor_offer", None)]
    if not accepts:
        steps.append((1, "decline_offer", None))
        return steps
    if rnd() < 0.4:
        steps.append((1, "age_probe", None))
        steps.append((0, "minor_confirm", None))
    steps.append((1, "minor_request", None))
    steps.append((0, "minor_confirm", None))
    _minor_deal(rnd, steps, 1, 0)
    if rnd() < 0.6:
        steps.append((1, "travel_plan", None))
        steps.append((0, "ack", None))
    _closing(rnd, steps)
    return steps


def traveller(rnd: Rnd, **_: object) -> list[Step]:
    """A buyer who plans to travel and meet a facilitator's child in person."""
    steps: list[Step] = [(0, "greeting", None), (1, "greeting", None)]
    _smalltalk(rnd, steps, int(rnd() * 2))
    steps.append((0, "minor_request", None))
    steps.append((1, "minor_confirm", None))
    _minor_deal(rnd, steps, 0, 1)
    for _ in range(1 + int(rnd() * 2)):
        steps.append((0, "travel_plan", None))
        steps.append((1, "ack", None))
    _closing(rnd, steps)
    return steps


def groomer(rnd: Rnd, **_: object) -> list[Step]:
    """An adult who targets a self-declared minor: flattery, secrecy, other apps, requests."""
    steps: list[Step] = [(0, "greeting", None), (1, "greeting", None)]
    _smalltalk(rnd, steps, 1 + int(rnd() * 3))
    if rnd() < 0.3:
        steps.append((1, "self_minor", None))
    else:
        steps.append((0, "age_probe", None))
        steps.append((1, "self_minor", None))
    if rnd() < 0.7:
        steps.append((0, "trust_gifts", None))
        steps.append((1, "ack", None))
    if rnd() < 0.6:
        steps.append((0, "secrecy", None))
    if rnd() < 0.5:
        steps.append((0, "off_platform", None))
    if rnd() < 0.6:
        steps.append((0, "content_request_self", None))
        steps.append((1, "goodbye" if rnd() < 0.5 else "ack", None))
    if rnd() < 0.25:
        steps.append((0, "coercion", None))
    return steps


def minor_chat(rnd: Rnd, **_: object) -> list[Step]:
    """Two young users chatting: ages said in innocent context still count as disclosures."""
    steps: list[Step] = [(0, "greeting", None), (1, "greeting", None)]
    _smalltalk(rnd, steps, 1 + int(rnd() * 3))
    if rnd() < 0.3:
        steps.append((int(rnd() * 2), "self_minor", None))
    if rnd() < 0.1:
        steps.append((0, "thing_age", None))
    _closing(rnd, steps)
    return steps


def benign(rnd: Rnd, **_: object) -> list[Step]:
    """Ordinary adults: family, trips, old phones; hard negatives in fair numbers."""
    steps: list[Step] = [(0, "greeting", None), (1, "greeting", None)]
    _smalltalk(rnd, steps, 1 + int(rnd() * 3))
    if rnd() < 0.2:
        steps.append((int(rnd() * 2), "own_children", None))
    if rnd() < 0.2:
        steps.append((int(rnd() * 2), "travel_ordinary", None))
        steps.append((0, "ack", None))
    if rnd() < 0.12:
        steps.append((int(rnd() * 2), "thing_age", None))
    if rnd() < 0.05:
        steps.append((1, "adult_age", None))
    _closing(rnd, steps)
    return steps


SCRIPTS: dict[str, Callable[..., list[Step]]] = {
    "adult_show": adult_show, "hunter": hunter, "case_hunter": hunter, "offer": offer,
    "traveller": traveller, "groomer": groomer, "minor_chat": minor_chat, "benign": benign,
}
