"""Eyes, brows and lips as labelled photos draw them, from their landmarks.

Outlines move along their outward normals (face units, see :mod:`fram.face.edges`)
to where CelebAMask-HQ labels put the edges; each feature then snaps to the photo's
colour edges with its own :class:`~fram.face.edges.EdgeFit`.
"""

from __future__ import annotations

import numpy as np

from fram.face.brow_profile import brow_profile
from fram.face.edges import EdgeFit
from fram.face.colour_model import MIN_SAMPLES
from fram.face.polygons import bounding_box, fill_polygons, offset_polygon, signed_distance
from fram.face.topology import (
    BROW_CONTOURS,
    EYE_CONTOURS,
    LOWER_LIP_INNER,
    LOWER_LIP_OUTER,
    UPPER_LIP_INNER,
    UPPER_LIP_OUTER,
    loop,
    ring,
)

# Eyes: the lower lid's and the corners' landmarks sit outside the opening.
EYE_LID_OFFSETS = {"upper": 0.0, "lower": -0.5, "corner": -1.0}
# Widest lid gap over eye width: closed eyes measure 0.06–0.12, open ones 0.19 and up.
EYE_CLOSED_RATIO = 0.15
# An eye behind sunglasses, a mask or a lowered lid shows nothing its lids do not: its
# opening (deeper than EYE_CORE_DEPTH) has no sclera lighter and no iris darker than the
# median of the ring EYE_RING_DEPTHS around it by more than EYE_VISIBLE_CONTRAST (8-bit
# CIELAB levels, 10th/90th percentiles; also the a*b* distance of the medians), and is
# left out: labellers mark no eye there, and the lens or lid is no hole in the face.
EYE_CORE_DEPTH = 0.5
EYE_RING_DEPTHS = (2.0, 6.0)
EYE_VISIBLE_CONTRAST = 10.0
# Brows, per vertex of ``ring(upper, lower)``: upper edge outer → inner end, then lower
# edge inner → outer end. Labelled brows are thicker than the mesh's, most in the
# middle, and shorter at both ends.
BROW_OFFSETS = (-3.0, 0.0, 2.0, 2.5, 0.0, -1.0, 2.5, 2.0, 0.5, -3.0)
# Lips: the upper edge lies above its landmarks and the corners reach past theirs;
# the inner edges reach into the mouth opening (by at most half of it, so a closed
# mouth is all lip), most at its corners.
LIP_OFFSETS = {
    "outer_upper": 0.75, "outer_lower": 0.0, "outer_corner": 1.375,
    "inner_upper": 0.75, "inner_lower": 1.5, "inner_corner": 3.5,
}
EYE_FIT = EdgeFit(slope=1.2, bias=0.0, evidence=0.28)
# Brows: the colour model is learnt from the hairs (``snap(dark_core=True)``), and the
# positive bias keeps the margin labellers leave around them.
BROW_FIT = EdgeFit(slope=0.6, bias=1.0, evidence=0.27)
# Each brow edge moves by BROW_EDGE_WEIGHT of where the hairs put it (``brow_profile``).
BROW_EDGE_WEIGHT = 0.75
# A brow whose forehead side gains less than this fraction of the lightness its lid
# side gains is under hair, and left out (see ``brow_outlines``).
BROW_HIDDEN_RATIO = 0.15
LIP_FIT = EdgeFit(slope=0.67, bias=-0.08, evidence=0.25)


def eye_outlines(points: np.ndarray, unit: float, lab: np.ndarray | None = None) -> list[np.ndarray]:
    """The open eyes as labelled: the lid contours moved by ``EYE_LID_OFFSETS``.

    A closed eye has no opening (its lids are skin to paint on); MediaPipe leaves a
    residual gap between the lid contours of a closed eye, so an eye counts as closed
    below ``EYE_CLOSED_RATIO``. Given the box's CIELAB colours ``lab``, an eye that
    shows no contrast with its lids (``EYE_VISIBLE_CONTRAST``) is left out too.
    """
    outlines = []
    for upper, lower in EYE_CONTOURS:
        lids = points[list(loop(upper, lower))]
        facing = points[list(lower[::-1])][1:-1]  # lower-lid points under upper[1:-1]
        width = np.linalg.norm(lids[0] - lids[len(upper) - 1])
        if np.linalg.norm(lids[1 : len(upper) - 1] - facing, axis=1).max() < EYE_CLOSED_RATIO * width:
            continue
        offsets = np.array([EYE_LID_OFFSETS["upper"]] * len(upper) + [EYE_LID_OFFSETS["lower"]] * (len(lower) - 2))
        offsets[[0, len(upper) - 1]] = EYE_LID_OFFSETS["corner"]
        outline = offset_polygon(lids, offsets * unit)
        if lab is None or _shows_eye(lab, outline, unit):
            outlines.append(outline)
    return outlines


