import numpy as np
import pytest

from fram.makeup.compose import analyse, apply_style
from fram.makeup.presets import get_preset
from fram.makeup.recipe import MakeupStyle
from fram.makeup.render import render_uv


@pytest.fixture(scope="module")
def analysis(astronaut, astronaut_face):
    return analyse(astronaut, astronaut_face)


def _uv(analysis):
    x = analysis.texture.texture.transpose(2, 0, 1)[None].astype(np.float32) / 255
    v = analysis.texture.visibility[None, None]
    return x, v


def test_empty_recipe_changes_nothing(astronaut, analysis):
    out = apply_style(astronaut, analysis, MakeupStyle())
    assert np.array_equal(out, astronaut)
    x, v = _uv(analysis)
    assert np.abs(render_uv(x, v, [MakeupStyle()]).texture - x).max() < 2 / 255


def test_lipstick_paints_only_the_lips(astronaut, analysis):
    style = MakeupStyle.from_dict({"lipstick": {"color": "#b0103a", "opacity": 1.0, "finish": "matte"}})
    out = apply_style(astronaut, analysis, style)
    assert out.shape == astronaut.shape
    changed = np.any(out != astronaut, axis=2)
    lips = analysis.regions.full("lips")
    assert changed[lips > 0.5].mean() > 0.9
    assert not changed[lips == 0].any(), "pixels outside the lips changed"
    # Redder lips: mean a*-like redness (R - G) goes up.
    before = astronaut[lips > 0.5].astype(int)
    after = out[lips > 0.5].astype(int)
    assert (after[:, 0] - after[:, 1]).mean() > (before[:, 0] - before[:, 1]).mean() + 15


def test_full_look_keeps_background_eyes_and_mouth(astronaut, analysis):
    out = apply_style(astronaut, analysis, get_preset("smoky-night"))
    changed = np.any(out != astronaut, axis=2)
    holes = np.zeros(astronaut.shape[:2], np.float32)
    holes[analysis.projection.slices] = analysis.regions.holes
    outside = np.ones(astronaut.shape[:2], bool)
    outside[analysis.projection.slices] = False
    assert not changed[outside].any()
    assert not changed[holes > 0.99].any()
    assert changed.sum() > 1000


def test_skin_texture_survives_foundation(astronaut, analysis):
    style = MakeupStyle.from_dict({"foundation": {"shade": "#c89a7a", "coverage": 0.5}})
    out = apply_style(astronaut, analysis, style).astype(np.float32)
    skin = analysis.regions.full("skin") > 0.9
    import cv2

    def detail(img):
        g = img.mean(axis=2)
        return np.abs(g - cv2.GaussianBlur(g, (0, 0), 2))[skin].mean()

    assert detail(out) > 0.4 * detail(astronaut.astype(np.float32))


def test_batched_render_matches_single(analysis):
    x, v = _uv(analysis)
    styles = [get_preset("natural"), get_preset("goth")]
    both = render_uv(np.repeat(x, 2, axis=0), np.repeat(v, 2, axis=0), styles).texture
    one = render_uv(x, v, [styles[1]]).texture
    assert both.dtype == np.float32 and np.abs(both[1:] - one).max() < 1e-4
    assert np.abs(both[0] - both[1]).mean() > 0.005


def test_black_and_white_photo_stays_black_and_white(astronaut):
    """Makeup on a monochrome photo comes out in grey, as the film would have shown it:
    the lips still darken, no pixel gains colour, untouched pixels stay bit-identical."""
    from fram.face.landmarks import detect_face
    from fram.face.regions import region_masks

    grey = np.repeat((astronaut.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).round().astype(np.uint8)[..., None], 3, axis=2)
    face = detect_face(grey)
    out = apply_style(grey, analyse(grey, face), get_preset("red-carpet"))
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
    lips = region_masks(grey, face).full("lips") > 0.5
    assert out[lips].mean() < grey[lips].mean() - 5
    changed = (out != grey).any(axis=2)
    assert changed.any() and np.array_equal(out[~changed], grey[~changed])
    colour = apply_style(astronaut, analyse(astronaut, detect_face(astronaut)), get_preset("red-carpet"))
    assert np.abs(colour[..., 0].astype(int) - colour[..., 1]).max() > 50, "a colour photo keeps its colours"
