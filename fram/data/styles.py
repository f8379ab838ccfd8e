"""Named makeup styles as *distributions* over recipes, and a sampler over them.

FRAM had a language model write 50 style descriptions in 15 categories and an image
editor paint each onto bare faces. fram's styles are explicit instead: every style is
a centre recipe (many are :mod:`fram.makeup.presets`) plus how that look varies when
different people do it: alternative shades from the same colour family, alternative
finishes and placements, products that some wear and some skip, and small jitter of
every colour (in CIELAB) and strength. Two samples of one style are the same look by
different hands; two styles differ by what defines them (a red matte lip, a smoky
plum lid, a sunburn blush).

Foundation and concealer shades are written relative to the reference skin of
:data:`fram.makeup.compose.REFERENCE_SKIN_LAB` (``base`` offsets in CIELAB); the pair
builder moves them onto each face's own measured skin tone (:mod:`fram.data.skin`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fram.face.colour import lab_to_rgb, rgb_to_lab
from fram.makeup.compose import REFERENCE_SKIN_LAB
from fram.makeup.presets import PRESET_CATEGORIES, get_preset
from fram.makeup.recipe import (
    PRODUCT_CLASSES,
    PRODUCT_NAMES,
    STRENGTH_FIELDS,
    Blush,
    Brows,
    Concealer,
    Contour,
    Eyeliner,
    Eyeshadow,
    Foundation,
    Highlight,
    Lipstick,
    MakeupStyle,
    Mascara,
    hex_to_rgb,
    rgb_to_hex,
)

# Fields that shape a product without being a strength; jittered additively.
_SHAPE_FIELDS = {"shimmer": 0.05, "height": 0.05, "thickness": 0.04, "wing_length": 0.05}
# A product drawn this faintly would not be visible: strengths never go below it.
_MIN_STRENGTH = 0.08
# Concealer sits a little lighter than the foundation (CIELAB offset from the base).
_CONCEALER_LIFT = np.array([3.0, -0.5, -1.0])


def hex_to_lab(color: str) -> np.ndarray:
    """``"#rrggbb"`` → CIELAB (3,) float64 (D65)."""
    return rgb_to_lab(np.array(hex_to_rgb(color), dtype=np.float64))


def lab_to_hex(lab: Sequence[float]) -> str:
    """CIELAB → ``"#rrggbb"``, clipped into the sRGB gamut."""
    rgb = lab_to_rgb(np.asarray(lab, dtype=np.float64))
    return rgb_to_hex(np.clip(rgb, 0.0, 1.0).tolist())


@dataclass(frozen=True)
class StyleSpec:
    """One named style: a centre recipe and how it varies between wearers.

    Attributes:
        id: slug, unique among :data:`STYLES`.
        category: one of :data:`CATEGORIES`.
        centre: the typical recipe of the look.
        choices: ``"product.field"`` → alternatives drawn uniformly (list a value twice
            to weight it), e.g. ``{"lipstick.finish": ["matte", "matte", "satin"]}``.
            Eyeshadow ``colors`` alternatives are whole palettes.
        keep: product → probability that a wearer applies it (default 1).
        extras: product → (probability, product) added to some wearers' look.
        base: foundation offset from the wearer's own skin, CIELAB (L, a, b); positive
            L is paler than the skin (goth), negative is bronzed.
        color_sigma: standard deviation of the per-wearer colour jitter (CIELAB units).
        strength_sigma: relative standard deviation of strength jitter.
    """

    id: str
    category: str
    centre: MakeupStyle
    choices: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    keep: Mapping[str, float] = field(default_factory=dict)
    extras: Mapping[str, tuple[float, Any]] = field(default_factory=dict)
    base: tuple[float, float, float] = (0.0, 0.0, 0.0)
    color_sigma: float = 3.0
    strength_sigma: float = 0.12

    def __post_init__(self) -> None:
        for key in self.choices:
            product, _, name = key.partition(".")
            if product not in PRODUCT_CLASSES or name not in PRODUCT_CLASSES[product].model_fields:
                raise ValueError(f"style {self.id!r}: unknown choice key {key!r}")
        for product in [*self.keep, *self.extras]:
            if product not in PRODUCT_CLASSES:
                raise ValueError(f"style {self.id!r}: unknown product {product!r}")
        if self.category not in CATEGORIES:
            raise ValueError(f"style {self.id!r}: unknown category {self.category!r}")

    def sample(self, rng: np.random.Generator) -> MakeupStyle:
        """One wearer's version of the look (foundation still relative to the reference skin)."""
        products: dict[str, dict[str, Any]] = {}
        for name in PRODUCT_NAMES:
            item = getattr(self.centre, name)
            if item is not None and rng.random() < self.keep.get(name, 1.0):
                products[name] = item.model_dump(mode="json")
            elif name in self.extras and rng.random() < self.extras[name][0]:
                products[name] = self.extras[name][1].model_dump(mode="json")
        for key, options in self.choices.items():
            product, _, name = key.partition(".")
            if product in products:
                products[product][name] = options[int(rng.integers(len(options)))]
        for name, values in products.items():
            self._jitter(name, values, rng)
        built = {name: PRODUCT_CLASSES[name].model_validate(values) for name, values in products.items()}
        return MakeupStyle(name=self.id, **built)

    def _jitter(self, product: str, values: dict[str, Any], rng: np.random.Generator) -> None:
        for name, value in list(values.items()):
            if name == "shade":
                lift = _CONCEALER_LIFT if product == "concealer" else 0.0
                lab = REFERENCE_SKIN_LAB + np.asarray(self.base) + lift + rng.normal(0.0, 1.2, 3)
                values[name] = lab_to_hex(lab)
            elif name in ("color", "liner") and isinstance(value, str):
                values[name] = _jitter_color(value, self.color_sigma, rng)
            elif name == "colors":
                values[name] = [_jitter_color(c, self.color_sigma, rng) for c in value]
            elif name in STRENGTH_FIELDS:
                scaled = value * (1.0 + rng.normal(0.0, self.strength_sigma)) + rng.normal(0.0, 0.02)
                values[name] = float(np.clip(scaled, _MIN_STRENGTH, 1.0))
            elif name in _SHAPE_FIELDS:
                values[name] = float(np.clip(value + rng.normal(0.0, _SHAPE_FIELDS[name]), 0.0, 1.0))
            elif name == "wing_angle":
                values[name] = float(np.clip(value + rng.normal(0.0, 2.0), 0.0, 45.0))


