"""Video and live streams as PDQ-hashed frames sampled at a fixed rate of presentation time.

`FrameSampler` is the one code path: a video file's decoded frames are pushed into it by
`hash_video`, and a stream consumer pushes the frames it receives the same way. Frames that
are not sampled are never converted to pixels, which is most of the decoding cost.
(vPDQ proper would hash every frame; sampling at 1 frame/s keeps up with live streams.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from vaktpost.media.hashing import MediaError, Pdq, pdq_of_pixels
from vaktpost.media.limits import MediaLimits, default_limits


@dataclass(frozen=True, slots=True)
class FrameHash:
    frame_ts: float
    pdq: Pdq


class FrameSampler:
    """Keeps one frame per 1/fps seconds: the first frame at or after each sampling instant."""

    def __init__(self, fps: float = 1.0):
        if fps <= 0:
            raise ValueError(f"sampling rate must be positive, not {fps}")
        self.interval = 1.0 / fps
        self._next: float | None = None

    def wants(self, ts: float) -> bool:
        return self._next is None or ts >= self._next - 1e-9

    def push(self, ts: float, frame: np.ndarray | Callable[[], np.ndarray]) -> FrameHash | None:
        """Offer one frame (pixels, or a function that makes them); its hash if sampled."""
        if not self.wants(ts):
            return None
        pixels = frame() if callable(frame) else frame
        if self._next is None:
            self._next = ts
        while self._next <= ts + 1e-9:
            self._next += self.interval
        return FrameHash(round(float(ts), 6), pdq_of_pixels(pixels))


def _frame_pixels(frame: av.VideoFrame, reduce_to: int) -> np.ndarray:
    w, h = frame.width, frame.height
    factor = max(1, max(w, h) // reduce_to)
    if factor > 1:
        return frame.to_ndarray(format="rgb24", width=max(1, w // factor), height=max(1, h // factor))
    return frame.to_ndarray(format="rgb24")


def iter_video_frames(path: str | Path, fps: float | None = None,
                      limits: MediaLimits | None = None) -> Iterator[FrameHash]:
    limits = limits or default_limits()
    sampler = FrameSampler(fps or limits.video_sample_fps)
    where = str(path)
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as exc:
        raise MediaError(f"not a video we can read ({exc.strerror or exc})", where) from None
    with container:
        if not container.streams.video:
            raise MediaError("no video stream in the file", where)
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        w, h = stream.codec_context.width, stream.codec_context.height
        if w > limits.max_side or h > limits.max_side or w * h > limits.max_pixels:
            raise MediaError(f"refused: video frames of {w}×{h} are over the pixel limit", where)
        decoded = 0
        try:
            for frame in container.decode(stream):
                decoded += 1
                if decoded > limits.video_max_frames:
                    raise MediaError(f"more than {limits.video_max_frames} frames", where)
                ts = frame.time if frame.time is not None else (decoded - 1) / float(
                    stream.average_rate or 25)
                got = sampler.push(ts, lambda f=frame: _frame_pixels(f, limits.reduce_to))
                if got is not None:
                    yield got
        except av.error.FFmpegError as exc:
            raise MediaError(f"corrupt video data after {decoded} frames ({exc})", where) from None
        if decoded == 0:
            raise MediaError("the video has no decodable frame", where)


def hash_video(path: str | Path, fps: float | None = None,
               limits: MediaLimits | None = None) -> list[FrameHash]:
    return list(iter_video_frames(path, fps, limits))
