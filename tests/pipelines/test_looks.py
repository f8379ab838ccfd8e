"""Saved looks (.fram): the file round-trips a real photo's look, refuses every kind of
bad file with one line naming it, and a painting becomes a layer."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from fram.errors import RecipeError
from fram.makeup.decompose import MakeupLayer, srgb_from_linear
from fram.makeup.look_file import (
    ALPHA_MEMBER,
    COLOUR_MEMBER,
    MANIFEST,
    Look,
    decode_look,
    encode_look,
    layer_from_painting,
)
from fram.makeup.presets import get_preset
from fram.pipelines import extract_look, load_look, painted_look, resolve_reference, save_look


@pytest.fixture(scope="module")
def made_up_photo(shared_data) -> Path:
    return sorted((shared_data / "makeup-photos-extra" / "made-up").glob("*.png"))[0]


@pytest.fixture(scope="module")
def small_look() -> Look:
    """A look made by hand (no face needed): a red stripe at half coverage, a lipstick recipe."""
    colour = np.zeros((64, 64, 3), np.float32)
    colour[..., 0] = 0.8
    alpha = np.zeros((64, 64), np.float32)
    alpha[20:30] = 0.5
    recipe = get_preset("goth").model_copy(update={"name": "stripe"})
    return Look("stripe", recipe, MakeupLayer(colour=colour, alpha=alpha))


@pytest.mark.data
def test_round_trip_of_a_real_photos_look(made_up_photo, tmp_path):
    look = extract_look(made_up_photo)
    assert look.name == made_up_photo.stem and look.layer.alpha.max() > 0.5, "the photo shows makeup"
    path = tmp_path / "look.fram"
    save_look(path, *look)
    assert [p.name for p in tmp_path.iterdir()] == ["look.fram"]  # no temporary file left behind
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted([MANIFEST, COLOUR_MEMBER, ALPHA_MEMBER])
        doc = json.loads(archive.read(MANIFEST))
    assert doc["format"] == "fram-look" and doc["version"] == 1 and doc["created_by"].startswith("fram ")
    assert doc["layer"] == {"size": look.layer.size, "colour": COLOUR_MEMBER, "alpha": ALPHA_MEMBER,
                            "skin_lab": [round(float(v), 3) for v in look.layer.skin]}

    name, recipe, layer = load_look(path)
    assert name == look.name and recipe == look.recipe
    assert layer.size == look.layer.size and layer.colour.dtype == np.float32
    assert np.abs(layer.alpha - look.layer.alpha).max() <= 1 / 65535
    srgb_error = np.abs(srgb_from_linear(layer.colour) - srgb_from_linear(look.layer.colour))
    assert srgb_error.max() <= 1 / 255


def test_a_saved_look_is_a_reference_with_its_layer_and_recipe(small_look, tmp_path):
    path = tmp_path / "stripe.fram"
    save_look(path, *small_look)
    for value in (path, str(path), small_look):
        ref = resolve_reference(value)
        assert ref.has_layer and not ref.is_photo and ref.name == "stripe"
        assert ref.recipe() == small_look.recipe
        assert np.allclose(ref.layer().alpha, small_look.layer.alpha, atol=1 / 65535)


def _rebuilt(data: bytes, *, drop: str | None = None, replace: dict[str, bytes] | None = None, **manifest) -> bytes:
    """A copy of look file bytes with a member dropped or replaced, or manifest fields changed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    doc = json.loads(members[MANIFEST])
    doc.update(manifest)
    members[MANIFEST] = json.dumps(doc).encode()
    members.update(replace or {})
    members.pop(drop, None)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return out.getvalue()


