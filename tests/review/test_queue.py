"""The leased queue: order, exclusive claims, lease expiry, decisions and four-eyes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select

from vaktpost.errors import UserError
from vaktpost.review import queue
from vaktpost.review.queue import ConflictError, Reviewer, claim_next, decide, release, sync_queue
from vaktpost.store.review_tables import decisions, review_items
from vaktpost.store.tables import findings

from tests.review.claiming import claim_concurrently

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)


def _add_findings(engine, scores):
    with engine.begin() as conn:
        conn.execute(
            insert(findings),
            [
                {
                    "kind": "media",
                    "message_id": None,
                    "actor_id": None,
                    "labels": ["MEDIA_MATCH"],
                    "score": s,
                    "detail": None,
                    "created_at": T0,
                }
                for s in scores
            ],
        )
        sync_queue(conn, full=True, now=T0)


@pytest.fixture
def people(accounts):
    return {role: Reviewer(a.id, a.username, a.role) for role, a in accounts.items()}


def test_claims_come_highest_risk_first_and_never_twice(engine, accounts, people):
    _add_findings(engine, [0.2, 0.9, 0.5, 0.9])
    got = [claim_next(engine, people["reviewer"], now=T0) for _ in range(5)]
    with engine.connect() as conn:
        prio = dict(conn.execute(select(review_items.c.id, review_items.c.priority)).all())
    assert got[-1] is None
    assert [prio[i] for i in got[:4]] == [0.9, 0.9, 0.5, 0.2]
    assert got[0] < got[1]  # equal risk: the older item first
    assert len(set(got[:4])) == 4


def test_an_abandoned_lease_returns_to_the_queue(engine, people):
    _add_findings(engine, [0.8])
    first = claim_next(engine, people["reviewer"], now=T0, lease=timedelta(minutes=5))
    assert claim_next(engine, people["child_safety_lead"], now=T0 + timedelta(minutes=4)) is None
    again = claim_next(engine, people["child_safety_lead"], now=T0 + timedelta(minutes=6))
    assert again == first
    with pytest.raises(ConflictError):  # the first reviewer's lease is gone
        decide(
            engine, first, people["reviewer"], "dismiss", reason="x", now=T0 + timedelta(minutes=7)
        )


def test_release_puts_the_item_back(engine, people):
    _add_findings(engine, [0.8])
    item = claim_next(engine, people["reviewer"], now=T0)
    release(engine, item, people["reviewer"], now=T0)
    assert claim_next(engine, people["child_safety_lead"], now=T0) == item


def test_decisions_need_their_reasons(engine, people):
    _add_findings(engine, [0.8])
    item = claim_next(engine, people["reviewer"], now=T0)
    with pytest.raises(UserError, match="incident type"):
        decide(engine, item, people["reviewer"], "confirm", now=T0)
    with pytest.raises(UserError, match="reason"):
        decide(engine, item, people["reviewer"], "dismiss", reason="  ", now=T0)
    with pytest.raises(UserError, match="unknown decision"):
        decide(engine, item, people["reviewer"], "approve", now=T0)
    assert (
        decide(
            engine,
            item,
            people["reviewer"],
            "confirm",
            incident_type_id="online_enticement",
            now=T0,
        )
        == "confirmed"
    )
    with engine.connect() as conn:
        row = conn.execute(select(review_items).where(review_items.c.id == item)).one()
    assert (row.status, row.incident_type) == ("confirmed", "online_enticement")


def test_four_eyes_needs_a_second_different_reviewer(engine, accounts, people):
    from vaktpost.review.accounts import create_user

    other_id = create_user(engine, "reviewer2", "correct horse battery staple", "reviewer")
    second = Reviewer(other_id, "reviewer2", "reviewer")
    _add_findings(engine, [0.8])
    item = claim_next(engine, people["reviewer"], now=T0)
    state = decide(
        engine,
        item,
        people["reviewer"],
        "confirm",
        incident_type_id="child_sex_trafficking",
        now=T0,
    )
    assert state == "awaiting second review"
    # The first reviewer cannot take it again for the second look.
    assert claim_next(engine, people["reviewer"], now=T0) is None
    assert claim_next(engine, second, now=T0) == item
    assert (
        decide(engine, item, second, "confirm", incident_type_id="child_sex_trafficking", now=T0)
        == "confirmed"
    )
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(decisions).where(decisions.c.item_id == item)
        ).scalar()
    assert n == 2


def test_disagreement_and_escalation_go_to_a_lead(engine, people, accounts):
    from vaktpost.review.accounts import create_user

    second = Reviewer(
        create_user(engine, "reviewer2", "correct horse battery staple", "reviewer"),
        "reviewer2",
        "reviewer",
    )
    _add_findings(engine, [0.8, 0.7])
    a = claim_next(engine, people["reviewer"], now=T0)
    decide(engine, a, people["reviewer"], "confirm", incident_type_id="child_sex_tourism", now=T0)
    assert claim_next(engine, second, now=T0) == a
    assert (
        decide(engine, a, second, "dismiss", reason="Adult context (hard negative)", now=T0)
        == "escalated"
    )
    b = claim_next(engine, second, now=T0)
    assert decide(engine, b, second, "escalate", reason="unclear", now=T0) == "escalated"
    # Reviewers cannot take escalated items; a lead can.
    assert claim_next(engine, people["reviewer"], now=T0) is None
    lead = people["child_safety_lead"]
    taken = {claim_next(engine, lead, now=T0), claim_next(engine, lead, now=T0)}
    assert taken == {a, b}
    with pytest.raises(ConflictError):
        decide(engine, b, lead, "escalate", now=T0)


def test_sync_queue_is_idempotent_and_fills_gaps(engine):
    _add_findings(engine, [0.1, 0.2])
    with engine.begin() as conn:
        assert sync_queue(conn) == 0
        assert sync_queue(conn, full=True) == 0
        conn.execute(review_items.delete().where(review_items.c.priority == 0.1))
        assert sync_queue(conn) == 0  # the quick form only looks past the newest
        assert sync_queue(conn, full=True) == 1


def test_a_full_sync_moves_a_queued_item_to_its_finding_s_new_score(engine, people):
    """A re-scan or the known-sender pass changes a finding's score in place (same id): the
    queued item follows it at the next full sync; a decided item keeps its priority."""
    _add_findings(engine, [0.3, 0.4])
    with engine.connect() as conn:
        low, high = conn.execute(select(review_items.c.id).order_by(review_items.c.priority)).scalars().all()
    decide(engine, claim_next(engine, people["reviewer"], now=T0), people["reviewer"], "dismiss",
           reason="Adult context (hard negative)", now=T0)  # the 0.4 one
    with engine.begin() as conn:
        conn.execute(findings.update().values(score=0.9))
        assert sync_queue(conn) == 0
        prio = dict(conn.execute(select(review_items.c.id, review_items.c.priority)).all())
        assert prio == {low: 0.3, high: 0.4}  # the quick form leaves priorities alone
        sync_queue(conn, full=True)
        prio = dict(conn.execute(select(review_items.c.id, review_items.c.priority)).all())
    assert prio == {low: 0.9, high: 0.4}


@pytest.mark.slow
def test_eight_workers_claim_ten_thousand_items_each_exactly_once(engine, accounts):
    """8 concurrent workers, 10,000 items: every item claimed exactly once, none lost."""
    n_items, n_workers = 10_000, 8
    workers, claimed = claim_concurrently(engine, n_items, n_workers, T0)
    everything = [i for got in claimed for i in got]
    assert len(everything) == n_items
    assert len(set(everything)) == n_items
    assert sum(1 for got in claimed if got) >= 2  # the work really was shared
    with engine.connect() as conn:
        rows = conn.execute(
            select(review_items.c.status, review_items.c.claimed_by, review_items.c.id)
        ).all()
    owner = {i: workers[k].id for k, got in enumerate(claimed) for i in got}
    assert all(r.status == "claimed" and r.claimed_by == owner[r.id] for r in rows)


def test_the_claim_is_one_statement_that_skips_locked_rows_on_postgresql():
    from sqlalchemy.dialects import postgresql, sqlite

    stmt = queue.claim_statement(Reviewer(1, "r", "reviewer"), T0, timedelta(minutes=1))
    pg = str(stmt.compile(dialect=postgresql.dialect()))
    assert pg.startswith("UPDATE review_items SET")
    assert "FOR UPDATE SKIP LOCKED" in pg and "RETURNING review_items.id" in pg
    lite = str(stmt.compile(dialect=sqlite.dialect()))
    assert "FOR UPDATE" not in lite and "RETURNING" in lite


def test_renewing_a_lease_keeps_the_item(engine, people):
    _add_findings(engine, [0.8])
    item = claim_next(engine, people["reviewer"], now=T0, lease=timedelta(minutes=5))
    queue.renew_lease(engine, item, people["reviewer"], now=T0 + timedelta(minutes=4), lease=timedelta(minutes=5))
    assert claim_next(engine, people["child_safety_lead"], now=T0 + timedelta(minutes=6)) is None
    assert claim_next(engine, people["child_safety_lead"], now=T0 + timedelta(minutes=10)) == item
    with pytest.raises(ConflictError):
        queue.renew_lease(engine, item, people["reviewer"], now=T0 + timedelta(minutes=10))
