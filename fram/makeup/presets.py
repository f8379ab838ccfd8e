"""Named looks, so users can start from "1950s-pinup" instead of writing a recipe.

The looks live in ``presets.json`` beside this module, grouped by category
(``{category: {slug: recipe}}``), so that adding a look is a data edit reviewed as
data. Every entry is validated against the recipe schema at import: a broken look
fails loudly with its file and slug, not later inside the renderer.

Shades are picked to match real products of each look. Foundation is kept light
(coverage <= 0.5) because the renderer adapts the base to each face's own skin tone;
a preset should tint and even the skin, not repaint it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fram.errors import RecipeError
from fram.makeup.recipe import MakeupStyle

PRESETS_FILE = Path(__file__).resolve().with_name("presets.json")


def load_presets(path: Path) -> tuple[dict[str, MakeupStyle], dict[str, str]]:
    """Looks and their categories from a ``{category: {slug: recipe}}`` JSON file.

    Raises:
        RecipeError: the file is unreadable or not that shape, or a look is not a valid
            recipe; the message names the file and the look.
    """
    groups = read_json_object(path, "categories")
    presets: dict[str, MakeupStyle] = {}
    categories: dict[str, str] = {}
    for category, looks in groups.items():
        if not isinstance(looks, Mapping):
            raise RecipeError(f"{path}: category {category!r} must map slugs to recipes")
        for slug, recipe in looks.items():
            if slug in presets:
                raise RecipeError(f"{path}: preset {slug!r} is defined twice")
            try:
                presets[slug] = MakeupStyle.from_dict(recipe)
            except RecipeError as exc:
                raise RecipeError(f"{path}: preset {slug!r}: {exc}") from None
            categories[slug] = category
    return presets, categories


def read_json_object(path: Path, holds: str) -> Mapping[str, Any]:
    """A JSON data file that must hold one object (of ``holds``); errors name the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecipeError(f"cannot read {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise RecipeError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, Mapping):
        raise RecipeError(f"{path}: expected an object of {holds}, got {type(data).__name__}")
    return data


_LOADED = load_presets(PRESETS_FILE)

PRESETS: dict[str, MakeupStyle] = _LOADED[0]
"""Preset looks keyed by slug, grouped by category in file order."""

PRESET_CATEGORIES: dict[str, str] = _LOADED[1]
"""Category of each preset slug ("everyday", "smoky", "vintage", ...)."""


def list_presets() -> list[str]:
    """Preset slugs, grouped by category so a menu reads from everyday to avant-garde."""
    return list(PRESETS)


def _slug(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").split())


def get_preset(name: str) -> MakeupStyle:
    """Preset by slug; spacing, case and underscores are forgiven ("Smoky Night" works)."""
    slug = _slug(name)
    if slug in PRESETS:
        return PRESETS[slug]
    close = difflib.get_close_matches(slug, list(PRESETS), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise RecipeError(f"unknown preset {name!r}{hint} ({len(PRESETS)} presets: see list_presets())")
