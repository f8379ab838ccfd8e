"""Eye openings and lips refined by small learned segmenters, as the brows are.

The rule-based masks (landmark outlines moved to where labels put their edges, then
snapped to colour edges: :mod:`fram.face.edges`) are right to about a pixel, which is
a quarter of an eye's area at 512 px: thin or pale upper lips, lip corners in shadow,
teeth between parted lips and lids over the iris defeat a single colour model. Each
eye and the mouth are looked at through a crop aligned with them (inner → outer eye
corner, right → left mouth corner; up toward the forehead) by a network like the
brows' (:mod:`fram.face.brows`: same inputs, the rule-based mask as its prior),
trained on labelled photos (``python -m fram.train.features eyes|lips``).
"""

from __future__ import annotations


import numpy as np

from fram.face.brows import BrowCrop, refine_features
from fram.face.polygons import fill_polygons
from fram.face.segmenter import UNet
from fram.face.topology import EYE_CONTOURS, LOWER_LIP_INNER, LOWER_LIP_OUTER, UPPER_LIP_INNER, UPPER_LIP_OUTER, loop

# Crops in units of the eye's / mouth's corner-to-corner width; an open eye is about a
# third as tall as it is wide, an open mouth up to two thirds.
EYE_CROP = BrowCrop(height=40, width=96, along=(-0.25, 1.25), across=(0.45, -0.45))
LIP_CROP = BrowCrop(height=64, width=128, along=(-0.15, 1.15), across=(0.6, -0.6))
_MOUTH_TOP, _CHIN = 13, 152
PRIOR_SHARE = 0.1
"""The rule-based mask's share in the final eye and lip masks: where the network is
unsure (probability near 0.5) the prior tips the balance. On held-out CelebAMask-HQ
(images 200–999) it lifted mean IoU from 0.7771 to 0.7783 for eyes and 0.8146 to 0.8152
for lips at no cost (0.2 and 0.1 as shares did no better); averaging with mirrored
crops gained as little (+0.0015, +0.0003) at twice the networks' time."""


class EyeNet(UNet):
    """The eye-opening segmenter: crop features → eye logits."""

    model_type = "eye_refiner"
    prior_channel = 3
    weights_env = "FRAM_EYE_REFINER"
    missing_hint = "train one with `python -m fram.train.features eyes`"


class LipNet(UNet):
    """The lip segmenter: crop features → lip logits."""

    model_type = "lip_refiner"
    prior_channel = 3
    weights_env = "FRAM_LIP_REFINER"
    missing_hint = "train one with `python -m fram.train.features lips`"


def eye_geometry(points: np.ndarray, shape: tuple[int, int]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per eye (inner → outer corner, the mouth below it, the lid contours' fill over ``shape``)."""
    out = []
    for upper, lower in EYE_CONTOURS:  # each lid runs outer → inner corner
        corners = points[[upper[-1], upper[0]]]
        out.append((corners, points[_MOUTH_TOP], fill_polygons([points[list(loop(upper, lower))]], shape)))
    return out


def lip_geometry(points: np.ndarray, shape: tuple[int, int]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The mouth (right → left corner, the chin below it, the lips' landmark ring's fill over ``shape``)."""
    outer = fill_polygons([points[list(loop(UPPER_LIP_OUTER, LOWER_LIP_OUTER))]], shape)
    opening = fill_polygons([points[list(loop(UPPER_LIP_INNER, LOWER_LIP_INNER))]], shape)
    corners = points[[UPPER_LIP_OUTER[0], UPPER_LIP_OUTER[-1]]]
    return [(corners, points[_CHIN], np.clip(outer - opening, 0, 1))]


def refine_eyes(lab: np.ndarray, points: np.ndarray, prior: np.ndarray, model: EyeNet | None = None) -> np.ndarray:
    """The eye openings over ``lab``'s region (the face box), decided by the segmenter
    from the rule-based mask ``prior``; ``points`` are the landmarks in the box."""
    net = refine_features(lab, eye_geometry(points, lab.shape[:2]), prior, model or EyeNet.shipped(), EYE_CROP)
    return _with_prior(net, prior)


def refine_lips(lab: np.ndarray, points: np.ndarray, prior: np.ndarray, model: LipNet | None = None) -> np.ndarray:
    """The lips over ``lab``'s region (the face box), decided by the segmenter from the
    rule-based mask ``prior``; ``points`` are the landmarks in the box."""
    net = refine_features(lab, lip_geometry(points, lab.shape[:2]), prior, model or LipNet.shipped(), LIP_CROP)
    return _with_prior(net, prior)


def _with_prior(net: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """The network's mask with :data:`PRIOR_SHARE` of the rule-based one mixed in."""
    return (1 - PRIOR_SHARE) * net + PRIOR_SHARE * np.asarray(prior, np.float32)
