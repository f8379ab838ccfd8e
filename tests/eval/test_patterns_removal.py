"""Suites ``patterns`` and ``removal`` and the real suite's colour-gap closure: the
metrics behave on real held-out faces (skipped without ../shared/data)."""

import math

import numpy as np
import pytest

from fram.eval.metrics import to_lab
from fram.eval.suites import SuiteOptions, run_suite
from fram.eval.suites.patterns import pattern_scores


def _lab(image):
    return to_lab(image)


def test_pattern_scores_count_shapes_not_tints():
    source = np.full((60, 60, 3), 180, np.uint8)
    truth = source.copy()
    truth[20:30, 20:40] = (200, 30, 30)  # a red bar
    s, t = _lab(source), _lab(truth)
    exact = pattern_scores(s, t, t, radius=1.5)
    assert exact["pat_hit"] == 100.0 and exact["pat_de"] == 0.0 and exact["pat_extra"] == 0.0
    shifted = np.roll(truth, 1, axis=1)
    assert pattern_scores(s, t, _lab(shifted), radius=1.5)["pat_hit"] == 100.0  # a pixel off still counts
    moved = pattern_scores(s, t, _lab(np.roll(truth, 12, axis=0)), radius=1.5)  # the bar drawn below itself
    assert moved["pat_hit"] == 0.0 and moved["pat_extra"] > 50.0
    nothing = pattern_scores(s, t, s, radius=1.5)
    assert nothing["pat_hit"] == 0.0 and nothing["pat_extra"] == 0.0
    wrong = truth.copy()
    wrong[20:30, 20:40] = (30, 30, 200)  # right place, wrong colour
    assert pattern_scores(s, t, _lab(wrong), radius=1.5)["pat_hit"] == 0.0
    extra = truth.copy()
    extra[45:55, 5:25] = (30, 30, 200)  # the same area again, elsewhere
    assert pattern_scores(s, t, _lab(extra), radius=1.5)["pat_extra"] == pytest.approx(100.0)


def test_patterns_suite_layer_reproduces_shapes(shared_data, tmp_path):
    result = run_suite("patterns", ["none", "recipe:natural", "layer"], tmp_path, SuiteOptions(limit=2))
    none, recipe, layer = (result.summary[e] for e in ("none", "recipe:natural", "layer"))
    assert none["n"] == 2 and none["pat_hit"] == 0.0 and none["pat_extra"] == 0.0 and none["identity"] == pytest.approx(0, abs=1e-6)
    assert recipe["pat_hit"] < 20.0  # a preset ignores the reference's shapes
    assert layer["pat_hit"] > 30.0 and layer["pat_hit"] > recipe["pat_hit"] + 25.0
    assert layer["pat_de"] < none["pat_de"]
    assert (tmp_path / "contact_sheet.png").is_file() and "Per skin tone" in (tmp_path / "report.md").read_text()


@pytest.fixture(scope="module")
def removal(shared_data, tmp_path_factory):
    return run_suite("removal", ["remove"], tmp_path_factory.mktemp("removal"), SuiteOptions(limit=2))


def test_removal_suite_measures_synthetic_and_real_pairs(removal):
    s = removal.summary["remove"]
    assert s["n"] == 2 and s["n_real"] >= 1
    for region in ("skin", "eyes", "lips"):
        assert math.isfinite(s[f"rm_de/{region}"]) and math.isfinite(s[f"mu_de/{region}"])
    real = [r for r in removal.records if r["kind"] == "real" and not r.get("error")]
    assert all(r["gap_before/lips"] >= 0 and r["gap_after/lips"] >= 0 for r in real)
    assert any("real pairs:" in note for note in removal.notes)


def test_removal_leaves_bare_faces_alone(removal):
    assert removal.summary["remove"]["bare_de/face"] < 1.0


def test_real_suite_reports_gap_closed(makeup_folder, tmp_path):
    result = run_suite("real", ["none", "recipe:red-carpet"], tmp_path, SuiteOptions(data=makeup_folder))
    # The reference is the astronaut wearing red-carpet: the same preset closes the lip gap.
    assert result.summary["none"]["gap_closed/lips"] == pytest.approx(0.0, abs=1e-9)
    assert result.summary["recipe:red-carpet"]["gap_closed/lips"] > 0.7
