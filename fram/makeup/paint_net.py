"""Which departures of a reference's skin from its bare estimate are paint at all.

The bare estimate (:mod:`fram.makeup.decompose`) is a smooth fit plus a bare face's
mean structure, so whatever a real photo's skin does beyond that reads as paint: a
cheek lit by a window, the shadow a nose casts, stubble at a beard's edge, a flower
or fingers at the cheek. Worn on another face these come out as white, grey and
orange blotches, the worst thing a bare or a side-lit reference can do. Rules on
colour cannot tell them from paint (a lit cheek departs in hue and chroma as much as
a sheer blush does), but a network that sees the whole face can: light follows the
face's shape and reaches its outline, a beard grows where beards grow, paint is drawn.

A small U-Net (:class:`fram.face.segmenter.UNet`, the occluder segmenter's inputs and size)
is trained on men's photos, bare as they are and relit from random directions, with
pattern looks and presets painted on; the target is where the painted copy departs
from the bare one (``python -m fram.train.paint``). Real makeup is not in its
training set, so it is asked only about the skin (off the lids and lips, where
looks are read eagerly): there what it was taught, blush, contour and face paint,
is what references wear.
"""

from __future__ import annotations


import numpy as np

from fram.face.occluders import OCCLUDER_SIZE, default_config, uv_probability
from fram.face.segmenter import UNet
from fram.face.uv import UVTexture

PAINT_SIZE = OCCLUDER_SIZE
"""UV side the segmenter looks at (its inputs are the occluder segmenter's)."""


class PaintNet(UNet):
    """The paint segmenter: UV face features → painted logits."""

    model_type = "paint"
    weights_env = "FRAM_PAINT"
    missing_hint = "train one with `python -m fram.train.paint`"


def painted(texture: UVTexture, model: PaintNet | None = None) -> np.ndarray:
    """(S, S) float32 in [0, 1] at the texture's size: how surely each texel's
    departure from a bare face is paint rather than light, hair or what else a bare
    face shows."""
    return uv_probability(texture, model or PaintNet.shipped())


__all__ = ["PAINT_SIZE", "PaintNet", "default_config", "painted"]
