"""POST /v1/video: a short real clip made up on a real server, every bad upload a 4xx."""

from __future__ import annotations

import io

import numpy as np
import pytest

av = pytest.importorskip("av", reason="PyAV (the [video] extra) is not installed")

from fram.eval.clips import Motion, clip_frames, write_clip  # noqa: E402
from fram.face.landmarks import LIPS_OUTER, detect_face  # noqa: E402

SIZE = (320, 240)
FRAMES = 12


@pytest.fixture(scope="module")
def clip(tmp_path_factory, video_face):
    path = tmp_path_factory.mktemp("serve-video") / "still.mp4"
    write_clip(path, (f for f, _ in clip_frames(video_face, Motion(), SIZE, FRAMES)), fps=24, audio=False)
    return path


def _frames(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(container.streams.video[0])]


def test_a_clip_comes_back_made_up_frame_for_frame(client, clip):
    response = client.post("/v1/video", files={"source": ("still.mp4", clip.read_bytes(), "video/mp4")},
                           data={"text": "bright red lipstick", "regions": "lips"}, timeout=120)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "video/mp4"
    before, after = _frames(clip.read_bytes()), _frames(response.content)
    assert len(after) == len(before) == FRAMES and after[0].shape == before[0].shape
    face = detect_face(before[FRAMES // 2])
    xy = face.landmarks[list(LIPS_OUTER), :2]
    (x0, y0), (x1, y1) = xy.min(axis=0) + 2, xy.max(axis=0) - 2
    lips = (slice(int(y0), int(y1)), slice(int(x0), int(x1)))
    mid_before, mid_after = before[FRAMES // 2].astype(np.int16), after[FRAMES // 2].astype(np.int16)
    # The lips turn redder; a corner of the frame stays as it was (up to the codec).
    assert (mid_after[lips][..., 0] - mid_after[lips][..., 1]).mean() > (mid_before[lips][..., 0] - mid_before[lips][..., 1]).mean() + 8
    assert np.abs(mid_after[:40, :40] - mid_before[:40, :40]).mean() < 3


@pytest.mark.parametrize("files, data, fragment", [
    ({"source": ("notes.mp4", b"not a video at all", "video/mp4")}, {"style": "natural"}, "video"),
    ({"source": ("empty.mp4", b"", "video/mp4")}, {"style": "natural"}, "empty"),
    ({"source": ("clip.mp4", b"x" * 100, "video/mp4")}, {}, "exactly one"),
    ({"source": ("clip.mp4", b"x" * 100, "video/mp4")}, {"style": "no-such-look"}, "no-such-look"),
])
def test_bad_video_uploads_are_4xx_with_one_line(client, files, data, fragment):
    response = client.post("/v1/video", files=files, data=data, timeout=60)
    assert 400 <= response.status_code < 500, response.text
    message = response.json()["error"]
    assert fragment in message and "\n" not in message and "fram-serve-" not in message
