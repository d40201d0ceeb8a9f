"""Benign synthetic pictures for media tests: gradients, shapes, noise and text, seeded."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw


def synthetic_image(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    angle = rng.uniform(0, np.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    base = np.stack([(ramp * rng.uniform(60, 200) + rng.uniform(0, 50)) for _ in range(3)], -1)
    base += rng.normal(0, 6, size=base.shape)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(6, 14))):
        x0, y0 = rng.integers(0, w - 40), rng.integers(0, h - 40)
        x1, y1 = x0 + rng.integers(30, w // 2), y0 + rng.integers(30, h // 2)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = rng.integers(0, 3)
        if shape == 0:
            draw.ellipse([x0, y0, x1, y1], fill=colour)
        elif shape == 1:
            draw.rectangle([x0, y0, x1, y1], fill=colour)
        else:
            draw.polygon([(x0, y1), ((x0 + x1) // 2, y0), (x1, y1)], fill=colour)
    draw.text((int(rng.integers(0, w // 2)), int(rng.integers(0, h - 20))), f"sample {seed}",
              fill=(255, 255, 255))
    return img


def watermark(img: Image.Image, text: str = "(c) example.org") -> Image.Image:
    out = img.copy()
    draw = ImageDraw.Draw(out)
    w, h = out.size
    draw.text((w - 130, h - 24), text, fill=(255, 255, 255))
    return out


def crop_percent(img: Image.Image, pct: float) -> Image.Image:
    """Cut `pct` percent off each dimension, half from each side (the picture keeps its middle)."""
    w, h = img.size
    dx, dy = round(w * pct / 200), round(h * pct / 200)
    return img.crop((dx, dy, w - dx, h - dy))
