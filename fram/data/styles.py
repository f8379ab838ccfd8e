"""Named makeup styles as *distributions* over recipes, and a sampler over them.

FRAM had a language model write 50 style descriptions in 15 categories and an image
editor paint each onto bare faces. fram's styles are explicit instead: every style is
a centre recipe (many are :mod:`fram.makeup.presets`) plus how that look varies when
different people do it: alternative shades from the same colour family, alternative
finishes and placements, products that some wear and some skip, and small jitter of
every colour (in CIELAB) and strength. Two samples of one style are the same look by
different hands; two styles differ by what defines them (a red matte lip, a smoky
plum lid, a sunburn blush).

The styles are data, in ``styles.json`` beside this module (``{category: {id: spec}}``,
categories from everyday to costume), validated as :class:`StyleSpec` at import so a
broken spec fails with its file and id rather than mid-way through a synthesis run.

Foundation and concealer shades are written relative to the reference skin of
:data:`fram.makeup.compose.REFERENCE_SKIN_LAB` (``base`` offsets in CIELAB); the pair
builder moves them onto each face's own measured skin tone (:mod:`fram.data.skin`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fram.errors import RecipeError
from fram.face.colour import lab_to_rgb, rgb_to_lab
from fram.makeup.compose import REFERENCE_SKIN_LAB
from fram.makeup.presets import get_preset, read_groups
from fram.makeup.recipe import (
    PRODUCT_CLASSES,
    PRODUCT_NAMES,
    STRENGTH_FIELDS,
    MakeupStyle,
    Product,
    Unit,
    hex_to_rgb,
    rgb_to_hex,
)

STYLES_FILE = Path(__file__).resolve().with_name("styles.json")

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


class StyleSpec(BaseModel):
    """One named style: a centre recipe and how it varies between wearers.

    Attributes:
        id: slug, unique among :data:`STYLES`.
        category: one of :data:`CATEGORIES`.
        centre: the typical recipe of the look.
        choices: ``"product.field"`` → alternatives drawn uniformly (list a value twice
            to weight it), e.g. ``{"lipstick.finish": ["matte", "matte", "satin"]}``.
            Eyeshadow ``colors`` alternatives are whole palettes.
        keep: product → probability that a wearer applies it (default 1).
        extras: product → (probability, product) added to some wearers' look
            (``[probability, {...}]`` in JSON).
        base: foundation offset from the wearer's own skin, CIELAB (L, a, b); positive
            L is paler than the skin (goth), negative is bronzed.
        color_sigma: standard deviation of the per-wearer colour jitter (CIELAB units).
        strength_sigma: relative standard deviation of strength jitter.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    category: str
    centre: MakeupStyle
    choices: dict[str, Annotated[list[Any], Field(min_length=1)]] = {}
    keep: dict[str, Unit] = {}
    extras: dict[str, tuple[Unit, Any]] = {}
    base: tuple[float, float, float] = (0.0, 0.0, 0.0)
    color_sigma: Annotated[float, Field(ge=0.0)] = 3.0
    strength_sigma: Annotated[float, Field(ge=0.0)] = 0.12

    @field_validator("extras")
    @classmethod
    def _extras_are_products(cls, extras: dict[str, tuple[float, Any]]) -> dict[str, tuple[float, Product]]:
        """Each extra is validated as the product its key names (a dict from JSON, or a model)."""
        built = {}
        for name, (odds, product) in extras.items():
            if name not in PRODUCT_CLASSES:
                raise ValueError(f"unknown product {name!r}")
            data = product.model_dump() if isinstance(product, Product) else product
            built[name] = (odds, getattr(MakeupStyle.from_dict({name: data}), name))
        return built

    @model_validator(mode="after")
    def _consistent(self) -> StyleSpec:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        for product in self.keep:
            if product not in PRODUCT_CLASSES:
                raise ValueError(f"unknown product {product!r}")
        for key, options in self.choices.items():
            product, _, name = key.partition(".")
            if product not in PRODUCT_CLASSES or name not in PRODUCT_CLASSES[product].model_fields:
                raise ValueError(f"unknown choice key {key!r}")
            _check_options(key, options, getattr(self.centre, product) or self.extras.get(product, (0, None))[1])
        return self


def _check_options(key: str, options: Sequence[Any], product: Product | None) -> None:
    """Every alternative must make a valid product, so that no draw can fail later."""
    if product is None:
        raise ValueError(f"choice {key!r} is for a product the style never applies")
    name = key.partition(".")[2]
    for option in options:
        try:
            type(product).model_validate({**product.model_dump(), name: option})
        except ValidationError:
            raise ValueError(f"choice {key!r}: {option!r} is not a valid {name}") from None


