"""The review queue: findings become items ordered by risk; claims are atomic and leased.

A claim is one compare-and-set UPDATE whose target is chosen by a sub-select (with
`FOR UPDATE SKIP LOCKED` on PostgreSQL, which SQLite ignores: there the statement holds the
write lock). The outer WHERE repeats `status = 'queued'`, so a row that another reviewer won
in the meantime is never taken twice. Expired leases go back to the queue in the same
transaction, before the claim. Every write transaction starts with a write, so SQLite takes
its lock up front and the busy timeout, not an error, handles contention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, Engine, and_, exists, func, insert, literal, null, or_, select, update

from vaktpost.errors import UserError
from vaktpost.review import audit
from vaktpost.review.policy import incident_type
from vaktpost.review.reopen import last_reopened_decision, match_keys, reopen_grown, reopen_new_matches
from vaktpost.store.review_tables import decisions, review_items
from vaktpost.store.tables import actors, findings, platforms

DEFAULT_LEASE = timedelta(minutes=15)
DECISIONS = ("confirm", "dismiss", "escalate")


class ConflictError(UserError):
    """The item is not in a state that allows this (lease lost, already decided)."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Reviewer:
    """Who is acting: the queue needs the id, the audit log the name, the policy the role."""

    id: int
    username: str
    role: str

    @property
    def is_lead(self) -> bool:
        """May take and decide items escalated to a lead."""
        from vaktpost.review.policy import allowed

        return allowed(self.role, "item.decide_escalated")


def sync_queue(
    conn: Connection, *, full: bool = False, now: datetime | None = None, reopen: bool = True
) -> int:
    """Turn findings that have no review item into queued items; returns how many.

    The quick form only looks past the newest finding already queued (a cheap index probe,
    fine on every page view); `full` also fills gaps, for start-up and `vaktpost review sync`,
    and sets a queued item's priority to its finding's score where a re-scan or the
    known-sender pass changed it since (a claimed or decided item keeps its own), and reopens
    decided items whose findings gained labels since their decision (`review/reopen.py`; the
    writers do that as they write, this catches the rest; `reopen=False` when the caller did).
    A new media MATCH is checked by `reopen.sync_new_matches(engine)`, which `vaktpost review
    sync` and server start run after this (it commits chunk by chunk, so it needs the engine).
    """
    now = now or utcnow()
    if full and reopen:
        reopen_grown(conn, by="review sync", now=now)
    if full:
        score = select(findings.c.score).where(findings.c.id == review_items.c.finding_id).scalar_subquery()
        conn.execute(
            update(review_items)
            .where(review_items.c.status == "queued", exists().where(
                findings.c.id == review_items.c.finding_id, findings.c.score != review_items.c.priority))
            .values(priority=score)
        )
    source = select(
        findings.c.id, findings.c.score, literal("queued"), literal("review"), literal(now)
    ).where(~exists().where(review_items.c.finding_id == findings.c.id))
    if not full:
        newest = select(func.coalesce(func.max(review_items.c.finding_id), 0)).scalar_subquery()
        source = source.where(findings.c.id > newest)
    result = conn.execute(
        insert(review_items).from_select(
            ["finding_id", "priority", "status", "stage", "created_at"], source
        ).execution_options(preserve_rowcount=True)  # else -1 for an INSERT on psycopg (SQLAlchemy 2.1)
    )
    return result.rowcount or 0


def requeue_expired(conn: Connection, now: datetime) -> int:
    result = conn.execute(
        update(review_items)
        .where(review_items.c.status == "claimed", review_items.c.lease_expires_at < now)
        .values(status="queued", claimed_by=None, lease_expires_at=None)
    )
    return result.rowcount or 0


def _claimable(reviewer: Reviewer):
    stages = ["review", "second"] + (["lead"] if reviewer.is_lead else [])
    return and_(
        review_items.c.status == "queued",
        review_items.c.stage.in_(stages),
        or_(
            review_items.c.stage != "second",
            review_items.c.first_reviewer_id.is_(None),
            review_items.c.first_reviewer_id != reviewer.id,
        ),
    )


