"""Cosmetic colour names computed from the numbers, so text always matches the recipe.

Every entry of :data:`NAMED_COLORS` is expanded into variants along the lightness and
chroma axes of LCh ("deep plum", "light plum", "soft plum", ...; see :data:`MODIFIERS`),
and a colour is named after the nearest variant by CIEDE2000 in CIELAB. Because a
modified name *is* a point of that table, :func:`adjust_color` turns a name back into
exactly that point, so name -> colour -> name round-trips (used by
:func:`fram.makeup.parser.parse`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np
from skimage.color import deltaE_ciede2000

from fram.face.colour import lab_to_rgb, rgb_to_lab
from fram.makeup.recipe import hex_to_rgb, normalize_color, rgb_to_hex

ColorLike = str | Sequence[int] | Sequence[float]
"""A hex string, 3 ints 0-255 (as in recipes) or 3 floats 0-1 (as from ``hex_to_rgb``)."""

# name: (hex, family). Families group shades the way a makeup counter does, so that
# "berry red" and "burgundy" count as the same kind of lipstick in round trips.
NAMED_COLORS: dict[str, tuple[str, str]] = {
    # reds
    "red": ("#c8202c", "red"),
    "cherry red": ("#a8142a", "red"),
    "scarlet red": ("#dc3222", "red"),
    "crimson": ("#a01830", "red"),
    "brick red": ("#9a3a2c", "red"),
    "ruby": ("#b0103c", "red"),
    # berries and wines
    "berry": ("#8a2048", "berry"),
    "black cherry": ("#3c0c1e", "berry"),
    "berry red": ("#8c1a34", "berry"),
    "raspberry": ("#b0224e", "berry"),
    "cranberry": ("#962038", "berry"),
    "burgundy": ("#6a1628", "berry"),
    "wine": ("#70283a", "berry"),
    "oxblood": ("#4a1018", "berry"),
    # plums
    "plum": ("#6a2a52", "plum"),
    "mulberry": ("#7a2c5a", "plum"),
    "aubergine": ("#3e1c36", "plum"),
    # pinks
    "pink": ("#e4879e", "pink"),
    "hot pink": ("#e6358a", "pink"),
    "fuchsia": ("#c8207e", "pink"),
    "magenta": ("#b01c8c", "pink"),
    "baby pink": ("#f4bccb", "pink"),
    "bubblegum pink": ("#f478b0", "pink"),
    "rose": ("#c45a72", "pink"),
    "dusty rose": ("#b87a84", "pink"),
    "blush pink": ("#e8a2a2", "pink"),
    "watermelon": ("#ee5a6a", "pink"),
    "rose pink": ("#e07888", "pink"),
    "candy pink": ("#f6a2c2", "pink"),
    "mauve": ("#a8707e", "mauve"),
    "rosewood": ("#8e5058", "mauve"),
    "orchid": ("#b46ab0", "purple"),
    # nudes
    "nude": ("#c89c86", "nude"),
    "nude pink": ("#d6a09a", "nude"),
    "rosy nude": ("#c8877c", "nude"),
    "warm beige": ("#d4a886", "nude"),
    "tan": ("#c09070", "nude"),
    "porcelain": ("#f0e0d4", "nude"),
    "beige": ("#d8ba9e", "nude"),
    "sand": ("#cdb08e", "nude"),
    "champagne": ("#ecd6b8", "nude"),
    "ivory": ("#f2ead8", "nude"),
    # corals and oranges
    "coral": ("#f07060", "coral"),
    "dusty coral": ("#d27c6c", "coral"),
    "salmon": ("#e8907c", "coral"),
    "peach": ("#f4ac8a", "coral"),
    "apricot": ("#f09a62", "coral"),
    "orange": ("#ec6a1e", "orange"),
    "tangerine": ("#f4842a", "orange"),
    "burnt orange": ("#c05424", "orange"),
    "terracotta": ("#be6244", "orange"),
    "rust": ("#a04420", "orange"),
    "copper": ("#b4663a", "orange"),
    # browns
    "brown": ("#7c4a30", "brown"),
    "rosy brown": ("#a8645a", "brown"),
    "honey": ("#c8945a", "brown"),
    "warm brown": ("#94603c", "brown"),
    "caramel": ("#b8804e", "brown"),
    "toffee": ("#a26c44", "brown"),
    "cinnamon": ("#9e5632", "brown"),
    "chestnut": ("#7a3a26", "brown"),
    "bronze": ("#9a6a36", "brown"),
    "mocha": ("#7c5a48", "brown"),
    "taupe": ("#8a7c70", "brown"),
    "ash brown": ("#6c6058", "brown"),
    "chocolate brown": ("#5a3426", "brown"),
    "espresso brown": ("#3a2820", "brown"),
    # golds and yellows
    "gold": ("#c8a040", "gold"),
    "antique gold": ("#9e8440", "gold"),
    "golden yellow": ("#e8b628", "yellow"),
    "yellow": ("#f2d83a", "yellow"),
    "khaki": ("#a89c6c", "green"),
    # greens
    "green": ("#3a7a3a", "green"),
    "olive green": ("#626a2e", "green"),
    "lime green": ("#8cc83a", "green"),
    "emerald green": ("#128050", "green"),
    "forest green": ("#22502e", "green"),
    "jade": ("#3c9c78", "green"),
    "sage": ("#98aa8c", "green"),
    "mint": ("#a4dcc2", "green"),
    "teal": ("#127070", "green"),
    # blues
    "blue": ("#3a62b0", "blue"),
    "turquoise": ("#24b0b4", "blue"),
    "sky blue": ("#8cc2e8", "blue"),
    "icy blue": ("#cce2f0", "blue"),
    "denim blue": ("#4a6a96", "blue"),
    "cobalt blue": ("#1e4cb0", "blue"),
    "electric blue": ("#1e70f0", "blue"),
    "royal blue": ("#2c3ec0", "blue"),
    "navy": ("#1c2a50", "blue"),
    "midnight blue": ("#181c38", "blue"),
    # purples
    "purple": ("#6c2c90", "purple"),
    "violet": ("#7c4cc4", "purple"),
    "amethyst": ("#9058ac", "purple"),
    "lavender": ("#b8a4da", "purple"),
    "lilac": ("#c8a4cc", "purple"),
    # neutrals
    "black": ("#121212", "neutral"),
    "charcoal": ("#363739", "neutral"),
    "gunmetal": ("#4c5054", "neutral"),
    "slate grey": ("#646a72", "neutral"),
    "grey": ("#8c8c8c", "neutral"),
    "silver": ("#c4c6ca", "neutral"),
    "white": ("#f6f6f4", "neutral"),
}


class Modifier(NamedTuple):
    """What a name modifier means in LCh, and how much closer it must be to be used.

    The penalty (CIEDE2000 units) keeps plain names when they are nearly as close:
    "pale" and "muted" travel far from their base, so they need a larger margin or
    dusty mid-tones get called "pale burgundy" instead of "mauve".
    """

    lightness_shift: float
    chroma_factor: float
    penalty: float


MODIFIERS: dict[str, Modifier] = {
    "deep": Modifier(-14.0, 1.0, 2.5),
    "light": Modifier(12.0, 0.9, 2.5),
    "pale": Modifier(24.0, 0.65, 4.0),
    "soft": Modifier(0.0, 0.7, 2.5),
    "muted": Modifier(0.0, 0.45, 3.5),
    "bright": Modifier(0.0, 1.35, 2.5),
}
"""Words a colour name may start with; each is a fixed move from its base colour."""

MODIFIER_SYNONYMS: dict[str, str] = {"dark": "deep", "rich": "deep", "vivid": "bright"}
"""Words people use for a modifier that names never produce; read by the parser."""

_NEUTRAL_CHROMA = 8.0  # greys have no soft/bright, and deep/light greys have own names


@dataclass(frozen=True)
class ColorName:
    """A colour's name split into parts, so text can hyphenate or drop the modifier."""

    base: str
    modifier: str
    family: str

    @property
    def text(self) -> str:
        """Plain name, e.g. ``"deep berry red"``."""
        return f"{self.modifier} {self.base}".strip()

    @property
    def adjective(self) -> str:
        """Name used before a noun, e.g. ``"deep berry-red"`` as in "a deep berry-red lip"."""
        return f"{self.modifier} {self.base.replace(' ', '-')}".strip()


