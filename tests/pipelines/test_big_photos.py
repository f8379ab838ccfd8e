"""A face wider than MAX_FACE_WIDTH is made up on a shrunk frame and the change enlarged back."""

from __future__ import annotations

import cv2
import numpy as np

import fram
from fram.face.landmarks import LIPS_OUTER
from fram.pipelines.base import MAX_FACE_WIDTH


def test_a_big_face_is_made_up_like_its_small_copy(astronaut, astronaut_face):
    scale = 1.5 * MAX_FACE_WIDTH / astronaut_face.width
    big = cv2.resize(astronaut, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    made = fram.apply_makeup(big, "goth", regions="lips")
    assert made.image.shape == big.shape and made.face.width > MAX_FACE_WIDTH
    small = fram.apply_makeup(astronaut, "goth", regions="lips").image
    lips = np.zeros(astronaut.shape[:2], np.uint8)
    cv2.fillPoly(lips, [np.round(astronaut_face.landmarks[list(LIPS_OUTER), :2]).astype(np.int32)], 1)
    inner = cv2.erode(lips, np.ones((7, 7), np.uint8)).astype(bool)
    back = cv2.resize(made.image, astronaut.shape[1::-1], interpolation=cv2.INTER_AREA)
    # The same lipstick colour as the face made up at its own size.
    assert np.abs(back[inner].astype(float).mean(axis=0) - small[inner].mean(axis=0)).max() < 6
    changed = (made.image != big).any(axis=2)
    far = ~cv2.dilate(cv2.resize(lips, big.shape[1::-1], interpolation=cv2.INTER_NEAREST), np.ones((2 * round(10 * scale) + 1,) * 2, np.uint8)).astype(bool)
    assert changed[far].sum() == 0  # untouched pixels keep their bits
