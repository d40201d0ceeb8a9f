"""Video frames are sampled at the configured rate and found at the right timestamps."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from .imagegen import synthetic_image
from vaktpost.media.files import hash_file
from vaktpost.media.hashbits import hamming
from vaktpost.media.hashing import MediaError, pdq_of_pixels
from vaktpost.media.video import FrameSampler, hash_video

FPS = 10
SCENE_SECONDS = 2


def scenes():
    return [np.asarray(synthetic_image(s, size=(320, 240))) for s in (31, 32, 33)]


def write_video(path, frames_per_scene: list[np.ndarray]):
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=FPS)
        stream.width, stream.height = 320, 240
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, FPS)
        i = 0
        for pixels in frames_per_scene:
            for _ in range(FPS * SCENE_SECONDS):
                frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                frame.pts = i
                i += 1
                for packet in stream.encode(frame):
                    out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def test_sampled_frames_carry_their_scene_at_the_right_time(tmp_path):
    pics = scenes()
    path = tmp_path / "clip.mp4"
    write_video(path, pics)
    frames = hash_video(path, fps=1.0)
    assert [f.frame_ts for f in frames] == pytest.approx([0, 1, 2, 3, 4, 5], abs=0.11)
    refs = [pdq_of_pixels(p).hash for p in pics]
    for f in frames:
        scene = int(f.frame_ts // SCENE_SECONDS)
        distances = [hamming(f.pdq.hash, r) for r in refs]
        assert distances[scene] <= 31
        assert min(d for i, d in enumerate(distances) if i != scene) > 31


def test_the_middle_scene_is_found_only_between_its_start_and_end(tmp_path):
    pics = scenes()
    path = tmp_path / "clip.mp4"
    write_video(path, pics)
    wanted = pdq_of_pixels(pics[1]).hash
    frames = hash_video(path, fps=4.0)
    hits = [f.frame_ts for f in frames if hamming(f.pdq.hash, wanted) <= 31]
    assert hits and min(hits) >= SCENE_SECONDS - 0.01 and max(hits) < 2 * SCENE_SECONDS
    assert len(frames) == pytest.approx(6 * 4, abs=1)


def test_live_frames_pushed_one_by_one_take_the_same_path():
    sampler = FrameSampler(fps=2.0)
    pic = np.asarray(synthetic_image(40, size=(160, 120)))
    made = []

    def pixels():
        made.append(1)
        return pic

    got = [sampler.push(i / 30, pixels) for i in range(90)]  # 3 s of a 30 fps stream
    kept = [g.frame_ts for g in got if g is not None]
    assert kept == pytest.approx([0, 0.5, 1.0, 1.5, 2.0, 2.5], abs=1 / 30 + 1e-6)
    assert len(made) == len(kept)  # frames not sampled are never turned into pixels


def test_whole_file_and_frames_from_hash_file(tmp_path):
    path = tmp_path / "clip.mkv"
    write_video(path, scenes()[:1])
    result = hash_file(path, fps=1.0)
    assert result.kind == "video" and len(result.frames) == 2
    assert len(result.digests.sha256) == 64


def test_corrupt_video_is_a_clear_error(tmp_path):
    path = tmp_path / "clip.mp4"
    write_video(path, scenes()[:1])
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + path.read_bytes()[200:260])
    with pytest.raises(MediaError) as err:
        hash_file(broken)
    assert err.value.where == str(broken)


def test_cli_hash_and_match_report_frame_times(tmp_path):
    import json

    from typer.testing import CliRunner

    from vaktpost.cli import app

    pics = scenes()
    path = tmp_path / "clip.mp4"
    write_video(path, pics)
    runner = CliRunner()
    out = runner.invoke(app, ["media", "hash", str(path), "--format", "jsonl", "--fps", "1"])
    assert out.exit_code == 0, out.output
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x.get("frame_ts") for x in lines[:-1]] == pytest.approx([0, 1, 2, 3, 4, 5], abs=0.11)
    assert lines[-1]["frames"] == 6 and lines[-1]["pdq"] is None

    db = f"sqlite:///{tmp_path / 'v.db'}"
    listing = tmp_path / "list.csv"
    listing.write_text(f"signal_type,hash\npdq,{pdq_of_pixels(pics[2]).hash}\n")
    assert runner.invoke(app, ["bank", "create", "frames", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["bank", "import", "frames", str(listing), "--db", db]).exit_code == 0
    out = runner.invoke(app, ["media", "match", str(path), "--db", db, "--fps", "1"])
    assert out.exit_code == 0, out.output
    match = json.loads(out.stdout)["matches"]
    assert len(match) == 1 and 2 * SCENE_SECONDS <= match[0]["frame_ts"] < 3 * SCENE_SECONDS
