"""A picture of the region masks: the photo with each region tinted in its colour."""

from __future__ import annotations

import numpy as np

OVERLAY_COLORS = {
    "skin": (255, 214, 102), "lips": (230, 30, 70), "eyes": (40, 120, 255), "brows": (120, 70, 30),
    "eyeshadow": (170, 80, 220), "eyeliner": (20, 20, 20), "cheeks": (255, 120, 150),
    "nose": (80, 220, 160), "under_eye": (90, 230, 240),
}
OVERLAY_OPACITY = 0.45


def region_overlay(image: np.ndarray, masks) -> np.ndarray:
    """(H, W, 3) uint8: ``image`` with each region of ``masks`` (a
    :class:`fram.face.regions.RegionMasks`) tinted, later regions on top."""
    out = image.astype(np.float32)
    for name, color in OVERLAY_COLORS.items():
        alpha = OVERLAY_OPACITY * masks.full(name)[..., None]
        out = out * (1 - alpha) + alpha * np.array(color, np.float32)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
