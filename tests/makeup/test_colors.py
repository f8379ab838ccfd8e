"""Tests for fram.makeup.colors: names computed from colour numbers."""

from __future__ import annotations

import pytest

from fram.errors import RecipeError
from fram.makeup.colors import (
    MODIFIERS,
    NAMED_COLORS,
    ColorName,
    adjust_color,
    classify_color,
    color_family,
    color_name,
)


@pytest.mark.parametrize(
    ("color", "words"),
    [
        ("#ff0000", {"red"}),
        ("#d01020", {"red"}),
        ("#b00000", {"red"}),
        ("#e8b4a0", {"nude", "peach"}),
        ("#d4a59a", {"nude"}),
        ("#5a1a3a", {"plum", "berry", "burgundy"}),
        ("#8c1a34", {"berry", "burgundy", "wine"}),
        ("#000000", {"black"}),
        ("#141110", {"black"}),
        ("#ffffff", {"white"}),
        ("#808080", {"grey"}),
        ("#36373a", {"charcoal"}),
        ("#1c2a4e", {"navy"}),
        ("#0f7a4a", {"emerald"}),
        ("#c9a03c", {"gold"}),
        ("#9a6a36", {"bronze"}),
        ("#8a7c70", {"taupe"}),
        ("#3a2820", {"espresso"}),
        ("#f07060", {"coral"}),
        ("#f4ac8a", {"peach"}),
        ("#a8707e", {"mauve"}),
        ("#e6358a", {"pink"}),
        ("#6c2c90", {"purple"}),
    ],
)
def test_known_colors_get_expected_names(color: str, words: set[str]) -> None:
    name = color_name(color)
    assert any(word in name for word in words), f"{color} named {name!r}, expected one of {words}"


@pytest.mark.parametrize(
    ("color", "families"),
    [("#e8b4a0", {"nude", "coral"}), ("#5a1a3a", {"plum", "berry"}), ("#c8202c", {"red"})],
)
def test_families(color: str, families: set[str]) -> None:
    assert color_family(color) in families


def test_table_is_large_and_cosmetic() -> None:
    assert len(NAMED_COLORS) >= 60
    families = {family for _, family in NAMED_COLORS.values()}
    assert {"red", "berry", "plum", "pink", "nude", "coral", "brown", "neutral"} <= families


def test_every_table_entry_names_itself() -> None:
    wrong = {name: color_name(color) for name, (color, _) in NAMED_COLORS.items()}
    assert {name: got for name, got in wrong.items() if got != name} == {}


@pytest.mark.parametrize("base", ["plum", "red", "pink", "navy"])
def test_modified_names_mean_what_they_say(base: str) -> None:
    for modifier in MODIFIERS:
        assert color_name(adjust_color(NAMED_COLORS[base][0], modifier)) == f"{modifier} {base}"


def _read_back(name: ColorName) -> str:
    color = NAMED_COLORS[name.base][0]
    return adjust_color(color, name.modifier) if name.modifier else color


def test_every_name_given_reads_back_to_itself() -> None:
    levels = range(0, 256, 60)
    for color in ([r, g, b] for r in levels for g in levels for b in levels):
        name = classify_color(color)
        assert classify_color(_read_back(name)) == name, f"{color} -> {name.text}"


def test_synonyms_and_saturated_colors() -> None:
    plum = NAMED_COLORS["plum"][0]
    assert adjust_color(plum, "dark") == adjust_color(plum, "deep")
    assert adjust_color(plum, "vivid") == adjust_color(plum, "bright")
    assert "green" in color_name("#00ff00")
    assert color_name("#ff0000").startswith("bright")


def test_accepts_hex_int_and_float_triples_consistently() -> None:
    assert color_name("#c8202c") == color_name([200, 32, 44]) == color_name((200 / 255, 32 / 255, 44 / 255))


def test_deterministic() -> None:
    assert [color_name("#7a3050") for _ in range(3)] == [color_name("#7a3050")] * 3


def test_color_name_parts() -> None:
    name = ColorName(base="berry red", modifier="deep", family="berry")
    assert name.text == "deep berry red"
    assert name.adjective == "deep berry-red"


def test_bad_inputs() -> None:
    with pytest.raises(RecipeError):
        color_name("not a colour")
    with pytest.raises(ValueError):
        color_name((1.5, 0.0, 0.0))
    with pytest.raises(ValueError, match="unknown colour modifier"):
        adjust_color("#ff0000", "sparkly")
