"""The facts of one message that every rule reads: the first hit per lexicon category, the
ages the age parser found, and the labels proposed so far with their evidence.

A module of its own because every stage shares these types — the message rules
(labels.py and the rule groups it calls), the conversation rules (dialogue.py), the learned
stage and the memo — and none of them should have to import the message rules to get them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from vaktpost.model import Label
from vaktpost.text.ages import AgeMention, find_ages
from vaktpost.text.matcher import Hit


@lru_cache(maxsize=1)
def rule_scores() -> dict[str, float]:
    data = json.loads((resources.files("vaktpost.text") / "lexicons" / "rules.json").read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


LEARNED_RULE = "learned"  # the rule name of the learned stage's labels ("learned" or "learned:<source>")


@dataclass(slots=True)
class Proposed:
    """A label proposed for a message, with its evidence in normalised offsets."""

    label: Label
    start: int
    end: int
    rule: str
    score: float

    @property
    def by_model(self) -> bool:
        return self.rule.partition(":")[0] == LEARNED_RULE


@dataclass(slots=True)
class MessageFacts:
    """What the matcher and the age parser found in one message (normalised offsets)."""

    hits: dict[str, Hit] = field(default_factory=dict)  # first hit per category
    ages: list[AgeMention] = field(default_factory=list)
    proposed: list[Proposed] = field(default_factory=list)
    # A customer's bare number question ("12?", "is 11 possible"): an age only in a
    # conversation already about a child — the dialogue decides; elsewhere it is a price,
    # a time, minutes or a count ("show is 20 usd" — "15?").
    age_question: AgeMention | None = None
    # The message rules read this line as no ask for a child although it has the form of one:
    # small talk about someone's family ("do u have kids?"), one's own child ("my daughter is
    # 7 and still awake, give me 10"). The dialogue does not make it the request a later
    # confirmation answers (session 6, asked6).
    not_an_ask: bool = False
    # A buyer's line whose only ask forms are bare question forms ("?", "ba", "do u do", "can
    # u") and that names no child, no age, no wish, show or join: a greeting or small talk
    # ("anjan ka pa ba?", "cold ba talaga jan?"), which a later offer does not make a request.
    weak_ask: bool = False
    # The span of a time of day in the line ("10 pm", "22:00", "alas 7", "kl 19"; offers.CLOCK),
    # or None: the schedule a seller's answer gives (dialogue.terms, session 7).
    when: tuple[int, int] | None = None
    # A child-serving business or a carer speaking, with nothing of the trade in the line
    # (child_service.py): no minor label from the rules, the dialogue or the models (session 9).
    serves_children: bool = False

    def has(self, *categories: str) -> bool:
        hits = self.hits
        for c in categories:
            if c in hits:
                return True
        return False

    def span(self, *categories: str) -> tuple[int, int, str]:
        for c in categories:
            h = self.hits.get(c)
            if h is not None:
                return h.start, h.end, h.pattern.rule
        return 0, 0, ""

    def minor_ages(self, kinds=("person", "third", "under", "grade")) -> list[AgeMention]:
        return [a for a in self.ages if a.kind in kinds and a.minor]

    @property
    def adult_only(self) -> bool:
        """An adult age or "18+" is given and no age under 18 is (bare numbers are neither)."""
        adult = False
        for a in self.ages:  # one pass (read for most lines by the rules and the dialogue)
            if a.kind != "bare":
                if a.minor:
                    return False
                adult = True
        return adult or "adult_marker" in self.hits

    def labels(self) -> set[Label]:
        return {p.label for p in self.proposed}

    def add(self, label: Label, span: tuple[int, int, str], rule: str) -> None:
        s, e, source = span
        name = f"{rule}:{source}" if source else rule
        self.proposed.append(Proposed(label, s, e, name, rule_scores().get(rule, 0.8)))


NOTHING = MessageFacts()  # shared by every message with no hit and no number; never changed


def facts_for(text: str, hits: list[Hit], ages: list[AgeMention] | None = None) -> MessageFacts:
    """`ages`: `find_ages(text)` when the caller has it (a text labelled for two roles)."""
    f = MessageFacts()
    for h in hits:
        prev = f.hits.get(h.pattern.category)
        if prev is None or (h.end - h.start) > (prev.end - prev.start) and h.start <= prev.start:
            f.hits[h.pattern.category] = h
    f.ages = find_ages(text) if ages is None else ages
    return f


def inside(inner: Hit | None, outer: Hit | None) -> bool:
    """Both hits are there and `inner` lies within `outer` ("meron" in "meron bang")."""
    return inner is not None and outer is not None and outer.start <= inner.start and inner.end <= outer.end
