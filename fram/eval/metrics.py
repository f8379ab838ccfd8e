"""Colour, image and geometry metrics for judging a makeup transfer.

Pure NumPy functions: images are ``(H, W, 3)`` uint8 sRGB (or CIELAB float where a
name says ``lab``), masks are ``(H, W)`` float weights in [0, 1]. Nothing here finds
faces or reads files; :mod:`fram.eval.measure` puts the pieces together per transfer.

Every metric the reports print is described in :data:`METRIC_INFO` (what it
measures, its range and which direction is better); ``fram eval`` prints that
legend under every report.

CIELAB uses the D65 white point (:func:`fram.face.colour.rgb_to_lab`); colour differences
are CIEDE2000 (``deltaE_ciede2000``): about 1 is a just-noticeable difference
side by side, 2–3 is visible at a glance, above 10 is a different colour.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import wasserstein_distance
from skimage.color import deltaE_ciede2000, lab2xyz, xyz2lab

from fram.face.colour import ita as colour_ita
from fram.face.colour import rgb_to_lab

# ---------------------------------------------------------------- checks


def _check_rgb(image: np.ndarray, what: str = "image") -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"{what} must be an (H, W, 3) array, got shape {getattr(image, 'shape', None)}")
    return image


def _check_same_shape(a: np.ndarray, b: np.ndarray, what: str = "images") -> None:
    if a.shape != b.shape:
        raise ValueError(f"{what} must have the same shape, got {a.shape} and {b.shape}")


def _check_mask(mask: np.ndarray, shape: tuple[int, ...], what: str = "mask") -> np.ndarray:
    if mask.shape != tuple(shape[:2]):
        raise ValueError(f"{what} must have shape {tuple(shape[:2])}, got {mask.shape}")
    return mask


# ---------------------------------------------------------------- colour


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB pixels.

    Args:
        rgb: (..., 3) uint8 in [0, 255] or float in [0, 1].

    Returns:
        (..., 3) float64: L* in [0, 100], a* and b* roughly in [-128, 127].

    >>> round(float(to_lab(np.array([[[255, 255, 255]]], np.uint8))[0, 0, 0]), 2)
    100.0
    """
    if rgb.shape[-1] != 3:
        raise ValueError(f"expected (..., 3) colours, got shape {rgb.shape}")
    # Flattened to (N, 1, 3) as these metrics were measured with (the conversion
    # rounds a little differently for other shapes).
    return rgb_to_lab(np.asarray(rgb).reshape(-1, 1, 3)).reshape(rgb.shape)


def delta_e00(lab_a: np.ndarray, lab_b: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference, element-wise over (..., 3) CIELAB arrays.

    Range [0, ~100+]; 0 means identical colours, lower is closer.

    >>> float(delta_e00(np.array([50.0, 10, 10]), np.array([50.0, 10, 10])))
    0.0
    """
    lab_a = np.asarray(lab_a, np.float64)
    lab_b = np.asarray(lab_b, np.float64)
    _check_same_shape(lab_a, lab_b, "CIELAB arrays")
    if lab_a.shape[-1] != 3:
        raise ValueError(f"expected (..., 3) CIELAB colours, got shape {lab_a.shape}")
    return deltaE_ciede2000(lab_a, lab_b, channel_axis=-1)


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio in dB between two images, over ``mask > 0.5``.

    Range [0, ∞]; higher is closer; ∞ means bit-identical (over the mask), NaN
    means the mask is empty.

    >>> psnr(np.zeros((2, 2, 3), np.uint8), np.zeros((2, 2, 3), np.uint8))
    inf
    """
    _check_same_shape(a, b)
    diff = a.astype(np.float64) - b.astype(np.float64)
    if mask is not None:
        select = _check_mask(mask, a.shape) > 0.5
        if not select.any():
            return math.nan
        diff = diff[select]
    mse = float(np.mean(diff * diff))
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(data_range * data_range / mse)


def robust_color(lab: np.ndarray, weights: np.ndarray, *, threshold: float = 0.5, trim: float = 10.0, min_pixels: int = 20) -> np.ndarray:
    """The typical colour of a region: trimmed mean of its pixels by lightness.

    Pixels with ``weights >= threshold`` are kept, then those below the ``trim``-th
    and above the ``(100 - trim)``-th L* percentile are dropped (specular highlights,
    deep shadows, stray lashes) and the rest are averaged in CIELAB.

    Args:
        lab: (H, W, 3) CIELAB.
        weights: (H, W) region mask in [0, 1].

    Returns:
        (3,) CIELAB, or NaNs when fewer than ``min_pixels`` pixels are in the region.
    """
    _check_mask(weights, lab.shape, "weights")
    pixels = lab[weights >= threshold]
    if len(pixels) < min_pixels:
        return np.full(3, np.nan)
    lo, hi = np.percentile(pixels[:, 0], [trim, 100.0 - trim])
    core = pixels[(pixels[:, 0] >= lo) & (pixels[:, 0] <= hi)]
    return (core if len(core) else pixels).mean(axis=0)


# Bradford cone-response matrix (XYZ → sharpened LMS), used for von Kries adaptation.
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])