def _hex(color: ColorLike) -> str:
    if isinstance(color, (list, tuple)) and any(isinstance(c, float) for c in color):
        return rgb_to_hex(color)
    return normalize_color(color)


def _lab(color: ColorLike) -> np.ndarray:
    return rgb_to_lab(np.array(hex_to_rgb(_hex(color))))


def _modified_rgb(lab: np.ndarray, modifier: str) -> np.ndarray:
    """``(..., 3)`` CIELAB -> ``(..., 3)`` sRGB in [0, 1], quantised as a hex code would be."""
    shift, factor, _ = MODIFIERS[modifier]
    out = lab * np.array([1.0, factor, factor])
    out[..., 0] = np.clip(lab[..., 0] + shift, 0.0, 100.0)
    return np.round(np.clip(lab_to_rgb(out), 0.0, 1.0) * 255.0) / 255.0


def adjust_color(color: ColorLike, modifier: str) -> str:
    """The colour a name modifier stands for: ``adjust_color(plum, "deep")`` is "deep plum".

    Works in LCh (shift L*, scale C*, keep hue) and clips to sRGB.

    >>> adjust_color("#6a2a52", "deep")
    '#470532'
    """
    modifier = MODIFIER_SYNONYMS.get(modifier, modifier)
    if modifier not in MODIFIERS:
        known = ", ".join([*MODIFIERS, *MODIFIER_SYNONYMS])
        raise ValueError(f"unknown colour modifier {modifier!r}; known: {known}")
    return rgb_to_hex(_modified_rgb(_lab(color), modifier).tolist())


