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


def read_groups(path: Path) -> list[tuple[str, str, Any]]:
    """``(group, name, entry)`` of a ``{group: {name: entry}}`` JSON data file, in file order.

    Raises:
        RecipeError: the file is unreadable, not JSON, not that shape, or repeats a name;
            the message names the file.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecipeError(f"cannot read {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise RecipeError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, Mapping):
        raise RecipeError(f"{path}: expected an object of groups, got {type(data).__name__}")
    entries: list[tuple[str, str, Any]] = []
    for group, members in data.items():
        if not isinstance(members, Mapping):
            raise RecipeError(f"{path}: group {group!r} must be an object of named entries")
        entries.extend((group, name, entry) for name, entry in members.items())
    names = [name for _, name, _ in entries]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RecipeError(f"{path}: defined more than once: {', '.join(repeated)}")
    return entries


def load_presets(path: Path) -> tuple[dict[str, MakeupStyle], dict[str, str]]:
    """Looks and their categories from a ``{category: {slug: recipe}}`` JSON file.

    Raises:
        RecipeError: the file is not that shape (see :func:`read_groups`) or a look is
            not a valid recipe; the message names the file and the look.
    """
    entries = read_groups(path)
    presets: dict[str, MakeupStyle] = {}
    for _, slug, recipe in entries:
        try:
            presets[slug] = MakeupStyle.from_dict(recipe)
        except RecipeError as exc:
            raise RecipeError(f"{path}: preset {slug!r}: {exc}") from None
    categories = {slug: category for category, slug, _ in entries}
    return presets, categories


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
    raise RecipeError(f"unknown preset {name!r}{hint} ({len(PRESETS)} presets: see fram presets)")
