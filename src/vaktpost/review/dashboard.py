"""Dashboard figures, the kind a police project publishes: what was found, how long it waits
for review, what reviewers decided, where the cases stand.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import Connection, case, func, select

from vaktpost.review.queue import utcnow
from vaktpost.store.review_tables import cases, decisions, review_items
from vaktpost.store.tables import findings, signals

AGE_BUCKETS = (
    (timedelta(hours=1), "< 1 hour"),
    (timedelta(days=1), "< 1 day"),
    (timedelta(days=7), "< 7 days"),
    (None, "7 days or more"),
)


def _utc(value: datetime) -> datetime:
    from vaktpost.review.accounts import as_utc

    return as_utc(value)


def figures(conn: Connection, *, days: int = 14, now: datetime | None = None) -> dict:
    now = now or utcnow()
    by_label = dict(
        conn.execute(
            select(signals.c.label, func.count(func.distinct(signals.c.message_id)))
            .group_by(signals.c.label)
            .order_by(func.count(func.distinct(signals.c.message_id)).desc())
        ).all()
    )
    by_kind = dict(
        conn.execute(select(findings.c.kind, func.count()).group_by(findings.c.kind)).all()
    )
    bounds = [now - limit for limit, _ in AGE_BUCKETS if limit is not None]
    created = review_items.c.created_at
    buckets = [func.sum(case((created >= bounds[0], 1), else_=0))]
    buckets += [
        func.sum(case(((created < hi) & (created >= lo), 1), else_=0))
        for hi, lo in zip(bounds, bounds[1:])
    ]
    buckets += [func.sum(case((created < bounds[-1], 1), else_=0)), func.min(created)]
    row = conn.execute(select(*buckets).where(review_items.c.status == "queued")).one()
    queue_ages = {name: int(n or 0) for (_, name), n in zip(AGE_BUCKETS, row[:-1])}
    oldest = _utc(row[-1]) if row[-1] is not None else None
    since = now - timedelta(days=days)
    per_day: Counter = Counter()
    outcome: Counter = Counter()
    for created, decision in conn.execute(
        select(decisions.c.created_at, decisions.c.decision).where(decisions.c.created_at >= since)
    ):
        per_day[_utc(created).date()] += 1
        outcome[decision] += 1
    first_day = (now - timedelta(days=days - 1)).date()
    day_series = [
        (first_day + timedelta(days=i), per_day.get(first_day + timedelta(days=i), 0))
        for i in range(days)
    ]
    by_status = dict(
        conn.execute(select(cases.c.status, func.count()).group_by(cases.c.status)).all()
    )
    confirmed = dict(
        conn.execute(
            select(review_items.c.incident_type, func.count())
            .where(review_items.c.status == "confirmed")
            .group_by(review_items.c.incident_type)
        ).all()
    )
    return {
        "findings_by_label": by_label,
        "findings_by_kind": by_kind,
        "queue_by_age": [(name, queue_ages.get(name, 0)) for _, name in AGE_BUCKETS],
        "queue_waiting": sum(queue_ages.values()),
        "oldest_waiting": (now - oldest) if oldest else None,
        "decisions_per_day": day_series,
        "decisions_by_kind": dict(outcome),
        "cases_by_status": by_status,
        "confirmed_by_incident_type": confirmed,
    }


def as_json(fig: dict) -> dict:
    out = dict(fig)
    out["decisions_per_day"] = [
        {"day": d.isoformat(), "count": n} for d, n in fig["decisions_per_day"]
    ]
    out["queue_by_age"] = [{"age": a, "count": n} for a, n in fig["queue_by_age"]]
    out["oldest_waiting_seconds"] = (
        fig["oldest_waiting"].total_seconds() if fig["oldest_waiting"] else None
    )
    del out["oldest_waiting"]
    return out


__all__ = ["figures", "as_json"]