def _shows_eye(lab: np.ndarray, outline: np.ndarray, unit: float) -> bool:
    """Whether the opening inside ``outline`` differs from the ring of lid around it
    (see ``EYE_VISIBLE_CONTRAST``); an opening too small to judge counts as an eye."""
    rows, cols = bounding_box([outline], lab.shape[:2], (EYE_RING_DEPTHS[1] + 1) * unit)
    patch = lab[rows, cols]
    distance = signed_distance(fill_polygons([outline - (cols.start, rows.start)], patch.shape[:2])) / unit
    core = patch[distance > EYE_CORE_DEPTH]
    ring = patch[(distance < -EYE_RING_DEPTHS[0]) & (distance > -EYE_RING_DEPTHS[1])]
    if len(core) < MIN_SAMPLES or len(ring) < MIN_SAMPLES:
        return True
    lightness = np.median(ring[:, 0])
    contrast = max(np.percentile(core[:, 0], 90) - lightness, lightness - np.percentile(core[:, 0], 10),
                   float(np.linalg.norm(np.median(core[:, 1:], axis=0) - np.median(ring[:, 1:], axis=0))))
    return contrast >= EYE_VISIBLE_CONTRAST


def brow_outlines(points: np.ndarray, unit: float, lab: np.ndarray | None = None) -> list[np.ndarray]:
    """The visible brows as labelled: the mesh brow rings moved by ``BROW_OFFSETS``.

    Given the box's CIELAB colours ``lab``, each ring's upper and lower edges then move
    by ``BROW_EDGE_WEIGHT`` of where the hairs put them (``brow_profile``), and a brow
    under hair (a fringe, a hat brim) is left out: labellers mark that as hair, and
    brow make-up does not belong on it. Such a brow shows no lighter skin above its
    darkest line, while the lid below is still lighter; a brow counts as hidden when
    the lightness it gains toward the forehead is under ``BROW_HIDDEN_RATIO`` of what
    it gains toward the lid.
    """
    offsets = np.asarray(BROW_OFFSETS) * unit
    outlines = []
    for upper, lower in BROW_CONTOURS:
        outline = offset_polygon(points[list(ring(upper, lower))], offsets)
        profile = None if lab is None else brow_profile(lab, outline, unit)
        if profile is not None:
            shifts, rise_above, rise_below = profile
            if rise_above < BROW_HIDDEN_RATIO * rise_below:
                continue
            outline = offset_polygon(outline, BROW_EDGE_WEIGHT * shifts * unit)
        outlines.append(outline)
    return outlines


def lip_outlines(points: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(outer outline, mouth opening, upper lip, lower lip) polygons as labelled.

    The inner lip edges move toward each other along the line joining facing points
    of the inner contours, at most halfway, so a closed mouth leaves no gap; the
    opening's corners move toward its middle, at most a quarter of its width.
    """
    n_upper = len(UPPER_LIP_OUTER)
    n_lower = len(LOWER_LIP_OUTER) - 2  # without the corners
    offsets = np.array([LIP_OFFSETS["outer_upper"]] * n_upper + [LIP_OFFSETS["outer_lower"]] * n_lower)
    offsets[[0, n_upper - 1]] = LIP_OFFSETS["outer_corner"]
    outer = offset_polygon(points[list(loop(UPPER_LIP_OUTER, LOWER_LIP_OUTER))], offsets * unit)
    top = points[list(UPPER_LIP_INNER)]  # mouth corner 78 → 308
    bottom = points[list(LOWER_LIP_INNER)][::-1]  # facing points, also 78 → 308
    gap = bottom - top
    half = np.linalg.norm(gap, axis=1, keepdims=True) / 2
    toward = gap / np.maximum(2 * half, 1e-9)
    top = top + toward * np.minimum(LIP_OFFSETS["inner_upper"] * unit, half)
    bottom = bottom - toward * np.minimum(LIP_OFFSETS["inner_lower"] * unit, half)
    across = top[-1] - top[0]
    width = float(np.linalg.norm(across))
    inward = across / max(width, 1e-9) * min(LIP_OFFSETS["inner_corner"] * unit, width / 4)
    top[[0, -1]] += (inward, -inward)
    bottom[[0, -1]] = top[[0, -1]]
    opening = np.concatenate([top, bottom[::-1][1:-1]])
    upper = np.concatenate([outer[:n_upper], top[::-1]])
    lower = np.concatenate([outer[n_upper - 1 :], outer[:1], bottom])
    return outer, opening, upper, lower
