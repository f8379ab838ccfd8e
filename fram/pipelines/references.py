"""What a reference is, decided once: a recipe (a preset, words, a recipe file) or a
made-up photo.

Every pipeline, the CLI and eval go through :func:`resolve_reference`, so
``transfer(img, "goth")`` and ``apply_makeup(img, "goth")`` mean the same thing and a
typo gets the same message everywhere. A reference photo is only unwrapped into UV
(landmarks + unwrap): no photo-space region masks and no brow network, which only
the source needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fram.errors import FramError, RecipeError
from fram.face.image_io import read_image
from fram.face.landmarks import Face, detect_face
from fram.face.uv import DEFAULT_UV_SIZE, UVTexture, unwrap
from fram.makeup.decompose import MakeupLayer, layer_size_for, reference_layer
from fram.makeup.estimate import estimate_style
from fram.makeup.look_file import Look, is_look, load_look
from fram.makeup.presets import get_preset
from fram.makeup.recipe import MakeupStyle
from fram.makeup.render import GROUP_PRODUCTS, GROUPS
from fram.makeup.parser import parse
from fram.pipelines.options import MakeupOptions

PRESET_PREFIX = "preset:"
TEXT_PREFIX = "text:"
RECIPE_SUFFIX = ".json"


@dataclass
class Reference:
    """One reference, resolved.

    Attributes:
        name: how messages name it (a file name, ``preset:goth``, …).
        style: the recipe, for a preset, words or a recipe file; None for a photo.
        texture: a photo's face unwrapped into UV (hidden parts not filled); None for a recipe.
        photo, face: the photo and its face, for reading its makeup layer.
        look_layer: the look's makeup layer, for a photo (read on first use) or a saved look.
    """

    name: str
    style: MakeupStyle | None = None
    texture: UVTexture | None = None
    photo: np.ndarray | None = field(default=None, repr=False)
    face: Face | None = field(default=None, repr=False)
    look_layer: MakeupLayer | None = field(default=None, repr=False)
    _estimated: MakeupStyle | None = field(default=None, repr=False)

    @property
    def is_photo(self) -> bool:
        return self.texture is not None

    @property
    def has_layer(self) -> bool:
        """Whether the look carries per-texel makeup (a photo or a saved look), not only a recipe."""
        return self.look_layer is not None or self.photo is not None

    def layer(self) -> MakeupLayer:
        """The look's makeup layer (:mod:`fram.makeup.decompose`), read once."""
        if self.look_layer is None:
            if self.photo is None or self.face is None:
                raise FramError(f"{self.name} is a recipe and has no makeup layer")
            self.look_layer = reference_layer(self.photo, self.face, layer_size_for(self.face))
        return self.look_layer

    def recipe(self) -> MakeupStyle:
        """The look as a recipe: itself, or the classic engine's reading of the photo
        (:func:`fram.makeup.estimate.estimate_style`, computed once)."""
        if self.style is not None:
            return self.style
        if self._estimated is None:
            self._estimated = estimate_style(self.texture)
        return self._estimated


def _is_recipe_text(text: str) -> bool:
    return text.startswith((PRESET_PREFIX, TEXT_PREFIX)) or text.lower().endswith(RECIPE_SUFFIX)


