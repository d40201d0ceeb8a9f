"""A small clinical synthetic world for review demos, tests and benchmarks.

Written straight into the store (bulk inserts, no scan needed): buyers ask facilitators for
a child, some are told yes with a price and a payment route, some are refused. The texts
state ages, prices and payment routes only, as the content rule requires. Media findings
point at images drawn here with Pillow (shapes, noise and text) — never anything else.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine, insert, select

from vaktpost.store.tables import (
    actors,
    conversations,
    findings,
    imports,
    messages,
    platforms,
    signals,
)

# (sender, text, [(label, evidence substring, rule)])
ASKED_AND_CONFIRMED = [
    ("buyer", "hi, are you online tonight?", []),
    ("seller", "yes, show starts at 9", []),
    (
        "buyer",
        "do you have a younger one? 12 or so",
        [("MINOR_REQUEST", "younger one", "en.minor_request.younger_one")],
    ),
    (
        "seller",
        "yes my niece, 12, 30 dollars by remittance",
        [
            ("MINOR_CONFIRMED", "my niece, 12", "en.minor_confirmed.relative_age"),
            ("PRICE_NEGOTIATION", "30 dollars", "en.price.amount_currency"),
            ("PAYMENT_CHANNEL", "remittance", "en.payment.remittance"),
        ],
    ),
    (
        "buyer",
        "ok. I send the transfer code after. add me on the other app",
        [
            ("PAYMENT_CHANNEL", "transfer code", "en.payment.transfer_code"),
            ("OFF_PLATFORM_MOVE", "add me on the other app", "en.off_platform.add_me"),
        ],
    ),
]
ASKED_AND_REFUSED = [
    (
        "buyer",
        "hello, any young one available tonight?",
        [("MINOR_REQUEST", "young one available", "en.minor_request.available")],
    ),
    ("seller", "no, only adults here. I am 24", []),
]
CONTACT_ONLY = [
    ("buyer", "hi, what time is the show?", []),
    ("seller", "at 9, 18+ only", []),
]
SCORES = {
    "MINOR_CONFIRMED": 0.9,
    "MINOR_REQUEST": 0.7,
    "PAYMENT_CHANNEL": 0.55,
    "PRICE_NEGOTIATION": 0.5,
    "OFF_PLATFORM_MOVE": 0.35,
}


@dataclass
class World:
    platform_id: int
    buyers: list[int] = field(default_factory=list)  # actors.id
    sellers: list[int] = field(default_factory=list)
    finding_ids: list[int] = field(default_factory=list)
    media_finding_ids: list[int] = field(default_factory=list)
    media_paths: list[Path] = field(default_factory=list)


def draw_test_image(path: Path, seed: int, size: tuple[int, int] = (480, 360)) -> Path:
    """A benign picture: gradient, noise, coloured shapes and a caption."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(15, 70)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(
            (x - r, y - r, x + r, y + r), fill=colour
        )
    for _ in range(3000):
        draw.point((rng.randrange(size[0]), rng.randrange(size[1])), fill=(255, 255, 255))
    draw.text((12, 12), f"TEST IMAGE {seed}", fill=(255, 255, 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def build_world(
    engine: Engine,
    *,
    conversations_n: int = 12,
    seed: int = 1,
    media_dir: Path | None = None,
    media_n: int = 0,
    buyers_n: int | None = None,
    platform: str = "camsite",
) -> World:
    rng = random.Random(seed)
    start = datetime(2024, 3, 1, 20, 0, tzinfo=timezone.utc)
    buyers_n = buyers_n or max(1, conversations_n // 6)
    sellers_n = max(1, conversations_n // 3)
    with engine.begin() as conn:
        pid = conn.execute(select(platforms.c.id).where(platforms.c.name == platform)).scalar()
        if pid is None:
            pid = conn.execute(
                insert(platforms).values(name=platform).returning(platforms.c.id)
            ).scalar_one()
        import_id = conn.execute(
            insert(imports)
            .values(path="sample-world", format="jsonl", started_at=start, finished_at=start)
            .returning(imports.c.id)
        ).scalar_one()
        world = World(pid)
        conn.execute(
            insert(actors),
            [
                {
                    "platform_id": pid,
                    "account_id": f"buyer-{seed}-{i}",
                    "name": f"buyer{i}",
                    "role": "customer",
                }
                for i in range(buyers_n)
            ]
            + [
                {
                    "platform_id": pid,
                    "account_id": f"seller-{seed}-{i}",
                    "name": f"seller{i}",
                    "role": "facilitator",
                }
                for i in range(sellers_n)
            ],
        )
        ids = dict(
            conn.execute(
                select(actors.c.account_id, actors.c.id).where(actors.c.platform_id == pid)
            ).all()
        )
        world.buyers = [ids[f"buyer-{seed}-{i}"] for i in range(buyers_n)]
        world.sellers = [ids[f"seller-{seed}-{i}"] for i in range(sellers_n)]
        conn.execute(
            insert(conversations),
            [
                {"platform_id": pid, "conversation_id": f"c-{seed}-{i}"}
                for i in range(conversations_n)
            ],
        )
        conv_ids = dict(
            conn.execute(
                select(conversations.c.conversation_id, conversations.c.id).where(
                    conversations.c.platform_id == pid
                )
            ).all()
        )
        msg_rows, plans = [], []
        for i in range(conversations_n):
            b, s = i % buyers_n, rng.randrange(sellers_n)
            script = rng.choices(
                [ASKED_AND_CONFIRMED, ASKED_AND_REFUSED, CONTACT_ONLY], weights=[5, 3, 2]
            )[0]
            t0 = start + timedelta(minutes=37 * i)
            who = {
                "buyer": (f"buyer-{seed}-{b}", "customer"),
                "seller": (f"seller-{seed}-{s}", "facilitator"),
            }
            for j, (side, text, spans) in enumerate(script):
                sender, _ = who[side]
                other, other_role = who["seller" if side == "buyer" else "buyer"]
                mid = f"m-{seed}-{i}-{j}"
                msg_rows.append(
                    {
                        "platform_id": pid,
                        "message_id": mid,
                        "conversation_id": conv_ids[f"c-{seed}-{i}"],
                        "sender_id": ids[sender],
                        "sent_at": t0 + timedelta(seconds=50 * j),
                        "text": text,
                        "recipients": [{"id": other, "role": other_role}],
                        "import_id": import_id,
                    }
                )
                if spans:
                    plans.append((mid, ids[sender], text, spans))
        for k in range(0, len(msg_rows), 20_000):
            conn.execute(insert(messages), msg_rows[k : k + 20_000])
        keys = dict(
            conn.execute(
                select(messages.c.message_id, messages.c.id).where(messages.c.platform_id == pid)
            ).all()
        )
        finding_rows, signal_rows = [], []
        for mid, sender_key, text, spans in plans:
            labels = list(dict.fromkeys(label for label, _, _ in spans))
            score = min(1.0, max(SCORES[label] for label in labels) + rng.random() * 0.09)
            finding_rows.append(
                {
                    "kind": "text",
                    "message_id": keys[mid],
                    "actor_id": sender_key,
                    "labels": labels,
                    "score": round(score, 4),
                    "detail": None,
                    "created_at": start,
                }
            )
            for label, needle, rule in spans:
                at = text.index(needle)
                signal_rows.append(
                    {
                        "message_id": keys[mid],
                        "label": label,
                        "start": at,
                        "end": at + len(needle),
                        "rule": rule,
                        "score": SCORES[label],
                    }
                )
        for k in range(0, len(finding_rows), 20_000):
            conn.execute(insert(findings), finding_rows[k : k + 20_000])
        for k in range(0, len(signal_rows), 20_000):
            conn.execute(insert(signals), signal_rows[k : k + 20_000])
        world.finding_ids = list(
            conn.execute(
                select(findings.c.id)
                .join(messages, messages.c.id == findings.c.message_id)
                .where(messages.c.platform_id == pid, findings.c.kind == "text")
                .order_by(findings.c.id)
            ).scalars()
        )
        for n in range(media_n if media_dir else 0):
            path = draw_test_image(Path(media_dir) / f"test-image-{seed}-{n}.png", seed * 1000 + n)
            world.media_paths.append(path)
            fid = conn.execute(
                insert(findings)
                .values(
                    kind="media",
                    message_id=None,
                    actor_id=world.sellers[n % len(world.sellers)],
                    labels=["MEDIA_MATCH"],
                    score=0.99 - n * 0.001,
                    detail={
                        "path": str(path),
                        "mime": "image/png",
                        "bank": "test-bank",
                        "distance": 0,
                    },
                    created_at=start,
                )
                .returning(findings.c.id)
            ).scalar_one()
            world.media_finding_ids.append(fid)
    return world
