"""fram uv-guide: the UV face template an artist paints a look over."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from fram.face.templates import uv_templates


@pytest.mark.parametrize("size", [512, 256])
def test_the_guide_outlines_the_features_where_the_templates_are(cli, out_dir, size):
    out = out_dir / "guide.png"
    assert cli("uv-guide", "-o", out, *(["--size", size] if size != 512 else [])).code == 0
    with Image.open(out) as image:
        assert image.size == (size, size)
        grey = np.asarray(image.convert("L")).astype(np.int16)
    lips = (uv_templates(size)["lips"] > 0.5).astype(np.uint8)
    edge = cv2.morphologyEx(lips, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    darkest_near = cv2.erode(grey.astype(np.uint8), np.ones((5, 5), np.uint8))
    assert (darkest_near[edge] < 110).mean() > 0.95, "a dark line runs along the lips' outline"
    corner = grey[: size // 16, -size // 16:]
    assert corner.min() > 200 and corner.std() < 1, "a plain light background outside the face"
    eyes, skin = uv_templates(size)["eyes"] > 0.5, uv_templates(size)["skin"] > 0.9
    assert np.median(grey[eyes]) < np.median(grey[skin]) - 40, "the eye openings are shaded: paint there is not worn"


def test_bad_size_or_folder(fails, out_dir):
    assert "--size of the guide must be from 128" in fails("uv-guide", "-o", out_dir / "g.png", "--size", "64")
    assert "does not exist" in fails("uv-guide", "-o", out_dir / "no" / "g.png")
    assert "unknown image type" in fails("uv-guide", "-o", out_dir / "g.txt")
    assert list(out_dir.iterdir()) == []
