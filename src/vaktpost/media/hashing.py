"""Hashes of one media file: SHA-256/SHA-1/MD5 of the original bytes and PDQ of the picture.

The cryptographic digests are taken over the bytes as received, before any decoding, so they
identify the evidence itself. PDQ is taken over a reduced decode: JPEGs are decoded at 1/2,
1/4 or 1/8 scale (Pillow draft mode, done inside libjpeg) and every picture is box-reduced
to at most `reduce_to` pixels a side. PDQ downsamples to 64×64 itself, so the extra pixels
of a full decode cost time and change few bits (`benchmarks/media_hash.py` measures both).

Every way a file can be bad ends in `MediaError` naming the file and the reason; a batch
goes on to the next file.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, UnidentifiedImageError

from vaktpost.errors import UserError
from vaktpost.media.hashbits import bits_to_hex
from vaktpost.media.limits import MediaLimits, default_limits


class MediaError(UserError):
    """One file that cannot be hashed; `where` is its path."""


@dataclass(frozen=True, slots=True)
class FileDigests:
    sha256: str
    sha1: str
    md5: str
    size: int


@dataclass(frozen=True, slots=True)
class Pdq:
    hash: str
    quality: int


def digest_file(path: str | Path, limits: MediaLimits | None = None) -> FileDigests:
    limits = limits or default_limits()
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise MediaError("no such file", str(path)) from None
    except OSError as exc:
        raise MediaError(f"cannot read ({exc.strerror})", str(path)) from None
    if not p.is_file():
        raise MediaError("not a regular file", str(path))
    if size > limits.max_file_bytes:
        raise MediaError(f"file is {size} bytes, over the limit of {limits.max_file_bytes}", str(path))
    sha256, sha1, md5 = hashlib.sha256(), hashlib.sha1(), hashlib.md5()
    try:
        with open(p, "rb") as fh:
            while chunk := fh.read(1 << 20):
                sha256.update(chunk)
                sha1.update(chunk)
                md5.update(chunk)
    except OSError as exc:
        raise MediaError(f"cannot read ({exc.strerror})", str(path)) from None
    return FileDigests(sha256.hexdigest(), sha1.hexdigest(), md5.hexdigest(), size)


def pdq_of_pixels(rgb: np.ndarray) -> Pdq:
    """PDQ of an RGB (h, w, 3) or grey (h, w) uint8 array."""
    arr = np.asarray(rgb)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"need uint8 RGB pixels, got {arr.dtype} {arr.shape}")
    bits, quality = pdqhash.compute(np.ascontiguousarray(arr))
    return Pdq(bits_to_hex(bits), int(quality))


def open_image(path: str | Path, limits: MediaLimits | None = None) -> Image.Image:
    """Open lazily and check the header before any pixel is decoded."""
    limits = limits or default_limits()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
    except UnidentifiedImageError:
        raise MediaError("not an image format we can read", str(path)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(f"refused as a decompression bomb ({exc})", str(path)) from None
    except FileNotFoundError:
        raise MediaError("no such file", str(path)) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"malformed image header ({exc})", str(path)) from None
    w, h = img.size
    if w <= 0 or h <= 0:
        img.close()
        raise MediaError(f"image has no pixels ({w}×{h})", str(path))
    if w > limits.max_side or h > limits.max_side or w * h > limits.max_pixels:
        img.close()
        raise MediaError(
            f"refused: {w}×{h} pixels is over the limit ({limits.max_pixels} pixels, "
            f"{limits.max_side} a side); a decompression bomb or a picture too big to hash",
            str(path),
        )
    return img


def decode_for_pdq(img: Image.Image, fast: bool, limits: MediaLimits, where: str) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if fast:
                if img.format == "JPEG":
                    img.draft("RGB", (limits.decode_size, limits.decode_size))
                img.load()
                factor = max(img.size) // limits.reduce_to
                if factor >= 2:
                    img = img.reduce(factor)
            else:
                img.load()
            if img.mode != "RGB":
                img = img.convert("RGB")
            return np.asarray(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(f"refused as a decompression bomb ({exc})", where) from None
    except OSError as exc:
        raise MediaError(f"truncated or corrupt image data ({exc})", where) from None
    except (SyntaxError, ValueError, EOFError, IndexError, MemoryError) as exc:
        raise MediaError(f"malformed image data ({type(exc).__name__}: {exc})", where) from None


def pdq_of_image_file(path: str | Path, fast: bool = True,
                      limits: MediaLimits | None = None) -> Pdq:
    limits = limits or default_limits()
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise MediaError(f"cannot read ({exc.strerror})", str(path)) from None
    if size > limits.max_image_file_bytes:
        raise MediaError(f"image file is {size} bytes, over {limits.max_image_file_bytes}", str(path))
    img = open_image(path, limits)
    try:
        return pdq_of_pixels(decode_for_pdq(img, fast, limits, str(path)))
    finally:
        img.close()
