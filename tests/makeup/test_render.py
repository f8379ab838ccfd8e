import numpy as np
import pytest
import torch

from fram.face.colour import srgb_to_linear
from fram.makeup.compose import analyse, apply_style
from fram.makeup.presets import get_preset
from fram.makeup.recipe import MakeupStyle
from fram.makeup.render import render_uv


@pytest.fixture(scope="module")
def analysis(astronaut, astronaut_face):
    return analyse(astronaut, astronaut_face)


def _uv(analysis):
    x = torch.from_numpy(analysis.texture.texture).permute(2, 0, 1)[None].float() / 255
    v = torch.from_numpy(analysis.texture.visibility)[None, None]
    return x, v


def test_empty_recipe_changes_nothing(astronaut, analysis):
    out = apply_style(astronaut, analysis, MakeupStyle())
    assert np.array_equal(out, astronaut)
    x, v = _uv(analysis)
    assert (render_uv(x, v, [MakeupStyle()]).texture - x).abs().max() < 2 / 255


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
    both = render_uv(x.repeat(2, 1, 1, 1), v.repeat(2, 1, 1, 1), styles).texture
    one = render_uv(x, v, [styles[1]]).texture
    assert (both[1:] - one).abs().max() < 1e-4
    assert (both[0] - both[1]).abs().mean() > 0.005


def test_recipe_numbers_are_differentiable(analysis):
    """A lipstick colour is recovered from a rendered texture by gradient descent."""
    x, v = _uv(analysis)
    style = MakeupStyle.from_dict({"lipstick": {"color": "#a0203a", "opacity": 0.9}})
    with torch.no_grad():
        target = render_uv(x, v, [style]).texture
    color = torch.tensor([[0.5, 0.5, 0.5]], requires_grad=True)
    optimiser = torch.optim.Adam([color], lr=0.06)
    for _ in range(30):
        optimiser.zero_grad()
        out = render_uv(x, v, [style], overrides={"lipstick.color": color.clamp(0, 1)})
        loss = (out.texture - target).abs().mean()
        loss.backward()
        optimiser.step()
    # Compared in linear light, where the renderer mixes colours (sRGB 0x20 and 0x00
    # differ by only 0.015 there).
    recovered = srgb_to_linear(color.detach().clamp(0, 1)[0])
    expected = srgb_to_linear(torch.tensor([0xA0, 0x20, 0x3A]) / 255.0)
    assert (recovered - expected).abs().max() < 0.05, recovered


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
