"""`promote_known_senders`: the store pass of text/known_sender.py (I/O here, the decision there).

A borderline turn of the reply model (`reply_borderline`) gets `MINOR_CONFIRMED` (rule
`reply_model.known_sender`, evidence the whole line, score its reply score) when its sender
has a `MINOR_CONFIRMED` in another conversation of the store, from any rule but this pass.
The pass brings the store to that state in one transaction: it adds what is due and takes
back what no longer is (a rescan removed the sender's other confirmation), so running it again
changes nothing, and its result depends on the stored findings and borderline rows alone —
never on how a scan was chunked or which engine wrote them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, and_, delete, insert, select, update

from vaktpost.model import Label
from vaktpost.store.known_sender_tables import reply_borderline
from vaktpost.store.locks import store_wide_pass
from vaktpost.store.tables import findings, messages, signals
from vaktpost.text.known_sender import (
    PROMOTED_RULE,
    Borderline,
    finding_parts,
    promoted_signal,
    promotions,
)

MC = Label.MINOR_CONFIRMED.value


def promote_known_senders(engine: Engine) -> dict[str, int]:
    """Run the pass over the whole store in one transaction; returns {"added", "removed", "promoted"}."""
    with engine.begin() as conn:
        return promote_in(conn)


def promote_in(conn: Connection) -> dict[str, int]:
    """The pass in the caller's transaction. It first takes the findings lock exclusive
    (`store/locks.py`): no rescan runs beside it. A decided review item whose finding gains
    `MINOR_CONFIRMED` here is reopened (`review/reopen.py`)."""
    from vaktpost.review.reopen import reopen_grown

    store_wide_pass(conn)
    confirmed_in: dict[int, set[int]] = {}
    q = (select(messages.c.sender_id, messages.c.conversation_id).distinct()
         .select_from(signals.join(messages, messages.c.id == signals.c.message_id))
         .where(and_(signals.c.label == MC, signals.c.rule != PROMOTED_RULE)))
    for actor, conv in conn.execute(q):
        confirmed_in.setdefault(int(actor), set()).add(int(conv))
    q = (select(reply_borderline.c.message_id, messages.c.conversation_id, reply_borderline.c.actor_id,
                reply_borderline.c.end, reply_borderline.c.score)
         .select_from(reply_borderline.join(messages, messages.c.id == reply_borderline.c.message_id)))
    borderline = [Borderline(int(m), int(c), int(a), int(e), float(s)) for m, c, a, e, s in conn.execute(q)]
    wanted = {b.message: b for b in promotions(borderline, confirmed_in)}
    current = set(conn.execute(select(signals.c.message_id).where(signals.c.rule == PROMOTED_RULE)).scalars())
    stale = sorted(current - set(wanted))
    new = [wanted[k] for k in sorted(set(wanted) - current)]
    for chunk in _chunks(stale, 900):
        conn.execute(delete(signals).where(and_(signals.c.rule == PROMOTED_RULE, signals.c.message_id.in_(chunk))))
        _refresh_findings(conn, chunk)
    now = datetime.now(UTC)
    for chunk in _chunks(new, 900):
        keys = [b.message for b in chunk]
        have = dict(conn.execute(select(findings.c.message_id, findings.c.id)
                                 .where(and_(findings.c.kind == "text", findings.c.message_id.in_(keys)))).all())
        rows = []
        for b in chunk:
            s = promoted_signal(b.end, b.score)
            rows.append({"message_id": b.message, "label": s.label.value, "start": s.start, "end": s.end, "rule": s.rule, "score": s.score})
        conn.execute(insert(signals), rows)
        fresh = [{"kind": "text", "message_id": b.message, "actor_id": b.actor, "labels": [MC], "score": b.score,
                  "detail": None, "created_at": now} for b in chunk if b.message not in have]
        if fresh:
            conn.execute(insert(findings), fresh)
        _refresh_findings(conn, [k for k in keys if k in have])
        reopen_grown(conn, [have[k] for k in keys if k in have], by="known-sender pass", now=now)
    return {"added": len(new), "removed": len(stale), "promoted": len(wanted)}


def _refresh_findings(conn: Connection, message_keys: list[int]) -> None:
    """Labels and score of these messages' text findings from their signals (labels: each once,
    in the order of its first signal, as `Finding.labels`; score: the highest); a finding left
    with no signal is removed."""
    if not message_keys:
        return
    by_message: dict[int, list[tuple[str, float]]] = {k: [] for k in message_keys}
    q = (select(signals.c.message_id, signals.c.label, signals.c.score)
         .where(signals.c.message_id.in_(message_keys)).order_by(signals.c.message_id, signals.c.id))
    for m, label, score in conn.execute(q):
        by_message[m].append((label, score))
    gone = [k for k, v in by_message.items() if not v]
    if gone:
        conn.execute(delete(findings).where(and_(findings.c.kind == "text", findings.c.message_id.in_(gone))))
    for k, v in by_message.items():
        if v:
            labels, score = finding_parts(v)
            conn.execute(update(findings).where(and_(findings.c.kind == "text", findings.c.message_id == k))
                         .values(labels=labels, score=score))


def _chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i : i + n]