def _jitter_color(color: str, sigma: float, rng: np.random.Generator) -> str:
    return lab_to_hex(hex_to_lab(color) + rng.normal(0.0, sigma, 3))


# --------------------------------------------------------------------------- styles

CATEGORIES: tuple[str, ...] = (
    "natural", "office", "soft glam", "full glam", "smoky", "editorial", "bridal", "vintage",
    "cultural", "kawaii", "goth", "festival", "avant-garde", "bold lip", "monochrome", "grunge",
)
"""Style categories, from everyday to costume."""

# Presets reused as style centres, with the category they belong to here.
_PRESET_CATEGORY = {"everyday": "natural"}

# Common alternatives within one colour family.
_RED_LIPS = ["#b01c2c", "#c41a24", "#a8142a", "#c8202c"]
_NUDE_LIPS = ["#c98a84", "#c89c86", "#b87a6e", "#d6a09a"]
_BERRY_LIPS = ["#8c2a44", "#8a2048", "#962038", "#7a2038"]
_BROWN_LINERS = ["#2a1e1a", "#3a2a22", "#141414"]


def _from_preset(slug: str, **kwargs: Any) -> StyleSpec:
    category = PRESET_CATEGORIES[slug]
    return StyleSpec(id=slug, category=_PRESET_CATEGORY.get(category, category), centre=get_preset(slug), **kwargs)


def _lip(color: str, finish: str = "satin", opacity: float = 0.7, **kw: Any) -> Lipstick:
    return Lipstick(color=color, finish=finish, opacity=opacity, **kw)


_BASE = Foundation(shade="#d8b29a", coverage=0.35)
_MATTE_BASE = Foundation(shade="#d8b29a", coverage=0.45, finish="matte")
_DEWY_BASE = Foundation(shade="#d8b29a", coverage=0.25, finish="dewy")
_CONCEALER = Concealer(shade="#e2c2a8", coverage=0.35)


def _new(id: str, category: str, centre: MakeupStyle, **kwargs: Any) -> StyleSpec:
    return StyleSpec(id=id, category=category, centre=centre.model_copy(update={"name": id}), **kwargs)


