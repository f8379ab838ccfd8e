"""Colour-space conversions, the one place fram writes them.

sRGB ↔ linear RGB follows IEC 61966-2-1, on numpy arrays (the renderer and the
compositor) or torch tensors (the models and training: torch is imported only when a
tensor is passed, so the core install runs without it).
CIELAB is D65. There are three CIELAB routes, and they are kept apart on purpose:

* :func:`rgb_to_lab` / :func:`lab_to_rgb` (scikit-image, float64): the reference, used
  by the metrics, colour naming and style sampling;
* :func:`rgb_to_lab_fast` / :func:`lab_to_rgb_fast` (OpenCV, float32): within about
  0.01 of the reference and many times faster on whole textures; the classic
  estimator and the shade matching were tuned with it;
* :func:`rgb_to_lab_8bit` (OpenCV on uint8): OpenCV's 8-bit scaling (L* × 255/100,
  a* + 128, b* + 128, rounded to integers); the region snapping constants and the brow
  segmenter's weights were fitted on exactly these numbers. :func:`lab_from_8bit`
  takes it back to CIELAB units.

Moving a caller from one route to another changes its numbers (by up to about one
CIELAB unit for the 8-bit route), so each caller keeps the route it was measured with.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from skimage.color import lab2rgb, rgb2lab


def _xp(x):
    """The array module of ``x``: numpy, or torch for a tensor (already imported then)."""
    if isinstance(x, np.ndarray):
        return np
    import torch

    return torch


def srgb_to_linear(x):
    """sRGB in [0, 1] → linear RGB (IEC 61966-2-1), any shape, elementwise; a float32
    array or a torch tensor, returned as the same kind.

    >>> srgb_to_linear(np.array([0.0, 1.0], np.float32)).tolist()
    [0.0, 1.0]
    """
    xp = _xp(x)
    return xp.where(x <= 0.04045, x / 12.92, ((xp.clip(x, 0, None) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x):
    """Linear RGB → sRGB in [0, 1] (clipped), any shape, elementwise; array or tensor."""
    xp = _xp(x)
    x = xp.clip(x, 0.0, 1.0)
    return xp.where(x <= 0.0031308, x * 12.92, 1.055 * xp.clip(x, 1e-12, None) ** (1 / 2.4) - 0.055)


SRGB_TO_LINEAR_8BIT = srgb_to_linear(np.arange(256, dtype=np.float32) / np.float32(255.0)).astype(np.float32)
"""(256,) float32: linear RGB of each 8-bit sRGB level; index it with a uint8 image."""


def luminance(x):
    """(B, 3, H, W) linear RGB → (B, 1, H, W) relative luminance (Rec. 709 weights); array or tensor."""
    return x[:, 0:1] * 0.2126 + x[:, 1:2] * 0.7152 + x[:, 2:3] * 0.0722


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB colours, the reference conversion.

    Args:
        rgb: (..., 3) uint8 in [0, 255] (converted in float64) or float in [0, 1]
            (converted in its own precision).

    Returns:
        (..., 3): L* in [0, 100], a* and b* roughly in [-128, 127].

    >>> round(float(rgb_to_lab(np.array([255, 255, 255], np.uint8))[0]), 2)
    100.0
    """
    pixels = np.asarray(rgb)
    if pixels.shape[-1] != 3:
        raise ValueError(f"expected (..., 3) colours, got shape {pixels.shape}")
    if pixels.dtype == np.uint8:
        pixels = pixels.astype(np.float64) / 255.0
    # Not reshaped: scikit-image's matrix product rounds differently for other shapes.
    return rgb2lab(pixels)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """(..., 3) CIELAB (D65) → (..., 3) float64 sRGB in [0, 1], out-of-gamut colours clipped."""
    lab = np.asarray(lab, np.float64)
    if lab.shape[-1] != 3:
        raise ValueError(f"expected (..., 3) CIELAB colours, got shape {lab.shape}")
    return lab2rgb(lab)


def rgb_to_lab_fast(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 sRGB in [0, 1] → float32 CIELAB (OpenCV's tabulated conversion)."""
    return cv2.cvtColor(np.asarray(rgb, np.float32), cv2.COLOR_RGB2LAB)


def lab_to_rgb_fast(lab: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 CIELAB → float32 sRGB, not clipped (OpenCV's conversion)."""
    return cv2.cvtColor(np.asarray(lab, np.float32), cv2.COLOR_LAB2RGB)


def rgb_to_lab_8bit(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 sRGB → float32 CIELAB in OpenCV's 8-bit scaling.

    L* × 255/100, a* + 128 and b* + 128, each rounded to an integer (see the module
    docstring for who depends on it).
    """
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected (H, W, 3) uint8 RGB, got {rgb.dtype} {rgb.shape}")
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)


def lab_from_8bit(lab: np.ndarray) -> np.ndarray:
    """(..., 3) float32 CIELAB in OpenCV's 8-bit scaling → CIELAB units (float32)."""
    return lab * np.array([100 / 255, 1, 1], np.float32) - np.array([0, 128, 128], np.float32)


def ita(lab: np.ndarray) -> float:
    """Individual typology angle of a skin colour (Chardon et al. 1991), in degrees.

    atan((L* − 50) / b*), with b* floored at 1e-6 so that a colourless grey reads as
    ±90°. Range [−90, 90]; higher is lighter skin.

    Args:
        lab: (3,) one CIELAB colour (only L* and b* are read).

    >>> round(ita(np.array([70.0, 10.0, 20.0])), 1)
    45.0
    """
    lab = np.asarray(lab)
    if lab.shape != (3,):
        raise ValueError(f"expected one (3,) CIELAB colour, got shape {lab.shape}")
    b = max(float(lab[2]), 1e-6)
    return math.degrees(math.atan((float(lab[0]) - 50.0) / b))
