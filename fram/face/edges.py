"""Soft feature masks snapped from landmark outlines to the photo's colour edges.

Lengths in the photo are in face units: native pixels per pixel of a 256-px UV
texture (face width / 256), so the constants hold at any photo resolution
(CelebAMask-HQ faces at 512 px are about 1.1 px per unit). The numbers here and in
:mod:`fram.face.feature_outlines` were tuned for mean IoU against CelebAMask-HQ labels
on the development split (images 0–199 by name); ``benchmarks/region_iou.py`` reports
the held-out rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fram.face.colour_model import MIN_SAMPLES, colours_where, gaussian_loglik
from fram.face.polygons import bounding_box, fill_polygons, signed_distance


@dataclass(frozen=True)
class EdgeFit:
    """How the photo's colours move one feature's edge away from its landmark outline.

    Inside-logit of a pixel = ``slope`` × signed distance to the outline (face units,
    > 0 inside) + ``bias`` + ``evidence`` × the log-likelihood ratio of its colour
    under the feature's colour model against its surroundings' (clipped to
    ±``EVIDENCE_CLIP``). A steep slope means the landmarks are usually right there; the
    evidence weight, how far colour is trusted. Started from a logistic regression on
    pixels near the outlines, then tuned for IoU.
    """

    slope: float
    bias: float
    evidence: float


# Log-likelihood ratios beyond this carry no more information (specular highlights,
# stray hairs); it also caps how far colour can move an edge: EVIDENCE_CLIP × evidence
# / slope face units.
EVIDENCE_CLIP = 6.0
# Colour models: the feature's from pixels deeper than CORE_DEPTH inside its outline,
# the surroundings' from a ring RING_DEPTHS outside it (face units).
CORE_DEPTH = 2.0
RING_DEPTHS = (3.0, 8.0)
# Gaussian blur (face units) of the logits: an edge is smooth at the scale of a few
# pixels. (Blurring the colours instead made no difference.)
LOGIT_BLUR = 1.1


def snap(
    lab: np.ndarray,
    outlines: list[np.ndarray],
    fit: EdgeFit,
    unit: float,
    hole: np.ndarray | None = None,
    elsewhere: np.ndarray | None = None,
    dark_core: bool = False,
) -> np.ndarray:
    """Soft mask of a feature: its landmark outlines, moved toward the photo's colour edges.

    The feature's colour model is learnt from the core of its outlines (with
    ``dark_core``, from the darker half of the core: brow hairs are darker than skin,
    and the mesh's brow outline is often a few pixels off them); the surroundings'
    from a ring outside them. The pixels of ``hole`` (a polygon cut out of the
    outlines: the mouth opening) or of ``elsewhere`` (a soft mask over the box: the eye
    openings near the brows) are kept out of the ring and, when there are enough,
    modelled as a second background, so that teeth or sclera do not pass for the
    feature merely by not looking like skin. See ``EdgeFit`` for the logit.

    Args:
        lab: (h, w, 3) float32 CIELAB colours of the face box.
        outlines: polygons (N, 2) in the box's pixel coordinates.
        fit: the feature's edge model.
        unit: face unit in pixels.

    Returns:
        (h, w) float32 in [0, 1].
    """
    out = np.zeros(lab.shape[:2], np.float32)
    if not outlines:
        return out
    rows, cols = bounding_box(outlines, lab.shape[:2], (RING_DEPTHS[1] + 2 * LOGIT_BLUR + 1) * unit)
    origin = (cols.start, rows.start)
    patch = lab[rows, cols]
    coverage = fill_polygons([p - origin for p in outlines], patch.shape[:2])
    other = np.zeros(patch.shape[:2], bool)
    if hole is not None:
        cut = fill_polygons([hole - origin], patch.shape[:2])
        coverage = np.clip(coverage - cut, 0, 1)
        other = cut > 0.5
    if elsewhere is not None:
        other = elsewhere[rows, cols] > 0.5
    distance = signed_distance(coverage) / unit
    core = distance > CORE_DEPTH
    if dark_core and core.sum() >= 2 * MIN_SAMPLES:
        core &= patch[..., 0] <= np.median(patch[core, 0])
    ring = (distance < -RING_DEPTHS[0]) & (distance > -RING_DEPTHS[1]) & ~other
    logit = fit.slope * distance + fit.bias
    if core.sum() >= MIN_SAMPLES and ring.sum() >= MIN_SAMPLES:
        backgrounds = [colours_where(patch, ring)]
        other_core = signed_distance(other.astype(np.float32)) > CORE_DEPTH * unit
        if other_core.sum() >= MIN_SAMPLES:
            backgrounds.append(colours_where(patch, other_core))
        background = np.max([gaussian_loglik(patch, s) for s in backgrounds], axis=0)
        evidence = gaussian_loglik(patch, colours_where(patch, core)) - background
        logit = logit + fit.evidence * np.clip(evidence, -EVIDENCE_CLIP, EVIDENCE_CLIP)
    logit = cv2.GaussianBlur(logit.astype(np.float32), (0, 0), LOGIT_BLUR * unit)
    out[rows, cols] = 1.0 / (1.0 + np.exp(-logit))
    return out