_SPECS: tuple[StyleSpec, ...] = (
    # natural
    _from_preset("natural", choices={"lipstick.color": _NUDE_LIPS, "blush.placement": ["apples", "apples", "cheekbones"]}, color_sigma=2.5),
    StyleSpec(
        id="no-makeup", category="natural", color_sigma=2.5,
        centre=get_preset("no-makeup").model_copy(update={
            "foundation": get_preset("no-makeup").foundation.model_copy(update={"finish": "dewy"}),
            "lipstick": _lip("#d19a92", "gloss", 0.2),
        }),
    ),
    _from_preset("sun-kissed", base=(-4.0, 1.0, 4.0), keep={"contour": 0.6}, choices={"lipstick.finish": ["gloss", "gloss", "satin"]}),
    _from_preset("fresh-dewy", base=(0.0, 0.0, 0.0), choices={"lipstick.color": ["#e08a8a", "#e8909a", "#d8807a"]}),
    _new(
        "clean-girl", "natural",
        MakeupStyle(
            foundation=_DEWY_BASE.model_copy(update={"coverage": 0.18}),
            blush=Blush(color="#e8968a", intensity=0.3, placement="cheekbones"),
            highlight=Highlight(color="#f4e2cc", intensity=0.45, shimmer=0.3),
            lipstick=_lip("#d49a8e", "gloss", 0.3),
            mascara=Mascara(color="#2a1e18", intensity=0.35),
            brows=Brows(color="#5a4636", density=0.45),
        ),
        choices={"lipstick.color": ["#d49a8e", "#cc8e86", "#dca8a0"]},
    ),
    # office
    _from_preset("office", choices={"lipstick.color": ["#b46a6a", "#a86464", "#b87a72"], "eyeliner.color": _BROWN_LINERS}),
    _from_preset("boardroom-berry", choices={"lipstick.color": _BERRY_LIPS}),
    _new(
        "office-mauve", "office",
        MakeupStyle(
            foundation=_MATTE_BASE, concealer=_CONCEALER,
            blush=Blush(color="#b87a80", intensity=0.25, placement="cheekbones"),
            eyeshadow=Eyeshadow(colors=["#a08a88", "#786262"], layout="gradient", intensity=0.4, height=0.4),
            eyeliner=Eyeliner(color="#2a2224", thickness=0.15, intensity=0.7),
            mascara=Mascara(intensity=0.6),
            lipstick=_lip("#a8707e", "matte", 0.7),
            brows=Brows(color="#4e3e34", density=0.5),
        ),
        choices={"lipstick.color": ["#a8707e", "#9c6470", "#b47c88"]},
    ),
    _new(
        "interview-classic", "office",
        MakeupStyle(
            foundation=_BASE, concealer=_CONCEALER,
            blush=Blush(color="#d88a90", intensity=0.3, placement="apples"),
            eyeliner=Eyeliner(color="#3a2a22", thickness=0.12, intensity=0.6),
            mascara=Mascara(intensity=0.6),
            lipstick=_lip("#c47a80", "satin", 0.55),
            brows=Brows(color="#5a4636", density=0.5),
        ),
    ),
    # soft glam
    _from_preset("soft-glam", choices={"lipstick.color": ["#c07f78", "#b87468", "#c8888a"]}),
    _from_preset("rose-gold"),
    _from_preset("peach-glow", choices={"lipstick.finish": ["gloss", "satin"]}),
    _new(
        "bronze-glow", "soft glam",
        MakeupStyle(
            foundation=_BASE.model_copy(update={"finish": "dewy"}),
            contour=Contour(color="#8a5e44", intensity=0.4),
            highlight=Highlight(color="#ecc890", intensity=0.5, shimmer=0.7),
            blush=Blush(color="#c4785a", intensity=0.3, placement="cheekbones"),
            eyeshadow=Eyeshadow(colors=["#c89a60", "#9a6638", "#5e3a22"], layout="gradient", finish="shimmer", shimmer=0.4, intensity=0.65),
            eyeliner=Eyeliner(color="#2a1e16", thickness=0.25, wing_length=0.25),
            mascara=Mascara(intensity=0.8),
            lipstick=_lip("#b07060", "satin", 0.55),
            brows=Brows(color="#4e3a2c", density=0.55),
        ),
        base=(-3.0, 1.0, 3.0),
        choices={"lipstick.finish": ["satin", "gloss"]},
    ),
    # full glam
    _from_preset("red-carpet", choices={"lipstick.color": _RED_LIPS}),
    _from_preset("full-glam"),
    _new(
        "instagram-glam", "full glam",
        MakeupStyle(
            foundation=_MATTE_BASE.model_copy(update={"coverage": 0.55}), concealer=_CONCEALER.model_copy(update={"coverage": 0.55}),
            contour=Contour(color="#6e4a38", intensity=0.65),
            highlight=Highlight(color="#f0d4a0", intensity=0.75, shimmer=0.85),
            blush=Blush(color="#c87a6a", intensity=0.35, placement="cheekbones"),
            eyeshadow=Eyeshadow(colors=["#e8c8a8", "#a0644a", "#3e2418"], layout="cut_crease", finish="shimmer", shimmer=0.5, intensity=0.9, height=0.7),
            eyeliner=Eyeliner(color="#080808", thickness=0.5, wing_length=0.7, wing_angle=22.0),
            mascara=Mascara(intensity=1.0),
            lipstick=_lip("#9a6458", "matte", 0.85, liner="#5a3228", liner_intensity=0.85),
            brows=Brows(color="#2e221c", density=0.9),
        ),
        choices={"lipstick.color": ["#9a6458", "#8a5a50", "#a87060"]},
    ),
    _new(
        "champagne-glam", "full glam",
        MakeupStyle(
            foundation=_BASE.model_copy(update={"coverage": 0.45}), concealer=_CONCEALER,
            contour=Contour(color="#86604c", intensity=0.4),
            highlight=Highlight(color="#f4e0c0", intensity=0.7, shimmer=0.8),
            blush=Blush(color="#e0948c", intensity=0.35, placement="cheekbones"),
            eyeshadow=Eyeshadow(colors=["#ecd6b8", "#c8a482", "#7a5a44"], layout="gradient", finish="metallic", shimmer=0.7, intensity=0.7),
            eyeliner=Eyeliner(color="#1a1412", thickness=0.35, wing_length=0.45),
            mascara=Mascara(intensity=0.95),
            lipstick=_lip("#d09a94", "gloss", 0.6),
            brows=Brows(color="#4a3a2e", density=0.65),
        ),
    ),
    # smoky
    _from_preset("smoky-night", choices={"lipstick.color": _NUDE_LIPS}),
    _from_preset("smoky-brown", choices={"eyeshadow.finish": ["matte", "satin", "shimmer"]}),
    _from_preset("smoky-plum"),
    _new(
        "emerald-smoky", "smoky",
        MakeupStyle(
            foundation=_BASE, concealer=_CONCEALER,
            blush=Blush(color="#c08478", intensity=0.2, placement="cheekbones"),
            eyeshadow=Eyeshadow(colors=["#3c9c78", "#12603e", "#0c2a1e"], layout="smoky", finish="shimmer", shimmer=0.4, intensity=0.85, height=0.6),
            eyeliner=Eyeliner(color="#0a0a0a", thickness=0.4, wing_length=0.2, lower=True),
            mascara=Mascara(intensity=1.0),
            lipstick=_lip("#b48478", "satin", 0.5),
            brows=Brows(color="#3e3028", density=0.6),
        ),
    ),
    _new(
        "navy-smoky", "smoky",
        MakeupStyle(
            foundation=_BASE, concealer=_CONCEALER,
            eyeshadow=Eyeshadow(colors=["#4a6a96", "#1c2a50", "#0c1020"], layout="smoky", finish="satin", intensity=0.85, height=0.6),
            eyeliner=Eyeliner(color="#0c1020", thickness=0.4, lower=True),
            mascara=Mascara(intensity=1.0),
            lipstick=_lip("#c09086", "matte", 0.45),
            brows=Brows(color="#3e3230", density=0.6),
        ),
        keep={"concealer": 0.7},
    ),
    # editorial
    _from_preset("graphic-liner", choices={"eyeliner.color": ["#101010", "#101010", "#ffffff"]}),
    _from_preset("monochrome-terracotta"),
    _from_preset("cobalt-liner", choices={"eyeliner.color": ["#1e50c0", "#2c3ec0", "#1e70f0"]}),
    _new(
        "orange-lid-editorial", "editorial",
        MakeupStyle(
            foundation=_MATTE_BASE.model_copy(update={"coverage": 0.35}),
            eyeshadow=Eyeshadow(colors=["#ec6a1e", "#c05424"], layout="wash", finish="matte", intensity=0.85, height=0.75),
            mascara=Mascara(intensity=0.5),
            lipstick=_lip("#c89484", "matte", 0.35),
            brows=Brows(color="#4a3a30", density=0.4),
        ),
        choices={"eyeshadow.colors": [["#ec6a1e", "#c05424"], ["#f4842a", "#ec6a1e"]]},
    ),
    _new(
        "colour-block", "editorial",
        MakeupStyle(
            foundation=_MATTE_BASE.model_copy(update={"coverage": 0.4}),
            eyeshadow=Eyeshadow(colors=["#24b0b4", "#127070"], layout="wash", finish="satin", intensity=0.8, height=0.6),
            eyeliner=Eyeliner(color="#101010", thickness=0.3, wing_length=0.5, wing_angle=22.0),
            mascara=Mascara(intensity=0.8),
            lipstick=_lip("#c8207e", "matte", 0.9),
            brows=Brows(color="#3e3028", density=0.55),
        ),
    ),
    # bridal
    _from_preset("bridal-classic", choices={"lipstick.color": ["#c8808a", "#c4787e", "#d0908c"]}),
    _from_preset("bridal-boho"),
    _new(
        "bridal-pink-glam", "bridal",
        MakeupStyle(
            foundation=_BASE.model_copy(update={"coverage": 0.45}), concealer=_CONCEALER,
            blush=Blush(color="#e88a9a", intensity=0.4),
            highlight=Highlight(color="#f6e2e0", intensity=0.55, shimmer=0.6),
            eyeshadow=Eyeshadow(colors=["#f0c8c4", "#c88a90", "#8a5060"], layout="gradient", finish="shimmer", shimmer=0.45, intensity=0.6),
            eyeliner=Eyeliner(color="#1e1616", thickness=0.3, wing_length=0.35),
            mascara=Mascara(intensity=0.9),
            lipstick=_lip("#d86a84", "satin", 0.7),
            brows=Brows(color="#50402e", density=0.55),
        ),
    ),
    _new(
        "bridal-natural-rose", "bridal",
        MakeupStyle(
            foundation=_DEWY_BASE.model_copy(update={"coverage": 0.35}), concealer=_CONCEALER,
            blush=Blush(color="#e0988e", intensity=0.35),
            highlight=Highlight(color="#f4e4d4", intensity=0.45, shimmer=0.4),
            eyeshadow=Eyeshadow(colors=["#e8ccbc", "#b89084"], layout="wash", finish="satin", intensity=0.4),
            mascara=Mascara(intensity=0.8),
            lipstick=_lip("#c4767a", "satin", 0.5),
            brows=Brows(color="#5a4636", density=0.5),
        ),
    ),
    # vintage
    _from_preset("1920s-flapper", base=(6.0, -1.0, -3.0)),
    _from_preset("1950s-pinup", base=(3.0, 0.0, -2.0), choices={"lipstick.color": _RED_LIPS}),
    _from_preset("1960s-mod", choices={"lipstick.color": ["#d8aca0", "#e0b4a8", "#d4a4a0"]}),
    _from_preset("1980s-power", choices={"blush.color": ["#d8407a", "#e05a8a", "#c83a6a"]}),
    _from_preset("1990s-supermodel"),
    _new(
        "1970s-disco", "vintage",
        MakeupStyle(
            foundation=_BASE.model_copy(update={"finish": "dewy"}),
            blush=Blush(color="#e07a6a", intensity=0.4, placement="cheekbones"),
            highlight=Highlight(color="#f0e0c8", intensity=0.55, shimmer=0.9),
            eyeshadow=Eyeshadow(colors=["#8cc2e8", "#3a62b0"], layout="gradient", finish="shimmer", shimmer=0.6, intensity=0.75, height=0.7),
            mascara=Mascara(intensity=0.85),
            lipstick=_lip("#e49a84", "gloss", 0.6),
            brows=Brows(color="#5a4838", density=0.3),
        ),
        choices={"eyeshadow.colors": [["#8cc2e8", "#3a62b0"], ["#a4dcc2", "#3c9c78"]]},
    ),
    # cultural
    _from_preset("bollywood-bridal", base=(0.0, 0.0, 2.0)),
    _from_preset("k-beauty-gradient", choices={"lipstick.color": ["#d8304a", "#e04a5a", "#c82846"]}),
    _from_preset("j-beauty"),
    _from_preset("arabic-glam", base=(0.0, 0.0, 2.0)),
    _from_preset("latina-glam", base=(-1.0, 0.0, 2.0)),
    _from_preset("afro-glam", base=(0.0, 0.0, 0.0), choices={"lipstick.color": ["#7a1e3a", "#8a2a2a", "#6a1a30"]}),
    _new(
        "douyin", "cultural",
        MakeupStyle(
            foundation=_DEWY_BASE.model_copy(update={"coverage": 0.4}), concealer=_CONCEALER,
            blush=Blush(color="#f08a98", intensity=0.5, placement="sunburn"),
            highlight=Highlight(color="#f8e8e8", intensity=0.5, shimmer=0.7),
            eyeshadow=Eyeshadow(colors=["#f4b8b0", "#e0788a"], layout="wash", finish="glitter", shimmer=0.5, intensity=0.5, height=0.4),
            eyeliner=Eyeliner(color="#3a2420", thickness=0.2, wing_length=0.3, wing_angle=10.0),
            mascara=Mascara(intensity=0.8),
            lipstick=_lip("#d8203c", "gloss", 0.7),
            brows=Brows(color="#5a4a40", density=0.4),
        ),
    ),
    # kawaii
    _from_preset("kawaii"),
    _from_preset("yume-kawaii", choices={"eyeshadow.colors": [["#e0c8f0", "#f0b0d0"], ["#c8e4f4", "#e0c8f0"]]}),
    _new(
        "jirai-kei", "kawaii",
        MakeupStyle(
            foundation=_BASE.model_copy(update={"finish": "matte"}),
            blush=Blush(color="#e8687a", intensity=0.55, placement="apples"),
            eyeshadow=Eyeshadow(colors=["#e89aa0", "#c04a5a"], layout="gradient", finish="shimmer", shimmer=0.3, intensity=0.6, height=0.45),
            eyeliner=Eyeliner(color="#1a1010", thickness=0.3, wing_length=0.2, wing_angle=5.0, lower=True),
            mascara=Mascara(intensity=0.9),
            lipstick=_lip("#c02a40", "gloss", 0.75),
            brows=Brows(color="#4a3a34", density=0.35),
        ),
    ),
    # goth
    _from_preset("goth", base=(14.0, -5.0, -8.0)),
    _from_preset("vampy", base=(6.0, -2.0, -4.0), choices={"lipstick.color": ["#4a0e1e", "#3c0c1e", "#4a1018"]}),
    _new(
        "romantic-goth", "goth",
        MakeupStyle(
            foundation=_MATTE_BASE,
            contour=Contour(color="#6e5458", intensity=0.4),
            eyeshadow=Eyeshadow(colors=["#7a2c5a", "#3e1c36", "#1a0c18"], layout="smoky", finish="satin", intensity=0.85, height=0.65),
            eyeliner=Eyeliner(color="#080808", thickness=0.45, wing_length=0.45, wing_angle=18.0, lower=True),
            mascara=Mascara(intensity=1.0),
            lipstick=_lip("#3e1c36", "matte", 0.9),
            brows=Brows(color="#221a1a", density=0.7),
        ),
        base=(9.0, -3.0, -6.0),
    ),
    # festival
    _from_preset("festival-glitter"),
    _from_preset("neon-festival", choices={"eyeliner.color": ["#ff2aa0", "#30e070", "#f4e040"]}),
    _new(
        "holographic", "festival",
        MakeupStyle(
            foundation=_DEWY_BASE,
            highlight=Highlight(color="#f0ecff", intensity=0.8, shimmer=1.0),
            eyeshadow=Eyeshadow(colors=["#c4c6ca", "#b8a4da", "#8cc2e8"], layout="halo", finish="glitter", shimmer=1.0, intensity=0.75),
            mascara=Mascara(intensity=0.7),
            lipstick=_lip("#c8a4cc", "metallic", 0.6),
        ),
    ),
    _new(
        "sunset-eyes", "festival",
        MakeupStyle(
            foundation=_BASE,
            eyeshadow=Eyeshadow(colors=["#f2d83a", "#f4842a", "#c8207e"], layout="gradient", finish="shimmer", shimmer=0.4, intensity=0.85, height=0.7),
            eyeliner=Eyeliner(color="#101010", thickness=0.3, wing_length=0.45),
            mascara=Mascara(intensity=0.85),
            lipstick=_lip("#f07060", "gloss", 0.6),
        ),
    ),
    # avant-garde
    _from_preset("avant-garde-blue"),
    _from_preset("avant-garde-gold"),
    _new(
        "avant-garde-noir", "avant-garde",
        MakeupStyle(
            foundation=_MATTE_BASE.model_copy(update={"coverage": 0.5}),
            eyeshadow=Eyeshadow(colors=["#121212"], layout="wash", finish="matte", intensity=0.95, height=0.9),
            eyeliner=Eyeliner(color="#050505", thickness=0.7, wing_length=0.9, wing_angle=30.0, lower=True),
            mascara=Mascara(intensity=1.0),
            lipstick=_lip("#121212", "matte", 0.95),
            brows=Brows(color="#c8b8a0", density=0.1),
        ),
        base=(8.0, -3.0, -5.0),
    ),
    _new(
        "avant-garde-green", "avant-garde",
        MakeupStyle(
            foundation=_MATTE_BASE,
            eyeshadow=Eyeshadow(colors=["#8cc83a", "#128050", "#22502e"], layout="halo", finish="metallic", shimmer=0.6, intensity=0.95, height=0.95),
            eyeliner=Eyeliner(color="#0a0a0a", thickness=0.5, wing_length=0.8, wing_angle=28.0),
            mascara=Mascara(intensity=0.8),
            lipstick=_lip("#22502e", "metallic", 0.85),
        ),
    ),
    # bold lip
    _new(
        "classic-red-lip", "bold lip",
        MakeupStyle(
            foundation=_BASE, concealer=_CONCEALER,
            eyeliner=Eyeliner(color="#101010", thickness=0.2, wing_length=0.2),
            mascara=Mascara(intensity=0.7),
            lipstick=_lip("#c8202c", "matte", 0.95, liner="#a8141e", liner_intensity=0.6),
            brows=Brows(color="#4a3a2e", density=0.55),
        ),
        choices={"lipstick.color": _RED_LIPS, "lipstick.finish": ["matte", "matte", "satin"]},
        keep={"eyeliner": 0.6},
    ),
    _new(
        "fuchsia-pop", "bold lip",
        MakeupStyle(
            foundation=_BASE,
            blush=Blush(color="#e8869e", intensity=0.3),
            mascara=Mascara(intensity=0.7),
            lipstick=_lip("#e6358a", "satin", 0.9),
            brows=Brows(color="#4e3c30", density=0.5),
        ),
        choices={"lipstick.color": ["#e6358a", "#c8207e", "#f4478a"], "lipstick.finish": ["satin", "matte", "gloss"]},
    ),
    _new(
        "orange-red-lip", "bold lip",
        MakeupStyle(
            foundation=_BASE,
            mascara=Mascara(intensity=0.7),
            lipstick=_lip("#dc3222", "matte", 0.9),
            brows=Brows(color="#4e3c30", density=0.5),
        ),
        choices={"lipstick.color": ["#dc3222", "#ec4a1e", "#e04028"]},
        extras={"eyeliner": (0.5, Eyeliner(color="#101010", thickness=0.25, wing_length=0.35))},
    ),
    _new(
        "berry-stain", "bold lip",
        MakeupStyle(
            foundation=_DEWY_BASE,
            blush=Blush(color="#c86a80", intensity=0.3),
            mascara=Mascara(intensity=0.6),
            lipstick=_lip("#8a2048", "satin", 0.75),
            brows=Brows(color="#4e3c30", density=0.45),
        ),
        choices={"lipstick.color": ["#8a2048", "#962038", "#b0224e"]},
    ),
    # monochrome
    _new(
        "monochrome-pink", "monochrome",
        MakeupStyle(
            foundation=_BASE,
            blush=Blush(color="#e07888", intensity=0.45, placement="cheekbones"),
            eyeshadow=Eyeshadow(colors=["#e07888"], layout="wash", finish="satin", intensity=0.6),
            mascara=Mascara(intensity=0.6),
            lipstick=_lip("#e07888", "satin", 0.7),
            brows=Brows(color="#5a4636", density=0.45),
        ),
    ),
    _new(
        "monochrome-mauve", "monochrome",
        MakeupStyle(
            foundation=_MATTE_BASE,
            blush=Blush(color="#a8707e", intensity=0.4, placement="cheekbones"),
            eyeshadow=Eyeshadow(colors=["#a8707e", "#8e5058"], layout="gradient", finish="matte", intensity=0.6),
            mascara=Mascara(intensity=0.7),
            lipstick=_lip("#a8707e", "matte", 0.8),
            brows=Brows(color="#4e3c30", density=0.5),
        ),
    ),
    _new(
        "monochrome-bronze", "monochrome",
        MakeupStyle(
            foundation=_BASE,
            blush=Blush(color="#b4663a", intensity=0.4, placement="draped"),
            eyeshadow=Eyeshadow(colors=["#b4663a", "#9a6a36"], layout="wash", finish="metallic", shimmer=0.5, intensity=0.65),
            mascara=Mascara(intensity=0.7),
            lipstick=_lip("#b4663a", "satin", 0.75),
            brows=Brows(color="#4e3a2c", density=0.5),
        ),
        base=(-2.0, 1.0, 3.0),
    ),
    # grunge
    _new(
        "grunge-90s", "grunge",
        MakeupStyle(
            foundation=_MATTE_BASE.model_copy(update={"coverage": 0.3}),
            eyeshadow=Eyeshadow(colors=["#3a2820", "#1a1412"], layout="smoky", finish="matte", intensity=0.6, height=0.4),
            eyeliner=Eyeliner(color="#141010", thickness=0.45, lower=True, intensity=0.8),
            mascara=Mascara(intensity=0.8),
            lipstick=_lip("#7c4a30", "matte", 0.8),
            brows=Brows(color="#3a2e28", density=0.5),
        ),
        choices={"lipstick.color": ["#7c4a30", "#5a3426", "#70283a"]},
    ),
    _new(
        "e-girl", "grunge",
        MakeupStyle(
            foundation=_MATTE_BASE,
            blush=Blush(color="#f07a98", intensity=0.55, placement="sunburn"),
            eyeshadow=Eyeshadow(colors=["#f0a0b8", "#c04878"], layout="gradient", finish="satin", intensity=0.55, height=0.45),
            eyeliner=Eyeliner(color="#080808", thickness=0.4, wing_length=0.65, wing_angle=22.0),
            mascara=Mascara(intensity=0.85),
            lipstick=_lip("#c45a72", "gloss", 0.7),
            brows=Brows(color="#2e2422", density=0.55),
        ),
    ),
    _new(
        "punk", "grunge",
        MakeupStyle(
            foundation=_MATTE_BASE,
            eyeshadow=Eyeshadow(colors=["#363739", "#121212"], layout="smoky", finish="matte", intensity=0.9, height=0.55),
            eyeliner=Eyeliner(color="#050505", thickness=0.6, wing_length=0.3, lower=True),
            mascara=Mascara(intensity=1.0),
            lipstick=_lip("#6a1628", "matte", 0.9),
            brows=Brows(color="#1e1a1a", density=0.7),
        ),
        base=(5.0, -2.0, -3.0),
        choices={"lipstick.color": ["#6a1628", "#121212", "#4a1018"]},
    ),
)

