"""Tests for fram.makeup.presets: coverage of looks, validity and plausibility."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.color import rgb2lab

from fram.errors import RecipeError
from fram.makeup.colors import color_family
import json
from pathlib import Path

from fram.makeup.presets import PRESET_CATEGORIES, PRESETS, PRESETS_FILE, get_preset, list_presets, load_presets
from fram.makeup.recipe import MakeupStyle, hex_to_rgb

REQUIRED_CATEGORIES = {
    "everyday",
    "office",
    "soft glam",
    "full glam",
    "smoky",
    "editorial",
    "bridal",
    "vintage",
    "cultural",
    "kawaii",
    "goth",
    "festival",
    "avant-garde",
}


def _lightness(color: str) -> float:
    return float(rgb2lab(np.array(hex_to_rgb(color)))[0])


def test_enough_presets_and_categories() -> None:
    assert len(PRESETS) >= 34
    assert len(set(PRESET_CATEGORIES.values())) >= 12
    assert REQUIRED_CATEGORIES <= set(PRESET_CATEGORIES.values())
    assert set(PRESET_CATEGORIES) == set(PRESETS)
    assert list_presets() == list(PRESETS)


def test_named_slugs_exist() -> None:
    wanted = {"natural", "red-carpet", "smoky-night", "1950s-pinup", "goth", "1920s-flapper",
              "1960s-mod", "1980s-power", "bollywood-bridal", "k-beauty-gradient", "j-beauty",
              "arabic-glam", "latina-glam", "afro-glam", "kawaii", "no-makeup"}
    assert wanted <= set(PRESETS)


def test_names_are_descriptive_and_unique() -> None:
    names = [style.name for style in PRESETS.values()]
    assert all(len(name) >= 4 for name in names)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("slug", list(PRESETS))
def test_preset_json_round_trip(slug: str) -> None:
    style = PRESETS[slug]
    assert MakeupStyle.from_json(style.to_json()) == style
    assert MakeupStyle.from_dict(style.to_dict()) == style


def test_foundation_is_light_touch() -> None:
    heavy = [s for s, style in PRESETS.items() if style.foundation and style.foundation.coverage > 0.5]
    assert heavy == []


def test_every_preset_has_a_focal_product() -> None:
    for slug, style in PRESETS.items():
        assert style.lipstick or style.eyeshadow or style.eyeliner, slug


def test_looks_are_plausible() -> None:
    assert color_family(PRESETS["1950s-pinup"].lipstick.color) == "red"  # type: ignore[union-attr]
    assert color_family(PRESETS["red-carpet"].lipstick.color) == "red"  # type: ignore[union-attr]
    assert _lightness(PRESETS["goth"].lipstick.color) < 20  # type: ignore[union-attr]
    assert PRESETS["goth"].eyeshadow.layout == "smoky"  # type: ignore[union-attr]
    for slug in ("smoky-night", "smoky-brown", "smoky-plum"):
        assert PRESETS[slug].eyeshadow.layout == "smoky"  # type: ignore[union-attr]
    assert PRESETS["full-glam"].eyeshadow.layout == "cut_crease"  # type: ignore[union-attr]
    assert PRESETS["1950s-pinup"].eyeliner.wing_length >= 0.5  # type: ignore[union-attr]
    assert PRESETS["arabic-glam"].eyeliner.wing_length >= 0.7  # type: ignore[union-attr]
    assert PRESETS["festival-glitter"].eyeshadow.finish == "glitter"  # type: ignore[union-attr]
    assert PRESETS["no-makeup"].lipstick.opacity <= 0.3  # type: ignore[union-attr]
    natural = PRESETS["natural"]
    assert natural.eyeliner is None and natural.eyeshadow is None


def test_everyday_looks_are_lighter_than_glam() -> None:
    def lip(slug: str) -> float:
        return PRESETS[slug].lipstick.opacity  # type: ignore[union-attr]

    assert max(lip(s) for s, c in PRESET_CATEGORIES.items() if c == "everyday") < lip("red-carpet")


@pytest.mark.parametrize("name", ["smoky-night", "Smoky Night", "  SMOKY_NIGHT "])
def test_get_preset_forgives_spelling(name: str) -> None:
    assert get_preset(name) is PRESETS["smoky-night"]


def test_unknown_preset_suggests_close_matches() -> None:
    with pytest.raises(RecipeError, match="smoky-night") as info:
        get_preset("smokey nite")
    assert "unknown preset" in str(info.value)
    with pytest.raises(RecipeError, match="see fram presets"):
        get_preset("zzzz")


def test_every_preset_in_the_file_validates() -> None:
    groups = json.loads(PRESETS_FILE.read_text(encoding="utf-8"))
    slugs = [slug for looks in groups.values() for slug in looks]
    assert slugs == list(PRESETS)
    presets, categories = load_presets(PRESETS_FILE)
    assert presets == PRESETS and categories == PRESET_CATEGORIES


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "presets.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_a_bad_look_is_reported_with_its_file_and_slug(tmp_path: Path) -> None:
    path = _write(tmp_path, {"everyday": {"fine": {"mascara": {"intensity": 0.5}},
                                          "broken": {"lipstick": {"color": "#aa0000", "opacity": 1.5}}}})
    with pytest.raises(RecipeError, match=r"presets\.json: preset 'broken': .*lipstick\.opacity") as info:
        load_presets(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ([1, 2], "expected an object of groups"),
        ({"everyday": ["natural"]}, "group 'everyday' must be an object"),
        ({"a": {"twice": {}}, "b": {"twice": {}}}, "defined more than once: twice"),
        ({"a": {"typo": {"lipstik": {}}}}, "preset 'typo': .*unknown key"),
    ],
)
def test_a_malformed_file_is_reported_with_its_name(tmp_path: Path, content: object, message: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(RecipeError, match=message) as info:
        load_presets(path)
    assert str(path) in str(info.value)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="cannot read"):
        load_presets(tmp_path / "absent.json")
