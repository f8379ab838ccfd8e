"""``--all-faces``: two real people side by side both get lipstick; without it only the larger."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fram.cli import main
from fram.face.image_io import read_image, write_image
from fram.face.landmarks import LIPS_INNER, LIPS_OUTER, detect_face


def _lips_changed(before: np.ndarray, after: np.ndarray, face) -> float:
    mask, hole = np.zeros(before.shape[:2], np.uint8), np.zeros(before.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(face.landmarks[list(LIPS_OUTER), :2]).astype(np.int32)], 1)
    cv2.fillPoly(hole, [np.round(face.landmarks[list(LIPS_INNER), :2]).astype(np.int32)], 1)  # she smiles: teeth
    inner = cv2.erode(mask, np.ones((5, 5), np.uint8)).astype(bool) & ~cv2.dilate(hole, np.ones((5, 5), np.uint8)).astype(bool)
    return float((after != before).any(axis=2)[inner].mean())


@pytest.fixture(scope="module")
def pair(shared_data, tmp_path_factory):
    folder = shared_data / "faces" / "celebamask-hq" / "images"
    paths = sorted(folder.glob("*.jpg"))[:2]
    if len(paths) < 2:
        pytest.skip(f"two photos needed in {folder}")
    big, small = read_image(paths[0]), cv2.resize(read_image(paths[1]), (400, 400), interpolation=cv2.INTER_AREA)
    canvas = np.full((560, 1000, 3), 128, np.uint8)
    canvas[20:532, :512] = big
    canvas[80:480, 560:960] = small
    path = tmp_path_factory.mktemp("pair") / "pair.png"
    write_image(path, canvas)
    offset = np.array([560, 80, 0], np.float32)
    faces = [detect_face(big), detect_face(small)]
    faces[0].landmarks[:] += np.array([0, 20, 0], np.float32)
    faces[1].landmarks[:] += offset
    return path, canvas, faces


@pytest.mark.parametrize("command", ["apply", "remove"])
def test_all_faces_makes_up_each_face(pair, tmp_path, command):
    path, canvas, (large, small) = pair
    look = ["--style", "goth", "--regions", "lips"] if command == "apply" else []
    for flag, expect_small in (([], False), (["--all-faces"], True)):
        out = tmp_path / f"{command}{len(flag)}.png"
        source = path if command == "apply" else tmp_path / "madeup.png"
        if command == "remove":
            assert main(["apply", str(path), "--style", "goth", "--regions", "lips", "--all-faces", "-o", str(source)]) == 0
        assert main([command, str(source), *look, *flag, "-o", str(out)]) == 0
        before, after = read_image(source), read_image(out)
        assert _lips_changed(before, after, large) > 0.8
        assert (_lips_changed(before, after, small) > 0.8) is expect_small