STYLES: dict[str, StyleSpec] = {spec.id: spec for spec in _SPECS}
"""Every style, keyed by id, grouped by category."""
if len(STYLES) != len(_SPECS):  # pragma: no cover - guards hand edits
    raise RuntimeError("duplicate style id in fram.data.styles")

STYLE_CATEGORIES: dict[str, str] = {sid: spec.category for sid, spec in STYLES.items()}
"""Category of each style id."""


def list_styles() -> list[str]:
    """Style ids, grouped by category."""
    return list(STYLES)


def sample_style(style_id: str, rng: np.random.Generator) -> MakeupStyle:
    """One wearer's recipe of ``style_id`` (foundation relative to the reference skin)."""
    try:
        spec = STYLES[style_id]
    except KeyError:
        raise ValueError(f"unknown style {style_id!r} ({len(STYLES)} styles: see list_styles())") from None
    return spec.sample(rng)


# --------------------------------------------------------------------------- recipe space

_CATEGORICAL = {
    ("foundation", "finish"): ("matte", "natural", "dewy"),
    ("blush", "placement"): ("apples", "cheekbones", "draped", "sunburn"),
    ("lipstick", "finish"): ("matte", "satin", "gloss", "metallic"),
    ("eyeshadow", "layout"): ("wash", "gradient", "smoky", "cut_crease", "halo"),
    ("eyeshadow", "finish"): ("matte", "satin", "shimmer", "glitter", "metallic"),
}


