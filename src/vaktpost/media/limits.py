"""Limits and defaults for media work, read from `limits.json` shipped beside this module.

`max_pixels` follows Pillow's own bomb limit; `decode_size` is the smallest side a JPEG is
decoded at before PDQ (PDQ works on 64×64 anyway), `reduce_to` the largest side kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class MediaLimits:
    max_file_bytes: int
    max_image_file_bytes: int
    max_pixels: int
    max_side: int
    decode_size: int
    reduce_to: int
    video_sample_fps: float
    video_max_frames: int
    bank_threshold: int
    bank_min_quality: int

    def replace(self, **changes) -> "MediaLimits":
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return MediaLimits(**values)


@lru_cache(maxsize=1)
def default_limits() -> MediaLimits:
    return MediaLimits(**json.loads(Path(__file__).with_name("limits.json").read_text()))
