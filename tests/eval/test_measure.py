import math

import numpy as np
import pytest

from fram.eval.measure import GROUPS, Photo, measure_transfer


def test_untouched_photo_measures_zero(source_photo, astronaut):
    m = measure_transfer(source_photo, astronaut.copy(), GROUPS, {g: source_photo for g in GROUPS})
    assert m["identity"] == pytest.approx(0.0, abs=1e-6)
    assert m["leak_de"] == 0.0 and m["leak_frac"] == 0.0 and m["hole_de"] == 0.0
    assert m["bg_psnr"] == math.inf
    assert m["lm_nme"] == 0.0 and m["lips_nme"] == 0.0
    # The result is its own reference: perfect fidelity in every region.
    for region in ("cheeks", "eyes", "brows", "lips"):
        assert m[f"fid_de/{region}"] == pytest.approx(0.0, abs=1e-6)
        assert m[f"change/{region}"] == 0.0
    assert m["fid_de_raw/skin"] == pytest.approx(0.0, abs=1e-6)


def test_fram_makeup_keeps_background_and_does_not_leak(source_photo, astronaut_red):
    m = measure_transfer(source_photo, astronaut_red, GROUPS, structure=False, identity=False)
    assert m["bg_psnr"] == math.inf
    assert m["leak_de"] < 0.05 and m["hole_de"] < 0.05
    assert m["change/lips"] > 10  # a bold red lip is clearly visible
    lips_only = measure_transfer(source_photo, astronaut_red, ("lips",), structure=False, identity=False)
    assert lips_only["leak_de"] > 0.5 and lips_only["leak_frac"] > 5  # the rest of the look counts as leakage


def test_leakage_sees_colour_bleeding_onto_the_lids(source_photo, astronaut):
    """A lips-only transfer that also tints the eyelids must show leakage there."""
    from fram.pipelines import apply_makeup

    lips = apply_makeup(astronaut, "red-carpet", regions="lips").image
    clean = measure_transfer(source_photo, lips, ("lips",), structure=False, identity=False)
    bleed = lips.copy()
    lids = source_photo.selection["eyes"] > 0.5
    bleed[lids] = (0.5 * bleed[lids] + 0.5 * np.array([200, 20, 40])).astype(np.uint8)
    dirty = measure_transfer(source_photo, bleed, ("lips",), structure=False, identity=False)
    assert clean["leak_de"] < 0.05
    assert dirty["leak_de"] > clean["leak_de"] + 0.5 and dirty["leak_frac"] > 1
    assert dirty["bg_psnr"] == math.inf  # lids are face, not background


def test_painted_teeth_and_background_are_caught(source_photo, astronaut):
    painted = astronaut.copy()
    painted[source_photo.masks.full("mouth") > 0.9] = (250, 0, 0)
    painted[:10, :10] = 0
    m = measure_transfer(source_photo, painted, GROUPS, structure=False, identity=False)
    assert m["hole_de"] > 1 and m["leak_de"] > 0
    assert m["bg_psnr"] < 60


def test_ground_truth_metrics(source_photo, astronaut_red):
    m = measure_transfer(source_photo, astronaut_red, GROUPS, ground_truth=astronaut_red, structure=False, identity=False)
    assert m["gt_de/face"] == 0.0 and m["gt_psnr/face"] == math.inf and m["gt_psnr/lips"] == math.inf
    m = measure_transfer(source_photo, source_photo.image, GROUPS, ground_truth=astronaut_red, structure=False, identity=False)
    assert m["gt_de/lips"] > 10 and m["gt_psnr/lips"] < 30


def test_no_face_and_shape_errors(astronaut):
    blank = Photo(np.full((100, 100, 3), 200, np.uint8), "blank")
    assert blank.face is None and "no face" in blank.error
    with pytest.raises(ValueError, match="cannot measure"):
        measure_transfer(blank, blank.image)
    with pytest.raises(ValueError, match="shape"):
        measure_transfer(Photo(astronaut, "a"), astronaut[:100])
