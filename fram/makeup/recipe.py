"""Typed, versioned makeup recipes: the contract between text, presets and the renderer.

A recipe is plain data (JSON on disk, a dict in memory). Every product is optional so
that a recipe can describe one region only, and per-region mixing is done with
:meth:`MakeupStyle.scaled` and :meth:`MakeupStyle.merged` instead of ad-hoc dict edits.

Strengths (coverage, intensity, opacity, density) are in [0, 1]. Numbers are parsed
strictly: ``"0.5"`` or ``true`` for a strength is an error, not silently coerced,
because a recipe that "works" with the wrong types hides typos from its author.

Colours are normalised to lowercase ``"#rrggbb"`` so that recipes compare and hash
equal regardless of how the author spelled a colour.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from fram.errors import RecipeError

SUPPORTED_VERSIONS: tuple[int, ...] = (1,)
"""Recipe format versions this code reads; a newer file must fail loudly, not half-load."""

PRODUCT_NAMES: tuple[str, ...] = (
    "foundation",
    "concealer",
    "blush",
    "contour",
    "highlight",
    "lipstick",
    "eyeshadow",
    "eyeliner",
    "mascara",
    "brows",
)
"""Product fields of :class:`MakeupStyle`, in application order (base first, details last)."""

STRENGTH_FIELDS: frozenset[str] = frozenset(
    {"coverage", "intensity", "opacity", "density", "liner_intensity"}
)
"""Fields that say *how much* product is applied; only these are touched by scaling.

Shape and finish fields (wing length, shimmer, eyeshadow height) are left alone so
that fading a look out keeps its design and only lowers its strength.
"""

_HEX_DIGITS = frozenset("0123456789abcdef")


def _color_from_text(text: str) -> str:
    body = text.strip().lower().removeprefix("#")
    if len(body) == 3:
        body = "".join(c * 2 for c in body)
    if len(body) != 6 or not set(body) <= _HEX_DIGITS:
        raise RecipeError(f"bad colour {text!r}: expected '#rrggbb', '#rgb' or 'rrggbb'")
    return "#" + body


def _color_from_channels(channels: Sequence[Any]) -> str:
    valid = len(channels) == 3 and all(
        isinstance(c, numbers.Integral) and not isinstance(c, bool) and 0 <= c <= 255
        for c in channels
    )
    if not valid:
        raise RecipeError(
            f"bad colour {list(channels)!r}: expected 3 integers 0-255 "
            "(floats are refused because 0-1 and 0-255 scales would be ambiguous)"
        )
    return "#" + "".join(f"{int(c):02x}" for c in channels)


def normalize_color(value: Any) -> str:
    """Bring any accepted colour spelling to ``"#rrggbb"`` so equal colours compare equal.

    Accepts ``"#rrggbb"``, ``"#rgb"``, ``"rrggbb"`` (any case) or 3 integers 0-255.

    >>> normalize_color("#ABC"), normalize_color([255, 0, 16])
    ('#aabbcc', '#ff0010')
    """
    if isinstance(value, str):
        return _color_from_text(value)
    if isinstance(value, (list, tuple)):
        return _color_from_channels(value)
    raise RecipeError(f"bad colour {value!r}: expected a hex string or 3 integers 0-255")


Color = Annotated[str, BeforeValidator(normalize_color), Field(pattern="^#[0-9a-f]{6}$")]
"""A colour stored as lowercase ``"#rrggbb"``; see :func:`normalize_color` for inputs."""

Unit = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]
"""A strength or amount in [0, 1]; ints are fine, strings and bools are not."""


def hex_to_rgb(color: str) -> tuple[float, float, float]:
    """Colour as RGB floats in [0, 1], the range the renderer and skimage work in.

    >>> hex_to_rgb("#ff8000")
    (1.0, 0.5019607843137255, 0.0)
    """
    body = normalize_color(color)[1:]
    r, g, b = (int(body[i : i + 2], 16) / 255.0 for i in (0, 2, 4))
    return r, g, b


def rgb_to_hex(rgb: Sequence[float]) -> str:
    """Inverse of :func:`hex_to_rgb`; raises instead of clipping so callers clip on purpose.

    >>> rgb_to_hex((1.0, 0.5, 0.0))
    '#ff8000'
    """
    if len(rgb) != 3 or not all(0.0 <= float(c) <= 1.0 for c in rgb):
        raise ValueError(f"rgb_to_hex expects 3 floats in [0, 1], got {tuple(rgb)!r}")
    return "#" + "".join(f"{round(float(c) * 255):02x}" for c in rgb)


class Product(BaseModel):
    """Shared behaviour of all products: immutable, and unknown keys are typos, not data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def scaled(self, factor: float) -> Self:
        """Same product with its strength fields multiplied by ``factor`` and clipped to [0, 1]."""
        update = {
            name: min(1.0, getattr(self, name) * factor)
            for name in type(self).model_fields
            if name in STRENGTH_FIELDS
        }
        return self.model_copy(update=update)