def resolve_reference(value: object, *, name: str = "reference", uv_size: int = DEFAULT_UV_SIZE) -> Reference:
    """A reference from what a user gave.

    * a :class:`MakeupStyle` or a dict: a recipe;
    * ``preset:NAME`` or a bare preset name that is not a file: a preset;
    * ``text:WORDS``: words, parsed into a recipe;
    * a path ending ``.json``: a recipe file;
    * a path ending ``.fram`` or a :class:`Look`: a saved look (its layer and its recipe);
    * any other path, bytes, a PIL image or an array: a made-up photo, unwrapped into UV.
    """
    if isinstance(value, Reference):
        return value
    if is_look(value):
        look = value if isinstance(value, Look) else load_look(os.fspath(value))
        return Reference(name=look.name or name, style=look.recipe, look_layer=look.layer)
    if isinstance(value, MakeupStyle):
        return Reference(name=value.name or name, style=value)
    if isinstance(value, dict):
        return Reference(name=name, style=MakeupStyle.from_dict(value))
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if text.startswith(PRESET_PREFIX):
            return Reference(name=text, style=get_preset(text[len(PRESET_PREFIX):]))
        if text.startswith(TEXT_PREFIX):
            return Reference(name="words", style=parse(text[len(TEXT_PREFIX):]))
        if text.lower().endswith(RECIPE_SUFFIX):
            return Reference(name=Path(text).name, style=MakeupStyle.from_json(Path(text)))
        if not Path(text).exists():
            if Path(text).suffix == "" and not any(sep in text for sep in "/\\"):
                try:
                    return Reference(name=f"preset:{text}", style=get_preset(text))
                except RecipeError as exc:
                    raise RecipeError(f"{name}: {text!r} is neither a file nor a preset ({exc})") from None
            raise FramError(f"{name}: no such file: {text}")
        name = f"{name} {Path(text).name}"
    rgb = read_image(value)
    face = detect_face(rgb, source=name)
    return Reference(name=name, texture=unwrap(rgb, face, uv_size), photo=rgb, face=face)


def resolve_look(value: object, *, name: str = "look") -> MakeupStyle:
    """A recipe reference (preset, words, recipe file or object); a photo is refused,
    since putting a photo's look on a face is a transfer."""
    if isinstance(value, (str, os.PathLike)) and not _is_recipe_text(os.fspath(value)):
        path = Path(os.fspath(value))
        if path.is_file():
            raise FramError(f"{name}: {path.name} is a photo, not a recipe; use `fram transfer` to copy a photo's look")
    reference = resolve_reference(value, name=name)
    if reference.is_photo:
        raise FramError(f"{name} is a photo, not a recipe; use a transfer to copy a photo's look")
    return reference.recipe()


@dataclass(frozen=True)
class ReferencePlan:
    """Which region groups a transfer makes up and the resolved reference of each
    (groups that share one reference share one :class:`Reference`)."""

    groups: tuple[str, ...]
    references: dict[str, Reference]

    def recipe(self) -> MakeupStyle:
        """One recipe with each group's products taken from that group's reference."""
        style = MakeupStyle(name="transfer")
        for group in self.groups:
            style = style.model_copy(update=self.recipe_for(group))
        return style

    def recipe_for(self, group: str) -> dict[str, object]:
        """The products of ``group`` in its reference's recipe, by product name."""
        look = self.references[group].recipe()
        return {p: getattr(look, p) for p in GROUP_PRODUCTS[group] if getattr(look, p) is not None}


def plan_references(reference: object | None, references: dict[str, object] | None, options: MakeupOptions) -> ReferencePlan:
    """Check which groups have a reference and resolve each distinct reference once."""
    per_region = dict(references or {})
    unknown = sorted(set(per_region) - set(GROUPS))
    if unknown:
        raise RecipeError(f"unknown region(s) {unknown}; regions are {', '.join(GROUPS)}")
    if reference is None and not per_region:
        raise FramError("give a reference (or per-region references) to transfer from")
    groups = options.regions if options.regions is not None else tuple(
        g for g in GROUPS if reference is not None or g in per_region)
    resolved: dict[int, Reference] = {}
    plan: dict[str, Reference] = {}
    for group in groups:
        value = per_region.get(group, reference)
        if value is None:
            raise FramError(f"no reference for region {group!r}")
        key = id(value)
        if key not in resolved:
            label = "reference" if value is reference else f"reference for {group}"
            resolved[key] = resolve_reference(value, name=label)
        plan[group] = resolved[key]
    return ReferencePlan(groups=groups, references=plan)


__all__ = ["Reference", "ReferencePlan", "plan_references", "resolve_look", "resolve_reference"]