def claim_statement(reviewer: Reviewer, now: datetime, lease: timedelta):
    """The compare-and-set UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id."""
    target = (
        select(review_items.c.id)
        .where(_claimable(reviewer))
        .order_by(review_items.c.priority.desc(), review_items.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(review_items)
        .where(review_items.c.id == target, review_items.c.status == "queued")
        .values(status="claimed", claimed_by=reviewer.id, lease_expires_at=now + lease)
        .returning(review_items.c.id)
    )


def claim_next(
    engine: Engine,
    reviewer: Reviewer,
    *,
    now: datetime | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> int | None:
    """Claim the highest-priority item this reviewer may take; returns its id, or None."""
    now = now or utcnow()
    with engine.begin() as conn:
        requeue_expired(conn, now)
        item_id = conn.execute(claim_statement(reviewer, now, lease)).scalar()
        if item_id is not None:
            audit.append(conn, reviewer.username, "item.claim", f"item:{item_id}", now=now)
        return item_id


def current_claim(conn: Connection, reviewer: Reviewer, now: datetime | None = None) -> int | None:
    """The item this reviewer holds a live lease on, if any (one at a time in the UI)."""
    now = now or utcnow()
    return conn.execute(
        select(review_items.c.id)
        .where(
            review_items.c.status == "claimed",
            review_items.c.claimed_by == reviewer.id,
            review_items.c.lease_expires_at >= now,
        )
        .order_by(review_items.c.id)
        .limit(1)
    ).scalar()


def _hold(conn: Connection, item_id: int, reviewer: Reviewer, now: datetime):
    """Lock and check the reviewer's live lease on the item (a write first, see module doc)."""
    row = conn.execute(
        update(review_items)
        .where(
            review_items.c.id == item_id,
            review_items.c.status == "claimed",
            review_items.c.claimed_by == reviewer.id,
            review_items.c.lease_expires_at >= now,
        )
        .values(claimed_by=review_items.c.claimed_by)
        .returning(
            review_items.c.stage,
            review_items.c.finding_id,
            review_items.c.first_reviewer_id,
            review_items.c.incident_type,
        )
    ).first()
    if row is None:
        raise ConflictError("you do not hold a live claim on this item", where=f"item {item_id}")
    return row


def renew_lease(
    engine: Engine,
    item_id: int,
    reviewer: Reviewer,
    *,
    now: datetime | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> None:
    now = now or utcnow()
    with engine.begin() as conn:
        _hold(conn, item_id, reviewer, now)
        conn.execute(
            update(review_items)
            .where(review_items.c.id == item_id)
            .values(lease_expires_at=now + lease)
        )


def release(
    engine: Engine, item_id: int, reviewer: Reviewer, *, now: datetime | None = None
) -> None:
    now = now or utcnow()
    with engine.begin() as conn:
        _hold(conn, item_id, reviewer, now)
        conn.execute(
            update(review_items)
            .where(review_items.c.id == item_id)
            .values(status="queued", claimed_by=None, lease_expires_at=None)
        )
        audit.append(conn, reviewer.username, "item.release", f"item:{item_id}", now=now)


def _earlier_confirm_by_other(
    conn: Connection, item_id: int, reviewer: Reviewer, type_id: str
) -> bool:
    """A confirmation of the same type by another reviewer since the item was last reopened (one
    made on fewer labels than the finding has now is no second pair of eyes on them)."""
    return (
        conn.execute(
            select(decisions.c.id)
            .where(
                decisions.c.item_id == item_id,
                decisions.c.id > last_reopened_decision(conn, item_id),
                decisions.c.decision == "confirm",
                decisions.c.incident_type == type_id,
                decisions.c.user_id != reviewer.id,
            )
            .limit(1)
        ).first()
        is not None
    )


def decide(
    engine: Engine,
    item_id: int,
    reviewer: Reviewer,
    decision: str,
    *,
    incident_type_id: str | None = None,
    reason: str | None = None,
    seen_labels: Sequence[str] | None = None,
    seen_matches: Sequence[str] | None = None,
    now: datetime | None = None,
) -> str:
    """Record a decision on a claimed item; returns the item's new state.

    The decision records the finding's labels and score the reviewer decided on: the labels
    shown to them (`seen_labels`, sent back by the item page and optionally by API clients)
    that the finding still has, else the finding's labels now. Should the finding carry a label
    the reviewer was not shown, the item is reopened at once (`review/reopen.py`). The same for
    a media finding's matches (`seen_matches`, keys of `reopen.match_keys`): the decision stands
    on those shown that the finding has, and a match not shown reopens it at once. The finding's
    row is read FOR UPDATE, so a writer that has changed it but not committed is waited for
    (and its change seen) rather than decided past.

    confirm needs an incident type; a four-eyes type stands only once a second, different
    reviewer confirms the same type (a different type goes to a lead). dismiss needs a reason;
    a dismissal that contradicts a first confirmation goes to a lead. escalate sends the item
    to a child-safety lead.
    """
    now = now or utcnow()
    reason = (reason or "").strip() or None
    if decision not in DECISIONS:
        raise UserError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
    kind = incident_type(incident_type_id) if incident_type_id else None
    if decision == "confirm" and kind is None:
        raise UserError("confirming needs an incident type", where=f"item {item_id}")
    if decision == "dismiss" and not reason:
        raise UserError("dismissing needs a reason", where=f"item {item_id}")
    with engine.begin() as conn:
        held = _hold(conn, item_id, reviewer, now)
        if decision == "escalate" and held.stage == "lead":
            raise ConflictError("the item is already with a lead", where=f"item {item_id}")
        if held.stage == "lead" and not reviewer.is_lead:
            raise ConflictError(
                "only a child-safety lead decides escalated items", where=f"item {item_id}"
            )
        labels, score, matches = _seen(conn, held.finding_id, seen_labels, seen_matches)
        no_matches = null() if matches is None else matches  # SQL NULL (a text finding), not JSON null
        values: dict = {"claimed_by": None, "lease_expires_at": None, "decided_labels": labels,
                        "decided_score": score, "decided_matches": no_matches, "reopen_reason": None}
        if decision == "confirm":
            assert kind is not None
            if held.stage == "second" and held.incident_type and held.incident_type != kind.id:
                state = "escalated"
                values.update(status="queued", stage="lead")
            elif not kind.four_eyes or _earlier_confirm_by_other(conn, item_id, reviewer, kind.id):
                state = "confirmed"
                values.update(status="confirmed", incident_type=kind.id, decided_at=now)
            else:
                state = "awaiting second review"
                values.update(
                    status="queued",
                    stage="second",
                    first_reviewer_id=reviewer.id,
                    incident_type=kind.id,
                )
        elif decision == "dismiss":
            if held.stage == "second":
                state = "escalated"
                values.update(status="queued", stage="lead")
            else:
                state = "dismissed"
                values.update(status="dismissed", decided_at=now)
        else:
            state = "escalated"
            values.update(status="queued", stage="lead")
        conn.execute(update(review_items).where(review_items.c.id == item_id).values(**values))
        conn.execute(
            insert(decisions).values(
                item_id=item_id,
                finding_id=held.finding_id,
                user_id=reviewer.id,
                stage=held.stage,
                decision=decision,
                incident_type=kind.id if kind else None,
                reason=reason,
                created_at=now,
                labels=labels,
                score=score,
                matches=no_matches,
            )
        )
        audit.append(
            conn,
            reviewer.username,
            f"decision.{decision}",
            f"item:{item_id}",
            {
                "finding": held.finding_id,
                "stage": held.stage,
                "incident_type": kind.id if kind else None,
                "reason": reason,
                "result": state,
                "labels": labels,
                "score": score,
                **({"matches": matches} if matches is not None else {}),
            },
            now=now,
        )
        if values.get("status") in ("confirmed", "dismissed") and (
            reopen_grown(conn, [held.finding_id], by="decision", now=now)
            or reopen_new_matches(conn, [held.finding_id], by="decision", now=now)
        ):
            state = "reopened: " + conn.execute(
                select(review_items.c.reopen_reason).where(review_items.c.id == item_id)
            ).scalar()
    return state


def _seen(
    conn: Connection,
    finding_id: int,
    seen_labels: Sequence[str] | None,
    seen_matches: Sequence[str] | None,
):
    """(labels, score, matches) a decision is recorded with: what the reviewer was shown, as far
    as the finding still has it (a label or match claimed as seen that the finding lacks is not
    recorded, so no client can pre-empt a later reopen), in the finding's order; the finding's
    score. Nothing said about what was shown: the finding's labels and matches now. Matches
    (`reopen.match_keys`, the baseline a new match is compared with) are None for a text finding.

    The row is read FOR UPDATE (PostgreSQL; SQLite's writer already holds the write lock): a
    match or rescan writer that updated it and has not committed yet is waited for, so its
    change is seen here and reopens the item, instead of committing after this decision, unseen
    by it and by the writer's own reopen check (which found the item still claimed)."""
    row = conn.execute(
        select(findings.c.kind, findings.c.labels, findings.c.score, findings.c.detail)
        .where(findings.c.id == finding_id)
        .with_for_update()
    ).first()
    if row is None:
        return None, None, None
    labels = _shown(list(row.labels or ()), seen_labels)
    matches = _shown(match_keys(row.detail), seen_matches) if row.kind == "media" else None
    return labels, row.score, matches


def _shown(current: list[str], seen: Sequence[str] | None) -> list[str]:
    if seen is None:
        return current
    said = set(seen)
    return [x for x in current if x in said]


def queue_listing(conn: Connection, limit: int = 50, offset: int = 0):
    """Queued items, highest priority first, with their finding's labels and why a reopened
    item is back (the queue page, the API and `vaktpost review queue`)."""
    return conn.execute(
        select(
            review_items.c.id,
            review_items.c.priority,
            review_items.c.stage,
            review_items.c.created_at,
            review_items.c.reopen_reason,
            findings.c.id.label("finding_id"),
            findings.c.kind,
            findings.c.labels,
            actors.c.id.label("actor_key"),
            actors.c.account_id,
            platforms.c.name.label("platform"),
        )
        .join(findings, findings.c.id == review_items.c.finding_id)
        .outerjoin(actors, actors.c.id == findings.c.actor_id)
        .outerjoin(platforms, platforms.c.id == actors.c.platform_id)
        .where(review_items.c.status == "queued")
        .order_by(review_items.c.priority.desc(), review_items.c.id)
        .limit(limit)
        .offset(offset)
    ).all()


def queue_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        select(review_items.c.status, review_items.c.stage, func.count()).group_by(
            review_items.c.status, review_items.c.stage
        )
    )
    counts: dict[str, int] = {}
    for status, stage, n in rows:
        key = f"{status}:{stage}" if status in ("queued", "claimed") else status
        counts[key] = counts.get(key, 0) + n
    return counts


__all__ = [
    "ConflictError",
    "Reviewer",
    "claim_next",
    "claim_statement",
    "current_claim",
    "decide",
    "queue_counts",
    "queue_listing",
    "release",
    "renew_lease",
    "requeue_expired",
    "sync_queue",
]
