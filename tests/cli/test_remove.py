"""fram remove: a photo's makeup taken off, per region; a bare face stays nearly as it was."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fram.face.colour import rgb_to_lab_fast
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.regions import region_masks

RED_LIPS = "A-Disentangled-Makeu__test_makeup_vFG30.png"
"""A made-up photo with a vivid red lipstick."""


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _chroma(rgb: np.ndarray) -> np.ndarray:
    return np.linalg.norm(rgb_to_lab_fast(rgb.astype(np.float32) / 255)[..., 1:], axis=-1)


@pytest.fixture(scope="module")
def red_lips(shared_data) -> Path:
    path = shared_data / "makeup-photos-extra" / "made-up" / RED_LIPS
    if not path.is_file():
        pytest.skip(f"{RED_LIPS} is not in the shared data")
    return path


def _masks(path: Path):
    image = read_image(path)
    return image, region_masks(image, detect_face(image))


@pytest.mark.data
def test_removal_takes_the_lipstick_off(cli, red_lips, out_dir):
    image, masks = _masks(red_lips)
    lips, eyes = masks.full("lips") > 0.5, masks.full("eyes") > 0.5
    full, half, only_lips = out_dir / "full.png", out_dir / "half.png", out_dir / "lips.png"
    assert cli("remove", red_lips, "-o", full).code == 0
    assert cli("remove", red_lips, "--intensity", "0.5", "-o", half).code == 0
    assert cli("remove", red_lips, "--regions", "lips", "-o", only_lips).code == 0
    before = _chroma(image)[lips].mean()
    after, halfway = _chroma(_pixels(full))[lips].mean(), _chroma(_pixels(half))[lips].mean()
    assert after < before - 8, f"lip chroma {before:.1f} -> {after:.1f}"
    assert after < halfway < before
    lips_only = _pixels(only_lips)
    assert np.array_equal(lips_only[eyes], image[eyes]), "--regions lips leaves the eyes alone"
    assert _chroma(lips_only)[lips].mean() < before - 8


@pytest.mark.data
def test_a_bare_face_changes_little(cli, shared_data, out_dir):
    bare = sorted((shared_data / "makeup-photos-extra" / "bare").glob("*.png"))[0]
    out = out_dir / "out.png"
    assert cli("remove", bare, "-o", out).code == 0
    image, masks = _masks(bare)
    diff = np.abs(_pixels(out).astype(np.int16) - image).mean(axis=-1)
    assert diff.mean() < 3
    assert diff[masks.full("lips") > 0.5].mean() < 15


def test_brows_are_hair(cli, photo, astronaut, out_dir):
    out = out_dir / "out.png"
    result = cli("remove", photo, "--regions", "brows", "-o", out)
    assert result.code == 0 and "fram: note: brows are hair" in result.err
    assert np.array_equal(_pixels(out), astronaut)


def test_bad_input_gives_one_clean_line(fails, photo, blank, out_dir):
    assert "no face" in fails("remove", blank, "-o", out_dir / "o.png")
    assert "unknown region" in fails("remove", photo, "--regions", "ears", "-o", out_dir / "o.png")
    assert "bad intensity" in fails("remove", photo, "--intensity", "lips=abc", "-o", out_dir / "o.png")
    assert "does not exist" in fails("remove", photo, "-o", out_dir / "no" / "o.png")
    assert list(out_dir.iterdir()) == []
