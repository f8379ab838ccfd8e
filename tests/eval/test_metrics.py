import math

import numpy as np
import pytest

from fram.eval.metrics import (
    ITA_BINS,
    METRIC_INFO,
    adapt_to_anchor,
    delta_e00,
    histogram_distance,
    ita,
    ita_group,
    landmark_displacement,
    psnr,
    robust_color,
    to_lab,
)


def test_delta_e00_known_value_and_identity():
    # Sharma, Wu & Dalal (2005), test pair 1.
    a, b = np.array([50.0, 2.6772, -79.7751]), np.array([50.0, 0.0, -82.7485])
    assert float(delta_e00(a, b)) == pytest.approx(2.0425, abs=1e-4)
    assert float(delta_e00(b, a)) == pytest.approx(2.0425, abs=1e-4)
    assert float(delta_e00(a, a)) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        delta_e00(np.zeros((2, 3)), np.zeros((3, 3)))


def test_to_lab_white_and_shape(astronaut):
    assert to_lab(np.full((1, 1, 3), 255, np.uint8))[0, 0] == pytest.approx([100, 0, 0], abs=1e-2)
    assert to_lab(astronaut[:8, :8]).shape == (8, 8, 3)
    with pytest.raises(ValueError, match=r"\(\.\.\., 3\)"):
        to_lab(np.zeros((4, 4)))


def test_psnr(astronaut):
    assert psnr(astronaut, astronaut) == math.inf
    noisy = np.clip(astronaut.astype(int) + 4, 0, 255).astype(np.uint8)
    assert 30 < psnr(astronaut, noisy) < 50
    mask = np.zeros(astronaut.shape[:2], np.float32)
    assert math.isnan(psnr(astronaut, noisy, mask))
    mask[:10] = 1
    assert psnr(astronaut, astronaut, mask) == math.inf
    with pytest.raises(ValueError, match="mask must have shape"):
        psnr(astronaut, noisy, mask[:5])


def test_robust_color_ignores_highlights():
    lab = np.zeros((10, 10, 3))
    lab[...] = (40.0, 50.0, 20.0)
    lab[0, :] = (99.0, 0.0, 0.0)  # a specular streak
    weights = np.ones((10, 10))
    assert robust_color(lab, weights) == pytest.approx([40, 50, 20])
    assert np.isnan(robust_color(lab, np.zeros((10, 10)))).all()


def _lab_of_linear(rgb_linear):
    srgb = np.where(rgb_linear <= 0.0031308, 12.92 * rgb_linear, 1.055 * rgb_linear ** (1 / 2.4) - 0.055)
    return to_lab(np.asarray(srgb, np.float64).reshape(1, -1, 3)).reshape(-1, 3)


def test_adapt_to_anchor_removes_exposure_and_tint():
    skin, lips = np.array([0.45, 0.30, 0.22]), np.array([0.40, 0.06, 0.08])
    ref_skin_lab, ref_lips_lab = _lab_of_linear(np.stack([skin, lips]))
    # The same face photographed darker (exposure) and warmer (light colour).
    for gain in (np.array([0.6, 0.6, 0.6]), np.array([0.9, 0.75, 0.6])):
        shot_skin_lab, shot_lips_lab = _lab_of_linear(np.stack([skin * gain, lips * gain]))
        assert float(delta_e00(shot_lips_lab, ref_lips_lab)) > 4
        fixed = adapt_to_anchor(shot_lips_lab, shot_skin_lab, ref_skin_lab)
        assert float(delta_e00(fixed, ref_lips_lab)) < 1.5
    assert adapt_to_anchor(ref_lips_lab, ref_skin_lab, ref_skin_lab) == pytest.approx(ref_lips_lab, abs=1e-6)
    assert np.isnan(adapt_to_anchor(ref_lips_lab, np.full(3, np.nan), ref_skin_lab)).all()


def test_histogram_distance():
    rng = np.random.default_rng(0)
    pixels = rng.normal((50, 10, 10), 5, size=(500, 3))
    assert histogram_distance(pixels, pixels) == 0.0
    assert histogram_distance(pixels, pixels + (3, 3, 3)) == pytest.approx(3.0)
    # Same mean, different spread: a mean-colour distance would call these equal.
    assert histogram_distance(pixels, (pixels - 50) * 3 + 50) > 2
    assert math.isnan(histogram_distance(pixels, np.zeros((0, 3))))


def test_ita_and_bins():
    assert ita(np.array([[70.0, 10.0, 20.0]])) == pytest.approx(45.0)
    assert ita(np.array([[30.0, 10.0, 20.0]])) == pytest.approx(-45.0)
    assert [ita_group(a) for a in (60, 55, 41, 40.9, 28, 10, 0, -30, -31)] == [
        "very light", "very light", "light", "intermediate", "intermediate", "tan", "brown", "brown", "dark",
    ]
    assert ita_group(float("nan")) == "unknown"
    assert [b[0] for b in ITA_BINS] == ["very light", "light", "intermediate", "tan", "brown", "dark"]


def test_landmark_displacement(astronaut_face):
    points = astronaut_face.landmarks
    assert landmark_displacement(points, points) == 0.0
    iod = np.linalg.norm(points[33, :2] - points[263, :2])
    shifted = points.copy()
    shifted[:, 0] += 0.1 * iod
    assert landmark_displacement(points, shifted) == pytest.approx(10.0, rel=1e-4)
    with pytest.raises(ValueError):
        landmark_displacement(points, points[:10])


def test_every_metric_is_documented():
    for key, info in METRIC_INFO.items():
        assert info.label and info.range and info.better and info.what, key