def adapt_to_anchor(lab: np.ndarray, anchor_lab: np.ndarray, target_anchor_lab: np.ndarray) -> np.ndarray:
    """Re-light colours so that ``anchor_lab`` becomes ``target_anchor_lab``.

    A von Kries transform in Bradford cone space with the face's own skin as the
    white reference: every cone response is multiplied by the gain that maps the
    anchor onto the target anchor. Applied to a result's lip colour with the
    result's skin as anchor and the reference's skin as target, it removes global
    differences of exposure, light colour and skin tone between the two photos,
    so what is left is the makeup's colour relative to the face wearing it.

    Args:
        lab: (..., 3) CIELAB colours to adapt.
        anchor_lab, target_anchor_lab: (3,) CIELAB.

    Returns:
        (..., 3) CIELAB; NaN when an anchor is NaN.
    """
    lab = np.asarray(lab, np.float64)
    anchors = np.stack([np.asarray(anchor_lab, np.float64), np.asarray(target_anchor_lab, np.float64)])
    if not np.isfinite(anchors).all():
        return np.full(lab.shape, np.nan)
    lms_anchor = lab2xyz(anchors[:, None, :])[:, 0, :] @ _BRADFORD.T
    gain = lms_anchor[1] / np.maximum(lms_anchor[0], 1e-6)
    flat = lab.reshape(-1, 1, 3)
    lms = lab2xyz(flat)[:, 0, :] @ _BRADFORD.T
    xyz = (lms * gain) @ np.linalg.inv(_BRADFORD).T
    return xyz2lab(np.maximum(xyz, 0.0)[:, None, :]).reshape(lab.shape)


def histogram_distance(lab_a: np.ndarray, lab_b: np.ndarray, weights_a: np.ndarray | None = None, weights_b: np.ndarray | None = None) -> float:
    """Distance between two regions' CIELAB colour distributions.

    The mean over L*, a* and b* of the 1-D earth mover's (Wasserstein-1) distance
    between the two regions' channel histograms, in CIELAB units. Range [0, ∞);
    0 means the same distribution of colours, lower is closer. Unlike a distance of
    mean colours it sees spread: a patchy lipstick and an even one of the same
    average colour differ here.

    Args:
        lab_a, lab_b: (N, 3) and (M, 3) CIELAB pixels.
        weights_a, weights_b: optional (N,) and (M,) non-negative pixel weights.

    >>> histogram_distance(np.zeros((4, 3)), np.ones((5, 3)))
    1.0
    """
    if lab_a.ndim != 2 or lab_a.shape[1] != 3 or lab_b.ndim != 2 or lab_b.shape[1] != 3:
        raise ValueError(f"expected (N, 3) pixel arrays, got {lab_a.shape} and {lab_b.shape}")
    if len(lab_a) == 0 or len(lab_b) == 0:
        return math.nan
    return float(np.mean([wasserstein_distance(lab_a[:, c], lab_b[:, c], weights_a, weights_b) for c in range(3)]))


# ---------------------------------------------------------------- skin tone

