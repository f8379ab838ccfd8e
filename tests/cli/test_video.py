"""``fram video`` end to end on small real clips (PyAV) made from real photos."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

av = pytest.importorskip("av", reason="PyAV (the [video] extra) is not installed")

from fram.cli import main  # noqa: E402
from fram.eval.clips import Motion, clip_frames, write_clip  # noqa: E402

SIZE = (320, 240)


def frames_of(path):
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def run(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr().err.strip().splitlines()


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def only(folder: Path, *names: str) -> bool:
    return files(folder) == sorted(names)


def test_preset_on_a_rotated_phone_clip_with_start_and_end(tmp_path, video_face, capsys):
    clip = tmp_path / "phone.mov"
    # Stored sideways with a "rotate 90°" flag, as phones do.
    frames = (np.ascontiguousarray(np.rot90(f, -1)) for f, _ in clip_frames(video_face, Motion.named("rotate"), SIZE, 20))
    write_clip(clip, frames, fps=20, audio=True, rotation=90)
    out = tmp_path / "made.mp4"
    code, err = run(["video", str(clip), "--style", "text:red lipstick", "--start", "0.25", "--end", "0.75", "-o", str(out)], capsys)
    assert code == 0, err
    made = frames_of(out)
    assert len(made) == 10 and made[0].shape == (SIZE[1], SIZE[0], 3)  # upright, no flag
    with av.open(str(out)) as container:
        assert container.streams.video[0].average_rate == 20 and container.streams.audio
        assert next(container.decode(video=0)).rotation == 0
    assert only(tmp_path, "phone.mov", "made.mp4")


def test_reference_transfer_to_webm_and_variable_frame_rate_kept(tmp_path, video_face, shared_data, capsys):
    reference = shared_data / "makeup-photos" / "makeup" / "XMY-112.png"
    if not reference.is_file():
        pytest.skip(f"{reference} not found")
    clip = tmp_path / "vfr.mkv"
    with av.open(str(clip), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.time_base = stream.codec_context.time_base = Fraction(1, 1000)
        stamps = [0, 40, 80, 200, 240, 400, 433, 466]
        for (frame, _), ms in zip(clip_frames(video_face, Motion(), SIZE, len(stamps)), stamps):
            video = av.VideoFrame.from_ndarray(frame, format="rgb24")
            video.pts, video.time_base = ms, Fraction(1, 1000)
            for packet in stream.encode(video):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    out = tmp_path / "made.mkv"
    code, err = run(["video", str(clip), "--reference", str(reference), "--regions", "lips,eyes", "-o", str(out)], capsys)
    assert code == 0, err
    times = []
    for path in (clip, out):
        with av.open(str(path)) as container:
            times.append([round(float(f.time) * 1000) for f in container.decode(video=0)])
    assert times[0] == times[1] == stamps
    webm = tmp_path / "made.webm"
    code, err = run(["video", str(out), "--lips", "preset:" + "goth", "-o", str(webm)], capsys)
    assert code in (0, 2), err  # a preset name that may not exist must still fail cleanly
    if code == 0:
        assert len(frames_of(webm)) == len(stamps)


def test_no_face_comes_back_unchanged_with_a_note(tmp_path, capsys):
    clip = tmp_path / "wall.mp4"
    rng = np.random.default_rng(0)
    write_clip(clip, (np.full((SIZE[1], SIZE[0], 3), 100 + k, np.uint8) + rng.integers(0, 3, (SIZE[1], SIZE[0], 3), dtype=np.uint8)
                      for k in range(8)))
    out = tmp_path / "same.mp4"
    code, err = run(["video", str(clip), "--style", "text:red lipstick", "-o", str(out)], capsys)
    assert code == 0 and err == ["fram: note: no face found in the video: it is written back unchanged"]
    before, after = frames_of(clip), frames_of(out)
    assert len(before) == len(after) == 8
    assert max(np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(before, after)) < 1.5


def test_bad_inputs_exit_2_with_one_line_and_no_output(tmp_path, video_face, capsys):
    good = tmp_path / "good.mp4"
    write_clip(good, (f for f, _ in clip_frames(video_face, Motion(), SIZE, 6)))
    (tmp_path / "text.mp4").write_text("hello")
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "cut.mp4").write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    audio_only = tmp_path / "tone.m4a"
    with av.open(str(audio_only), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=44100)
        chunk = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        chunk.sample_rate = 44100
        for k in range(20):
            chunk.pts = k * 1024
            for packet in stream.encode(chunk):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    names = files(tmp_path)
    cases = [["text.mp4"], ["empty.mp4"], ["cut.mp4"], ["tone.m4a"], ["missing.mp4"],
             ["good.mp4", "--start", "5"], ["good.mp4", "--start", "2", "--end", "1"]]
    for case in cases:
        out = tmp_path / "out.mp4"
        code, err = run(["video", str(tmp_path / case[0]), *case[1:], "--style", "text:red lipstick", "-o", str(out)], capsys)
        assert code == 2 and len(err) == 1 and err[0].startswith("fram: error: "), (case, err)
        assert files(tmp_path) == names, case
    code, err = run(["video", str(good), "--style", "text:red lipstick", "-o", str(tmp_path / "out.gif")], capsys)
    assert code == 2 and len(err) == 1


def test_a_killed_job_leaves_no_file(tmp_path, video_face):
    clip = tmp_path / "long.mp4"
    write_clip(clip, (f for f, _ in clip_frames(video_face, Motion.named("translate"), (640, 480), 150)))
    out = tmp_path / "out.mp4"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "fram.cli", "video", str(clip), "--style", "text:red lipstick", "-o", str(out)],
                            env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "fram: error: stopped by SIGTERM" in err
    assert only(tmp_path, "long.mp4")
