"""Constant soft region masks in UV space, drawn once per texture size.

The mesh moves, its UVs do not: every region is a constant template over the UV
texture, drawn from landmark contours; eye makeup is laid out in per-eye frames.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from fram.face.filters import feather
from fram.face.mesh import canonical_mesh
from fram.face.polygons import ellipse_mask, fill_polygons
from fram.face.topology import (
    LEFT_BROW_LOWER,
    LEFT_CHEEK_APPLE,
    LEFT_EYE_LOWER,
    LEFT_EYE_UPPER,
    LEFT_BROW_UPPER,
    LEFT_UNDER_EYE,
    LOWER_LIP_INNER,
    LOWER_LIP_OUTER,
    NOSE,
    RIGHT_BROW_LOWER,
    RIGHT_BROW_UPPER,
    RIGHT_CHEEK_APPLE,
    RIGHT_EYE_LOWER,
    RIGHT_EYE_UPPER,
    RIGHT_UNDER_EYE,
    UPPER_LIP_INNER,
    UPPER_LIP_OUTER,
    loop,
    ring,
)
from fram.face.uv import DEFAULT_UV_SIZE, uv_raster


@dataclass(frozen=True)
class EyeFrame:
    """Per-UV-pixel coordinates around one eye, used to lay out eye makeup.

    Attributes:
        lid: (S, S) signed height above the upper lash line, in units of the lash-to-brow
            distance: 0 at the lash line, 1 at the brow's lower edge, negative below.
        along: (S, S) position along the eye from inner (0) to outer (1) corner.
        lash_distance: (S, S) distance to the upper lash line in UV pixels.
        outer_corner: (2,) UV pixel position of the outer corner.
        eye_width: eye width in UV pixels.
    """

    lid: np.ndarray
    along: np.ndarray
    lash_distance: np.ndarray
    outer_corner: np.ndarray
    eye_width: float


def _polyline_distance(points: np.ndarray, size: int) -> np.ndarray:
    canvas = np.full((size, size), 255, np.uint8)
    cv2.polylines(canvas, [np.round(points).astype(np.int32)], False, 0, 1)
    return cv2.distanceTransform(canvas, cv2.DIST_L2, 5)


@functools.lru_cache(maxsize=8)
def eye_frames(size: int = DEFAULT_UV_SIZE) -> tuple[EyeFrame, EyeFrame]:
    """(right, left) eye coordinate frames in UV."""
    uv = canonical_mesh().uv * size - 0.5
    frames = []
    for upper, brow_lower in ((RIGHT_EYE_UPPER, RIGHT_BROW_LOWER), (LEFT_EYE_UPPER, LEFT_BROW_LOWER)):
        lash = uv[list(upper)]
        brow = uv[list(brow_lower)]
        d_lash = _polyline_distance(lash, size)
        d_brow = _polyline_distance(brow, size)
        ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
        # Above the lash line means a smaller v than the lash curve at the same u.
        lash_v = np.interp(xs, *_monotone(lash[:, 0], lash[:, 1]))
        brow_v = np.interp(xs, *_monotone(brow[:, 0], brow[:, 1]))
        span = float(np.median(lash[:, 1]) - np.median(brow[:, 1]))
        between = d_lash / np.maximum(d_lash + d_brow, 1e-3)
        # Below the lash line: negative; above the brow's lower edge: beyond 1, growing.
        lid = np.where(ys >= lash_v, -d_lash / span, np.where(ys <= brow_v, 1.0 + d_brow / span, between))
        inner, outer = lash[-1], lash[0]  # contours run outer → inner corner
        axis = outer - inner
        along = ((xs - inner[0]) * axis[0] + (ys - inner[1]) * axis[1]) / float(axis @ axis)
        frames.append(
            EyeFrame(
                lid=lid.astype(np.float32),
                along=along.astype(np.float32),
                lash_distance=d_lash,
                outer_corner=outer.astype(np.float32),
                eye_width=float(np.linalg.norm(axis)),
            )
        )
    return frames[0], frames[1]


def _monotone(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(x)
    return x[order], y[order]


@functools.lru_cache(maxsize=8)
def uv_templates(size: int = DEFAULT_UV_SIZE) -> dict[str, np.ndarray]:
    """Constant soft region masks over an S×S UV texture, float32 in [0, 1]."""
    uv = canonical_mesh().uv * size - 0.5
    shape = (size, size)
    px = size / 256.0  # feather widths below are given for a 256 px texture

    def poly(*contours: tuple[int, ...]) -> np.ndarray:
        return fill_polygons([uv[list(c)] for c in contours], shape)

    upper_lip = poly(ring(UPPER_LIP_OUTER, UPPER_LIP_INNER))
    lower_lip = poly(ring(LOWER_LIP_OUTER, LOWER_LIP_INNER))
    brow_r = poly(ring(RIGHT_BROW_UPPER, RIGHT_BROW_LOWER))
    brow_l = poly(ring(LEFT_BROW_UPPER, LEFT_BROW_LOWER))
    eye_r = poly(loop(RIGHT_EYE_UPPER, RIGHT_EYE_LOWER))
    eye_l = poly(loop(LEFT_EYE_UPPER, LEFT_EYE_LOWER))
    covered = uv_raster(size).covered.astype(np.float32)

    right, left = eye_frames(size)
    shadow = []
    for frame, eye in ((right, eye_r), (left, eye_l)):
        zone = (frame.lid > 0) & (frame.lid < 0.85) & (frame.along > -0.1) & (frame.along < 1.25)
        shadow.append(feather(zone.astype(np.float32) * (1 - eye), 2.0 * px))
    liner = []
    for frame in (right, left):
        band = (frame.lid >= 0) & (frame.lash_distance < 2.5 * px) & (frame.along > 0.05) & (frame.along < 1.05)
        liner.append(feather(band.astype(np.float32), 0.7 * px))

    cheeks = np.zeros(shape, np.float32)
    for apple in (RIGHT_CHEEK_APPLE, LEFT_CHEEK_APPLE):
        cheeks = np.maximum(cheeks, ellipse_mask(uv[apple], (22 * px, 16 * px), 0.0, shape))
    cheeks = feather(cheeks, 6 * px)

    under_eye = poly(RIGHT_UNDER_EYE + RIGHT_EYE_LOWER) + poly(LEFT_UNDER_EYE + LEFT_EYE_LOWER)
    under_eye = feather(np.clip(under_eye, 0, 1) * (1 - poly(loop(RIGHT_EYE_UPPER, RIGHT_EYE_LOWER)) - poly(loop(LEFT_EYE_UPPER, LEFT_EYE_LOWER))).clip(0, 1), 3 * px)
    nose = feather(poly(NOSE), 2 * px)

    lips = np.clip(upper_lip + lower_lip, 0, 1)
    mouth = poly(loop(UPPER_LIP_INNER, LOWER_LIP_INNER))
    brows = np.clip(brow_r + brow_l, 0, 1)
    eyes = np.clip(eye_r + eye_l, 0, 1)
    # Skin fades out before the mesh border so products never show the mesh's edge.
    inside = cv2.distanceTransform((covered > 0).astype(np.uint8), cv2.DIST_L2, 5)
    border_fade = np.clip(inside / (10 * px), 0, 1)
    skin = border_fade * (1 - lips) * (1 - feather(brows, 1.0 * px)) * (1 - feather(eyes, 1.0 * px))
    return {
        "skin": skin.astype(np.float32),
        "lips": lips,
        "mouth": mouth,
        "upper_lip": upper_lip,
        "lower_lip": lower_lip,
        "brows": brows,
        "eyes": eyes,
        "eyeshadow_right": shadow[0],
        "eyeshadow_left": shadow[1],
        "eyeshadow": np.maximum(shadow[0], shadow[1]),
        "eyeliner": np.maximum(liner[0], liner[1]),
        "cheeks": cheeks,
        "nose": nose,
        "under_eye": under_eye.astype(np.float32),
        "face": covered * border_fade,
    }
