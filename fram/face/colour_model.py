"""Gaussian colour models that tell a feature's pixels from their surroundings.

Colours are CIELAB in OpenCV's 8-bit scaling (:func:`fram.face.colour.rgb_to_lab_8bit`),
the scale the noise floors below were set in.
"""

from __future__ import annotations

import cv2
import numpy as np

# Fewer colour samples than this give no usable Gaussian model.
MIN_SAMPLES = 20
# Variance floors of the Gaussian colour models (CIELAB units², per channel): 2 units
# of noise per channel, so that a flat region does not give an overconfident model.
# Skin adds 20 units of lightness, so that shading (a face side in shadow) does not
# look like hair.
COLOUR_NOISE = (4.0, 4.0, 4.0)
SKIN_NOISE = (404.0, 4.0, 4.0)


def colours_where(lab: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The (n, 3) colours of an (h, w, 3) image where ``mask`` is set, in row order
    (``lab[mask]``, several times faster on a flat view)."""
    return np.compress(mask.ravel(), lab.reshape(-1, 3), axis=0)


def gaussian_loglik(lab: np.ndarray, samples: np.ndarray, noise: tuple[float, ...] = COLOUR_NOISE) -> np.ndarray:
    """Log-likelihood of each colour under a Gaussian fitted to ``samples``.

    Args:
        lab: (h, w, 3) float32 colours (an (n, 1, 3) column works too).
        samples: (m, 3) colours to fit.
        noise: added to the covariance's diagonal.

    Returns:
        (h, w) float32. Colours are whitened with one ``cv2.transform``, several times
        faster than a per-pixel quadratic form in numpy.
    """
    mean = samples.mean(axis=0)
    cov = np.cov(samples, rowvar=False) + np.diag(noise)
    whiten = np.linalg.inv(np.linalg.cholesky(cov))
    white = cv2.transform(lab, np.hstack([whiten, -(whiten @ mean)[:, None]]).astype(np.float32))
    maha = cv2.transform(white * white, np.ones((1, 3), np.float32))
    return (-0.5 * maha - 0.5 * np.log(np.linalg.det(cov))).astype(np.float32)
