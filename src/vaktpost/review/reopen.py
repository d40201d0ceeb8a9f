"""A decided item comes back when its finding gains a label the decision was not made on.

A reviewer dismisses a line as an off-platform move; later a rescan with new rules or models,
or the known-sender pass, adds `MINOR_CONFIRMED` to that finding. The dismissal was made on
less than the finding now says, so for a child-safety tool it must not silently stand: the
item goes back to the queue (first review, at the priority its finding's score now gives)
with a visible reason, "new label since decision: MINOR_CONFIRMED". The decision stays in the
item's history and in the audit log, and the reopen is recorded beside it (`item_reopens`,
audit event `item.reopen`).

Only GROWTH reopens: a label that disappears does not (the reviewer saw more than there is
now). The baseline is `review_items.decided_labels`, the labels the latest decision was made
on (`queue.decide` sets it; migration 0008 filled it for older decisions with the finding's
labels at migration time). A reopened item is queued, so running this again reopens nothing
new until someone decides it again.

Called by every writer that changes a finding's labels, in the writer's transaction (the
rescan writer `store/conversations.py: replace_text_findings`, the known-sender pass,
`queue.decide` when the reviewer decided on fewer labels than the finding had by then), and
over every decided item by the full queue sync (`vaktpost review sync`, server start).
Media findings never gain a label (`media/matcher.py: record_finding` writes KNOWN_MEDIA once,
then only merges matches and raises the score), so no media writer calls this. Their new
evidence is a new MATCH (another bank, or an exact match where there was a near one):
`reopen_new_matches` compares the finding's `match_keys` with the latest decision's
(`review_items.decided_matches`, migration 0009) and reopens through the same `_reopen`, with
the reason "new match since decision: b"; `record_finding` calls it in its transaction,
`queue.decide` when the reviewer was shown fewer matches than the finding has by then (the item
page's `seen_matches`), and the full sync (`sync_new_matches`, chunk by chunk) over every decided
media item, for matches written past `record_finding` (an older version, a bulk load, a crash).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, and_, bindparam, false, func, insert, select, update

from vaktpost.review import audit
from vaktpost.store.review_tables import decisions, item_reopens, review_items
from vaktpost.store.tables import findings

DECIDED = ("confirmed", "dismissed")
CHUNK = 900


def added_labels(before: Sequence[str] | None, after: Sequence[str] | None) -> list[str]:
    """Labels of `after` that `before` lacks, in `after`'s order. `before` None = no baseline
    (the finding was gone when migration 0008 ran): nothing to compare, nothing added."""
    if before is None:
        return []
    seen = set(before)
    return [label for label in dict.fromkeys(after or ()) if label not in seen]


def reason(added: Sequence[str]) -> str:
    return f"new label{'s' if len(added) > 1 else ''} since decision: {', '.join(added)}"


def match_keys(detail) -> list[str]:
    """The matches of a media finding's `detail`, one key per bank hash and kind:
    "bank:signal_type:hash_id:exact|near" (near = a PDQ match at distance > 0). A file attached
    to a message keeps its matches under `detail["media"]`, one entry per file."""
    return list(dict.fromkeys(m["key"] for m in shown_matches(detail)))


def shown_matches(detail) -> list[dict]:
    """The matches as the item page lists them (bank, signal type, exact or near, distance), each
    with the `key` the page sends back as seen (`seen_matches`) and a decision records."""
    if not isinstance(detail, dict):
        return []
    entries = detail.get("media") if "media" in detail else [detail]
    out = []
    for entry in entries or ():
        for m in (entry or {}).get("matches") or ():
            kind = "exact" if m.get("signal_type") != "pdq" or m.get("distance") == 0 else "near"
            key = f"{m.get('bank')}:{m.get('signal_type')}:{m.get('hash_id', m.get('hash'))}:{kind}"
            out.append({"key": key, "bank": m.get("bank"), "signal_type": m.get("signal_type"),
                        "kind": kind, "distance": m.get("distance")})
    return out


def added_matches(before: Sequence[str] | None, detail) -> list[str]:
    """Match keys of `detail` that the baseline lacks; `before` None = no baseline (a text
    finding, or a media finding gone when migration 0009 ran): nothing added."""
    if before is None:
        return []
    seen = set(before)
    return [key for key in match_keys(detail) if key not in seen]


def match_reason(added: Sequence[str]) -> str:
    banks = list(dict.fromkeys(key.rsplit(":", 3)[0] for key in added))
    return f"new match{'es' if len(added) > 1 else ''} since decision: {', '.join(banks)}"


def reopen_grown(
    conn: Connection,
    finding_ids: Iterable[int] | None = None,
    *,
    by: str,
    now: datetime | None = None,
) -> list[int]:
    """Reopen the decided items of these findings (None: of every finding) whose labels grew
    beyond their latest decision's; returns the reopened item ids. `by` names the path in the
    audit log and the item's history (rescan, known-sender pass, review sync, decision)."""
    now = now or datetime.now(UTC)
    query = _decided_items()
    if finding_ids is None:
        rows = conn.execute(query.order_by(review_items.c.id)).all()
    else:
        rows = _rows_of(conn, query, finding_ids)
    due = []
    for row in rows:
        if added := added_labels(row.decided_labels, row.labels):
            due.append(Due(row, reason(added), labels_added=added))
    return _reopen_all(conn, due, by, now)


