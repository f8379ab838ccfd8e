"""fram extract: a look saved as a .fram file, from a made-up photo or from a painting
over the UV guide, and worn again by ``apply --look`` and ``transfer``."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from fram.cli import main
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.templates import uv_templates
from fram.face.uv import project

GUIDE = 512


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(np.int16)


@pytest.fixture(scope="module")
def bare_face(shared_data) -> Path:
    return sorted((shared_data / "makeup-photos-extra" / "bare").glob("*.png"))[0]


@pytest.fixture(scope="module")
def made_up(shared_data) -> Path:
    return sorted((shared_data / "makeup-photos-extra" / "made-up").glob("*.png"))[0]


@pytest.fixture(scope="module")
def saved_look(tmp_path_factory, made_up) -> Path:
    path = tmp_path_factory.mktemp("looks") / "look.fram"
    assert main(["extract", str(made_up), "-o", str(path)]) == 0
    return path


@pytest.mark.data
def test_a_saved_look_is_worn_like_the_photo_it_came_from(cli, bare_face, made_up, saved_look, out_dir):
    from_photo, from_look, applied = out_dir / "photo.png", out_dir / "look.png", out_dir / "applied.png"
    assert cli("transfer", bare_face, made_up, "--engine", "layer", "-o", from_photo).code == 0
    assert cli("transfer", bare_face, saved_look, "--engine", "layer", "-o", from_look).code == 0
    assert cli("apply", bare_face, "--look", saved_look, "-o", applied).code == 0
    bare = _pixels(bare_face)
    x0, y0, x1, y1 = (int(v) for v in detect_face(bare.astype(np.uint8)).bbox)
    face = (slice(y0, y1), slice(x0, x1))
    # This reference's look is a pale lip and a faint blush as read (0.52 mean change over
    # the face box, 0.47 since darkening by one eye only is taken for light): it must show.
    assert np.abs(_pixels(from_photo) - bare)[face].mean() > 0.3, "the look changed the face"
    assert np.abs(_pixels(from_look) - _pixels(from_photo)).mean() < 1
    assert np.array_equal(_pixels(applied), _pixels(from_look)), "apply --look is the layer engine's transfer"


@pytest.fixture(scope="module")
def star() -> np.ndarray:
    """(GUIDE, GUIDE, 4) uint8: a red star painted on the right cheek of the UV guide, transparent elsewhere."""
    cheeks = (uv_templates(GUIDE)["cheeks"] > 0.5).astype(np.uint8)
    _, _, _, centres = cv2.connectedComponentsWithStats(cheeks)
    x, y = centres[1]  # the person's right cheek: the image's left
    angles = np.arange(10) * np.pi / 5 - np.pi / 2
    radii = np.where(np.arange(10) % 2 == 0, 30, 12)
    points = np.stack([x + radii * np.cos(angles), y + radii * np.sin(angles)], 1)
    painting = np.zeros((GUIDE, GUIDE, 4), np.uint8)
    cv2.fillPoly(painting, [np.round(points).astype(np.int32)], (220, 20, 30, 255))
    return painting


@pytest.mark.data
def test_a_painted_star_lands_on_the_cheek(cli, bare_face, star, out_dir):
    painted, look, out = out_dir / "painted.png", out_dir / "star.fram", out_dir / "out.png"
    Image.fromarray(star).save(painted)
    assert cli("extract", "--uv", painted, "-o", look).code == 0
    assert cli("apply", bare_face, "--look", look, "-o", out).code == 0

    image = read_image(bare_face)
    under = project(star[..., 3].astype(np.float32) / 255, detect_face(image)).full()[..., 0]
    result, bare = _pixels(out), image.astype(np.int16)
    core = under > 0.95
    assert core.sum() > 200, "the star covers part of the photo's cheek"
    redness = lambda x: (x[..., 0] - np.maximum(x[..., 1], x[..., 2]))[core].mean()  # noqa: E731
    assert redness(result) > redness(bare) + 80, "the cheek under the star turned red"
    near = cv2.dilate((under > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert np.array_equal(result[~near], bare[~near]), "pixels away from the star kept their bits"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"hello, not a look", "not a fram look file (not a zip archive)"),
        (_zip({"notes.txt": b"hi"}), "look.json is missing"),
        (_zip({"look.json": json.dumps({"format": "other-tool"}).encode()}), "not a fram look file"),
        (_zip({"look.json": json.dumps({"format": "fram-look", "version": 7}).encode()}), "made by a newer fram"),
    ],
    ids=["garbage", "foreign-zip", "foreign-format", "newer"],
)
def test_bad_look_files_give_one_clean_line(fails, photo, out_dir, tmp_path, content, message):
    look = tmp_path / "bad.fram"
    look.write_bytes(content)
    for argv in (("transfer", photo, look, "--engine", "layer"), ("apply", photo, "--look", look)):
        line = fails(*argv, "-o", out_dir / "o.png")
        assert message in line and "bad.fram" in line
    assert list(out_dir.iterdir()) == []


def test_extract_checks_its_arguments_before_any_work(fails, photo, blank, out_dir, tmp_path):
    painting = tmp_path / "p.png"
    Image.fromarray(np.zeros((256, 256, 4), np.uint8)).save(painting)
    assert "exactly one" in fails("extract", "-o", out_dir / "l.fram")
    assert "exactly one" in fails("extract", photo, "--uv", painting, "-o", out_dir / "l.fram")
    assert "ends in .fram" in fails("extract", photo, "-o", out_dir / "look.zip")
    assert "does not exist" in fails("extract", photo, "-o", out_dir / "no" / "l.fram")
    assert "no face" in fails("extract", blank, "-o", out_dir / "l.fram")
    assert "no such file" in fails("extract", "--uv", tmp_path / "missing.png", "-o", out_dir / "l.fram")
    (tmp_path / "x.fram").write_bytes(b"read only after the arguments are checked")
    assert "recipe look" in fails("apply", photo, "--look", tmp_path / "x.fram", "--recipe", out_dir / "r.json",
                                  "-o", out_dir / "o.png")
    assert list(out_dir.iterdir()) == []


def test_a_flat_picture_is_no_painting(cli, fails, out_dir):
    guide = out_dir / "guide.png"
    assert cli("uv-guide", "-o", guide, "--size", 256).code == 0
    assert "no transparency" in fails("extract", "--uv", guide, "-o", out_dir / "l.fram")
    assert [p.name for p in out_dir.iterdir()] == ["guide.png"]