def _candidates() -> tuple[list[ColorName], np.ndarray]:
    """Every named entry plus its modified variants (greys get none), as names and CIELAB."""
    plain = [ColorName(base, "", family) for base, (_, family) in NAMED_COLORS.items()]
    plain_lab = rgb_to_lab(np.array([hex_to_rgb(h) for h, _ in NAMED_COLORS.values()]))
    chromatic = np.hypot(plain_lab[:, 1], plain_lab[:, 2]) >= _NEUTRAL_CHROMA
    names, labs = list(plain), [plain_lab]
    for modifier in MODIFIERS:
        names += [ColorName(n.base, modifier, n.family) for n, c in zip(plain, chromatic) if c]
        labs.append(rgb_to_lab(_modified_rgb(plain_lab[chromatic], modifier)))
    return names, np.concatenate(labs)


@cache
def _name_table() -> tuple[tuple[ColorName, ...], np.ndarray, np.ndarray]:
    """Candidates that name themselves, with their CIELAB values and penalties.

    A variant that sRGB clipping pushed onto another entry is dropped, so that every
    name read back by the parser is named the same again.
    """
    names, lab = _candidates()
    penalty = np.array([MODIFIERS[n.modifier].penalty if n.modifier else 0.0 for n in names])
    pairwise = deltaE_ciede2000(lab[:, None, :], lab[None, :, :]) + penalty[None, :]
    keep = np.argmin(pairwise, axis=1) == np.arange(len(names))
    return tuple(n for n, k in zip(names, keep) if k), lab[keep], penalty[keep]


def classify_color(color: ColorLike) -> ColorName:
    """Nearest named shade, possibly modified, with its family.

    >>> classify_color("#8b0000")
    ColorName(base='red', modifier='deep', family='red')
    """
    return _classify_hex(_hex(color))


@lru_cache(maxsize=4096)
def _classify_hex(color: str) -> ColorName:
    """Cached because describing a look names the same few shades many times over."""
    names, table, penalty = _name_table()
    lab = _lab(color)
    distances = deltaE_ciede2000(np.broadcast_to(lab, table.shape), table) + penalty
    return names[int(np.argmin(distances))]


def color_name(color: ColorLike) -> str:
    """Cosmetic-style name such as ``"berry red"`` or ``"deep plum"``; deterministic.

    ``color`` is a hex string, 3 ints 0-255, or 3 floats 0-1.

    >>> color_name("#c8202c"), color_name([18, 18, 18])
    ('red', 'black')
    """
    return classify_color(color).text


def color_family(color: ColorLike) -> str:
    """Coarse family ("red", "berry", "nude", ...) for comparing shades loosely."""
    return classify_color(color).family
