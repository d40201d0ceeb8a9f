"""Hash banks in the store: create, import lists with provenance, export, disable.

The database is the truth about banks; the Hamming index (`vaktpost.media.index`) is a
cache of the banks' PDQ hashes kept beside it and brought up to date before matching.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from vaktpost.errors import UserError
from vaktpost.media.bank_formats import ListedHash, ListProblem, normalise
from vaktpost.media.limits import default_limits
from vaktpost.store.media_tables import media_bank_hashes, media_banks

BATCH = 5_000


@dataclass(frozen=True, slots=True)
class Bank:
    id: int
    name: str
    threshold: int
    min_quality: int
    negative: bool
    enabled: bool


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    added: int
    already_there: int
    problems: tuple[ListProblem, ...]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _bank(row) -> Bank:
    return Bank(row.id, row.name, row.threshold, row.min_quality, bool(row.negative),
                bool(row.enabled))


def create_bank(engine: Engine, name: str, threshold: int | None = None,
                min_quality: int | None = None, negative: bool = False) -> Bank:
    limits = default_limits()
    threshold = limits.bank_threshold if threshold is None else threshold
    min_quality = limits.bank_min_quality if min_quality is None else min_quality
    if not name.strip():
        raise UserError("a bank needs a name")
    if not 0 <= threshold <= 256:
        raise UserError(f"threshold must be between 0 and 256 bits, not {threshold}", name)
    if not 0 <= min_quality <= 100:
        raise UserError(f"minimum quality must be between 0 and 100, not {min_quality}", name)
    with engine.begin() as conn:
        if conn.execute(select(media_banks.c.id).where(media_banks.c.name == name)).first():
            raise UserError("a bank with this name exists already", name)
        conn.execute(media_banks.insert().values(
            name=name, threshold=threshold, min_quality=min_quality, negative=negative,
            enabled=True, created_at=_now()))
    return get_bank(engine, name)


def get_bank(engine: Engine, name: str) -> Bank:
    with engine.connect() as conn:
        row = conn.execute(select(media_banks).where(media_banks.c.name == name)).first()
    if row is None:
        raise UserError("no bank of this name (create it with `vaktpost bank create`)", name)
    return _bank(row)


def list_banks(engine: Engine) -> list[dict]:
    h = media_bank_hashes
    counts = (
        select(h.c.bank_id, h.c.signal_type, func.count().label("n"),
               func.count(h.c.disabled_at).label("disabled"))
        .group_by(h.c.bank_id, h.c.signal_type)
    )
    with engine.connect() as conn:
        banks = [_bank(r) for r in conn.execute(select(media_banks).order_by(media_banks.c.name))]
        per = {}
        for r in conn.execute(counts):
            per.setdefault(r.bank_id, {})[r.signal_type] = (r.n, r.disabled)
    out = []
    for b in banks:
        c = per.get(b.id, {})
        out.append({
            "name": b.name, "threshold": b.threshold, "min_quality": b.min_quality,
            "negative": b.negative, "enabled": b.enabled,
            "hashes": {st: n - d for st, (n, d) in sorted(c.items())},
            "disabled_hashes": sum(d for _, d in c.values()),
        })
    return out


def banks_by_id(engine: Engine) -> dict[int, Bank]:
    with engine.connect() as conn:
        return {r.id: _bank(r) for r in conn.execute(select(media_banks))}


def _insert_ignoring_duplicates(conn, rows: list[dict]) -> None:
    dialect = conn.dialect.name
    if dialect == "sqlite":
        stmt = sqlite.insert(media_bank_hashes).on_conflict_do_nothing()
    elif dialect == "postgresql":
        stmt = postgresql.insert(media_bank_hashes).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        raise UserError(f"unsupported database {dialect}")
    conn.execute(stmt, rows)


def import_hashes(engine: Engine, bank_name: str, entries: Iterable[ListedHash | ListProblem],
                  source: str) -> ImportOutcome:
    """Add every listed hash not in the bank yet; the bank's other hashes stay untouched."""
    bank = get_bank(engine, bank_name)
    problems: list[ListProblem] = []
    seen = 0
    imported_at = _now()
    count = select(func.count()).select_from(media_bank_hashes).where(
        media_bank_hashes.c.bank_id == bank.id)
    with engine.begin() as conn:
        before = conn.execute(count).scalar_one()
        batch: list[dict] = []
        for entry in entries:
            if isinstance(entry, ListProblem):
                problems.append(entry)
                continue
            seen += 1
            batch.append({
                "bank_id": bank.id, "signal_type": entry.signal_type, "hash": entry.hash,
                "source": source, "listed_at": entry.listed_at, "imported_at": imported_at,
                "category": entry.category,
            })
            if len(batch) >= BATCH:
                _insert_ignoring_duplicates(conn, batch)
                batch = []
        if batch:
            _insert_ignoring_duplicates(conn, batch)
        after = conn.execute(count).scalar_one()
    return ImportOutcome(after - before, seen - (after - before), tuple(problems))


def export_rows(engine: Engine, bank_name: str, include_disabled: bool = True) -> Iterator[dict]:
    bank = get_bank(engine, bank_name)
    h = media_bank_hashes
    query = select(h.c.signal_type, h.c.hash, h.c.source, h.c.listed_at, h.c.category,
                   h.c.disabled_at).where(h.c.bank_id == bank.id).order_by(h.c.id)
    if not include_disabled:
        query = query.where(h.c.disabled_at.is_(None))
    with engine.connect() as conn:
        for r in conn.execute(query):
            row = dict(r._mapping)
            for k in ("listed_at", "disabled_at"):
                if row[k] is not None:
                    row[k] = row[k].isoformat()
            yield row


def disable_hash(engine: Engine, bank_name: str, value: str, signal_type: str | None = None,
                 reason: str | None = None, index_path: str | Path | None = None) -> int:
    """Stop one hash matching, keeping its record; tombstones it in the index if there is one."""
    bank = get_bank(engine, bank_name)
    value = value.strip().lower()
    types = [signal_type] if signal_type else [
        t for t, n in (("md5", 32), ("sha1", 40), ("pdq", 64), ("sha256", 64)) if len(value) == n]
    if not types:
        raise UserError(f"not a hash of any known type: {value[:80]!r}", bank_name)
    for t in types:
        normalise(t, value)
    h = media_bank_hashes
    where = (h.c.bank_id == bank.id) & h.c.signal_type.in_(types) & (h.c.hash == value)
    with engine.begin() as conn:
        ids = [r.id for r in conn.execute(select(h.c.id).where(where & h.c.disabled_at.is_(None)))]
        if not ids:
            raise UserError("no enabled hash with this value in the bank", f"{bank_name}: {value}")
        conn.execute(update(h).where(h.c.id.in_(ids)).values(
            disabled_at=_now(), disabled_reason=reason))
    if index_path is not None and Path(index_path, "manifest.json").exists():
        from vaktpost.media.index import HammingIndex

        HammingIndex(index_path).delete(ids)
    return len(ids)


def set_bank_enabled(engine: Engine, bank_name: str, enabled: bool) -> None:
    bank = get_bank(engine, bank_name)
    with engine.begin() as conn:
        conn.execute(update(media_banks).where(media_banks.c.id == bank.id).values(enabled=enabled))
