"""Brow masks refined by a small learned segmenter.

Brows defeat hand-made edge rules more than any other region: their thickness, density
and colour vary from face to face, light hairs fade into the skin, fringes and glasses
rims cross them. :func:`fram.face.regions.region_masks` first draws each brow from the
mesh and the photo's lightness (the *prior*); this module then looks at each brow
through a crop aligned with it (inner end left, forehead up, the same for both brows)
and lets a tiny convolutional network (:mod:`fram.face.segmenter`, numpy) decide, pixel by pixel, what is brow. The
network sees the crop's colours (relative to the crop's own median, so skin tone and
exposure do not matter), the prior and the bare mesh outline, and is trained on
labelled photos (``python -m fram.train.brows``); its weights ship in
``fram/weights/brow_refiner`` (safetensors, loaded once).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fram.face.segmenter import UNet, sigmoid


@dataclass(frozen=True)
class BrowCrop:
    """The crop around one brow, in units of the brow's length (inner to outer end).

    ``along`` spans inner → outer end (0 → 1 is the brow itself); ``across`` spans
    the forehead side (positive) → the lid side, around the middle of the brow.
    """

    height: int = 48
    width: int = 112
    along: tuple[float, float] = (-0.2, 1.2)
    across: tuple[float, float] = (0.3, -0.3)


CROP = BrowCrop()
CHANNELS = 5  # L, a, b relative to the crop's median; the prior; the mesh outline


def crop_frame(middle: np.ndarray, eye_centre: np.ndarray, crop: BrowCrop = CROP) -> np.ndarray:
    """The 2×3 affine map from crop pixels (x, y) to photo pixels for one brow.

    Args:
        middle: (N, 2) the brow's middle line in the photo, from its inner to its outer end.
        eye_centre: (2,) the eye below it, which tells which side is the lid.
    """
    inner, outer = middle[0], middle[-1]
    axis = outer - inner
    length = max(float(np.linalg.norm(axis)), 1e-3)
    ex = axis / length
    ey = np.array([ex[1], -ex[0]])
    if np.dot(ey, middle.mean(axis=0) - eye_centre) < 0:  # ey points away from the eye
        ey = -ey
    (u0, u1), (v0, v1) = crop.along, crop.across
    du, dv = (u1 - u0) / crop.width, (v1 - v0) / crop.height
    # photo = inner + length * (u * ex + v * ey), u = u0 + (x + 0.5) du, v = v0 + (y + 0.5) dv
    origin = inner + length * ((u0 + 0.5 * du) * ex + (v0 + 0.5 * dv) * ey)
    return np.stack([length * du * ex, length * dv * ey, origin], axis=1).astype(np.float64)


def crop_features(lab: np.ndarray, prior: np.ndarray, outline: np.ndarray, frame: np.ndarray, crop: BrowCrop = CROP) -> np.ndarray:
    """The network's input for one brow: (CHANNELS, H, W) float32.

    ``lab`` is OpenCV's 8-bit-scaled CIELAB of the photo region that ``frame`` maps
    into, ``prior`` and ``outline`` masks over the same region.
    """
    size = (crop.width, crop.height)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    colour = cv2.warpAffine(lab, frame, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    masks = cv2.warpAffine(np.dstack([prior, outline]).astype(np.float32), frame, size, flags=flags,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    centre = np.median(colour.reshape(-1, 3), axis=0)
    colour = (colour - centre) / np.array([40.0, 10.0, 10.0], np.float32)
    return np.concatenate([colour.transpose(2, 0, 1), masks.transpose(2, 0, 1)]).astype(np.float32)


def paste(prob: np.ndarray, frame: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A crop's probabilities put back into the photo region (``shape``), 0 outside the crop."""
    return cv2.warpAffine(prob.astype(np.float32), frame, (shape[1], shape[0]), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


class BrowNet(UNet):
    """The brow segmenter: crop features → brow logits at the crop's size."""

    model_type = "brow_refiner"
    prior_channel = 3
    weights_env = "FRAM_BROW_REFINER"
    missing_hint = "train one with `python -m fram.train.brows`"


def refine_brows(lab: np.ndarray, brows: list[tuple[np.ndarray, np.ndarray, np.ndarray]], prior: np.ndarray,
                 model: BrowNet | None = None) -> np.ndarray:
    """The brows' mask over ``lab``'s region, decided by the segmenter.

    Args:
        lab: (h, w, 3) float32 CIELAB (OpenCV's 8-bit scaling) of the face box.
        brows: per brow, (middle line inner → outer end, eye centre, mesh outline fill (h, w)).
        prior: (h, w) the rule-based brow mask.
    """
    return refine_features(lab, brows, prior, model or BrowNet.shipped(), CROP)


def refine_features(lab: np.ndarray, features: list[tuple[np.ndarray, np.ndarray, np.ndarray]], prior: np.ndarray,
                    model: UNet, crop: BrowCrop) -> np.ndarray:
    """A feature's mask over ``lab``'s region, decided by a segmenter of this kind
    looking at each of ``features`` (middle line, a point on its lower side, mesh
    outline fill) through ``crop``; the maximum where crops overlap."""
    frames = [crop_frame(middle, below, crop) for middle, below, _ in features]
    x = np.stack([crop_features(lab, prior, outline, frame, crop) for (_, _, outline), frame in zip(features, frames)])
    prob = sigmoid(model(x))
    # Rounded to 8-bit steps: the convolutions' last bits vary with memory layout, and
    # the same face must get the same mask wherever the photo around it is cut.
    prob = np.round(prob * 255) / 255
    out = np.zeros(lab.shape[:2], np.float32)
    for p, frame in zip(prob, frames):
        np.maximum(out, paste(p, frame, lab.shape[:2]), out=out)
    return out


__all__ = ["BrowCrop", "BrowNet", "CHANNELS", "CROP", "crop_features", "crop_frame", "paste",
           "refine_brows", "refine_features"]
