"""Skin tone measures and fitting a look to the wearer's skin."""

from __future__ import annotations

import numpy as np

from fram.data.skin import fit_to_skin, ita_category
from fram.face.colour import ita
from fram.makeup.compose import skin_tone
from fram.data.styles import hex_to_lab, sample_style
from fram.face.templates import uv_templates
from fram.face.uv import UVTexture
from fram.makeup.presets import get_preset


def _flat_face(rgb: tuple[int, int, int], size: int = 64) -> UVTexture:
    texture = np.zeros((size, size, 3), np.uint8)
    texture[:] = rgb
    visibility = (uv_templates(size)["face"] > 0).astype(np.float32)
    return UVTexture(texture=texture, visibility=visibility)


def test_ita_and_categories():
    assert round(ita(np.array([70.0, 10.0, 20.0])), 1) == 45.0
    assert ita_category(60.0) == "very light"
    assert ita_category(45.0) == "light"
    assert ita_category(30.0) == "intermediate"
    assert ita_category(15.0) == "tan"
    assert ita_category(0.0) == "brown"
    assert ita_category(-45.0) == "dark"
    assert ita(np.array([30.0, 12.0, 14.0])) < -30  # deep skin


def test_fit_follows_the_skin_and_leaves_bold_colours_alone():
    light, deep = skin_tone(_flat_face((232, 196, 172))), skin_tone(_flat_face((92, 58, 40)))
    style = get_preset("red-carpet")  # base, concealer, contour, blush and a red lip
    on_light, on_deep = fit_to_skin(style, light), fit_to_skin(style, deep)
    for product in ("foundation", "concealer"):
        assert hex_to_lab(getattr(on_deep, product).shade)[0] < hex_to_lab(getattr(on_light, product).shade)[0] - 20
    # contour is deeper than the skin it sits on, on both
    assert hex_to_lab(on_light.contour.color)[0] < 60
    assert hex_to_lab(on_deep.contour.color)[0] < hex_to_lab(on_deep.foundation.shade)[0]
    assert on_light.lipstick.color == on_deep.lipstick.color == style.lipstick.color  # a red is a red
    assert hex_to_lab(on_deep.blush.color)[0] < hex_to_lab(on_light.blush.color)[0]


def test_nude_lip_deepens_on_deep_skin():
    style = sample_style("natural", np.random.default_rng(3))
    deep = fit_to_skin(style, skin_tone(_flat_face((92, 58, 40))))
    assert hex_to_lab(deep.lipstick.color)[0] < hex_to_lab(style.lipstick.color)[0] - 10
