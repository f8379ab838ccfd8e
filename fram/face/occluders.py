"""What covers a face in UV: hair, glasses, a hat, a hand, the mouth's inside, or
background where the mesh overshoots the face's outline.

Reading makeup off a reference photo takes every departure from a bare face for
paint; a fringe, a spectacle frame or a strand over a cheek departs as much as a
painted star does, and worn on another face it looks like dark paint in the shape
of someone else's hair. Colour alone cannot tell them apart (black liner and black
hair, a white stencil and a white frame), but shape and place can: hair comes in
from the face's edge in strands, frames ring the eyes and cross the nose, paint
sits on the skin in drawn shapes. A small U-Net (:class:`fram.face.segmenter.UNet`,
as the brows') looks at the whole face unwrapped into UV and says which texels are
covered. It is trained on labelled photos (CelebAMask-HQ's hair, eyeglasses, hat,
mouth, background, neck and cloth classes) on which pattern looks and presets were
painted, so paint is what it learns to leave alone (``python -m fram.train.occluders``).
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from fram.face.segmenter import SegmenterConfig, UNet, sigmoid
from fram.face.templates import uv_templates
from fram.face.uv import UVTexture

OCCLUDER_SIZE = 128
"""UV side the segmenter looks at: a face's hair and frames are wider than a texel here."""
CHANNELS = 6  # L, a, b relative to the skin's median; hidden (1 - visibility); u, v
COLOUR_SCALE = np.array([40.0, 10.0, 10.0], np.float32)
OCCLUDER_CLASSES = (0, 3, 8, 9, 10, 13, 14, 15, 16, 17, 18)
"""CelebAMask-HQ classes that are not a face's paintable surface: background,
eyeglasses, ears, the mouth's inside, hair, hat, earring, necklace, neck, cloth."""


class OccluderNet(UNet):
    """The occluder segmenter: UV face features → covered logits."""

    model_type = "occluder"
    weights_env = "FRAM_OCCLUDER"
    missing_hint = "train one with `python -m fram.train.occluders`"


def default_config() -> SegmenterConfig:
    return SegmenterConfig(in_channels=CHANNELS, widths=(16, 24, 32, 48))


@functools.lru_cache(maxsize=1)
def _grid() -> tuple[np.ndarray, np.ndarray]:
    centres = (np.arange(OCCLUDER_SIZE, dtype=np.float32) + 0.5) / OCCLUDER_SIZE * 2 - 1
    skin = uv_templates(OCCLUDER_SIZE)["skin"] > 0.5
    return np.stack(np.meshgrid(centres, centres)), skin


def occluder_inputs(texture: UVTexture) -> np.ndarray:
    """The network's input for one face: (CHANNELS, OCCLUDER_SIZE, OCCLUDER_SIZE) float32."""
    size = (OCCLUDER_SIZE, OCCLUDER_SIZE)
    rgb = cv2.resize(texture.texture, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    visibility = cv2.resize(texture.visibility, size, interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    grid, skin = _grid()
    seen = skin & (visibility > 0.5)
    centre = np.median(lab[seen], axis=0) if seen.sum() > 16 else np.median(lab.reshape(-1, 3), axis=0)
    colour = (lab - centre) / COLOUR_SCALE * visibility[..., None]
    return np.concatenate([colour.transpose(2, 0, 1), (1 - visibility)[None], grid]).astype(np.float32)


def uv_probability(texture: UVTexture, model: UNet) -> np.ndarray:
    """(S, S) float32 in [0, 1] at the texture's size: a UV segmenter's (trained on
    :func:`occluder_inputs`) probability, rounded to 8-bit steps as the other
    segmenters' are: the same face, the same mask."""
    prob = sigmoid(model(occluder_inputs(texture)[None]))[0]
    prob = np.round(prob * 255) / 255
    side = texture.size
    return np.clip(cv2.resize(prob.astype(np.float32), (side, side), interpolation=cv2.INTER_LINEAR), 0, 1)


def occluded(texture: UVTexture, model: OccluderNet | None = None) -> np.ndarray:
    """(S, S) float32 in [0, 1] at the texture's size: how surely each texel shows
    something over the face rather than its skin, features or paint."""
    return uv_probability(texture, model or OccluderNet.shipped())


__all__ = ["CHANNELS", "OCCLUDER_CLASSES", "OCCLUDER_SIZE", "OccluderNet", "default_config", "occluded",
           "occluder_inputs", "uv_probability"]
