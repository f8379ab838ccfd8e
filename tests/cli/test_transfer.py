"""fram transfer: a reference's makeup on a source photo, per region, with either engine."""

import json

import numpy as np
import pytest
from PIL import Image


@pytest.mark.parametrize("engine", [[], ["--engine", "classic"]], ids=["fram", "classic"])
def test_photo_reference(cli, engine, photo, reference, out_dir, check_makeup):
    out = out_dir / "out.png"
    result = cli("transfer", photo, reference, *engine, "-o", out)
    assert result.code == 0, result.err
    check_makeup(out)
    assert [p.name for p in out_dir.iterdir()] == ["out.png"]


@pytest.mark.data
def test_real_made_up_reference(cli, shared_data, photo, out_dir, check_makeup):
    reference = sorted((shared_data / "makeup-photos" / "makeup").glob("*.png"))[0]
    assert cli("transfer", photo, reference, "-o", out_dir / "out.png").code == 0
    check_makeup(out_dir / "out.png")


@pytest.mark.parametrize("engine", [[], ["--engine", "classic"]], ids=["fram", "classic"])
def test_per_region_reference_touches_only_its_region(cli, engine, photo, out_dir, check_makeup):
    png = out_dir / "lips.png"
    assert cli("transfer", photo, "--lips", "preset:goth", *engine, "-o", png).code == 0
    check_makeup(png, unchanged=("eyes", "brows"))


def test_classic_writes_the_recipe(cli, photo, reference, out_dir, check_makeup):
    out, recipe = out_dir / "out.png", out_dir / "recipe.json"
    assert cli("transfer", photo, reference, "--engine", "classic", "-o", out, "--recipe", recipe).code == 0
    check_makeup(out)
    assert "lipstick" in json.loads(recipe.read_text())


def test_fram_engine_has_no_recipe_and_says_so_before_any_work(fails, photo, reference, out_dir):
    """--recipe with the (default) fram engine: refused up front, nothing written."""
    recipe = out_dir / "recipe.json"
    assert "--engine classic" in fails("transfer", photo, reference, "-o", out_dir / "out.png", "--recipe", recipe)
    assert list(out_dir.iterdir()) == []


def test_reference_without_face_is_named(fails, photo, blank, out_dir):
    assert "no face found in reference" in fails("transfer", photo, blank, "-o", out_dir / "o.png")
    assert "reference for lips" in fails("transfer", photo, "--lips", blank, "--engine", "classic", "-o", out_dir / "o.png")
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["{missing}", "preset:goth"], "no such file"),
        (["{not_image}", "preset:goth"], "cannot read image"),
        (["{blank}", "preset:goth"], "no face"),
        (["{photo}", "{missing}"], "no such file"),
        (["{photo}"], "give a reference"),
        (["{photo}", "preset:nonexistent-look"], "unknown preset"),
        (["{photo}", "--lips", "preset:nonexistent-look", "--engine", "classic"], "unknown preset"),
        (["{photo}", "preset:goth", "--regions", "ears"], "unknown region"),
        (["{photo}", "preset:goth", "--intensity", "lips=abc"], "bad intensity"),
        (["{photo}", "preset:goth", "--intensity", "-1"], "intensity must be between 0 and 3"),
        (["{photo}", "preset:goth", "--steps", "0"], "steps"),
        (["{photo}", "preset:goth", "--colour-match", "5"], "--colour-match"),
        (["{photo}", "preset:goth", "--face", "1"], "face index 1"),
    ],
)
def test_bad_input_gives_one_clean_line(fails, args, message, photo, blank, not_image, out_dir):
    paths = {"photo": photo, "blank": blank, "not_image": not_image, "missing": out_dir / "missing.png"}
    assert message in fails("transfer", *[a.format(**paths) for a in args], "-o", out_dir / "o.png")
    assert list(out_dir.iterdir()) == []


def test_unknown_engine_and_output_folder(fails, usage_error, photo, out_dir):
    assert "'nope'" in usage_error("transfer", photo, "preset:goth", "--engine", "nope", "-o", out_dir / "o.png")
    assert "does not exist" in fails("transfer", photo, "preset:goth", "-o", out_dir / "no" / "o.png")
    assert list(out_dir.iterdir()) == []


def test_unwritable_recipe_folder_leaves_no_image(fails, photo, out_dir):
    recipe = out_dir / "no" / "r.json"
    assert "does not exist" in fails("transfer", photo, "preset:goth", "--engine", "classic", "-o", out_dir / "o.png", "--recipe", recipe)
    assert list(out_dir.iterdir()) == []


def test_default_engine_is_layer(cli, photo, reference, out_dir):
    for name, engine in (("default", []), ("layer", ["--engine", "layer"]), ("classic", ["--engine", "classic"])):
        assert cli("transfer", photo, reference, *engine, "-o", out_dir / f"{name}.png").code == 0
    default, layer, classic = (np.asarray(Image.open(out_dir / f"{n}.png")) for n in ("default", "layer", "classic"))
    assert np.array_equal(default, layer) and not np.array_equal(default, classic)