def sample_spec(spec: StyleSpec, rng: np.random.Generator) -> MakeupStyle:
    """One wearer's version of the look (foundation still relative to the reference skin)."""
    products: dict[str, dict[str, Any]] = {}
    for name in PRODUCT_NAMES:
        item = getattr(spec.centre, name)
        if item is not None and rng.random() < spec.keep.get(name, 1.0):
            products[name] = item.model_dump(mode="json")
        elif name in spec.extras and rng.random() < spec.extras[name][0]:
            products[name] = spec.extras[name][1].model_dump(mode="json")
    for key, options in spec.choices.items():
        product, _, name = key.partition(".")
        if product in products:
            products[product][name] = options[int(rng.integers(len(options)))]
    for name, values in products.items():
        _jitter(spec, name, values, rng)
    built = {name: PRODUCT_CLASSES[name].model_validate(values) for name, values in products.items()}
    return MakeupStyle(name=spec.id, **built)


def _jitter(spec: StyleSpec, product: str, values: dict[str, Any], rng: np.random.Generator) -> None:
    for name, value in list(values.items()):
        if name == "shade":
            lift = _CONCEALER_LIFT if product == "concealer" else 0.0
            lab = REFERENCE_SKIN_LAB + np.asarray(spec.base) + lift + rng.normal(0.0, 1.2, 3)
            values[name] = lab_to_hex(lab)
        elif name in ("color", "liner") and isinstance(value, str):
            values[name] = _jitter_color(value, spec.color_sigma, rng)
        elif name == "colors":
            values[name] = [_jitter_color(c, spec.color_sigma, rng) for c in value]
        elif name in STRENGTH_FIELDS:
            scaled = value * (1.0 + rng.normal(0.0, spec.strength_sigma)) + rng.normal(0.0, 0.02)
            values[name] = float(np.clip(scaled, _MIN_STRENGTH, 1.0))
        elif name in _SHAPE_FIELDS:
            values[name] = float(np.clip(value + rng.normal(0.0, _SHAPE_FIELDS[name]), 0.0, 1.0))
        elif name == "wing_angle":
            values[name] = float(np.clip(value + rng.normal(0.0, 2.0), 0.0, 45.0))


def _jitter_color(color: str, sigma: float, rng: np.random.Generator) -> str:
    return lab_to_hex(hex_to_lab(color) + rng.normal(0.0, sigma, 3))


# --------------------------------------------------------------------------- styles


def build_styles(path: Path, entries: Sequence[tuple[str, str, Any]]) -> dict[str, StyleSpec]:
    """Style specs from the ``(category, id, spec)`` entries of ``path``, keyed by id in order.

    ``path`` is a ``{category: {id: spec}}`` JSON file read by :func:`read_groups`. A spec
    is a :class:`StyleSpec` without ``id`` and ``category`` (the keys give them), whose
    ``centre`` is either a whole recipe (named after the style) or, with ``"preset": slug``,
    the products that replace that preset's (keeping its name).

    Raises:
        RecipeError: a spec is invalid; the message names the file and the style.
    """
    styles: dict[str, StyleSpec] = {}
    for category, sid, entry in entries:
        try:
            styles[sid] = _spec_from_entry(sid, category, entry)
        except RecipeError as exc:
            raise RecipeError(f"{path}: style {sid!r}: {exc}") from None
    return styles


def _spec_from_entry(sid: str, category: str, entry: Any) -> StyleSpec:
    if not isinstance(entry, Mapping):
        raise RecipeError(f"a spec must be an object, got {type(entry).__name__}")
    fields = dict(entry)
    preset = fields.pop("preset", None)
    own = MakeupStyle.from_dict(fields.pop("centre", {}))
    centre = get_preset(preset).merged(own) if preset is not None else own.model_copy(update={"name": sid})
    try:
        return StyleSpec.model_validate({**fields, "id": sid, "category": category, "centre": centre})
    except ValidationError as exc:
        raise RecipeError(_problems(exc)) from None


def _problems(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        where = ".".join(map(str, error["loc"])) or "spec"
        if error["type"] == "extra_forbidden":
            keys = ", ".join(["preset", *(k for k in StyleSpec.model_fields if k not in ("id", "category"))])
            lines.append(f"{where}: unknown key; a spec takes {keys}")
            continue
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {message[:1].lower()}{message[1:]}")
    return "; ".join(lines)


_ENTRIES = read_groups(STYLES_FILE)

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(category for category, _, _ in _ENTRIES))
"""Style categories, from everyday to costume (the groups of ``styles.json``, in order)."""

STYLES: dict[str, StyleSpec] = build_styles(STYLES_FILE, _ENTRIES)
"""Every style, keyed by id, grouped by category."""

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
    return sample_spec(spec, rng)


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