def _png(pixels: np.ndarray, ext: str = ".png") -> bytes:
    return cv2.imencode(ext, pixels)[1].tobytes()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: b"PK\x03\x04 not really a zip", "not a zip archive"),
        (lambda d: json.dumps({"format": "fram-look"}).encode(), "not a zip archive"),
        (lambda d: _rebuilt(d, drop=MANIFEST), "look.json is missing"),
        (lambda d: _rebuilt(d, drop=ALPHA_MEMBER), "alpha.png is missing"),
        (lambda d: _rebuilt(d, replace={MANIFEST: b"{not json"}), "look.json is not valid JSON"),
        (lambda d: _rebuilt(d, format="photoshop-brush"), "not a fram look file"),
        (lambda d: _rebuilt(d, version=2), "made by a newer fram"),
        (lambda d: _rebuilt(d, version="1"), "bad version"),
        (lambda d: _rebuilt(d, recipe={"lipstick": {"color": "not-a-colour"}}), "bad recipe"),
        (lambda d: _rebuilt(d, recipe={"version": 9}), "bad recipe"),
        (lambda d: _rebuilt(d, layer={"size": 64, "colour": "colour.png"}), "must name members"),
        (lambda d: _rebuilt(d, layer={"size": 10**6, "colour": COLOUR_MEMBER, "alpha": ALPHA_MEMBER}), "layer size"),
        (lambda d: _rebuilt(d, replace={COLOUR_MEMBER: _png(np.zeros((32, 32, 3), np.uint8))}), "not the layer's 64x64"),
        (lambda d: _rebuilt(d, replace={ALPHA_MEMBER: _png(np.zeros((64, 64), np.uint8))}), "16-bit grey"),
        (lambda d: _rebuilt(d, replace={COLOUR_MEMBER: _png(np.zeros((64, 64, 3), np.uint8), ".jpg")}), "not a readable PNG"),
        (lambda d: _rebuilt(d, replace={COLOUR_MEMBER: _png(np.zeros((64, 64, 3), np.uint8))[:-40]}), "not a readable PNG"),
    ],
    ids=["garbage", "json-not-zip", "no-manifest", "no-alpha", "bad-json", "foreign", "newer", "version-text",
         "bad-colour", "recipe-version", "layer-entry", "layer-size", "png-size", "8-bit-alpha", "jpeg", "truncated-png"],
)
def test_bad_look_files_give_one_line_naming_the_file(small_look, tmp_path, change, message):
    path = tmp_path / "bad.fram"
    path.write_bytes(change(encode_look(small_look)))
    with pytest.raises(RecipeError) as caught:
        load_look(path)
    text = str(caught.value)
    assert message in text and str(path) in text and "\n" not in text


def test_members_are_size_capped_before_they_are_read(small_look, monkeypatch):
    """A zip bomb: a member that would unpack far beyond any honest look is refused unread."""
    bomb = _rebuilt(encode_look(small_look), replace={"colour.png": bytes(80 << 20)})
    with pytest.raises(RecipeError, match="colour.png is 83,886,080 bytes unpacked, above the limit"):
        decode_look(bomb, "bomb.fram")


def test_missing_and_folder_paths(tmp_path):
    with pytest.raises(RecipeError, match="no such file"):
        load_look(tmp_path / "nope.fram")
    with pytest.raises(RecipeError, match="it is a folder"):
        load_look(tmp_path)


def test_a_painting_becomes_a_layer(tmp_path):
    rgba = np.zeros((300, 300, 4), np.uint8)
    rgba[100:200, 100:200] = (255, 0, 0, 255)
    layer = layer_from_painting(rgba)
    assert layer.size == 256, "a 300 px painting is worn at 256 px"
    inside, outside = layer.alpha[100:150, 100:150], layer.alpha[:60, :60]
    assert inside.min() > 0.99 and outside.max() == 0
    assert np.allclose(layer.colour[120, 120], (1, 0, 0), atol=1e-3)
    assert layer_from_painting(np.zeros((600, 600, 4), np.uint8)).size == 512

    path = tmp_path / "painted.png"
    cv2.imwrite(str(path), cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    look = painted_look(path)
    assert look.name == "painted" and look.recipe.products() == []
    assert np.array_equal(look.layer.alpha, layer.alpha)


@pytest.mark.parametrize(
    "pixels, message",
    [
        (np.zeros((300, 200, 4), np.uint8), "must be square"),
        (np.zeros((100, 100, 4), np.uint8), "too small"),
        (np.zeros((300, 300, 3), np.uint8), "transparent (RGBA)"),
    ],
)
def test_bad_paintings(pixels, message):
    with pytest.raises(RecipeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        layer_from_painting(pixels, "painted.png")


def test_a_painting_without_transparency_is_refused(tmp_path):
    path = tmp_path / "flat.png"
    cv2.imwrite(str(path), np.zeros((256, 256, 3), np.uint8))
    with pytest.raises(RecipeError, match="has no transparency"):
        painted_look(path)
