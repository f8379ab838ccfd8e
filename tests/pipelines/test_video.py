"""The video engine on short real clips (PyAV) made from real photos with known motion."""

from __future__ import annotations

import numpy as np
import pytest

av = pytest.importorskip("av", reason="PyAV (the [video] extra) is not installed")

from fram.eval.clips import Motion, clip_frames, write_clip  # noqa: E402
from fram.face.landmarks import LIPS_OUTER  # noqa: E402

SIZE = (320, 240)
FRAMES = 16


def decode(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [(f.to_ndarray(format="rgb24"), f.pts) for f in container.decode(stream)]
        return [f for f, _ in frames], [p for _, p in frames], stream.average_rate, bool(container.streams.audio)


def lips_box(face, margin=2):
    xy = face.landmarks[list(LIPS_OUTER), :2]
    (x0, y0), (x1, y1) = xy.min(axis=0) + margin, xy.max(axis=0) - margin
    return slice(int(y0), int(y1)), slice(int(x0), int(x1))


@pytest.fixture(scope="module")
def moving_clip(tmp_path_factory, video_face):
    path = tmp_path_factory.mktemp("video") / "moving.mp4"
    write_clip(path, (f for f, _ in clip_frames(video_face, Motion.named("translate"), SIZE, FRAMES)), fps=24, audio=True)
    return path


def test_makeup_on_the_lips_of_every_frame_and_the_clip_kept(tmp_path, moving_clip):
    from fram.face.landmarks import detect_face
    from fram.pipelines.video import apply_to_video

    out = tmp_path / "out.mp4"
    summary = apply_to_video(moving_clip, out, "text:bright red lipstick", regions="lips")
    made, pts_out, rate_out, has_audio = decode(out)
    frames, pts_in, rate_in, _ = decode(moving_clip)
    assert summary.frames == len(made) == len(frames) == FRAMES
    assert made[0].shape == frames[0].shape == (SIZE[1], SIZE[0], 3)
    assert rate_out == rate_in and pts_out == pts_in and has_audio and summary.audio == "copied"
    for k, (before, after) in enumerate(zip(frames, made)):
        box = lips_box(detect_face(before))
        redder = after[box].astype(float)[..., 0] - after[box].astype(float)[..., 1:].mean(-1)
        was = before[box].astype(float)[..., 0] - before[box].astype(float)[..., 1:].mean(-1)
        # Fades in over the first frames, then clearly redder in every frame.
        assert redder.mean() > was.mean() + (2 if k == 0 else 10), f"frame {k}"
        far = after[:20, :20].astype(int) - before[:20, :20].astype(int)
        assert np.abs(far).mean() < 3  # the background is only re-encoded


def test_frames_without_a_face_pass_unchanged(tmp_path, video_face):
    from fram.pipelines.video import VideoLook, VideoMakeup

    blank = np.full((SIZE[1], SIZE[0], 3), 120, np.uint8)
    with VideoMakeup(VideoLook.create("text:red lipstick")) as engine:
        assert engine.process(blank, 0.0) is blank
        face_frames = [f for f, _ in clip_frames(video_face, Motion(), SIZE, 3)]
        outs = [engine.process(f, (k + 1) / 25) for k, f in enumerate(face_frames)]
        assert all(o is not f for o, f in zip(outs, face_frames))
        # Lost: fades out over a few frames (drawn on the held landmarks), then nothing.
        assert engine.process(blank, 1.0) is not blank
        for k in range(8):
            last = engine.process(blank, 1.1 + k / 25)
        assert last is blank


def test_still_clip_is_stable(video_face):
    from fram.pipelines.video import VideoLook, VideoMakeup

    frames = [f for f, _ in clip_frames(video_face, Motion(), SIZE, 12)]
    with VideoMakeup(VideoLook.create("text:bright red lipstick and black winged eyeliner")) as engine:
        made = [engine.process(f, k / 25).astype(np.float32) for k, f in enumerate(frames)]
    steady = np.stack(made[6:])  # after the fade-in
    changed = np.abs(steady[0] - frames[0]).max(-1) > 8
    assert changed.sum() > 100
    jitter = steady.std(axis=0).max(-1)[changed]
    assert float(np.percentile(jitter, 95)) < 2.0


def test_one_euro_filter_smooths_still_and_follows_motion():
    from fram.face.tracking import OneEuroFilter

    rng = np.random.default_rng(0)
    still, moving = OneEuroFilter(), OneEuroFilter()
    # Landmark noise of 0.3 % of the face width per frame, as MediaPipe's on a still face.
    noisy = [still(100 + rng.normal(0, 0.3, 10), k / 30, scale=100) for k in range(60)]
    assert np.std(np.stack(noisy[30:]), axis=0).mean() < 0.3 / 3
    for k in range(30):
        value = moving(np.full(10, 100 + 20.0 * k), k / 30, scale=100)  # two face widths per second
    assert abs(value.mean() - (100 + 20.0 * 29)) < 20 / 8  # lags under an eighth of one frame's move


def test_bad_videos_raise_one_line_errors(tmp_path, moving_clip):
    from fram.errors import VideoError
    from fram.pipelines.video_file import transcode

    same = lambda frame, t: frame  # noqa: E731
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    truncated = tmp_path / "cut.mp4"
    truncated.write_bytes(moving_clip.read_bytes()[: moving_clip.stat().st_size // 2])
    for bad in (text, truncated, tmp_path / "missing.mp4"):
        with pytest.raises(VideoError):
            transcode(bad, tmp_path / "out.mp4", same)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.mp4", "notes.mp4"]
