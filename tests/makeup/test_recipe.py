"""Tests for fram.makeup.recipe: validation, error messages, JSON and mixing semantics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from fram.errors import RecipeError
from fram.makeup.recipe import (
    PRODUCT_NAMES,
    Blush,
    Eyeliner,
    Eyeshadow,
    Foundation,
    Lipstick,
    MakeupStyle,
    Mascara,
    hex_to_rgb,
    normalize_color,
    rgb_to_hex,
)

FULL = {
    "version": 1,
    "name": "test look",
    "foundation": {"shade": "#d8b094", "coverage": 0.4, "finish": "dewy"},
    "concealer": {"shade": "#e0bea4", "coverage": 0.3},
    "blush": {"color": "#e0908a", "intensity": 0.4, "placement": "cheekbones"},
    "contour": {"color": "#8a6048", "intensity": 0.3},
    "highlight": {"color": "#f0dcc0", "intensity": 0.5, "shimmer": 0.7},
    "lipstick": {"color": "#8c1a34", "finish": "gloss", "opacity": 0.8, "liner": "#6a1628"},
    "eyeshadow": {"colors": ["#c8a088", "#6e4a38", "#3a2620"], "layout": "smoky", "intensity": 0.7},
    "eyeliner": {"color": "#121212", "thickness": 0.3, "wing_length": 0.5, "lower": True},
    "mascara": {"intensity": 0.8},
    "brows": {"color": "#5a4636", "density": 0.5},
}


def _error(data: object) -> str:
    with pytest.raises(RecipeError) as info:
        MakeupStyle.from_json(json.dumps(data))
    return str(info.value)


# -- colours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("#ABC", "#aabbcc"),
        ("AbCdEf", "#abcdef"),
        ("#8c1a34", "#8c1a34"),
        ("  #FFF ", "#ffffff"),
        ([255, 0, 16], "#ff0010"),
        ((1, 2, 3), "#010203"),
    ],
)
def test_color_spellings_normalise(given: object, expected: str) -> None:
    assert normalize_color(given) == expected
    assert Mascara(color=given, intensity=0.5).color == expected


@pytest.mark.parametrize(
    "bad", ["#ggg", "12345", "", "#1234567", [256, 0, 0], [1.0, 0, 0], [1, 2], [True, 0, 0], 7]
)
def test_bad_colors_raise_recipe_error(bad: object) -> None:
    with pytest.raises(RecipeError, match="bad colour"):
        normalize_color(bad)


def test_hex_rgb_round_trip() -> None:
    assert hex_to_rgb("#ff8000") == (1.0, 128 / 255, 0.0)
    for color in ["#000000", "#ffffff", "#8c1a34", "#0a0b0c"]:
        assert rgb_to_hex(hex_to_rgb(color)) == color


def test_rgb_to_hex_refuses_out_of_range() -> None:
    with pytest.raises(ValueError, match="0, 1"):
        rgb_to_hex((1.2, 0.0, 0.0))
    with pytest.raises(ValueError):
        rgb_to_hex((0.5, 0.5))


# -- validation errors ---------------------------------------------------------------


def test_full_recipe_loads_and_round_trips() -> None:
    style = MakeupStyle.from_dict(FULL)
    assert style.lipstick is not None and style.lipstick.liner == "#6a1628"
    assert MakeupStyle.from_json(style.to_json()) == style
    assert MakeupStyle.from_dict(style.to_dict()) == style


def test_syntax_error_gives_line_and_column() -> None:
    with pytest.raises(RecipeError, match=r"not valid JSON.*line 3, column \d+"):
        MakeupStyle.from_json('{\n  "lipstick": {"color": "#f00",\n  "opacity": 0.5,}}')


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        ({"lipstick": {"color": "#f00", "opacity": 0.5, "shine": 1}}, "lipstick.shine", "unknown key"),
        ({"lipsticks": {"color": "#f00", "opacity": 0.5}}, "lipsticks", "unknown key"),
        ({"lipstick": {"color": "#f00", "opacity": 1.5}}, "lipstick.opacity", "less than or equal to 1"),
        ({"blush": {"color": "#f00", "intensity": -0.1}}, "blush.intensity", "greater than or equal to 0"),
        ({"eyeliner": {"color": "#000", "thickness": 0.3, "wing_angle": 50}}, "eyeliner.wing_angle", "45"),
        ({"lipstick": {"color": "#zz0000", "opacity": 0.5}}, "lipstick.color", "bad colour"),
        ({"eyeshadow": {"colors": ["#fff", "oops"], "intensity": 0.5}}, "eyeshadow.colors[1]", "bad colour"),
        ({"eyeshadow": {"colors": [], "intensity": 0.5}}, "eyeshadow.colors", "at least 1"),
        ({"eyeshadow": {"colors": ["#111"] * 4, "intensity": 0.5}}, "eyeshadow.colors", "at most 3"),
        ({"lipstick": {"color": "#f00", "opacity": "0.5"}}, "lipstick.opacity", "valid number"),
        ({"lipstick": {"color": "#f00", "opacity": True}}, "lipstick.opacity", "valid number"),
        ({"lipstick": {"color": "#f00", "opacity": 0.5, "finish": "shiny"}}, "lipstick.finish", "'gloss'"),
        ({"lipstick": {"opacity": 0.5}}, "lipstick.color", "missing"),
        ({"eyeliner": {"color": "#000", "thickness": 0.3, "lower": "yes"}}, "eyeliner.lower", "boolean"),
        ({"foundation": "beige"}, "foundation", "dictionary"),
        ({"version": 2}, "version", "unsupported recipe version 2"),
        ({"version": "1"}, "version", "valid integer"),
    ],
)
def test_invalid_recipes_name_field_and_problem(data: dict, field: str, problem: str) -> None:
    message = _error(data)
    assert f"{field}:" in message
    assert problem in message


def test_unknown_key_lists_allowed_keys() -> None:
    message = _error({"lipstick": {"color": "#f00", "opacity": 0.5, "shine": 1}})
    assert "color, finish, opacity, liner, liner_intensity" in message


def test_wrong_version_is_reported_alone() -> None:
    message = _error({"version": 9, "lipstick": {"shine": 1}})
    assert "1 problem" in message and "version 9" in message and "lipstick" not in message


def test_all_problems_are_reported_together() -> None:
    message = _error({"lipstick": {"color": "#f00", "opacity": 2}, "brows": {"color": "x", "density": 0.5}})
    assert "2 problems" in message and "lipstick.opacity" in message and "brows.color" in message


@pytest.mark.parametrize("text", ["[1, 2]", "null", '"lipstick"'])
def test_non_object_json_is_refused(text: str) -> None:
    with pytest.raises(RecipeError, match="object"):
        MakeupStyle.from_json(text if text.startswith("[") else "[" + text + "]")
    with pytest.raises(RecipeError, match="object"):
        MakeupStyle.from_dict(json.loads(text))  # type: ignore[arg-type]


def test_from_json_reads_files(tmp_path: Path) -> None:
    path = tmp_path / "look.json"
    style = MakeupStyle.from_dict(FULL)
    path.write_text(style.to_json(), encoding="utf-8")
    assert MakeupStyle.from_json(path) == style
    assert MakeupStyle.from_json(str(path)) == style


def test_missing_file_is_a_recipe_error(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="cannot read recipe file"):
        MakeupStyle.from_json(tmp_path / "nope.json")


def test_constructors_still_validate() -> None:
    with pytest.raises(ValidationError):
        Lipstick(color="#f00", opacity=3.0)


# -- data semantics ------------------------------------------------------------------


def test_models_are_frozen() -> None:
    style = MakeupStyle.from_dict(FULL)
    with pytest.raises(ValidationError):
        style.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        style.lipstick.opacity = 0.1  # type: ignore[union-attr,misc]


def test_defaults_and_products() -> None:
    style = MakeupStyle(lipstick=Lipstick(color="#f00", opacity=0.5), mascara=Mascara(intensity=0.5))
    assert style.version == 1 and style.name == ""
    assert style.products() == ["lipstick", "mascara"]
    assert style.mascara is not None and style.mascara.color == "#141110"
    assert style.lipstick is not None and style.lipstick.finish == "satin"
    assert MakeupStyle.from_dict(FULL).products() == list(PRODUCT_NAMES)
    assert MakeupStyle().products() == []


def test_to_dict_omits_absent_products() -> None:
    data = MakeupStyle(blush=Blush(color="#e0908a", intensity=0.3)).to_dict()
    assert set(data) == {"version", "name", "blush"}


def test_scaled_multiplies_strengths_and_keeps_shape() -> None:
    style = MakeupStyle.from_dict(FULL)
    half = style.scaled(0.5)
    assert half.lipstick.opacity == pytest.approx(0.4)  # type: ignore[union-attr]
    assert half.lipstick.liner_intensity == pytest.approx(0.25)  # type: ignore[union-attr]
    assert half.foundation.coverage == pytest.approx(0.2)  # type: ignore[union-attr]
    assert half.brows.density == pytest.approx(0.25)  # type: ignore[union-attr]
    assert half.eyeshadow.intensity == pytest.approx(0.35)  # type: ignore[union-attr]
    assert half.eyeliner.thickness == style.eyeliner.thickness  # type: ignore[union-attr]
    assert half.eyeliner.wing_length == style.eyeliner.wing_length  # type: ignore[union-attr]
    assert half.highlight.shimmer == style.highlight.shimmer  # type: ignore[union-attr]
    assert half.lipstick.color == style.lipstick.color  # type: ignore[union-attr]
    assert half.products() == style.products()


def test_scaled_clips_and_identity() -> None:
    style = MakeupStyle.from_dict(FULL)
    assert style.scaled(1.0) == style
    strong = style.scaled(5.0)
    assert strong.lipstick.opacity == 1.0 and strong.mascara.intensity == 1.0  # type: ignore[union-attr]
    assert style.scaled(0.0).blush.intensity == 0.0  # type: ignore[union-attr]
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="scale factor"):
            style.scaled(bad)


def test_merged_other_products_win() -> None:
    base = MakeupStyle(
        name="base",
        lipstick=Lipstick(color="#f00", opacity=0.5),
        blush=Blush(color="#e0908a", intensity=0.3),
    )
    eyes = MakeupStyle(
        eyeshadow=Eyeshadow(colors=["#363739"], intensity=0.8),
        lipstick=Lipstick(color="#6a2a52", opacity=0.9, finish="matte"),
    )
    merged = base.merged(eyes)
    assert merged.products() == ["blush", "lipstick", "eyeshadow"]
    assert merged.lipstick == eyes.lipstick
    assert merged.blush == base.blush
    assert merged.name == "base"
    assert base.merged(MakeupStyle(name="x")).name == "x"
    assert base.merged(MakeupStyle()) == base


def test_merged_with_scaled_regions_mixes_per_region() -> None:
    look = MakeupStyle.from_dict(FULL)
    only_lips = MakeupStyle(lipstick=look.lipstick)
    mixed = look.scaled(0.2).merged(only_lips)
    assert mixed.lipstick == look.lipstick
    assert mixed.blush.intensity == pytest.approx(0.08)  # type: ignore[union-attr]


def test_eyeliner_bounds_and_defaults() -> None:
    liner = Eyeliner(color="#000", thickness=0.3)
    assert (liner.wing_length, liner.wing_angle, liner.intensity, liner.lower) == (0.0, 15.0, 1.0, False)
    assert Foundation(shade="#d8b094", coverage=1).coverage == 1.0
