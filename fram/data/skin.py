"""Skin tone of a bare face, and fitting a sampled look to it.

A makeup artist picks different shades for different skin: the foundation and
concealer *are* the wearer's skin tone (``fram.makeup.compose.match_skin``), contour is
a few shades deeper than the skin, and blush, nude lipsticks and brow pencils come in
deeper, richer versions for deep skin. Only the shades that are defined relative to
the skin move; a red lipstick or a blue eyeshadow is the same product on everyone.

Skin tone is reported as CIELAB and as the individual typology angle
(:func:`fram.face.colour.ita`), with its six usual categories.
"""

from __future__ import annotations

import math

import numpy as np

from fram.makeup.compose import REFERENCE_SKIN_LAB, match_skin
from fram.makeup.recipe import MakeupStyle
from fram.data.styles import hex_to_lab, lab_to_hex

ITA_CATEGORIES: tuple[tuple[str, float], ...] = (
    ("very light", 55.0),
    ("light", 41.0),
    ("intermediate", 28.0),
    ("tan", 10.0),
    ("brown", -30.0),
    ("dark", -math.inf),
)
"""ITA category and its lower bound in degrees, lightest first."""

# A colour this close (CIE76) to the reference skin is a "nude": it is chosen per skin tone.
_NUDE_DISTANCE = 24.0


def ita_category(angle: float) -> str:
    """The ITA skin category ("very light" ... "dark") of an angle in degrees."""
    for name, lower in ITA_CATEGORIES:
        if angle > lower:
            return name
    return ITA_CATEGORIES[-1][0]


def _depth(tone: np.ndarray) -> float:
    """How much deeper than the reference the skin is, 0 (reference or lighter) to 1."""
    return float(np.clip((REFERENCE_SKIN_LAB[0] - tone[0]) / 35.0, 0.0, 1.0))


def _deepen(color: str, tone: np.ndarray, amount: float) -> str:
    """Move a colour's lightness with the skin's (``amount`` of the difference)."""
    lab = hex_to_lab(color)
    depth = _depth(tone)
    lab[0] = lab[0] + amount * (tone[0] - REFERENCE_SKIN_LAB[0])
    lab[1:] = lab[1:] * (1.0 + 0.25 * depth)  # richer pigment, not ashy, on deep skin
    return lab_to_hex(lab)


def _is_nude(color: str) -> bool:
    return float(np.linalg.norm(hex_to_lab(color) - REFERENCE_SKIN_LAB)) < _NUDE_DISTANCE


def fit_to_skin(style: MakeupStyle, tone: np.ndarray) -> MakeupStyle:
    """A sampled look with its skin-relative shades moved onto this face's skin.

    Foundation and concealer follow :func:`fram.makeup.compose.match_skin` (the shade's
    offset from the reference skin is kept); contour keeps its depth *ratio* to the
    skin; blush, nude lip and eye colours deepen with the skin; brows stay darker
    than the skin. The result is the recipe that is rendered and described.
    """
    tone = np.asarray(tone, dtype=np.float64)
    style = match_skin(style, tone)
    update = {}
    if style.contour is not None:
        lab = hex_to_lab(style.contour.color)
        lab[0] = lab[0] * tone[0] / REFERENCE_SKIN_LAB[0]
        lab[1:] = lab[1:] + (tone[1:] - REFERENCE_SKIN_LAB[1:])
        update["contour"] = style.contour.model_copy(update={"color": lab_to_hex(lab)})
    if style.blush is not None:
        update["blush"] = style.blush.model_copy(update={"color": _deepen(style.blush.color, tone, 0.55)})
    if style.lipstick is not None and _is_nude(style.lipstick.color):
        update["lipstick"] = style.lipstick.model_copy(update={"color": _deepen(style.lipstick.color, tone, 0.7)})
    if style.eyeshadow is not None:
        colors = [_deepen(c, tone, 0.6) if _is_nude(c) else c for c in style.eyeshadow.colors]
        update["eyeshadow"] = style.eyeshadow.model_copy(update={"colors": colors})
    if style.brows is not None:
        lab = hex_to_lab(style.brows.color)
        if lab[0] < 55.0:  # a brow pencil, not a bleached editorial brow
            lab[0] = min(lab[0], 0.6 * tone[0])
            update["brows"] = style.brows.model_copy(update={"color": lab_to_hex(lab)})
    return style.model_copy(update=update)
