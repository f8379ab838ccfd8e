"""A picture of the canonical UV face for artists to paint a look over.

Every face lands in the same UV square (design.md), so a look painted once over this
guide fits every face: an artist opens the guide in any image editor, paints on a
layer above it, hides the guide and exports that layer as an RGBA PNG of the same
size (``fram extract --uv painted.png``). The guide draws what a painter needs to
find their way: the face's outline, eyes, brows, lips and nose as lines, the usual
makeup zones lightly tinted and named, and the mesh faintly behind them.
"""

from __future__ import annotations

import cv2
import numpy as np

from fram.face.mesh import canonical_mesh
from fram.face.templates import uv_templates
from fram.face.topology import (
    FACE_OVAL,
    LEFT_BROW_LOWER,
    LEFT_BROW_UPPER,
    LEFT_EYE_LOWER,
    LEFT_EYE_UPPER,
    LOWER_LIP_INNER,
    LOWER_LIP_OUTER,
    NOSE,
    RIGHT_BROW_LOWER,
    RIGHT_BROW_UPPER,
    RIGHT_EYE_LOWER,
    RIGHT_EYE_UPPER,
    UPPER_LIP_INNER,
    UPPER_LIP_OUTER,
    loop,
    ring,
)

BACKGROUND = (236, 236, 236)
FACE = (255, 255, 255)
MESH = (222, 222, 222)
OUTLINE = (40, 40, 40)
LABEL = (90, 90, 90)
ZONE_TINTS = {
    "cheeks": (255, 170, 185),
    "eyeshadow": (190, 170, 255),
    "under_eye": (255, 225, 150),
    "lips": (240, 120, 130),
    "brows": (170, 140, 110),
    "eyes": (150, 150, 150),
}
"""Light tints of the zones a painter looks for (template name → RGB); brows and the
eye openings are tinted too, since paint there is not worn (brows are hair)."""
TINT_STRENGTH = 0.45
OUTLINES = (
    FACE_OVAL,
    loop(RIGHT_EYE_UPPER, RIGHT_EYE_LOWER),
    loop(LEFT_EYE_UPPER, LEFT_EYE_LOWER),
    ring(RIGHT_BROW_UPPER, RIGHT_BROW_LOWER),
    ring(LEFT_BROW_UPPER, LEFT_BROW_LOWER),
    loop(UPPER_LIP_OUTER, LOWER_LIP_OUTER),
    loop(UPPER_LIP_INNER, LOWER_LIP_INNER),
    NOSE,
)
"""Closed contours drawn as lines, as landmark index sequences."""
LABELS = {
    "cheeks": ("cheek", "inside"),
    "eyeshadow_right": ("lid", "inside"),
    "eyeshadow_left": ("lid", "inside"),
    "brows": ("brow", "above"),
    "lips": ("lips", "below"),
    "nose": ("nose", "inside"),
    "under_eye": ("under eye", "inside"),
}
"""Template name → the word written at each of its parts and where: in its middle, or
above or below it where the part is too thin to write in."""
MIN_GUIDE_SIZE = 128


def uv_guide(size: int = 512) -> np.ndarray:
    """(size, size, 3) uint8 RGB: the UV face template, in the same pixel grid as every
    UV texture and makeup layer of that size (:func:`fram.face.uv.unwrap`)."""
    if size < MIN_GUIDE_SIZE:
        raise ValueError(f"a UV guide needs at least {MIN_GUIDE_SIZE} px a side, got {size}")
    tpl = uv_templates(size)
    px = size / 256.0
    mesh = canonical_mesh()
    uv = mesh.uv * size - 0.5
    face = tpl["face"] > 0
    canvas = np.empty((size, size, 3), np.float32)
    canvas[:] = BACKGROUND
    canvas[face] = FACE
    shift = 4  # sub-pixel precision for OpenCV's drawing
    points = np.round(uv * (1 << shift)).astype(np.int32)
    lines = 1 if px < 2 else 2
    triangles = [points[list(t)] for t in mesh.triangles]
    image = canvas.astype(np.uint8)
    cv2.polylines(image, triangles, True, MESH, 1, cv2.LINE_AA, shift)
    canvas = image.astype(np.float32)
    for name, tint in ZONE_TINTS.items():
        weight = (np.clip(tpl[name], 0, 1) * TINT_STRENGTH)[..., None]
        canvas = canvas * (1 - weight) + np.array(tint, np.float32) * weight
    image = np.clip(canvas + 0.5, 0, 255).astype(np.uint8)
    contours = [points[list(c)] for c in OUTLINES]
    cv2.polylines(image, contours, True, OUTLINE, lines, cv2.LINE_AA, shift)
    _label(image, tpl, px)
    return image


def _label(image: np.ndarray, tpl: dict[str, np.ndarray], px: float) -> None:
    """Write each zone's name at each of its parts."""
    scale = 0.3 * px
    thickness = max(1, round(px / 2))
    gap = round(3 * px)
    for name, (word, where) in LABELS.items():
        count, _, stats, centres = cv2.connectedComponentsWithStats((tpl[name] > 0.5).astype(np.uint8))
        (w, h), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        for part in range(1, count):
            if stats[part, cv2.CC_STAT_AREA] < 20 * px * px:
                continue
            x, y = centres[part]
            if where == "above":
                y = stats[part, cv2.CC_STAT_TOP] - gap - h / 2
            elif where == "below":
                y = stats[part, cv2.CC_STAT_TOP] + stats[part, cv2.CC_STAT_HEIGHT] + gap + h / 2
            _text(image, word, (int(x - w / 2), int(y + h / 2)), scale, thickness)
    _text(image, f"fram UV guide {image.shape[0]}x{image.shape[0]}", (gap, gap + h), scale, thickness)


def _text(image: np.ndarray, text: str, origin: tuple[int, int], scale: float, thickness: int) -> None:
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, LABEL, thickness, cv2.LINE_AA)
