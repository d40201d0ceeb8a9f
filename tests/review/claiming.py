"""Concurrent claiming, shared by the SQLite and PostgreSQL queue tests: queue `n_items`
findings, let `n_workers` reviewer threads claim until the queue is empty."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import insert

from vaktpost.review.accounts import create_user
from vaktpost.review.queue import Reviewer, claim_next, sync_queue
from vaktpost.store.tables import findings


def claim_concurrently(
    engine,
    n_items: int,
    n_workers: int,
    now: datetime,
    on_claim: Callable[[Reviewer, int, int], None] | None = None,
) -> tuple[list[Reviewer], list[list[int]]]:
    """Returns the reviewers and, per reviewer, the item ids it claimed, in order.
    `on_claim(reviewer, item, n_claimed_so_far)` runs after each claim, in the worker."""
    with engine.begin() as conn:
        conn.execute(
            insert(findings),
            [
                {"kind": "media", "message_id": None, "actor_id": None, "labels": [],
                 "score": (i * 7919 % 1000) / 1000, "detail": None, "created_at": now}
                for i in range(n_items)
            ],
        )
        sync_queue(conn, full=True, now=now)
    workers = [
        Reviewer(create_user(engine, f"w{i}", "correct horse battery staple", "reviewer"), f"w{i}", "reviewer")
        for i in range(n_workers)
    ]
    claimed: list[list[int]] = [[] for _ in workers]
    errors: list[BaseException] = []
    start = threading.Barrier(n_workers)

    def work(k: int) -> None:
        try:
            start.wait()
            while (item := claim_next(engine, workers[k], now=now, lease=timedelta(hours=1))) is not None:
                claimed[k].append(item)
                if on_claim:
                    on_claim(workers[k], item, len(claimed[k]))
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return workers, claimed
