"""Shared by the known-sender tests: the shipped reply model with a borderline band, and a
clinical chat where one seller confirms an age in one conversation and answers another buyer's
age request with a price (a reply-model candidate below the threshold)."""

from __future__ import annotations

from functools import lru_cache

from vaktpost.text import reply_model


def model_with_low(low: float | None):
    m = reply_model.ReplyModel.load(reply_model.shipped_model_path())
    return reply_model.ReplyModel(m.coef, m.intercept, m.threshold, low)


def install(monkeypatch, low: float | None) -> None:
    model = model_with_low(low)
    monkeypatch.setattr(reply_model, "installed_model", lru_cache(maxsize=1)(lambda: model))


def record(conv: str, i: int, sender: str, role: str, to: str, text: str) -> dict:
    return {
        "platform": "camsite", "conversation_id": conv, "message_id": f"{conv}-m{i}",
        "sent_at": f"2021-03-04T21:{i:02d}:00Z",
        "sender": {"id": sender, "name": sender, "role": role},
        "recipients": [{"id": to, "role": "customer" if role != "customer" else "performer"}],
        "text": text,
    }


def exchange(conv: str, buyer: str, seller: str, answer: str, age: int = 12) -> list[dict]:
    return [record(conv, 1, buyer, "customer", seller, f"do you have a girl {age} years old?"),
            record(conv, 2, seller, "performer", buyer, answer)]


CONFIRMS = "yes, 11"  # a dialogue confirmation (dialogue.answer)
BORDERLINE = "add me on telegram"  # a reply-model candidate below the threshold (OFF_PLATFORM_MOVE by rule)
ONLY_PROMOTED = "tomorrow at 8"  # a candidate below the threshold that no rule labels
