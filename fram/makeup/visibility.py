"""Whether a face wears visible makeup at all, read from its makeup layer.

A bare face's decomposition is never quite empty: lip colour, lash lines and shadows
leave some coverage, most of it on the skin. Made-up faces differ most on the lips,
then around the eyes, so the probability is a logistic model of the layer's mean
coverage in the lip, eye and skin zones (log scale). The coefficients were fitted by
``benchmarks/makeup_visibility.py`` on 250 real photos from ../shared/data (bare and
made-up research photos and before/after pairs), class-balanced; its 5-fold
cross-validation and the numbers are in docs/benchmarks.md.
"""

from __future__ import annotations

import functools

import numpy as np

from fram.makeup.decompose import MakeupLayer

ZONES = ("lips", "eyes", "skin")
COEFFICIENTS = (0.749, 1.279, 0.836)
INTERCEPT = 8.049
FLOOR = 0.01
"""Added before the log, so a zone with no coverage at all stays finite."""


@functools.lru_cache(maxsize=4)
def _zones(size: int) -> tuple[np.ndarray, ...]:
    from fram.makeup.wear import group_zones

    zones = group_zones(size)
    return tuple(zones[name] / max(float(zones[name].sum()), 1e-6) for name in ZONES)


def zone_coverage(layer: MakeupLayer) -> tuple[float, ...]:
    """Mean coverage of the layer in each of :data:`ZONES`."""
    return tuple(float((layer.alpha * zone).sum()) for zone in _zones(layer.size))


def makeup_probability(layer: MakeupLayer) -> float:
    """How likely the face the layer was read from wears visible makeup, in [0, 1]."""
    score = INTERCEPT + sum(c * np.log(v + FLOOR) for c, v in zip(COEFFICIENTS, zone_coverage(layer)))
    return float(1.0 / (1.0 + np.exp(-score)))


def shows_makeup(layer: MakeupLayer) -> bool:
    return makeup_probability(layer) >= 0.5
