"""What a user calls: a photo and a look in, the same photo wearing the look out.

This module only composes the layers below it (face analysis, recipe, renderer,
compositor) and turns user-level choices (a preset name, a recipe file, words, an
intensity per region) into a :class:`MakeupStyle`. The CLI is a thin shell over it.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fram.errors import FramError, RecipeError
from fram.face.image_io import read_image
from fram.face.landmarks import Face, default_landmarker, select_face
from fram.makeup.compose import FaceAnalysis, analyse, apply_style
from fram.makeup.estimate import estimate_style
from fram.makeup.presets import get_preset
from fram.makeup.recipe import MakeupStyle
from fram.makeup.render import GROUP_PRODUCTS, GROUPS
from fram.makeup.parser import parse

REGION_GROUPS = GROUPS
"""Region names a user can pick: skin (with cheeks: foundation, blush, contour,
highlight, concealer), eyes (shadow, liner, mascara), brows, lips."""


@dataclass(frozen=True)
class PipelineOutput:
    """The made-up photo and what was done to it."""

    image: np.ndarray
    face: Face
    style: MakeupStyle | None  # the recipe applied; None for the diffusion engine


def resolve_style(spec: str | Path | MakeupStyle | dict) -> MakeupStyle:
    """A look from a recipe object, a dict, a ``.json`` path, ``text:WORDS`` or a preset name."""
    if isinstance(spec, MakeupStyle):
        return spec
    if isinstance(spec, dict):
        return MakeupStyle.from_dict(spec)
    text = str(spec)
    if text.startswith("text:"):
        return parse(text[len("text:") :])
    if text.startswith("preset:"):
        return get_preset(text[len("preset:") :])
    if text.lower().endswith(".json") or Path(text).is_file():
        return MakeupStyle.from_json(Path(text))
    return get_preset(text)


def parse_intensity(value: float | str | dict[str, float]) -> dict[str, float]:
    """Intensity per region group from ``0.7``, ``"lips=1,eyes=0.5"`` or a dict.

    Values above 1 exaggerate (up to each product's full strength); unnamed groups
    stay at 1.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {g: _check_intensity(float(value), "intensity") for g in GROUPS}
    if isinstance(value, dict):
        pairs = value.items()
    else:
        text = str(value).strip()
        if "=" not in text:
            try:
                return parse_intensity(float(text))
            except ValueError:
                raise RecipeError(f"bad intensity {text!r}: use a number like 0.7 or 'lips=1,eyes=0.5'") from None
        pairs = []
        for part in text.split(","):
            name, _, number = part.partition("=")
            try:
                pairs.append((name.strip(), float(number)))
            except ValueError:
                raise RecipeError(f"bad intensity {part!r}: expected REGION=NUMBER") from None
    out = dict.fromkeys(GROUPS, 1.0)
    for name, number in pairs:
        if name not in GROUPS:
            raise RecipeError(f"unknown region {name!r} in intensity; regions are {', '.join(GROUPS)}")
        out[name] = _check_intensity(float(number), f"intensity of {name}")
    return out


def _check_intensity(value: float, what: str) -> float:
    if not math.isfinite(value) or value < 0 or value > 3:
        raise RecipeError(f"{what} must be between 0 and 3, got {value}")
    return value


def parse_regions(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """Region groups from ``"lips,eyes"`` or a sequence; None means all."""
    if value is None:
        return GROUPS
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = [n for n in names if n not in GROUPS]
    if unknown or not names:
        raise RecipeError(f"unknown region(s) {unknown or names}; regions are {', '.join(GROUPS)}")
    return tuple(g for g in GROUPS if g in names)


def style_for_regions(style: MakeupStyle, intensity: dict[str, float]) -> MakeupStyle:
    """Scale each region group's products by that group's intensity."""
    update = {}
    for group, products in GROUP_PRODUCTS.items():
        for product in products:
            item = getattr(style, product)
            if item is not None:
                update[product] = item.scaled(intensity.get(group, 1.0))
    return style.model_copy(update=update)


def apply_makeup(
    image: object,
    style: str | Path | MakeupStyle | dict,
    *,
    intensity: float | str | dict[str, float] = 1.0,
    regions: str | tuple[str, ...] | None = None,
    face_index: int = 0,
    source: str = "image",
) -> PipelineOutput:
    """Put a look on a face of a photo at the photo's full resolution.

    Args:
        image: anything :func:`fram.face.image_io.read_image` reads.
        style: a recipe, a preset name, a recipe ``.json`` path or ``text:WORDS``.
        intensity: one number or per region (``"lips=1,eyes=0.5"``).
        regions: which region groups to make up (default all).
        face_index: which face, largest first.
        source: the name used for the photo in error messages.
    """
    look = style_for_regions(resolve_style(style), parse_intensity(intensity))
    groups = parse_regions(regions)
    rgb = read_image(image)
    landmarker = default_landmarker()
    face = select_face(landmarker.detect(rgb), face_index, min_face_size=landmarker.options.min_face_size, source=source)
    analysis: FaceAnalysis = analyse(rgb, face)
    return PipelineOutput(image=apply_style(rgb, analysis, look, groups), face=face, style=look)


ENGINES = ("fram", "classic")
"""Transfer engines: ``fram`` (region-aware diffusion, :mod:`fram.diffusion`; needs the
generator weights) and ``classic`` (per-region colour statistics, no learning)."""


def default_engine() -> str:
    """``fram`` when its generator weights are installed, else ``classic``."""
    from fram.diffusion import default_generator_folder

    return "fram" if (default_generator_folder() / "model.safetensors").is_file() else "classic"


def face_of(image: np.ndarray, face_index: int, source: str) -> Face:
    landmarker = default_landmarker()
    return select_face(landmarker.detect(image), face_index, min_face_size=landmarker.options.min_face_size, source=source)


def is_recipe_reference(reference: object) -> bool:
    """Recipes, ``preset:``/``text:`` strings and ``.json`` paths (anything else is a photo)."""
    if isinstance(reference, (MakeupStyle, dict)):
        return True
    if isinstance(reference, (str, Path)):
        text = str(reference)
        return text.startswith(("preset:", "text:")) or text.lower().endswith(".json")
    return False


def plan_regions(reference: object | None, references: dict[str, object] | None,
                 regions: str | tuple[str, ...] | None) -> tuple[tuple[str, ...], dict[str, object]]:
    """Which region groups to transfer and the reference of each (checked, clear errors)."""
    per_region = dict(references or {})
    unknown = sorted(set(per_region) - set(GROUPS))
    if unknown:
        raise RecipeError(f"unknown region(s) {unknown}; regions are {', '.join(GROUPS)}")
    if reference is None and not per_region:
        raise FramError("give a reference (or per-region references) to transfer from")
    groups = parse_regions(regions) if regions is not None else tuple(g for g in GROUPS if reference is not None or g in per_region)
    plan = {}
    for group in groups:
        ref = per_region.get(group, reference)
        if ref is None:
            raise FramError(f"no reference for region {group!r}")
        plan[group] = ref
    return groups, plan


def reference_style(reference: object, *, source: str = "reference") -> MakeupStyle:
    """The look a reference stands for: a recipe, a preset, words, or a made-up photo.

    Strings starting with ``preset:`` or ``text:``, recipe objects/dicts and ``.json``
    paths are recipes; anything else is read as a photo and its makeup is measured
    per region (:func:`fram.makeup.estimate.estimate_style`).
    """
    if is_recipe_reference(reference):
        return resolve_style(reference)
    rgb = read_image(reference)
    face = face_of(rgb, 0, source)
    return estimate_style(analyse(rgb, face).texture)


def transfer(
    source: object,
    reference: object | None = None,
    *,
    references: dict[str, object] | None = None,
    engine: str | None = None,
    regions: str | tuple[str, ...] | None = None,
    intensity: float | str | dict[str, float] = 1.0,
    steps: int | None = None,
    seed: int = 0,
    colour_match: float | None = None,
    face_index: int = 0,
    source_name: str = "source",
) -> PipelineOutput:
    """Put a reference's makeup on the source face, region by region.

    Args:
        source: the photo to make up.
        reference: one reference for every selected region (a made-up photo, or a
            recipe/preset/words as :func:`reference_style` accepts).
        references: per-region references (``{"lips": a, "eyes": b}``); they win over
            ``reference`` for their regions.
        engine: ``fram`` (diffusion) or ``classic`` (per-region colour statistics in
            UV, no learning); default :func:`default_engine`.
        regions: which region groups to transfer (default: every group that has a
            reference).
        intensity: one number or per region (``"lips=1,eyes=0.5"``).
        steps, seed: sampling steps and noise seed of the ``fram`` engine.
        colour_match: how far the ``fram`` engine moves the eyes' and lips' colour
            level to the reference's (0 = the generator's own, 1 = all the way, the
            default; see :data:`fram.diffusion.MATCH_AMOUNT`).
    """
    engine = engine or default_engine()
    if engine not in ENGINES:
        raise FramError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if steps is not None and not 1 <= steps <= 1000:
        raise FramError(f"steps must be between 1 and 1000, got {steps}")
    if colour_match is not None and not 0 <= colour_match <= 2:
        raise FramError(f"colour match must be between 0 and 2, got {colour_match}")
    groups, plan = plan_regions(reference, references, regions)
    levels = parse_intensity(intensity)
    if engine == "fram":
        return shared_fram_pipeline()(source, references=plan, regions=groups, intensity=levels, steps=steps, seed=seed,
                                     colour_match=colour_match, face_index=face_index, source_name=source_name)
    rgb = read_image(source)
    face = face_of(rgb, face_index, source_name)

    looks: dict[int, MakeupStyle] = {}
    style = MakeupStyle(name="transfer")
    for group in groups:
        ref = plan[group]
        look = looks.get(id(ref)) or reference_style(ref, source=f"reference for {group}")
        looks[id(ref)] = look
        picked = {p: getattr(look, p) for p in GROUP_PRODUCTS[group] if getattr(look, p) is not None}
        style = style.model_copy(update=picked)
    style = style_for_regions(style, levels)
    return PipelineOutput(image=apply_style(rgb, analyse(rgb, face), style, groups), face=face, style=style)


def shared_fram_pipeline():
    """The fram engine with the default weights (:func:`fram.diffusion.default_generator_folder`,
    so ``$FRAM_GENERATOR`` is honoured when it changes), loaded once per process per folder."""
    from fram.diffusion import default_generator_folder

    return _fram_pipeline_from(default_generator_folder())


@functools.lru_cache(maxsize=2)
def _fram_pipeline_from(folder: Path):
    from fram.diffusion import FramPipeline

    return FramPipeline.from_pretrained(folder)