@functools.lru_cache(maxsize=1)
def _vector_layout() -> tuple[tuple[str, str, str, int], ...]:
    """(product, field, kind, width) for every slot of :func:`recipe_vector`."""
    slots: list[tuple[str, str, str, int]] = []
    for product in PRODUCT_NAMES:
        slots.append((product, "", "present", 1))
        for name in PRODUCT_CLASSES[product].model_fields:
            if name in ("shade", "color", "liner"):
                slots.append((product, name, "color", 3))
            elif name == "colors":
                slots.append((product, name, "colors", 9))
            elif (product, name) in _CATEGORICAL:
                slots.append((product, name, "onehot", len(_CATEGORICAL[product, name])))
            elif name in STRENGTH_FIELDS or name in _SHAPE_FIELDS:
                slots.append((product, name, "unit", 1))
            elif name == "wing_angle":
                slots.append((product, name, "angle", 1))
            elif name == "lower":
                slots.append((product, name, "flag", 1))
    return tuple(slots)


def recipe_vector(style: MakeupStyle) -> np.ndarray:
    """A fixed-length float32 embedding of a recipe, for distances between looks.

    Colours are CIELAB / 40 (so a just-visible colour change is about 0.05), strengths
    and shapes in [0, 1], categorical fields one-hot at 0.5; an absent product is all
    zeros, so leaving out a lipstick is as far as changing it completely.
    """
    out: list[float] = []
    for product, name, kind, width in _vector_layout():
        item = getattr(style, product)
        if item is None:
            out.extend([0.0] * width)
            continue
        if kind == "present":
            out.append(1.0)
            continue
        value = getattr(item, name)
        if kind == "color":
            out.extend((hex_to_lab(value) / 40.0).tolist() if value else [0.0, 0.0, 0.0])
        elif kind == "colors":
            padded = list(value) + [value[-1]] * (3 - len(value))
            for color in padded:
                out.extend((hex_to_lab(color) / 40.0).tolist())
        elif kind == "onehot":
            options = _CATEGORICAL[product, name]
            out.extend(0.5 if value == option else 0.0 for option in options)
        elif kind == "angle":
            out.append(value / 45.0)
        else:
            out.append(float(value))
    return np.asarray(out, dtype=np.float32)


def style_distance(a: MakeupStyle, b: MakeupStyle) -> float:
    """Euclidean distance between two recipes' :func:`recipe_vector`."""
    return float(np.linalg.norm(recipe_vector(a) - recipe_vector(b)))
