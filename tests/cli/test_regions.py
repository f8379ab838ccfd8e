"""fram regions: region masks as .npz, or an overlay picture."""

import numpy as np
from PIL import Image

from fram.cli import main
from fram.face.regions import REGION_NAMES


def test_regions_npz_and_overlay(photo, astronaut, tmp_path):
    npz = tmp_path / "m.npz"
    assert main(["regions", str(photo), "-o", str(npz)]) == 0
    masks = np.load(npz)
    assert masks["lips"].shape == astronaut.shape[:2] and masks["lips"].dtype == np.float32
    assert main(["regions", str(photo), "-o", str(tmp_path / "o.png")]) == 0


def test_npz_has_every_region_and_overlay_tints_the_face(cli, photo, astronaut, masks, out_dir):
    npz, png = out_dir / "m.npz", out_dir / "o.png"
    assert cli("regions", photo, "-o", npz).code == 0
    with np.load(npz) as saved:
        assert sorted(saved.files) == sorted(REGION_NAMES)
        np.testing.assert_array_equal(saved["lips"], masks.full("lips"))
    assert cli("regions", photo, "-o", png).code == 0
    overlay = np.asarray(Image.open(png)).astype(np.int16)
    assert overlay.shape == astronaut.shape
    diff = np.abs(overlay - astronaut).sum(axis=-1)
    assert diff[masks.full("lips") > 0.5].mean() > 20
    assert not diff[300:, :120].any()


def test_bad_inputs(fails, photo, blank, not_image, out_dir):
    assert "no such file" in fails("regions", out_dir / "missing.png", "-o", out_dir / "m.npz")
    assert "cannot read image" in fails("regions", not_image, "-o", out_dir / "m.npz")
    assert "no face" in fails("regions", blank, "-o", out_dir / "m.png")
    assert "face index 1" in fails("regions", photo, "--face", "1", "-o", out_dir / "m.png")
    assert "does not exist" in fails("regions", photo, "-o", out_dir / "no" / "m.npz")
    assert "does not exist" in fails("regions", photo, "-o", out_dir / "no" / "m.png")
    assert list(out_dir.iterdir()) == []
