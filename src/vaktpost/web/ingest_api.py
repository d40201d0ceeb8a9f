"""Platform ingest API: batches of canonical message records, and of media frames, over HTTPS,
for a platform's machine account (role `platform`, API token `Authorization: Bearer vpt_…`).

Each batch goes through the same stage as the stream workers: imported idempotently on
(platform, message_id) — a client may resend a batch after a timeout without counting
anything twice — and the touched conversations analysed, all in one transaction. Bad
records are answered with their index and reason; the rest of the batch is still taken.

Back-pressure instead of unbounded memory: a request body over the byte limit is refused
(413) before it is read, and when every batch slot is busy the answer is 429 with a
Retry-After, so the platform slows down rather than the server queueing without bound.
Both endpoints share the limits and the slots. Media frames (`vaktpost.media.frames`) are
hashed, matched against the hash banks and recorded; idempotent on (platform, media id,
frame index).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.exc import OperationalError

from vaktpost.engines.stream.handler import BatchHandler, Transient
from vaktpost.media.frames import FrameIngest, FrameRecord
from vaktpost.media.matcher import default_index_path
from vaktpost.web.auth import Principal, allow

router = APIRouter(prefix="/api/ingest", tags=["ingest"])


class IngestLimits(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VAKTPOST_INGEST_", extra="ignore")

    max_batch: int = Field(5_000, ge=1, description="Records in one request.")
    max_bytes: int = Field(16 << 20, ge=1024, description="Bytes in one request body.")
    slots: int = Field(2, ge=1, description="Batches analysed at the same time; more get 429.")
    retry_after_s: int = Field(1, ge=1, description="What a 429 tells the client to wait.")


class MessageBatch(BaseModel):
    messages: list[dict[str, Any]] = Field(
        description="Canonical message records (spec/chat-export.md), any order, any conversations."
    )


class Rejected(BaseModel):
    index: int = Field(description="Position of the record in the batch's list.")
    reason: str


class BatchReceipt(BaseModel):
    received: int
    new: int = Field(description="Messages stored for the first time.")
    seen_before: int = Field(description="Message ids already stored (a resend): not counted again.")
    conversations: int = Field(description="Conversations analysed again as a whole.")
    findings: int = Field(description="Labelled messages now stored for those conversations.")
    rejected: list[Rejected]


def _state(request: Request) -> tuple[IngestLimits, asyncio.Semaphore]:
    app = request.app
    if not hasattr(app.state, "ingest_slots"):
        app.state.ingest_limits = limits = getattr(app.state, "ingest_limits", None) or IngestLimits()
        app.state.ingest_slots = asyncio.Semaphore(limits.slots)
    return app.state.ingest_limits, app.state.ingest_slots


def _busy(limits: IngestLimits, why: str) -> JSONResponse:
    return JSONResponse({"detail": why}, status_code=429, headers={"Retry-After": str(limits.retry_after_s)})


def _refuse_early(request: Request, limits: IngestLimits, slots: asyncio.Semaphore) -> JSONResponse | None:
    """411/413/429 decided from the headers alone, before the body is read into memory."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return JSONResponse({"detail": "send a Content-Length"}, status_code=411)
    if int(length) > limits.max_bytes:
        return JSONResponse({"detail": f"body over {limits.max_bytes:,} bytes; split the batch"}, status_code=413)
    if slots.locked():  # nothing is read into memory while the server is behind
        return _busy(limits, "ingest is at capacity")
    return None


def _body_schema(model: type[BaseModel]) -> dict:
    """The request body for OpenAPI: the endpoints read the body themselves (limits first)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


_LIMIT_RESPONSES = {
    411: {"description": "No Content-Length."},
    413: {"description": "Body or batch over the limit; split it."},
    429: {"description": "Every batch slot is busy; retry after `Retry-After` seconds."},
}


@router.post(
    "/messages",
    response_model=BatchReceipt,
    responses={**_LIMIT_RESPONSES, 422: {"description": "Not a JSON object with a `messages` list."}},
    openapi_extra=_body_schema(MessageBatch),
)
async def ingest_messages(request: Request, principal: Annotated[Principal, Depends(allow("ingest.write"))]):
    """Import a batch of messages and analyse the conversations it touches; idempotent on ids."""
    limits, slots = _state(request)
    if (refused := _refuse_early(request, limits, slots)) is not None:
        return refused
    async with slots:
        try:
            batch = MessageBatch.model_validate_json(await request.body())
        except ValueError as exc:
            return JSONResponse({"detail": f"not a message batch ({str(exc).splitlines()[0]})"}, status_code=422)
        if len(batch.messages) > limits.max_batch:
            return JSONResponse({"detail": f"over {limits.max_batch:,} records; split the batch"}, status_code=413)
        handler = BatchHandler(request.app.state.engine, f"api:{principal.account.username}")
        try:
            outcome = await run_in_threadpool(handler.handle, batch.messages)
        except Transient:
            return _busy(limits, "the store is unavailable; retry")
    return BatchReceipt(
        received=len(batch.messages),
        new=outcome.stage.messages_new,
        seen_before=outcome.stage.messages_seen_before,
        conversations=len(outcome.stage.conversations),
        findings=outcome.stage.findings,
        rejected=[Rejected(index=i, reason=r) for i, r in sorted(outcome.poison)],
    )


class FrameBatch(BaseModel):
    frames: list[FrameRecord] = Field(description="Frames, any order, any media.")


class FrameReceipt(BaseModel):
    received: int
    new: int = Field(description="Frames hashed and stored for the first time.")
    seen_before: int = Field(description="(platform, media_id, frame_index) already stored (a resend): not hashed again.")
    matched: int = Field(description="New frames that matched a hash bank.")
    findings: list[int] = Field(description="Ids of the media findings those matches went into.")
    rejected: list[Rejected] = Field(description="Bad frames by index in `frames`, with the reason; the rest were taken.")


class _RawFrames(BaseModel):
    frames: list[Any]


@router.post(
    "/media-frames",
    response_model=FrameReceipt,
    responses={**_LIMIT_RESPONSES, 422: {"description": "Not a JSON object with a `frames` list."}},
    openapi_extra=_body_schema(FrameBatch),
)
async def ingest_media_frames(request: Request, principal: Annotated[Principal, Depends(allow("ingest.write"))]):
    """Hash a batch of media frames, match them against the hash banks and record the matches
    as media findings (on their message where it is stored); idempotent on
    (platform, media_id, frame_index)."""
    limits, slots = _state(request)
    if (refused := _refuse_early(request, limits, slots)) is not None:
        return refused
    async with slots:
        try:
            batch = _RawFrames.model_validate_json(await request.body())
        except ValueError:  # the message could quote the body: say only what was expected
            return JSONResponse({"detail": "not a frame batch (a JSON object with a `frames` list)"}, status_code=422)
        if len(batch.frames) > limits.max_batch:
            return JSONResponse({"detail": f"over {limits.max_batch:,} frames; split the batch"}, status_code=413)
        engine = request.app.state.engine
        index = getattr(request.app.state, "media_index", None) or default_index_path(engine.url.render_as_string())
        try:
            outcome = await run_in_threadpool(FrameIngest(engine, index).handle, batch.frames)
        except OperationalError:
            return _busy(limits, "the store is unavailable; retry")
    return FrameReceipt(
        received=len(batch.frames), new=outcome.new, seen_before=outcome.seen_before, matched=outcome.matched,
        findings=sorted(outcome.findings), rejected=[Rejected(index=i, reason=r) for i, r in outcome.rejected],
    )
