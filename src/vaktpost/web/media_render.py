"""Server-side wellness rendering: the browser gets a blurred, greyscale, downscaled JPEG
made here with Pillow, so the clear bytes never leave the server until a reveal.
"""

from __future__ import annotations

import io
import mimetypes
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

VIDEO_SUFFIXES = {".mp4", ".webm", ".mov", ".mkv", ".avi", ".m4v"}


def media_path(detail: dict | None) -> Path | None:
    """Where a media finding's file is: `detail["path"]` (or `media_path`) as the media work stores it."""
    if not detail:
        return None
    raw = detail.get("path") or detail.get("media_path")
    return Path(raw) if raw else None


def media_mime(path: Path, detail: dict | None) -> str:
    given = (detail or {}).get("mime")
    return given or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def is_video(path: Path, detail: dict | None) -> bool:
    return media_mime(path, detail).startswith("video/") or path.suffix.lower() in VIDEO_SUFFIXES


def placeholder(text: str, size: tuple[int, int] = (640, 360)) -> bytes:
    img = Image.new("L", size, 58)
    draw = ImageDraw.Draw(img)
    box = draw.textbbox((0, 0), text)
    draw.text(
        ((size[0] - (box[2] - box[0])) / 2, (size[1] - (box[3] - box[1])) / 2), text, fill=200
    )
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def render_preview(
    path: Path, *, blur: bool, greyscale: bool, blur_fraction: float, max_side: int
) -> bytes:
    key = path.stat()
    return _render(
        str(path), key.st_mtime_ns, key.st_size, blur, greyscale, blur_fraction, max_side
    )


@lru_cache(maxsize=256)
def _render(
    path: str, _mtime: int, _size: int, blur: bool, greyscale: bool, fraction: float, max_side: int
) -> bytes:
    with Image.open(path) as src:
        src.seek(0)
        img = ImageOps.exif_transpose(src).convert("RGB")
    img.thumbnail((max_side, max_side))
    if greyscale:
        img = img.convert("L")
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(radius=max(4.0, fraction * max(img.size))))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=72)
    return out.getvalue()
