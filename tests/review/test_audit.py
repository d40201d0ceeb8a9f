"""The audit chain: intact when untouched; an edit, a deletion or a reordering is found and
the first broken record named — by the library and by `vaktpost audit verify`."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from vaktpost.cli import app as cli
from vaktpost.review import audit
from vaktpost.store.review_tables import audit_log


@pytest.fixture
def chain(engine):
    with engine.begin() as conn:
        for i in range(1, 7):
            audit.append(conn, f"user{i % 2}", "evidence.view", f"finding:{i}", {"n": i})
    return engine


def _db_url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_untouched_chain_verifies(chain):
    with chain.connect() as conn:
        report = audit.verify(conn)
    assert report.ok and report.checked == 6


def test_records_link_to_the_previous_hash(chain):
    with chain.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).all()
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
    assert [r.id for r in rows] == list(range(1, 7))


def test_an_edited_record_is_found(chain):
    with chain.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 3).values(username="someone-else"))
    with chain.connect() as conn:
        report = audit.verify(conn)
    assert (report.ok, report.broken_at) == (False, 3)
    assert "hash" in report.why


def test_an_edited_record_with_its_hash_recomputed_breaks_the_next_link(chain):
    with chain.begin() as conn:
        r = conn.execute(select(audit_log).where(audit_log.c.id == 3)).one()
        forged = audit.record_hash(
            r.id, r.at, r.username, "login.ok", r.target, r.detail, r.prev_hash
        )
        conn.execute(
            update(audit_log).where(audit_log.c.id == 3).values(action="login.ok", hash=forged)
        )
    with chain.connect() as conn:
        report = audit.verify(conn)
    assert (report.ok, report.broken_at) == (False, 4)


def test_a_deleted_record_is_found(chain):
    with chain.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.id == 4))
    with chain.connect() as conn:
        report = audit.verify(conn)
    assert (report.ok, report.broken_at) == (False, 4)


def test_deleting_the_newest_record_is_found(chain):
    with chain.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.id == 6))
    with chain.connect() as conn:
        report = audit.verify(conn)
    assert report.ok is False and report.checked == 5


def test_reordered_records_are_found(chain):
    """Swap the contents of records 2 and 5 (ids stay in order)."""
    cols = ["at", "username", "action", "target", "detail", "prev_hash", "hash"]
    with chain.begin() as conn:
        two = conn.execute(select(audit_log).where(audit_log.c.id == 2)).one()
        five = conn.execute(select(audit_log).where(audit_log.c.id == 5)).one()
        # prev_hash is unique: park one row's value while swapping.
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(prev_hash="parked"))
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == 5)
            .values(**{c: getattr(two, c) for c in cols})
        )
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == 2)
            .values(**{c: getattr(five, c) for c in cols})
        )
    with chain.connect() as conn:
        report = audit.verify(conn)
    assert (report.ok, report.broken_at) == (False, 2)


def test_cli_reports_the_first_broken_link(chain):
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify", "--db", _db_url(chain), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert '"ok": true' in ok.stdout
    with chain.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(target="finding:999"))
    bad = runner.invoke(cli, ["audit", "verify", "--db", _db_url(chain)])
    assert bad.exit_code == 1
    assert "audit record 2" in bad.stderr
    assert "Traceback" not in bad.output


def test_actions_write_audit_records(engine, client_for, world, accounts):
    """Login, evidence views, reveals and decisions all land in the chain."""
    client = client_for("reviewer")
    client.get(f"/findings/{world.finding_ids[0]}")
    client.post(
        f"/media/{world.media_finding_ids[0]}/reveal",
        data={"reason": "check"},
        headers={"X-CSRF-Token": client.csrf},
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.username, audit_log.c.action, audit_log.c.target)
        ).all()
        assert audit.verify(conn).ok
    assert ("reviewer1", "evidence.view", f"finding:{world.finding_ids[0]}") in rows
    assert ("reviewer1", "media.reveal", f"finding:{world.media_finding_ids[0]}") in rows


def test_audit_page_shows_where_the_chain_breaks(engine, client_for, world):
    admin = client_for("admin")
    assert "chain intact" in admin.get("/audit").text
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(detail='{"role":"admin"}'))
    assert "chain broken at record 2" in admin.get("/audit").text


def test_a_batch_of_records_chains_exactly_as_single_appends(engine, tmp_path):
    """`append_many` (a sync reopening thousands of items) writes the very records that as many
    `append` calls with the same time would: same sequence numbers, hashes and links."""
    from datetime import UTC, datetime

    from vaktpost.store.db import make_engine, upgrade

    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    records = [(f"user{i % 2}", "item.reopen", f"item:{i}", {"n": i, "reason": "new match since decision: b"})
               for i in range(5)]
    other = make_engine(f"sqlite:///{tmp_path / 'single.db'}")
    upgrade(other)
    for eng, batch in ((engine, True), (other, False)):
        with eng.begin() as conn:
            audit.append(conn, "admin", "login.ok", "user:admin", now=now)  # a chain already begun
            if batch:
                assert audit.append_many(conn, records, now=now) == [2, 3, 4, 5, 6]
            else:
                for r in records:
                    audit.append(conn, *r, now=now)
            assert audit.append_many(conn, [], now=now) == []
    rows = []
    for eng in (engine, other):
        with eng.connect() as conn:
            rows.append([tuple(r) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))])
            assert audit.verify(conn).ok
    assert rows[0] == rows[1] and len(rows[0]) == 6
    other.dispose()