def reopen_new_matches(
    conn: Connection, finding_ids: Iterable[int], *, by: str, now: datetime | None = None
) -> list[int]:
    """Reopen the decided items of these (media) findings that have a match their latest
    decision was not made on; returns the reopened item ids. Called by the media writer
    (`record_finding`) in its transaction, after it merged the new matches into `detail`."""
    now = now or datetime.now(UTC)
    return _reopen_matched(conn, _rows_of(conn, _match_items(), finding_ids), by, now)


def sync_new_matches(
    engine: Engine, *, by: str, now: datetime | None = None, chunk: int = CHUNK
) -> list[int]:
    """Reopen every decided media item whose finding has a match its latest decision was not
    made on, whoever wrote the match (`record_finding` checks as it writes; a match written by a
    version before 0009, a bulk load that bypassed it, or a crash between the two does not).

    Walks the decided media items in id order, `chunk` at a time (the size `_rows_of` asks in),
    and gives each chunk that has anything to reopen its own short transaction: a crash keeps
    the chunks done, a rerun does the rest (reopened items are queued, so nothing twice), and no
    lock is held across the whole table. A chunk is read outside that transaction; the write
    transaction takes its lock first (SQLite's write lock; on PostgreSQL the due items' rows,
    in id order), then reads those items again and reopens what is still due, so a reviewer or
    writer who got there in between is respected (compare-and-set in `_reopen_all` as well)."""
    now = now or datetime.now(UTC)
    reopened: list[int] = []
    after = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                _match_items().where(review_items.c.id > after).order_by(review_items.c.id).limit(chunk)
            ).all()
        if not rows:
            return reopened
        after = rows[-1].id
        due = [row.id for row in rows if added_matches(row.decided_matches, row.detail)]
        if not due:
            continue
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":  # a write first: the write lock now, not a stale read
                conn.execute(update(review_items).where(false()).values(status=review_items.c.status))
            locked = conn.execute(  # by item id alone (SQLite would drive a kind or status filter
                _decided_items(review_items.c.decided_matches, findings.c.detail,  # from its index)
                               decided_only=False)
                .where(review_items.c.id.in_(due)).order_by(review_items.c.id)
                .with_for_update(of=review_items)
            ).all()
            reopened += _reopen_matched(conn, [r for r in locked if r.status in DECIDED], by, now)


def _match_items():
    """Decided media items with a match baseline, with their finding's `detail`. (A text item's
    `decided_matches` may hold JSON null rather than SQL NULL, if decided between 0009 and
    session 9: the kind, not the column, says which items have matches.)"""
    return _decided_items(review_items.c.decided_matches, findings.c.detail).where(
        findings.c.kind == "media", review_items.c.decided_matches.is_not(None))


def _reopen_matched(conn: Connection, rows, by: str, now: datetime) -> list[int]:
    due = []
    for row in rows:
        if added := added_matches(row.decided_matches, row.detail):
            due.append(Due(row, match_reason(added), matches_added=added))
    return _reopen_all(conn, due, by, now)


