"""PDQ holds across everyday transforms, separates unrelated pictures, and bad files fail alone."""

from __future__ import annotations

import hashlib
import struct
import zlib

import pytest
from PIL import Image

from .imagegen import crop_percent, synthetic_image, watermark
from vaktpost.media.files import hash_file, hash_files
from vaktpost.media.hashbits import hamming
from vaktpost.media.hashing import MediaError, digest_file, pdq_of_image_file
from vaktpost.media.limits import default_limits


def save(img: Image.Image, path, **kw):
    img.save(path, **kw)
    return path


TRANSFORMS = {
    "jpeg_q40": lambda im, p: save(im, p / "t.jpg", quality=40),
    "resize_50": lambda im, p: save(im.resize((im.width // 2, im.height // 2)), p / "t.png"),
    "grayscale": lambda im, p: save(im.convert("L"), p / "t.png"),
    "watermark": lambda im, p: save(watermark(im), p / "t.png"),
    "crop_2pct": lambda im, p: save(crop_percent(im, 2), p / "t.png"),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@pytest.mark.parametrize("fast", [True, False])
def test_transformed_image_stays_within_31_bits(tmp_path, seed, name, fast):
    original = synthetic_image(seed)
    ref = pdq_of_image_file(save(original, tmp_path / "orig.png"), fast=False)
    assert ref.quality >= 50
    changed = pdq_of_image_file(TRANSFORMS[name](original, tmp_path), fast=fast)
    assert hamming(ref.hash, changed.hash) <= 31


def test_unrelated_images_are_far_apart(tmp_path):
    hashes = [pdq_of_image_file(save(synthetic_image(s), tmp_path / f"{s}.png")).hash
              for s in range(10, 22)]
    distances = [hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]]
    assert min(distances) > 31


def test_fast_decode_of_large_jpeg_is_close_to_full_decode(tmp_path):
    img = synthetic_image(7, size=(1920, 1080))
    path = save(img, tmp_path / "big.jpg", quality=90)
    fast, full = pdq_of_image_file(path, fast=True), pdq_of_image_file(path, fast=False)
    assert hamming(fast.hash, full.hash) <= 16


def test_digests_are_of_the_original_bytes(tmp_path):
    path = save(synthetic_image(4), tmp_path / "a.png")
    data = path.read_bytes()
    d = digest_file(path)
    assert (d.sha256, d.md5, d.sha1, d.size) == (
        hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(), len(data))


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_bad_files_each_get_a_clear_error_and_the_batch_goes_on(tmp_path):
    good = save(synthetic_image(5), tmp_path / "good.png")
    jpeg = save(synthetic_image(6), tmp_path / "whole.jpg", quality=85).read_bytes()
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(jpeg[: len(jpeg) // 3])
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header_only(60_000, 60_000))
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("price list\n")
    missing = tmp_path / "missing.png"
    paths = [truncated, good, garbage, bomb, empty, text, missing]
    results = list(hash_files(paths))
    assert len(results) == len(paths)
    by_path = {str(p): r for p, r in zip(paths, results)}
    assert not isinstance(by_path[str(good)], MediaError)
    expected = {
        truncated: "truncated",
        garbage: "image",
        bomb: "decompression bomb",
        empty: "empty file",
        text: "not a video",
        missing: "no such file",
    }
    for path, why in expected.items():
        err = by_path[str(path)]
        assert isinstance(err, MediaError), path
        assert err.where == str(path)
        assert why in err.why, (path, err.why)


def test_pixel_limit_refuses_before_decoding(tmp_path):
    path = save(synthetic_image(8, size=(400, 300)), tmp_path / "a.png")
    limits = default_limits().replace(max_pixels=100_000)
    with pytest.raises(MediaError, match="over the limit"):
        hash_file(path, limits=limits)
