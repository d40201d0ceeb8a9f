"""Media frames pushed by a platform (POST /api/ingest/media-frames): hash, match, record.

A platform that moderates live streams sends still frames it sampled (JPEG, PNG, WebP …), each
tied to its stream or upload (`media_id`), its place in it (`frame_index`, `frame_ts`) and the
conversation — and where there is one, the message — it belongs to. Each new frame is hashed
like any file (`hashing`: SHA-256/SHA-1/MD5 of the bytes as received, PDQ of a reduced
decode), matched against the banks by the same `Matcher`, and a match is recorded by the same
`record_finding`: into the message's media finding when the message is in the store, else as
the frame's own finding found again by SHA-256 (`media_items`). Every frame, matched or not,
leaves a `media_frames` row keyed on (platform, media id, frame index), so a batch resent after
a timeout is answered `seen_before` and neither hashed nor counted again.

A bad frame (fields missing, data not base64, bytes that are not a picture, over the limits) is
rejected with its index and reason; the rest of the batch is still taken. Reasons never carry
the frame's bytes, and nothing here logs them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine, select, tuple_
from sqlalchemy.exc import IntegrityError

from vaktpost.media.files import MediaHashes
from vaktpost.media.hashing import (
    FileDigests,
    MediaError,
    decode_for_pdq,
    open_image,
    pdq_of_pixels,
)
from vaktpost.media.limits import MediaLimits, default_limits
from vaktpost.media.matcher import Matcher, record_finding
from vaktpost.store.media_tables import media_frames
from vaktpost.store.tables import messages, platforms

# One Matcher at a time per process: building it syncs the on-disk index (adds segments,
# rewrites sync.json), which two threads must not do to the same folder at once.
_INDEX_LOCK = threading.Lock()


class FrameRecord(BaseModel):
    """One frame as a platform sends it."""

    model_config = ConfigDict(extra="forbid")

    platform: str = Field(min_length=1, max_length=200, description="The platform's name, as in its message records.")
    media_id: str = Field(min_length=1, max_length=300, description="The stream, video or upload the frame is from.")
    frame_index: int = Field(ge=0, description="The frame's number within `media_id`; with them the idempotency key.")
    frame_ts: float | None = Field(None, ge=0, description="Seconds from the start of the stream or video.")
    conversation_id: str = Field(min_length=1, max_length=300, description="The conversation (room, chat) it was shown in.")
    message_id: str | None = Field(None, min_length=1, max_length=300,
                                   description="The message that carried it, if any (canonical `message_id`).")
    data: str = Field(min_length=1, description="The encoded picture (JPEG, PNG, WebP, GIF, BMP, TIFF), standard base64.")

    @property
    def locator(self) -> str:
        """Where the frame is from, for findings and error messages (never its content)."""
        return f"{self.platform}:{self.media_id}#{self.frame_index}"


@dataclass
class FrameOutcome:
    new: int = 0
    seen_before: int = 0
    matched: int = 0
    findings: set[int] = field(default_factory=set)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def hash_frame_bytes(data: bytes, where: str, limits: MediaLimits | None = None) -> MediaHashes:
    """The same hashes `hash_file` gives an image file, from bytes held in memory."""
    limits = limits or default_limits()
    if not data:
        raise MediaError("empty frame", where)
    if len(data) > limits.max_image_file_bytes:
        raise MediaError(f"frame is {len(data)} bytes, over {limits.max_image_file_bytes}", where)
    digests = FileDigests(hashlib.sha256(data).hexdigest(), hashlib.sha1(data).hexdigest(),
                          hashlib.md5(data).hexdigest(), len(data))
    try:
        img = open_image(io.BytesIO(data), limits)
    except MediaError as exc:  # it names the buffer; name the frame instead
        raise MediaError(exc.why, where) from None
    try:
        pdq = pdq_of_pixels(decode_for_pdq(img, True, limits, where))
    finally:
        img.close()
    return MediaHashes(where, digests, "image", pdq=pdq)


def _reason(exc: ValidationError) -> str:
    """Field and message of each problem, without the input (which may be image data)."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'frame'}: {e['msg']}" for e in exc.errors()[:3])


