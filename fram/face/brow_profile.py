"""Where a brow's hairs put its edges, read from lightness profiles across it.

Brow thickness varies from face to face far more than the mesh's brow does (labelled
edges lie about 3.5 face units (sd) from the mesh's), so the outline's edges are moved
toward where the hairs are (:func:`fram.face.feature_outlines.brow_outlines`).
"""

from __future__ import annotations

import cv2
import numpy as np

from fram.face.polygons import bounding_box

# ``columns`` lightness profiles across the brow between ``span`` of its length, an edge
# where the lightness has risen ``contrast`` of the way from the darkest point to the
# skin's (sampled ``skin`` face units outside the outline); each vertex takes the median
# of the columns within ``window`` (a fraction of the brow's length) of it, clipped to
# ±``clip`` face units.
BROW_PROFILE = {"columns": 9, "span": (0.1, 0.9), "window": 0.25, "contrast": 0.8, "skin": (3.0, 8.0), "clip": 6.0}
# Profiles reach this many face units either side of the brow's middle line, in steps of this.
_BROW_PROFILE_REACH, _BROW_PROFILE_STEP = 20.0, 0.5


def brow_profile(lab: np.ndarray, outline: np.ndarray, unit: float) -> tuple[np.ndarray, float, float] | None:
    """Where one brow's hairs put its edges, from lightness profiles across it.

    At ``BROW_PROFILE["columns"]`` places along the brow (``ring(upper, lower)``
    outline) the lightness is sampled across it, along the normal of its middle line.
    From the darkest point between the outline's edges, an edge lies where the
    lightness has risen ``BROW_PROFILE["contrast"]`` of the way to that of the skin
    beyond it (the median between ``BROW_PROFILE["skin"]`` face units outside that
    edge of the outline). Medians over nearby columns are robust to a stray hair, a
    lash or a glasses rim crossing a few of them.

    Returns:
        (shifts, rise above, rise below): per outline vertex, how far the hairs put its
        edge outside the outline (face units, clipped to ±``BROW_PROFILE["clip"]``),
        and how much lighter than the darkest point the skin above and below is
        (medians; CIELAB lightness as OpenCV scales it); None when the outline is
        degenerate.
    """
    n = len(outline) // 2
    top, bottom = outline[:n], outline[n:][::-1]  # both from the outer to the inner end
    middle = (top + bottom) / 2
    along = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(middle, axis=0), axis=1))]
    if along[-1] <= 1e-6:
        return None
    along /= along[-1]
    where_along = np.linspace(*BROW_PROFILE["span"], BROW_PROFILE["columns"])

    def at(curve: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.stack([np.interp(t, along, curve[:, 0]), np.interp(t, along, curve[:, 1])], axis=1)

    centre = at(middle, where_along)
    tangent = at(middle, where_along + 0.02) - at(middle, where_along - 0.02)
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    normal *= np.where(normal[:, 1:] > 0, -1.0, 1.0)  # pointing up the photo
    top_height = np.einsum("ij,ij->i", at(top, where_along) - centre, normal) / unit
    bottom_height = np.einsum("ij,ij->i", at(bottom, where_along) - centre, normal) / unit
    step = _BROW_PROFILE_STEP
    heights = np.arange(-_BROW_PROFILE_REACH, _BROW_PROFILE_REACH + step / 2, step)
    samples = centre[:, None, :] + heights[None, :, None] * unit * normal[:, None, :]
    rows, cols = bounding_box([samples.reshape(-1, 2)], lab.shape[:2], 2.0)
    if rows.stop <= rows.start or cols.stop <= cols.start:
        return None
    light = cv2.remap(
        np.ascontiguousarray(lab[rows, cols, 0]),
        (samples[..., 0] - cols.start).astype(np.float32), (samples[..., 1] - rows.start).astype(np.float32),
        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE,
    )
    light = cv2.GaussianBlur(light, (0, 0), sigmaX=1.0 / step, sigmaY=1e-3)  # 1 face unit along each profile
    near, far = BROW_PROFILE["skin"]
    h, hi, lo = heights[None, :], top_height[:, None], bottom_height[:, None]
    between = (h >= np.minimum(lo, hi) - 1) & (h <= np.maximum(lo, hi) + 1)
    kept = between.any(axis=1)
    if not kept.any():
        return None
    light, between, hi, lo, columns = light[kept], between[kept], hi[kept], lo[kept], where_along[kept]
    dark_index = np.argmin(np.where(between, light, np.inf), axis=1)
    dark = np.take_along_axis(light, dark_index[:, None], axis=1)
    above = _row_medians(light, (h > hi + near) & (h < hi + far))[:, None] - dark
    below = _row_medians(light, (h < lo - near) & (h > lo - far))[:, None] - dark
    # An edge: the first sample outward from the darkest point that has risen
    # ``contrast`` of the way to the skin (or the profile's end).
    index = np.arange(len(heights))[None, :]
    contrast = BROW_PROFILE["contrast"]
    risen_above = (index >= dark_index[:, None]) & (light - dark >= contrast * above)
    risen_below = (index <= dark_index[:, None]) & (light - dark >= contrast * below)
    top_edge = np.where(risen_above.any(axis=1), np.argmax(risen_above, axis=1), len(heights) - 1)
    bottom_edge = np.where(risen_below.any(axis=1), len(heights) - 1 - np.argmax(risen_below[:, ::-1], axis=1), 0)
    ups = heights[top_edge] - hi[:, 0]
    downs = lo[:, 0] - heights[bottom_edge]
    # Each vertex takes the median over the columns within ``window`` of its place
    # along the brow: how thickness varies along a brow differs from face to face.
    places = np.r_[along, along[::-1]]  # the outline's vertices: upper edge, then lower
    edges = np.r_[np.tile(ups, (len(along), 1)), np.tile(downs, (len(along), 1))]
    near_columns = np.abs(columns[None, :] - places[:, None]) <= BROW_PROFILE["window"]
    near_columns[~near_columns.any(axis=1)] = True  # none near: all of them
    shifts = _row_medians(edges, near_columns)
    clip = BROW_PROFILE["clip"]
    rise_above, rise_below = (float(_row_medians(v.T, np.isfinite(v.T))[0]) for v in (above, below))
    return np.nan_to_num(np.clip(shifts, -clip, clip)), rise_above, rise_below


def _row_medians(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The median of each row of ``values`` over its ``mask``ed entries (NaN where none);
    ``np.nanmedian`` along an axis is many times slower on small arrays."""
    ordered = np.sort(np.where(mask, values, np.inf), axis=1)
    count = mask.sum(axis=1)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, np.maximum(count // 2, 0)[:, None], axis=1)[:, 0]
    return np.where(count > 0, (low + high) / 2, np.nan)
