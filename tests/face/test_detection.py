"""Faces at any quarter turn, any fine angle and small in big canvases: the makeup lands on them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import fram
from fram.face.detection import FaceFrame
from fram.face.landmarks import LIPS_INNER, LIPS_OUTER, detect_face


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_quarter_turned_photo_is_made_up_like_the_upright_one(astronaut, turns):
    upright = fram.apply_makeup(astronaut, "bridal-classic").image
    back = np.rot90(fram.apply_makeup(np.ascontiguousarray(np.rot90(astronaut, turns)), "bridal-classic").image, -turns)
    a, b = (upright != astronaut).any(axis=2), (back != astronaut).any(axis=2)
    assert (a & b).sum() / (a | b).sum() > 0.95
    assert np.abs(back.astype(int) - upright).mean() < 0.5


def test_lipstick_lands_on_the_lips_at_30_degrees(astronaut, astronaut_face):
    h, w = astronaut.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 30, 1.0)
    photo = cv2.warpAffine(astronaut, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)
    made = fram.apply_makeup(photo, "goth", regions="lips").image
    outer, mouth = (np.c_[astronaut_face.landmarks[list(ring), :2], np.ones(len(ring))] @ matrix.T for ring in (LIPS_OUTER, LIPS_INNER))
    mask, hole = np.zeros((h, w), np.uint8), np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(outer).astype(np.int32)], 1)
    cv2.fillPoly(hole, [np.round(mouth).astype(np.int32)], 1)
    inner = cv2.erode(mask, np.ones((5, 5), np.uint8)).astype(bool) & ~cv2.dilate(hole, np.ones((5, 5), np.uint8)).astype(bool)
    changed = (made != photo).any(axis=2)
    assert changed[inner].mean() > 0.8
    assert changed[~cv2.dilate(mask, np.ones((25, 25), np.uint8)).astype(bool)].sum() == 0


def test_frame_coordinates_round_trip():
    points = np.array([[4.5, 1.5, 0.0], [0.5, 3.5, 2.0]])
    for turns in range(4):
        frame = FaceFrame(slice(10, 15), slice(20, 27), turns)
        assert np.allclose(frame.to_original(frame.to_view(points + [20, 10, 0])), points + [20, 10, 0])


def test_a_100_px_face_in_a_2000_px_canvas_is_found_and_made_up(astronaut, astronaut_face):
    x0, y0, x1, y1 = astronaut_face.bbox
    scale = 100 / (x1 - x0)
    small = cv2.resize(astronaut, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    canvas = np.full((2000, 2000, 3), 90, np.uint8)
    canvas[1400 : 1400 + small.shape[0], 1400 : 1400 + small.shape[1]] = small
    face = detect_face(canvas)
    assert 80 < face.width < 130 and face.bbox[0] > 1400
    made = fram.apply_makeup(canvas, "goth", regions="lips").image
    changed = np.argwhere((made != canvas).any(axis=2))
    assert len(changed) > 50 and changed[:, 0].min() > 1400 and changed[:, 1].min() > 1400