class Foundation(Product):
    shade: Color
    coverage: Unit
    finish: Literal["matte", "natural", "dewy"] = "natural"


class Concealer(Product):
    shade: Color
    coverage: Unit


class Blush(Product):
    color: Color
    intensity: Unit
    placement: Literal["apples", "cheekbones", "draped", "sunburn"] = "apples"


class Contour(Product):
    color: Color
    intensity: Unit


class Highlight(Product):
    color: Color
    intensity: Unit
    shimmer: Unit = 0.5


class Lipstick(Product):
    color: Color
    finish: Literal["matte", "satin", "gloss", "metallic"] = "satin"
    opacity: Unit
    liner: Color | None = None
    liner_intensity: Unit = 0.5


class Eyeshadow(Product):
    """Up to three shades: index 0 lid/inner, 1 crease/middle, 2 outer/deepest."""

    colors: Annotated[list[Color], Field(min_length=1, max_length=3)]
    layout: Literal["wash", "gradient", "smoky", "cut_crease", "halo"] = "gradient"
    finish: Literal["matte", "satin", "shimmer", "glitter", "metallic"] = "matte"
    shimmer: Unit = 0.0
    intensity: Unit
    height: Unit = 0.5


class Eyeliner(Product):
    color: Color
    thickness: Unit
    wing_length: Unit = 0.0
    wing_angle: Annotated[float, Field(ge=0.0, le=45.0, strict=True)] = 15.0
    intensity: Unit = 1.0
    lower: Annotated[bool, Field(strict=True)] = False


class Mascara(Product):
    color: Color = "#141110"
    intensity: Unit


class Brows(Product):
    color: Color
    density: Unit


PRODUCT_CLASSES: dict[str, type[Product]] = {
    "foundation": Foundation,
    "concealer": Concealer,
    "blush": Blush,
    "contour": Contour,
    "highlight": Highlight,
    "lipstick": Lipstick,
    "eyeshadow": Eyeshadow,
    "eyeliner": Eyeliner,
    "mascara": Mascara,
    "brows": Brows,
}
"""Model class of each product field, keyed as in :data:`PRODUCT_NAMES`."""


