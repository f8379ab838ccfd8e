"""The robustness suite's rotation check: a quarter-turned photo made up and turned
back changes the same pixels as the upright one, judged by the same test on both."""

from fram.eval.suites.robustness import _apply, _rotation
from fram.face.image_io import read_image


def test_quarter_turns_change_the_same_pixels(shared_data):
    rgb = read_image(shared_data / "makeup-photos" / "non-makeup" / "vSYYZ241.png")
    upright = _apply(rgb)
    assert upright is not None
    scores = _rotation(rgb, upright)
    for angle in (90, 180, 270):
        assert scores[f"rot{angle}_iou"] > 0.97, scores
    assert scores["rot30_iou"] > 0.8, scores
