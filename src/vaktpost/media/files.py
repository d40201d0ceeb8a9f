"""Hash files in a batch: each file gives its hashes or its own error, never the batch's end."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from vaktpost.media.hashing import FileDigests, MediaError, Pdq, digest_file, pdq_of_image_file
from vaktpost.media.limits import MediaLimits, default_limits
from vaktpost.media.video import FrameHash, hash_video

VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".ts", ".flv", ".3gp", ".mpg",
                  ".mpeg", ".wmv"}


@dataclass(frozen=True, slots=True)
class MediaHashes:
    path: str
    digests: FileDigests
    kind: str  # "image" | "video"
    pdq: Pdq | None = None  # images
    frames: tuple[FrameHash, ...] = field(default=())  # videos

    def pdq_hashes(self) -> list[tuple[float | None, Pdq]]:
        if self.kind == "image":
            return [(None, self.pdq)] if self.pdq else []
        return [(f.frame_ts, f.pdq) for f in self.frames]


def _looks_like_image(path: Path) -> bool:
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return False
    try:
        with Image.open(path) as img:
            return img.format is not None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return path.suffix.lower() in {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif",
                                       ".tiff"}
    except Exception:  # bombs and other refusals: let the image path say why
        return True


def hash_file(path: str | Path, *, fast: bool = True, fps: float | None = None,
              limits: MediaLimits | None = None) -> MediaHashes:
    limits = limits or default_limits()
    p = Path(path)
    digests = digest_file(p, limits)
    if digests.size == 0:
        raise MediaError("empty file", str(path))
    if _looks_like_image(p):
        return MediaHashes(str(path), digests, "image", pdq=pdq_of_image_file(p, fast, limits))
    frames = hash_video(p, fps, limits)
    return MediaHashes(str(path), digests, "video", frames=tuple(frames))


def hash_files(paths: Iterable[str | Path], **options) -> Iterator[MediaHashes | MediaError]:
    for path in paths:
        try:
            yield hash_file(path, **options)
        except MediaError as exc:
            yield exc
