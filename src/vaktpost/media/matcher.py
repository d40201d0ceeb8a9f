"""Match hashed media against the banks and record what matched as findings for review.

Exact digests are looked up in the store; PDQ goes through the Hamming index kept in a
folder beside the database, brought up to date from the store first (only rows added since
the last sync are indexed). Every index hit is re-checked against its row in the store, so
a disabled hash, a disabled bank or a stale index can never produce a match.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import make_url

from vaktpost.media.banks import Bank, banks_by_id
from vaktpost.media.files import MediaHashes
from vaktpost.media.hashbits import hamming
from vaktpost.media.index import HammingIndex
from vaktpost.review.reopen import reopen_new_matches
from vaktpost.store.media_tables import media_bank_hashes, media_items
from vaktpost.store.tables import findings, messages

FINDING_LABEL = "KNOWN_MEDIA"
SYNC_FILE = "sync.json"


def default_index_path(db_url: str) -> Path:
    """$VAKTPOST_MEDIA_INDEX, else `<database file>.media-index`, else ./vaktpost-media-index."""
    if os.environ.get("VAKTPOST_MEDIA_INDEX"):
        return Path(os.environ["VAKTPOST_MEDIA_INDEX"])
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database + ".media-index")
    return Path("vaktpost-media-index")


def sync_index(engine: Engine, path: str | Path | None) -> HammingIndex:
    """The index holding every enabled PDQ bank hash, updated incrementally from the store."""
    h = media_bank_hashes
    index = HammingIndex(path)
    state_file = Path(path) / SYNC_FILE if path is not None else None
    through = 0
    if state_file is not None and state_file.exists():
        through = json.loads(state_file.read_text())["through_id"]
    with engine.connect() as conn:
        top = conn.execute(select(func.max(h.c.id))).scalar() or 0
        if top < through:  # the store was replaced under the index: start again
            index = _reset(path)
            through = 0
        rows = conn.execute(
            select(h.c.id, h.c.hash, h.c.bank_id)
            .where((h.c.signal_type == "pdq") & (h.c.id > through) & h.c.disabled_at.is_(None))
            .order_by(h.c.id)
        ).all()
    if rows:
        index.add([r.hash for r in rows], [r.id for r in rows], [r.bank_id for r in rows])
    if state_file is not None:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps({"through_id": max(top, through)}))
    return index


def _reset(path) -> HammingIndex:
    import shutil

    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
    return HammingIndex(path)


@dataclass(frozen=True, slots=True)
class BankMatch:
    bank: str
    signal_type: str
    hash: str
    distance: int
    hash_id: int
    source: str
    category: str | None
    negative: bool
    frame_ts: float | None = None
    quality: int | None = None

    def public(self) -> dict:
        row = {"bank": self.bank, "signal_type": self.signal_type, "hash": self.hash,
               "distance": self.distance}
        if self.frame_ts is not None:
            row["frame_ts"] = self.frame_ts
        return row


@dataclass(frozen=True, slots=True)
class MatchOutcome:
    media: MediaHashes
    matches: tuple[BankMatch, ...]
    suppressed: tuple[BankMatch, ...]  # positive matches cancelled by a negative bank


class Matcher:
    def __init__(self, engine: Engine, index_path: str | Path | None):
        self.engine = engine
        self.index = sync_index(engine, index_path)
        self.banks: dict[int, Bank] = banks_by_id(engine)
        enabled = [b.threshold for b in self.banks.values() if b.enabled]
        self.radius = max(enabled, default=0)

    def match(self, media: MediaHashes) -> MatchOutcome:
        found = self._exact(media) + self._pdq(media)
        best: dict[int, BankMatch] = {}
        for m in found:  # one row per bank hash: its closest frame
            if m.hash_id not in best or m.distance < best[m.hash_id].distance:
                best[m.hash_id] = m
        ordered = sorted(best.values(), key=lambda m: (m.distance, m.bank, m.hash))
        negative = [m for m in ordered if m.negative]
        positive = [m for m in ordered if not m.negative]
        if negative:
            return MatchOutcome(media, (), tuple(positive))
        return MatchOutcome(media, tuple(positive), ())

    def _rows(self, where) -> list:
        h = media_bank_hashes
        with self.engine.connect() as conn:
            return conn.execute(
                select(h.c.id, h.c.bank_id, h.c.signal_type, h.c.hash, h.c.source, h.c.category)
                .where(where & h.c.disabled_at.is_(None))
            ).all()

    def _exact(self, media: MediaHashes) -> list[BankMatch]:
        h = media_bank_hashes
        d = media.digests
        where = (
            ((h.c.signal_type == "md5") & (h.c.hash == d.md5))
            | ((h.c.signal_type == "sha1") & (h.c.hash == d.sha1))
            | ((h.c.signal_type == "sha256") & (h.c.hash == d.sha256))
        )
        return [self._hit(r, 0, None, None) for r in self._rows(where)
                if self.banks.get(r.bank_id) and self.banks[r.bank_id].enabled]

    def _pdq(self, media: MediaHashes) -> list[BankMatch]:
        pdqs = media.pdq_hashes()
        if not pdqs or not self.banks:
            return []
        qidx, bank_ids, ids, dists = self.index.search_arrays([p.hash for _, p in pdqs], self.radius)
        if ids.size == 0:
            return []
        rows = {r.id: r for r in self._rows(media_bank_hashes.c.id.in_([int(i) for i in set(ids)]))}
        out = []
        for q, hid, dist in zip(qidx.tolist(), ids.tolist(), dists.tolist()):
            row = rows.get(hid)
            ts, pdq = pdqs[q]
            if row is None or row.signal_type != "pdq" or hamming(row.hash, pdq.hash) != dist:
                continue
            bank = self.banks.get(row.bank_id)
            if bank is None or not bank.enabled or dist > bank.threshold:
                continue
            if pdq.quality < bank.min_quality:
                continue
            out.append(self._hit(row, dist, ts, pdq.quality))
        return out

    def _hit(self, row, distance, frame_ts, quality) -> BankMatch:
        bank = self.banks[row.bank_id]
        return BankMatch(bank.name, row.signal_type, row.hash, int(distance), int(row.id),
                         row.source, row.category, bank.negative, frame_ts, quality)


def _score(matches: tuple[BankMatch, ...], banks: dict[str, int]) -> float:
    """1.0 for an exact match, falling to 0.5 at a bank's threshold: any match needs review."""
    return max(1.0 - 0.5 * m.distance / (banks.get(m.bank, 31) + 1) for m in matches)


