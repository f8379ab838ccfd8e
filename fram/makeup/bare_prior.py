"""What a bare face looks like in UV beyond its smooth skin colour, learned from bare faces.

A bare face is not flat: nostrils, lash lines, lid creases, the corners of the mouth
and the lips themselves differ from the smooth skin around them in the same way on
every face. :func:`fram.makeup.decompose.estimate_bare` adds this mean structure to its
smooth skin fit, and a texel counts as made up only when it departs from that by more
than bare faces themselves vary there (``spread``). Without it a reference's nostrils
read as black paint and a bare face's shading is "removed".

Trained by ``python -m fram.train.bare_prior`` (per-texel robust statistics over bare
training-split faces); stored as safetensors in ``fram/weights/bare_prior``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from fram.errors import ModelNotFoundError
from fram.weights import weights_folder

PRIOR_FILE = "model.safetensors"
PRIOR_SIZE = 256


@dataclass(frozen=True)
class BarePrior:
    """Per-texel bare-face structure at one UV size.

    Attributes:
        offset: (S, S, 3) float32: mean CIELAB departure of a bare face from its smooth
            skin fit; L* as a fraction of (fit L* + 16), so it scales with the skin's
            lightness like a shadow does; a* and b* in CIELAB units.
        spread: (S, S) float32: robust spread (ΔE) of that departure across faces.
    """

    offset: np.ndarray
    spread: np.ndarray

    def resized(self, size: int) -> "BarePrior":
        if size == self.offset.shape[0]:
            return self
        return BarePrior(offset=cv2.resize(self.offset, (size, size), interpolation=cv2.INTER_LINEAR),
                         spread=cv2.resize(self.spread, (size, size), interpolation=cv2.INTER_LINEAR))


def prior_folder():
    return weights_folder("FRAM_BARE_PRIOR", "bare_prior")


@functools.lru_cache(maxsize=4)
def bare_prior(size: int = PRIOR_SIZE) -> BarePrior:
    """The shipped (or ``$FRAM_BARE_PRIOR``) prior at UV size ``size``."""
    from safetensors.numpy import load_file

    path = prior_folder() / PRIOR_FILE
    if not path.is_file():
        raise ModelNotFoundError(f"no bare-face prior at {path}; train one with `python -m fram.train.bare_prior`")
    tensors = load_file(str(path))
    prior = BarePrior(offset=tensors["offset"].astype(np.float32), spread=tensors["spread"].astype(np.float32))
    return prior.resized(size)


def save_bare_prior(prior: BarePrior, folder) -> None:
    """Write a prior as safetensors (through a temporary file and one rename)."""
    from safetensors.numpy import save

    from fram.face.image_io import write_bytes

    data = save({"offset": prior.offset.astype(np.float16), "spread": prior.spread.astype(np.float16)})
    write_bytes(folder / PRIOR_FILE, data)