ITA_BINS: tuple[tuple[str, float, float], ...] = (
    ("very light", 55.0, math.inf),
    ("light", 41.0, 55.0),
    ("intermediate", 28.0, 41.0),
    ("tan", 10.0, 28.0),
    ("brown", -30.0, 10.0),
    ("dark", -math.inf, -30.0),
)
"""Individual typology angle classes (Chardon et al. 1991; Del Bino et al. 2006),
lightest first: (name, lower bound inclusive, upper bound exclusive) in degrees."""


def ita(lab_pixels: np.ndarray) -> float:
    """Individual typology angle of skin: atan((L* − 50) / b*) in degrees.

    Computed on the median L* and median b* of the pixels. Range about [−90, 90];
    higher is lighter skin (neither direction is better: it is a grouping variable).

    Args:
        lab_pixels: (N, 3) CIELAB skin pixels.

    >>> round(ita(np.array([[70.0, 10.0, 20.0]])), 1)
    45.0
    """
    if lab_pixels.ndim != 2 or lab_pixels.shape[1] != 3:
        raise ValueError(f"expected (N, 3) CIELAB pixels, got shape {lab_pixels.shape}")
    if len(lab_pixels) == 0:
        return math.nan
    return colour_ita(np.array([np.median(lab_pixels[:, 0]), 0.0, np.median(lab_pixels[:, 2])]))


def ita_group(angle: float) -> str:
    """The ITA class name of an angle (see :data:`ITA_BINS`); ``"unknown"`` for NaN.

    >>> ita_group(60.0), ita_group(41.0), ita_group(-45.0)
    ('very light', 'light', 'dark')
    """
    if not math.isfinite(angle):
        return "unknown"
    for name, lower, upper in ITA_BINS:
        if lower <= angle < upper:
            return name
    return "very light"


# ---------------------------------------------------------------- geometry

OUTER_EYE_CORNERS = (33, 263)
"""MediaPipe indices of the outer eye corners; their distance normalises displacements."""


def landmark_displacement(source: np.ndarray, result: np.ndarray, indices: tuple[int, ...] | None = None) -> float:
    """Mean landmark displacement between two detections of the same face.

    Normalised by the source's outer inter-ocular distance and given in percent
    (the usual normalised mean error). Range [0, ∞); 0 means the face's geometry did
    not move, lower is better; a few percent is detector noise.

    Args:
        source, result: (N, 2+) landmark arrays in pixels (MediaPipe topology).
        indices: only these landmarks (e.g. the lip contour).
    """
    if source.shape != result.shape or source.ndim != 2 or source.shape[1] < 2:
        raise ValueError(f"expected two (N, 2+) landmark arrays of one shape, got {source.shape} and {result.shape}")
    iod = float(np.linalg.norm(source[OUTER_EYE_CORNERS[0], :2] - source[OUTER_EYE_CORNERS[1], :2]))
    select = slice(None) if indices is None else list(indices)
    moved = np.linalg.norm(result[select, :2] - source[select, :2], axis=1)
    return 100.0 * float(moved.mean()) / max(iod, 1e-6)


# ---------------------------------------------------------------- descriptions


@dataclass(frozen=True)
class MetricInfo:
    """How to read one reported number."""

    label: str
    unit: str
    range: str
    better: str  # "lower", "higher", "≈ 0", "∞" or "—" (descriptive only)
    what: str


METRIC_INFO_FILE = Path(__file__).resolve().with_name("metric_info.json")


def _load_metric_info(path: Path = METRIC_INFO_FILE) -> dict[str, MetricInfo]:
    """The legend is prose, not logic: it lives as data so it can be edited without touching code."""
    table = json.loads(path.read_text(encoding="utf-8"))
    return {key: MetricInfo(**fields) for key, fields in table.items()}


METRIC_INFO: dict[str, MetricInfo] = _load_metric_info()
"""Legend of every metric key (the part before ``/region``)."""


def metric_key_info(key: str) -> MetricInfo | None:
    """The legend entry of ``"fid_de/lips"``-style keys."""
    return METRIC_INFO.get(key.split("/", 1)[0])
