"""fram uv: the face unwrapped into the canonical UV texture."""

import numpy as np
from PIL import Image


def test_uv(cli, photo, tmp_path):
    assert cli("uv", photo, "-o", tmp_path / "t.png").code == 0
    assert Image.open(tmp_path / "t.png").size == (256, 256)


def test_size_and_visibility(cli, photo, out_dir):
    texture, visibility = out_dir / "t.png", out_dir / "v.png"
    assert cli("uv", photo, "--size", "128", "-o", texture, "--visibility", visibility).code == 0
    assert Image.open(texture).size == (128, 128)
    mask = np.asarray(Image.open(visibility))
    assert mask.shape == (128, 128) and mask.max() == 255  # the frontal face is mostly seen


def test_bad_inputs(fails, photo, blank, not_image, out_dir):
    assert "no such file" in fails("uv", out_dir / "missing.png", "-o", out_dir / "t.png")
    assert "cannot read image" in fails("uv", not_image, "-o", out_dir / "t.png")
    assert "no face" in fails("uv", blank, "-o", out_dir / "t.png")
    assert "does not exist" in fails("uv", photo, "-o", out_dir / "no" / "t.png")
    assert "does not exist" in fails("uv", photo, "-o", out_dir / "t.png", "--visibility", out_dir / "no" / "v.png")
    assert list(out_dir.iterdir()) == []


def test_unwritable_output_leaves_no_visibility_mask(fails, photo, out_dir):
    assert "does not exist" in fails("uv", photo, "-o", out_dir / "no" / "t.png", "--visibility", out_dir / "v.png")
    assert list(out_dir.iterdir()) == []
