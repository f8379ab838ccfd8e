"""Pattern looks: every product draws its shape where it belongs, and wears on a real face."""

import numpy as np
import pytest

from fram.face.templates import uv_templates
from fram.makeup.patterns import PRODUCTS, draw_pattern, sample_pattern, wear_pattern


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_each_product_paints_inside_the_face_off_the_openings(name):
    look = draw_pattern((name,), np.random.default_rng(1), 256)
    tpl = uv_templates(256)
    alpha = look.layer.alpha
    assert look.name == name and alpha.shape == (256, 256) and look.layer.colour.shape == (256, 256, 3)
    assert (alpha > 0.5).sum() >= 20, "the product drew nothing visible"
    assert alpha[tpl["face"] == 0].max() == 0.0
    assert alpha[(tpl["eyes"] > 0.99) | (tpl["mouth"] > 0.99)].max() < 0.05
    assert 0.0 <= look.layer.colour.min() and look.layer.colour.max() <= 1.0


def test_products_sit_on_their_features():
    tpl = uv_templates(256)
    rng = np.random.default_rng(0)
    lips = draw_pattern(("two-tone-lips",), rng).layer.alpha
    assert (lips * tpl["lips"]).sum() / lips.sum() > 0.95
    liner = draw_pattern(("winged-liner",), rng).layer.alpha
    lids = np.clip(tpl["eyeshadow"] + tpl["eyeliner"], 0, 1)
    assert (liner * (lids > 0.01)).sum() / liner.sum() > 0.5
    assert (liner * tpl["lips"]).sum() == 0


def test_sampler_is_seeded_and_varied():
    a = [sample_pattern(np.random.default_rng(7), 128) for _ in range(2)]
    assert a[0].name == a[1].name and np.array_equal(a[0].layer.alpha, a[1].layer.alpha)
    rng = np.random.default_rng(3)
    names = {sample_pattern(rng, 128).name.split("+")[0] for _ in range(24)}
    assert len(names) >= 8
    assert sample_pattern(rng, 128, product="stars").name.startswith("stars")
    with pytest.raises(ValueError, match="unknown pattern"):
        draw_pattern(("tattoo",), rng)


def test_wearing_a_pattern_changes_only_the_painted_face(astronaut, astronaut_face):
    look = draw_pattern(("half-face",), np.random.default_rng(2), 256)
    worn = wear_pattern(astronaut, astronaut_face, look.layer)
    changed = np.abs(worn.astype(int) - astronaut.astype(int)).max(axis=2) > 8
    x0, y0, x1, y1 = astronaut_face.bbox
    assert changed.sum() > 0.1 * (x1 - x0) * (y1 - y0)
    outside = np.ones(changed.shape, bool)
    outside[int(y0) - 10 : int(y1) + 10, int(x0) - 10 : int(x1) + 10] = False
    assert not changed[outside].any()
    # A colour block on one half: the face's two halves now differ strongly.
    mid = int(astronaut_face.landmarks[4, 0])
    rows = slice(int(y0 + 0.3 * (y1 - y0)), int(y0 + 0.6 * (y1 - y0)))
    left, right = changed[rows, int(x0):mid].mean(), changed[rows, mid:int(x1)].mean()
    assert max(left, right) > 0.5 and min(left, right) < 0.1
