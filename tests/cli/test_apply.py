"""fram apply: a preset, a recipe file or words on a photo."""

import json

import numpy as np
import pytest
from PIL import Image

from fram.cli import main


def test_apply_preset_keeps_size_and_background(photo, astronaut, tmp_path):
    out = tmp_path / "out.jpg"
    assert main(["apply", str(photo), "--style", "red-carpet", "-o", str(out)]) == 0
    result = np.asarray(Image.open(out))
    assert result.shape == astronaut.shape
    png = tmp_path / "out.png"
    assert main(["apply", str(photo), "--style", "red-carpet", "--intensity", "lips=1,eyes=0.5", "-o", str(png)]) == 0
    result = np.asarray(Image.open(png))
    assert np.array_equal(result[400:], astronaut[400:])  # the suit and the background


def test_apply_text_and_regions(photo, astronaut, tmp_path):
    out = tmp_path / "lips.png"
    assert main(["apply", str(photo), "--text", "glossy berry lips", "--regions", "lips", "-o", str(out)]) == 0
    assert not np.array_equal(np.asarray(Image.open(out)), astronaut)


def test_apply_writes_the_recipe_it_applied(cli, photo, out_dir, check_makeup):
    out, recipe = out_dir / "goth.png", out_dir / "goth.json"
    assert cli("apply", photo, "--style", "goth", "--regions", "lips", "-o", out, "--recipe", recipe).code == 0
    check_makeup(out, unchanged=("eyes", "brows"))
    assert "lipstick" in json.loads(recipe.read_text())


@pytest.mark.parametrize(
    "args, message",
    [
        (["apply", "{not_image}", "--style", "goth"], "cannot read image"),
        (["apply", "{blank}", "--style", "goth"], "no face"),
        (["apply", "{photo}", "--style", "{bad_json}"], "not valid JSON"),
        (["apply", "{photo}", "--style", "nonexistent-look"], "unknown preset"),
        (["apply", "{photo}", "--style", "goth", "--regions", "ears"], "unknown region"),
        (["apply", "{photo}", "--style", "goth", "--intensity", "lips=abc"], "bad intensity"),
    ],
)
def test_bad_input_gives_one_clean_line(args, message, photo, tmp_path, capsys):
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("hello")
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((200, 200, 3), 90, np.uint8)).save(blank)
    bad_json = tmp_path / "look.json"
    bad_json.write_text('{"lipstick": {"color": "#aa0000",')
    paths = {"not_image": not_image, "blank": blank, "photo": photo, "bad_json": bad_json}
    out = tmp_path / "never.png"
    argv = [a.format(**paths) for a in args] + ["-o", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.glob(".never*")) == []


def test_missing_photo_and_output_folder(fails, photo, out_dir):
    assert "no such file" in fails("apply", out_dir / "missing.png", "--style", "goth", "-o", out_dir / "x.png")
    assert "does not exist" in fails("apply", photo, "--style", "goth", "-o", out_dir / "no" / "x.png")
    assert "exactly one of --style" in fails("apply", photo, "-o", out_dir / "x.png")
    assert list(out_dir.iterdir()) == []


def test_unwritable_recipe_folder_leaves_no_image(fails, photo, out_dir):
    assert "does not exist" in fails("apply", photo, "--style", "goth", "-o", out_dir / "x.png", "--recipe", out_dir / "no" / "r.json")
    assert list(out_dir.iterdir()) == []
