"""Where each product goes, as constant maps over the UV texture.

Region masks say what a part of the face *is*; zones say where a product is *put*:
blush on the apples or swept to the temples, contour under the cheekbones, highlight
on the high planes. They are drawn once per texture size from mesh landmarks, like
the region templates, and handed to the renderer as arrays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from fram.face.mesh import canonical_mesh
from fram.face.polygons import ellipse_mask
from fram.face.templates import eye_frames, uv_templates

BLUSH_PLACEMENTS = ("apples", "cheekbones", "draped", "sunburn")

# Landmarks used as anchors (person's right, person's left).
_APPLE = (205, 425)
_CHEEKBONE_TOP = (116, 345)
_TEMPLE = (127, 356)
_HOLLOW = (147, 376)  # under the cheekbone, the contour line
_JAW = (172, 397)
_BROW_BONE = (65, 295)
_NOSE_BRIDGE = (6, 197, 195, 5)
_CUPIDS_BOW = 0
_LOWER_LIP_CENTRE = 17


@dataclass(frozen=True)
class Zones:
    """Constant product zones over an S×S UV texture, as (1, 1, S, S) float32 arrays.

    ``eye_lid``, ``eye_along``, ``lash_distance`` are per-pixel eye coordinates (both
    eyes merged, each pixel taking its nearer eye); ``wing_origin`` and ``wing_dir_x``
    give each eye's outer corner and outward direction for the liner wing.
    """

    skin: np.ndarray
    lips: np.ndarray
    lips_support: np.ndarray
    lip_edge: np.ndarray
    lip_gloss: np.ndarray
    brows: np.ndarray
    under_eye: np.ndarray
    blush: dict[str, np.ndarray]
    contour: np.ndarray
    highlight: np.ndarray
    eye_lid: np.ndarray
    eye_along: np.ndarray
    lash_distance: np.ndarray
    lower_lash: np.ndarray
    eye_open: np.ndarray
    wing_origin: np.ndarray  # (2, 2): per eye (x, y) in UV px
    wing_dir_x: np.ndarray  # (2,): -1 for the image-left eye, +1 for the image-right eye
    eye_width: float
    grid_x: np.ndarray
    grid_y: np.ndarray


def _blur(mask: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(mask, (0, 0), sigma)


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    d = b - a
    return float(np.degrees(np.arctan2(d[1], d[0])))


def _stroke(uv: np.ndarray, a: int, b: int, width: float, shape: tuple[int, int]) -> np.ndarray:
    """An ellipse from landmark ``a`` to landmark ``b``: a brush stroke between them."""
    pa, pb = uv[a], uv[b]
    centre = (pa + pb) / 2
    length = float(np.linalg.norm(pb - pa)) / 2 + width
    return ellipse_mask(centre, (length, width), _angle(pa, pb), shape)


@functools.lru_cache(maxsize=4)
def zones(size: int = 256) -> Zones:
    """The zones for an S×S texture (cached: treat the arrays as read-only)."""
    uv = canonical_mesh().uv * size - 0.5
    shape = (size, size)
    px = size / 256.0
    tpl = uv_templates(size)
    skin = tpl["skin"]

    apples = np.maximum(*(ellipse_mask(uv[i], (20 * px, 15 * px), 0, shape) for i in _APPLE))
    cheekbones = np.maximum(*(_stroke(uv, a, t, 11 * px, shape) for a, t in zip(_APPLE, _TEMPLE)))
    draped = np.maximum(
        *(np.maximum(_stroke(uv, a, t, 13 * px, shape), _stroke(uv, t, b, 9 * px, shape)) for a, t, b in zip(_APPLE, _TEMPLE, _BROW_BONE))
    )
    bridge = _stroke(uv, _APPLE[0], _APPLE[1], 9 * px, shape) * (1 - tpl["lips"])
    sunburn = np.maximum(apples * 0.9, bridge)
    blush = {
        name: _blur(m, 7 * px) * skin
        for name, m in zip(BLUSH_PLACEMENTS, (apples, cheekbones, draped, sunburn))
    }

    hollows = np.maximum(*(_stroke(uv, h, t, 6 * px, shape) for h, t in zip(_HOLLOW, _TEMPLE)))
    jaw = np.maximum(*(_stroke(uv, j, 152, 5 * px, shape) for j in _JAW)) * 0.6
    contour = _blur(np.maximum(hollows, jaw), 6 * px) * skin

    high = np.maximum(*(_stroke(uv, c, t, 6 * px, shape) for c, t in zip(_CHEEKBONE_TOP, _TEMPLE)))
    nose = np.maximum.reduce([ellipse_mask(uv[i], (3 * px, 6 * px), 0, shape) for i in _NOSE_BRIDGE])
    bow = ellipse_mask(uv[_CUPIDS_BOW] + (0, -3 * px), (5 * px, 2 * px), 0, shape)
    brow_bone = np.maximum(*(ellipse_mask(uv[i] + (0, 4 * px), (9 * px, 3 * px), 0, shape) for i in _BROW_BONE))
    highlight = _blur(np.maximum.reduce([high, nose * 0.8, bow * 0.7, brow_bone * 0.6]), 4 * px) * skin

    lips = tpl["lips"]
    # The photo's real lip line may lie a few texture px off the mesh's; the photo
    # composite paints this wider support and cuts it at the refined lip mask.
    lips_support = _blur(cv2.dilate(lips, np.ones((3, 3), np.uint8), iterations=max(1, int(4 * px))), 0.8 * px)
    inner = cv2.erode(lips, np.ones((3, 3), np.uint8), iterations=max(1, int(1.5 * px)))
    lip_edge = _blur(np.clip(lips - inner, 0, 1), 0.7 * px)
    gloss = ellipse_mask(uv[_LOWER_LIP_CENTRE] + (0, -5 * px), (9 * px, 2.5 * px), 0, shape)
    gloss = np.maximum(gloss, ellipse_mask(uv[_CUPIDS_BOW] + (0, 3 * px), (7 * px, 1.5 * px), 0, shape) * 0.6)
    lip_gloss = _blur(gloss, 2 * px) * lips

    right, left = eye_frames(size)
    nearer_right = right.lash_distance <= left.lash_distance
    lid = np.where(nearer_right, right.lid, left.lid)
    along = np.where(nearer_right, right.along, left.along)
    lash = np.where(nearer_right, right.lash_distance, left.lash_distance)
    eye_open = tpl["eyes"]
    ring = cv2.dilate(eye_open, np.ones((3, 3), np.uint8), iterations=max(1, int(2 * px))) - eye_open
    lower_lash = _blur(np.clip(ring, 0, 1) * (lid < 0), 0.6 * px)

    def t(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a, dtype=np.float32)[None, None]

    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    direction = np.sign(np.array([right.outer_corner[0] - uv[168][0], left.outer_corner[0] - uv[168][0]]))
    return Zones(
        skin=t(skin),
        lips=t(lips),
        lips_support=t(np.maximum(lips, lips_support)),
        lip_edge=t(lip_edge),
        lip_gloss=t(lip_gloss),
        brows=t(_blur(tpl["brows"], 1.0 * px)),
        under_eye=t(tpl["under_eye"]),
        blush={k: t(v) for k, v in blush.items()},
        contour=t(contour),
        highlight=t(highlight),
        eye_lid=t(lid),
        eye_along=t(along),
        lash_distance=t(lash),
        lower_lash=t(lower_lash),
        eye_open=t(eye_open),
        wing_origin=np.stack([right.outer_corner, left.outer_corner]).astype(np.float32),
        wing_dir_x=direction.astype(np.float32),
        eye_width=float((right.eye_width + left.eye_width) / 2),
        grid_x=t(xs),
        grid_y=t(ys),
    )