class MakeupStyle(BaseModel):
    """A whole look; products left ``None`` are not applied at all."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Annotated[int, Field(strict=True)] = 1
    name: str = ""
    foundation: Foundation | None = None
    concealer: Concealer | None = None
    blush: Blush | None = None
    contour: Contour | None = None
    highlight: Highlight | None = None
    lipstick: Lipstick | None = None
    eyeshadow: Eyeshadow | None = None
    eyeliner: Eyeliner | None = None
    mascara: Mascara | None = None
    brows: Brows | None = None

    @field_validator("version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version not in SUPPORTED_VERSIONS:
            readable = ", ".join(map(str, SUPPORTED_VERSIONS))
            raise ValueError(f"unsupported recipe version {version} (this fram reads: {readable})")
        return version

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MakeupStyle:
        """Validate a dict, turning every problem into one :class:`RecipeError` line list."""
        if not isinstance(data, Mapping):
            raise RecipeError(f"a recipe must be an object/dict, got {type(data).__name__}")
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise RecipeError(_format_validation_error(exc)) from None

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> MakeupStyle:
        """Load from JSON text or a file path; a string starting with ``{`` is JSON text."""
        text = _read_recipe_text(text_or_path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecipeError(
                f"recipe is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        except RecursionError:
            raise RecipeError("recipe is nested too deeply to be a recipe (see fram presets --json)") from None
        return cls.from_dict(data)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The recipe format as a JSON Schema (``fram schema recipe``), so editors and
        other tools can check a recipe without fram. It describes the stored form:
        colours as ``"#rrggbb"`` (fram also reads ``"#rgb"`` and three integers)."""
        schema = cls.model_json_schema()
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": "fram makeup recipe",
                "description": "A whole look; products left out are not applied (docs/recipes.md)."}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; absent products are omitted so saved recipes stay short."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def products(self) -> list[str]:
        """Names of the products this look applies, in :data:`PRODUCT_NAMES` order."""
        return [name for name in PRODUCT_NAMES if getattr(self, name) is not None]

    def scaled(self, factor: float) -> MakeupStyle:
        """The same look applied ``factor`` times as strongly (clipped to [0, 1]).

        Used to fade a look per region; ``factor`` may exceed 1 to intensify.
        """
        if not math.isfinite(factor) or factor < 0:
            raise ValueError(f"scale factor must be a finite number >= 0, got {factor!r}")
        update = {name: getattr(self, name).scaled(factor) for name in self.products()}
        return self.model_copy(update=update)

    def merged(self, other: MakeupStyle) -> MakeupStyle:
        """``self`` with every product ``other`` sets replaced by ``other``'s.

        Products are replaced whole, never field by field, so a merged lipstick is always
        one that an author actually wrote. ``other``'s name wins when it has one.
        """
        update: dict[str, Any] = {name: getattr(other, name) for name in other.products()}
        if other.name:
            update["name"] = other.name
        return self.model_copy(update=update)


def _read_recipe_text(text_or_path: str | Path) -> str:
    if isinstance(text_or_path, str) and text_or_path.lstrip().startswith(("{", "[")):
        return text_or_path
    path = Path(text_or_path)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise RecipeError(f"cannot read recipe file {str(path)!r}: {reason}") from None


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "<recipe>"


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """Keys the object holding the unknown key accepts: the recipe's, or one product's."""
    owner: type[BaseModel] = PRODUCT_CLASSES[str(loc[0])] if len(loc) == 2 else MakeupStyle
    return list(owner.model_fields)


def _describe_error(error: Mapping[str, Any]) -> str:
    loc = tuple(error["loc"])
    path = _field_path(loc)
    if error["type"] == "extra_forbidden":
        owner = "the recipe" if len(loc) == 1 else str(loc[0])
        return f"{path}: unknown key; {owner} takes {', '.join(_allowed_keys(loc))}"
    if error["type"] == "missing":
        return f"{path}: required field is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    if error["type"] == "value_error":
        return f"{path}: {message}"
    return f"{path}: {message}, got {_short_repr(error['input'])}"


def _short_repr(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_validation_error(exc: ValidationError) -> str:
    errors = exc.errors()
    version_errors = [e for e in errors if tuple(e["loc"]) == ("version",)]
    # A wrong version explains every other error, so report it alone.
    shown = version_errors or errors
    lines = [_describe_error(e) for e in shown]
    noun = "problem" if len(lines) == 1 else "problems"
    return f"invalid makeup recipe ({len(lines)} {noun}): " + "; ".join(lines)
