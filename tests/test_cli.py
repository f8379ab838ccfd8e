import json

import numpy as np
import pytest
from PIL import Image

from fram.cli import main


@pytest.fixture(scope="module")
def photo(tmp_path_factory, astronaut):
    path = tmp_path_factory.mktemp("in") / "astronaut.png"
    Image.fromarray(astronaut).save(path)
    return path


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


def test_regions_npz_and_overlay(photo, astronaut, tmp_path):
    npz = tmp_path / "m.npz"
    assert main(["regions", str(photo), "-o", str(npz)]) == 0
    masks = np.load(npz)
    assert masks["lips"].shape == astronaut.shape[:2] and masks["lips"].dtype == np.float32
    assert main(["regions", str(photo), "-o", str(tmp_path / "o.png")]) == 0


def test_landmarks_and_uv(photo, tmp_path, capsys):
    assert main(["landmarks", str(photo)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["faces"]) == 1 and len(doc["faces"][0]["landmarks"]) == 478
    assert main(["uv", str(photo), "-o", str(tmp_path / "t.png")]) == 0
    assert Image.open(tmp_path / "t.png").size == (256, 256)


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
