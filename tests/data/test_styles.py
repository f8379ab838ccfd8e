"""The style sampler: enough distinct looks, each a distribution that stays itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fram.data.styles import (
    CATEGORIES,
    STYLE_CATEGORIES,
    STYLES,
    STYLES_FILE,
    StyleSpec,
    build_styles,
    list_styles,
    recipe_vector,
    sample_style,
)
from fram.errors import RecipeError
from fram.makeup.presets import get_preset, read_groups
from fram.makeup.recipe import MakeupStyle

SAMPLES = 6


@pytest.fixture(scope="module")
def vectors() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {sid: np.stack([recipe_vector(sample_style(sid, rng)) for _ in range(SAMPLES)]) for sid in list_styles()}


def test_at_least_50_styles_in_12_categories():
    assert len(STYLES) >= 50
    used = set(STYLE_CATEGORIES.values())
    assert len(used) >= 12
    assert used == set(CATEGORIES), "every category has a style"


def test_samples_are_valid_recipes_and_vary():
    rng = np.random.default_rng(1)
    for sid in list_styles():
        a, b = sample_style(sid, rng), sample_style(sid, rng)
        assert isinstance(a, MakeupStyle) and a.name == sid
        MakeupStyle.from_json(a.to_json())  # round-trips through the schema
        assert a != b, f"{sid}: two wearers should not be identical"


def test_sampling_is_deterministic_for_a_seed():
    for sid in list_styles()[:10]:
        assert sample_style(sid, np.random.default_rng(7)) == sample_style(sid, np.random.default_rng(7))


def test_same_style_closer_than_other_styles(vectors):
    """Mean distance between two samples of a style < mean distance to any other style."""
    ids = list(vectors)
    intra = {}
    for sid, v in vectors.items():
        d = np.linalg.norm(v[:, None] - v[None], axis=-1)
        intra[sid] = d.sum() / (SAMPLES * (SAMPLES - 1))
    failures = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            inter = np.linalg.norm(vectors[a][:, None] - vectors[b][None], axis=-1).mean()
            if inter <= max(intra[a], intra[b]):
                failures.append((a, b, round(float(inter), 2), round(float(intra[a]), 2), round(float(intra[b]), 2)))
    assert not failures, failures


def test_styles_are_told_apart_by_nearest_centroid(vectors):
    ids = list(vectors)
    centroids = np.stack([vectors[s].mean(axis=0) for s in ids])
    rng = np.random.default_rng(99)  # fresh samples, not the ones the centroids came from
    hits = 0
    for k, sid in enumerate(ids):
        for _ in range(3):
            v = recipe_vector(sample_style(sid, rng))
            hits += int(np.argmin(np.linalg.norm(centroids - v, axis=1)) == k)
    assert hits / (3 * len(ids)) >= 0.9


def test_recipe_vector_has_fixed_length():
    lengths = {recipe_vector(sample_style(s, np.random.default_rng(0))).shape for s in list_styles()}
    assert len(lengths) == 1
    assert recipe_vector(MakeupStyle()).shape == lengths.pop()


def test_unknown_style_and_bad_spec_raise():
    with pytest.raises(ValueError, match="unknown style"):
        sample_style("no-such-look", np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown choice key"):
        StyleSpec(id="x", category="natural", centre=MakeupStyle(), choices={"lipstick.colour": ["#ff0000"]})
    with pytest.raises(ValueError, match="unknown category"):
        StyleSpec(id="x", category="nope", centre=MakeupStyle())


def test_every_spec_in_the_file_validates():
    entries = read_groups(STYLES_FILE)
    assert [sid for _, sid, _ in entries] == list(STYLES)
    assert build_styles(STYLES_FILE, entries) == STYLES


def test_centres_from_presets_keep_the_preset_name():
    assert STYLES["natural"].centre == get_preset("natural")
    no_makeup = STYLES["no-makeup"].centre
    assert no_makeup.name == get_preset("no-makeup").name and no_makeup.foundation.finish == "dewy"
    assert STYLES["clean-girl"].centre.name == "clean-girl"


def _load(tmp_path: Path, spec: dict) -> dict[str, StyleSpec]:
    path = tmp_path / "styles.json"
    path.write_text(json.dumps({"natural": {"fine": {"preset": "natural"}, "broken": spec}}), encoding="utf-8")
    return build_styles(path, read_groups(path))


_LIP = {"lipstick": {"color": "#c8202c", "opacity": 0.9}}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"centre": _LIP, "choices": {"lipstick.colour": ["#ff0000"]}}, "unknown choice key 'lipstick.colour'"),
        ({"centre": _LIP, "choices": {"lipstick.finish": ["shiny"]}}, "'shiny' is not a valid finish"),
        ({"centre": _LIP, "choices": {"blush.color": ["#ff0000"]}}, "never applies"),
        ({"centre": _LIP, "keep": {"lipstick": 1.5}}, r"keep\.lipstick: .*less than or equal to 1"),
        ({"centre": _LIP, "extras": {"eyeliner": [0.5, {"color": "#000000"}]}}, r"eyeliner\.thickness: required"),
        ({"centre": _LIP, "colour_sigma": 2.0}, "colour_sigma: unknown key; a spec takes preset, "),
        ({"centre": {"lipstick": {"color": "#c8202c"}}}, r"lipstick\.opacity: required"),
        ({"preset": "no-such-preset"}, "unknown preset"),
        (["natural"], "a spec must be an object"),
    ],
)
def test_a_bad_spec_is_reported_with_its_file_and_id(tmp_path: Path, spec: object, message: str):
    with pytest.raises(RecipeError, match=message) as info:
        _load(tmp_path, spec)
    assert f"styles.json: style 'broken': " in str(info.value)
    assert str(tmp_path) in str(info.value)


def test_a_good_spec_file_loads(tmp_path: Path):
    styles = _load(tmp_path, {"centre": _LIP, "choices": {"lipstick.finish": ["matte", "satin"]}, "base": [1, 0, 0]})
    assert list(styles) == ["fine", "broken"] and styles["broken"].centre.name == "broken"
    assert styles["broken"].base == (1.0, 0.0, 0.0)
