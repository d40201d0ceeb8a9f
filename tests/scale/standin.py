"""A deterministic stand-in for the text stage (until the analysis work is merged).

It needs the WHOLE conversation: a message is labelled only if it mentions money or an age
and its conversation has at least three messages, and its score depends on its position in
the conversation — so an engine that scanned partial or disordered conversations would
produce different findings from the local engine.
"""

from __future__ import annotations

import re

from vaktpost.model import Finding, Label, Signal

_MONEY = re.compile(r"\b(usd|eur|dollars?|\$\d+|\d+ ?(usd|eur)|paypal|crypto|btc|gift ?card)\b", re.IGNORECASE)
_AGE = re.compile(r"\b(\d{1,2}) ?(yo|years?|yrs?)\b|\byounger\b|\bage\b", re.IGNORECASE)


def standin_detector(messages):
    if len(messages) < 3:
        return []
    out = []
    n = len(messages)
    for i, m in enumerate(messages):
        sigs = []
        for rx, label in ((_MONEY, Label.PRICE_NEGOTIATION), (_AGE, Label.AGE_PROBE)):
            hit = rx.search(m.text or "")
            if hit:
                sigs.append(Signal(label, hit.start(), hit.end(), f"standin:{label.value}", 0.5))
        if sigs:
            score = round(0.5 + 0.5 * (i + 1) / n, 6)
            out.append(Finding(m.platform, m.message_id, m.conversation_id, m.sender.id, tuple(sigs), score))
    return out


def standin_batch(conversations):
    """The batch form every engine calls (`vaktpost.scan.scan_conversations`)."""
    return [f for conv in conversations for f in standin_detector(conv)]
