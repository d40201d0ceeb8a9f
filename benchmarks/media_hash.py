"""Decode + PDQ of 1080p JPEGs: vaktpost's reduced decode beside a full decode + pdqhash.

The baseline is what most PDQ users write: decode the whole JPEG with Pillow, convert to
RGB, hand the pixels to `pdqhash.compute`. Ours decodes at reduced scale inside libjpeg
(draft mode) and box-reduces to ≤ 512 px before PDQ. Both run one image at a time on one
core, over the same generated pictures (gradients, shapes, noise, text), and the PDQ
distance between the two paths is reported per image.

    python benchmarks/media_hash.py            # 60 images, 3 repeats
    python benchmarks/media_hash.py --quick    # 12 images
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.media.imagegen import synthetic_image  # noqa: E402

from vaktpost.media.hashbits import bits_to_hex, hamming  # noqa: E402
from vaktpost.media.hashing import pdq_of_image_file  # noqa: E402


def baseline(path: Path) -> str:
    with Image.open(path) as img:
        pixels = np.asarray(img.convert("RGB"))
    bits, _quality = pdqhash.compute(pixels)
    return bits_to_hex(bits)


def ours(path: Path) -> str:
    return pdq_of_image_file(path, fast=True).hash


def timed(fn, paths) -> tuple[float, list[str]]:
    t = time.perf_counter()
    out = [fn(p) for p in paths]
    return len(paths) / (time.perf_counter() - t), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--images", type=int)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n = args.images or (12 if args.quick else 60)
    with tempfile.TemporaryDirectory(prefix="vaktpost-jpeg-") as folder:
        paths = []
        for i in range(n):
            p = Path(folder) / f"{i}.jpg"
            synthetic_image(1000 + i, size=(1920, 1080)).save(p, quality=90)
            paths.append(p)
        baseline(paths[0]), ours(paths[0])  # warm caches and imports
        base_rates, our_rates = [], []
        for _ in range(args.repeats):
            r, base_hashes = timed(baseline, paths)
            base_rates.append(r)
            r, our_hashes = timed(ours, paths)
            our_rates.append(r)
    dists = [hamming(a, b) for a, b in zip(base_hashes, our_hashes)]
    b, o = statistics.median(base_rates), statistics.median(our_rates)
    print(f"{n} JPEGs of 1920×1080 (quality 90), one core, median of {args.repeats} runs")
    print(f"  full decode + pdqhash (baseline): {b:7.1f} images/s  {[round(x, 1) for x in base_rates]}")
    print(f"  vaktpost reduced decode + PDQ:    {o:7.1f} images/s  {[round(x, 1) for x in our_rates]}")
    print(f"  ratio: {o / b:.1f}× (target ≥ 3×)")
    print(f"  PDQ distance to the full path: median {statistics.median(dists)} bits, "
          f"90th pct {sorted(dists)[int(0.9 * (len(dists) - 1))]}, max {max(dists)} "
          f"(target median ≤ 8)")


if __name__ == "__main__":
    main()
