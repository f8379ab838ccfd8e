"""Preset thumbnails for the web page's gallery: each preset worn by one face, drawn once
(the service draws them all at start-up) and kept in memory for the life of the process.

The face is scikit-image's astronaut (Eileen Collins, a public-domain NASA portrait
that ships with a dependency fram already has), so the gallery needs no bundled photo.
"""

from __future__ import annotations

import functools
import threading

import cv2
import numpy as np

from fram.face.image_io import encode_image
from fram.face.landmarks import detect_face
from fram.makeup.presets import PRESETS, get_preset
from fram.pipelines import apply_makeup

THUMBNAIL_SIZE = 160
FACE_MARGIN = 0.35  # of the face box's longer side, on every side of the crop

_cache: dict[str, bytes] = {}
_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def thumbnail_face() -> np.ndarray:
    """A square crop around the astronaut's face (the face box plus a margin)."""
    from skimage import data

    photo = np.ascontiguousarray(data.astronaut())
    x0, y0, x1, y1 = detect_face(photo, source="astronaut").bbox
    side = max(x1 - x0, y1 - y0) * (1 + 2 * FACE_MARGIN)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    top, left = max(0, round(cy - side / 2)), max(0, round(cx - side / 2))
    crop = photo[top:round(top + side), left:round(left + side)]
    return np.ascontiguousarray(crop)


def preset_thumbnail(name: str) -> bytes:
    """PNG of the preset ``name`` on the thumbnail face; raises RecipeError for an
    unknown preset. Thread-safe; each preset is drawn once."""
    style = get_preset(name)
    slug = next(key for key, value in PRESETS.items() if value is style)
    with _lock:
        if slug not in _cache:
            made_up = apply_makeup(thumbnail_face(), style, source_name="thumbnail").image
            small = cv2.resize(made_up, (THUMBNAIL_SIZE, THUMBNAIL_SIZE), interpolation=cv2.INTER_AREA)
            _cache[slug] = encode_image(small, "png")
        return _cache[slug]