class FrameIngest:
    def __init__(self, engine: Engine, index_path: str | Path | None):
        self.engine, self.index_path = engine, index_path

    def handle(self, raw_frames: list[Any]) -> FrameOutcome:
        out = FrameOutcome()
        frames = self._parse(raw_frames, out)
        fresh = self._unseen(frames, out)
        hashed: list[tuple[FrameRecord, MediaHashes]] = []
        for i, frame in fresh:
            try:
                data = base64.b64decode(frame.data, validate=True)
            except (binascii.Error, ValueError):
                out.rejected.append((i, "data: not standard base64"))
                continue
            try:
                hashed.append((frame, hash_frame_bytes(data, frame.locator)))
            except MediaError as exc:
                out.rejected.append((i, f"data: {exc.why}"))
        if hashed:
            with _INDEX_LOCK:
                matcher = Matcher(self.engine, self.index_path)
                for frame, media in hashed:
                    self._record(frame, media, matcher, out)
        out.rejected.sort()
        return out

    def _parse(self, raw_frames: list[Any], out: FrameOutcome) -> list[tuple[int, FrameRecord]]:
        frames, keys = [], set()
        for i, raw in enumerate(raw_frames):
            try:
                frame = FrameRecord.model_validate(raw)
            except ValidationError as exc:
                out.rejected.append((i, _reason(exc)))
                continue
            key = (frame.platform, frame.media_id, frame.frame_index)
            if key in keys:  # the same frame twice in one batch: the first one counts
                out.seen_before += 1
                continue
            keys.add(key)
            frames.append((i, frame))
        return frames

    def _unseen(self, frames: list[tuple[int, FrameRecord]], out: FrameOutcome) -> list[tuple[int, FrameRecord]]:
        if not frames:
            return []
        f = media_frames.c
        stored: set[tuple] = set()
        keys = [(fr.platform, fr.media_id, fr.frame_index) for _, fr in frames]
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                stored.update(tuple(r) for r in conn.execute(
                    select(f.platform, f.media_id, f.frame_index)
                    .where(tuple_(f.platform, f.media_id, f.frame_index).in_(keys[start:start + 500]))))
        fresh = [(i, fr) for i, fr in frames if (fr.platform, fr.media_id, fr.frame_index) not in stored]
        out.seen_before += len(frames) - len(fresh)
        return fresh

    def _message_key(self, frame: FrameRecord) -> int | None:
        if frame.message_id is None:
            return None
        with self.engine.connect() as conn:
            return conn.execute(
                select(messages.c.id).join(platforms, platforms.c.id == messages.c.platform_id)
                .where((platforms.c.name == frame.platform) & (messages.c.message_id == frame.message_id))
            ).scalar()

    def _record(self, frame: FrameRecord, media: MediaHashes, matcher: Matcher, out: FrameOutcome) -> None:
        outcome = matcher.match(media)
        finding = record_finding(self.engine, outcome, matcher, message_id=self._message_key(frame), by="media frames") if outcome.matches else None
        row = {"platform": frame.platform, "media_id": frame.media_id, "frame_index": frame.frame_index,
               "frame_ts": frame.frame_ts, "conversation_id": frame.conversation_id, "message_id": frame.message_id,
               "sha256": media.digests.sha256, "pdq": media.pdq.hash if media.pdq else None,
               "pdq_quality": media.pdq.quality if media.pdq else None, "matches": len(outcome.matches),
               "finding_id": finding, "received_at": datetime.now(UTC)}
        try:
            with self.engine.begin() as conn:
                conn.execute(media_frames.insert().values(row))
        except IntegrityError:  # another request stored the same frame meanwhile
            out.seen_before += 1
            return
        out.new += 1
        if finding is not None:
            out.matched += 1
            out.findings.add(finding)
