"""The generator's output goes through `vaktpost scan` unchanged: nothing rejected, nothing lost."""

from __future__ import annotations

from sqlalchemy import func, select

from vaktpost.ingest.importer import ImportOptions, import_file
from vaktpost.store.db import make_engine, upgrade
from vaktpost.store.tables import actors, messages


def test_generated_chats_import_without_a_single_reject(demo_world, db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    result = import_file(engine, demo_world.out / "chats.jsonl", ImportOptions(skip_invalid=True))
    assert result.rejected == 0
    assert result.messages_new == len(demo_world.truth) == len(demo_world.chats)
    with engine.connect() as conn:
        stored_ids = set(conn.execute(select(messages.c.message_id)).scalars())
        n_actors = conn.execute(select(func.count()).select_from(actors)).scalar_one()
    assert stored_ids == {t["message_id"] for t in demo_world.truth}
    senders = {(a["platform"], a["actor_id"]) for a in demo_world.actors}
    assert n_actors >= len(senders)