def _decided_items(*extra, decided_only: bool = True):
    """Decided items with what `_reopen_all` reads (their decision's baseline, the finding's
    labels and score now), plus `extra` columns (`decided_only=False`: the caller filters)."""
    query = (
        select(review_items.c.id, review_items.c.finding_id, review_items.c.status,
               review_items.c.decided_labels, review_items.c.decided_score,
               findings.c.labels, findings.c.score, *extra)
        .join(findings, findings.c.id == review_items.c.finding_id)
    )
    return query.where(review_items.c.status.in_(DECIDED)) if decided_only else query


def _rows_of(conn: Connection, query, finding_ids: Iterable[int]) -> list:
    """The rows of `query` for these findings, asked in chunks of CHUNK ids."""
    ids = sorted({int(i) for i in finding_ids})
    rows = []
    for i in range(0, len(ids), CHUNK):
        rows += conn.execute(query.where(review_items.c.finding_id.in_(ids[i : i + CHUNK]))).all()
    return rows


class Due(NamedTuple):
    """One decided item to put back: its row (as `_decided_items` reads it) and why."""

    row: Any
    why: str
    labels_added: Sequence[str] = ()
    matches_added: list[str] | None = None


# The compare-and-set that reopens one item (built once: a sync may run it 10,000 times).
_REQUEUE = (
    update(review_items)
    .where(review_items.c.id == bindparam("b_item"), review_items.c.status == bindparam("b_was"))
    .values(status="queued", stage="review", priority=bindparam("b_priority"), claimed_by=None,
            lease_expires_at=None, first_reviewer_id=None, reopen_reason=bindparam("b_why"))
)


def _reopen(conn: Connection, row, why: str, by: str, now: datetime, *,
            labels_added: Sequence[str] = (), matches_added: list[str] | None = None) -> bool:
    """Put one decided item back in the queue; False if another writer was first."""
    return bool(_reopen_all(conn, [Due(row, why, labels_added, matches_added)], by, now))


def _reopen_all(conn: Connection, due: Sequence[Due], by: str, now: datetime) -> list[int]:
    """Put decided items back in the queue, each by compare-and-set on its status (one a writer
    or reviewer changed in the meantime is left alone), with an `item_reopens` row and an
    `item.reopen` audit event each; returns the ids reopened. The rows and audit records of a
    batch are written together (a sync reopens thousands after a bulk load of matches)."""
    done = [d for d in due if conn.execute(_REQUEUE, {
        "b_item": d.row.id, "b_was": d.row.status, "b_priority": d.row.score, "b_why": d.why,
    }).rowcount]
    for i in range(0, len(done), CHUNK):
        part = done[i : i + CHUNK]
        set_aside = dict(conn.execute(
            select(decisions.c.item_id, func.max(decisions.c.id))
            .where(decisions.c.item_id.in_([d.row.id for d in part]))
            .group_by(decisions.c.item_id)
        ).all())
        conn.execute(insert(item_reopens), [dict(
            item_id=d.row.id, finding_id=d.row.finding_id, decision_id=set_aside.get(d.row.id),
            added_labels=list(d.labels_added), added_matches=d.matches_added,
            labels_before=d.row.decided_labels, labels_after=list(d.row.labels or ()),
            score_before=d.row.decided_score, score_after=d.row.score, reopened_by=by, created_at=now,
        ) for d in part])
        audit.append_many(conn, [(by, "item.reopen", f"item:{d.row.id}", {
            "finding": d.row.finding_id, "decision": set_aside.get(d.row.id), "was": d.row.status,
            "reason": d.why, "added": list(d.labels_added),
            **({"added_matches": d.matches_added} if d.matches_added else {}),
            "labels_before": d.row.decided_labels, "labels_after": list(d.row.labels or ()),
            "score_before": d.row.decided_score, "score_after": d.row.score,
        }) for d in part], now=now)
    return [d.row.id for d in done]


def last_reopened_decision(conn: Connection, item_id: int) -> int:
    """The id of the decision the item's latest reopen set aside (0: never reopened); only
    decisions after it count for four-eyes (a confirmation made on fewer labels does not)."""
    return conn.execute(
        select(func.coalesce(func.max(item_reopens.c.decision_id), 0)).where(
            and_(item_reopens.c.item_id == item_id)
        )
    ).scalar() or 0


def history(conn: Connection, item_id: int) -> list:
    """The item's reopens, oldest first (shown beside its decisions)."""
    return conn.execute(
        select(item_reopens).where(item_reopens.c.item_id == item_id).order_by(item_reopens.c.id)
    ).all()