def record_finding(engine: Engine, outcome: MatchOutcome, matcher: Matcher,
                   message_id: int | None = None, *, by: str = "media match") -> int | None:
    """Write (or update) the media finding for a matched file; returns the finding's id.

    A decided review item of that finding goes back to the queue, in the same transaction,
    when this adds a match its latest decision was not made on (`review/reopen.py:
    reopen_new_matches`; `by` names this path in its history and the audit log).

    A file attached to a message shares that message's single media finding (the findings
    table allows one per kind and message): its matches are merged into the detail.
    A standalone file has its own finding, found again through `media_items` by SHA-256.
    """
    if not outcome.matches:
        return None
    media = outcome.media
    d = media.digests
    now = datetime.now(timezone.utc)
    entry = {
        "path": media.path, "kind": media.kind, "sha256": d.sha256, "md5": d.md5,
        "sha1": d.sha1, "size": d.size,
        "pdq": media.pdq.hash if media.pdq else None,
        "pdq_quality": media.pdq.quality if media.pdq else None,
        "matches": [asdict(m) for m in outcome.matches],
    }
    thresholds = {b.name: b.threshold for b in matcher.banks.values()}
    score = _score(outcome.matches, thresholds)
    with engine.begin() as conn:
        item = conn.execute(select(media_items).where(media_items.c.sha256 == d.sha256)).first()
        if item is None:
            conn.execute(media_items.insert().values(
                sha256=d.sha256, md5=d.md5, sha1=d.sha1, size=d.size, kind=media.kind,
                path=media.path, first_seen_at=now))
            item = conn.execute(select(media_items).where(media_items.c.sha256 == d.sha256)).first()
        if message_id is not None:
            existing = conn.execute(select(findings).where(
                (findings.c.kind == "media") & (findings.c.message_id == message_id))).first()
            actor = conn.execute(select(messages.c.sender_id).where(
                messages.c.id == message_id)).scalar()
        else:
            existing = None
            if item.finding_id is not None:
                existing = conn.execute(select(findings).where(
                    findings.c.id == item.finding_id)).first()
            actor = None
        if existing is None:
            detail = entry if message_id is None else {"media": [entry]}
            fid = conn.execute(findings.insert().values(
                kind="media", message_id=message_id, actor_id=actor, labels=[FINDING_LABEL],
                score=score, detail=detail, created_at=now).returning(findings.c.id)).scalar_one()
        else:
            fid = existing.id
            if message_id is None:
                detail = entry
            else:
                others = [m for m in (existing.detail or {}).get("media", [])
                          if m.get("sha256") != d.sha256]
                detail = {"media": others + [entry]}
                score = max(score, existing.score)
            conn.execute(update(findings).where(findings.c.id == fid).values(
                detail=detail, score=score))
            reopen_new_matches(conn, [fid], by=by, now=now)
        if message_id is None and item.finding_id != fid:
            conn.execute(update(media_items).where(media_items.c.id == item.id).values(
                finding_id=fid))
    return int(fid)
