"""What a bare face looks like in UV beyond its smooth skin colour, learned from bare faces.

A bare face is not flat: nostrils, lash lines, lid creases, the corners of the mouth
and the lips themselves differ from the smooth skin around them in the same way on
every face. :func:`fram.makeup.decompose.estimate_bare` adds this mean structure to its
smooth skin fit, and a texel counts as made up only when it departs from that by more
than bare faces themselves vary there. Without it a reference's nostrils read as black
paint and a bare face's shading is "removed".

How bare faces vary is kept as a full colour covariance per texel, not one spread:
around the eyes bare faces differ a lot in lightness (lashes, creases, hooded lids)
but little in hue, so a sheer green or violet lid stands out in the directions bare
lids never take even while its lightness stays within theirs. The departure is then
measured in standard deviations (Mahalanobis distance) of that covariance.

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
LIGHTNESS_SCALE = 76.0
"""A relative L* departure times this is in L* units at a mid skin lightness (L* 60 + 16)."""
NOISE_FLOOR = 1.5
"""ΔE of variation every texel is allowed on top of the learned one (JPEG, sensor noise)."""
_PACKED = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))


@dataclass(frozen=True)
class BarePrior:
    """Per-texel bare-face structure at one UV size.

    Attributes:
        offset: (S, S, 3) float32: mean CIELAB departure of a bare face from its smooth
            skin fit; L* as a fraction of (fit L* + 16), so it scales with the skin's
            lightness like a shadow does; a* and b* in CIELAB units.
        covariance: (S, S, 3, 3) float32: robust covariance of that departure across
            faces, with L* scaled by :data:`LIGHTNESS_SCALE` (ΔE² units).
    """

    offset: np.ndarray
    covariance: np.ndarray

    def resized(self, size: int) -> "BarePrior":
        if size == self.offset.shape[0]:
            return self
        packed = pack_covariance(self.covariance)
        return BarePrior(offset=cv2.resize(self.offset, (size, size), interpolation=cv2.INTER_LINEAR),
                         covariance=unpack_covariance(cv2.resize(packed, (size, size), interpolation=cv2.INTER_LINEAR)))

    @functools.cached_property
    def precision(self) -> np.ndarray:
        """(S, S, 3, 3) inverse of the covariance plus the noise floor."""
        return np.linalg.inv(self.covariance + np.eye(3, dtype=np.float32) * NOISE_FLOOR**2).astype(np.float32)


def pack_covariance(covariance: np.ndarray) -> np.ndarray:
    """(..., 3, 3) symmetric → (..., 6): the diagonal, then the upper triangle."""
    return np.stack([covariance[..., i, j] for i, j in _PACKED], axis=-1).astype(np.float32)


def unpack_covariance(packed: np.ndarray) -> np.ndarray:
    out = np.empty(packed.shape[:-1] + (3, 3), np.float32)
    for k, (i, j) in enumerate(_PACKED):
        out[..., i, j] = out[..., j, i] = packed[..., k]
    return out


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
    if "covariance" not in tensors:
        raise ModelNotFoundError(f"{path} is an older bare-face prior without covariances; "
                                 "retrain it with `python -m fram.train.bare_prior`")
    prior = BarePrior(offset=tensors["offset"].astype(np.float32),
                      covariance=unpack_covariance(tensors["covariance"].astype(np.float32)))
    return prior.resized(size)


def save_bare_prior(prior: BarePrior, folder) -> None:
    """Write a prior as safetensors (through a temporary file and one rename)."""
    from safetensors.numpy import save

    from fram.face.image_io import write_bytes

    data = save({"offset": prior.offset.astype(np.float16), "covariance": pack_covariance(prior.covariance).astype(np.float16)})
    write_bytes(folder / PRIOR_FILE, data)
