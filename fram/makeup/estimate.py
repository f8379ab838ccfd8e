"""Read a made-up face back into a recipe, from colour statistics per region in UV.

This is the non-learned ("classic") way to transfer makeup: measure what the
reference wears in each region of its UV texture, relative to its own skin, write it
down as a :class:`MakeupStyle`, and let the renderer and compositor put that recipe
on the source. Measuring relative to the reference's skin is what keeps its skin
tone and lighting from leaking into the result: a blush is "this much redder than
the skin around it", a liner "this much darker than the lid".
"""

from __future__ import annotations

import cv2
import numpy as np

from fram.face.colour import lab_to_rgb_fast, rgb_to_lab_fast
from fram.face.templates import uv_templates
from fram.face.uv import UVTexture, mirror_fill
from fram.makeup.recipe import Blush, Brows, Eyeliner, Eyeshadow, Lipstick, MakeupStyle, Mascara, rgb_to_hex
from fram.makeup.render import LIPSTICK_COVERAGE
from fram.makeup.zones import zones

VISIBLE = 0.8  # UV pixels seen at least this well are measured; the rest are ignored
MIN_PIXELS = 12
# How different from bare skin a region must be (CIEDE-like Lab distance) before it
# counts as made up; below it the product is left out of the recipe.
EYESHADOW_MIN_DELTA = 8.0
BLUSH_MIN_CHROMA_GAIN = 3.0
LINER_MIN_DARKENING = 18.0


def _hex(lab: np.ndarray) -> str:
    rgb = lab_to_rgb_fast(np.asarray(lab, np.float32).reshape(1, 1, 3))[0, 0]
    return rgb_to_hex(np.clip(rgb, 0, 1).tolist())


def _median(lab: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    if mask.sum() < MIN_PIXELS:
        return None
    return np.median(lab[mask], axis=0)


def estimate_style(texture: UVTexture) -> MakeupStyle:
    """The recipe a made-up face in UV appears to wear (products it does not wear are None)."""
    size = texture.size
    tex, vis = mirror_fill(texture, VISIBLE)
    lab = rgb_to_lab_fast(tex.astype(np.float32) / 255.0)
    seen = vis >= VISIBLE
    tpl = uv_templates(size)
    z = zones(size)
    skin_zone = (tpl["skin"] > 0.9) & (tpl["cheeks"] < 0.2) & (tpl["under_eye"] < 0.2) & (tpl["nose"] < 0.5) & seen
    skin = _median(lab, skin_zone)
    if skin is None:
        return MakeupStyle(name="estimated")

    products: dict[str, object] = {}
    lips = _lips(lab, seen, tpl, skin)
    if lips is not None:
        products["lipstick"] = lips
    lid = z.eye_lid[0, 0]
    along = z.eye_along[0, 0]
    eyes_open = tpl["eyes"] > 0.1
    shadow = _eyeshadow(lab, seen & ~eyes_open, lid, along, skin)
    if shadow is not None:
        products["eyeshadow"] = shadow
    liner = _eyeliner(lab, seen & ~eyes_open, z.lash_distance[0, 0], lid, along, skin, size)
    if liner is not None:
        products["eyeliner"] = liner
        products["mascara"] = Mascara(intensity=0.8)
    blush = _blush(lab, seen, z.blush["apples"][0, 0] > 0.5, skin)
    if blush is not None:
        products["blush"] = blush
    brows = _brows(lab, seen & (tpl["brows"] > 0.5), skin)
    if brows is not None:
        products["brows"] = brows
    return MakeupStyle(name="estimated", **products)


# Bare lips are, on average, this much darker and redder than the skin around them
# (CIELAB L*, a*, b*); used to tell the lipstick from the lip under it.
BARE_LIP_OFFSET = np.array([-10.0, 14.0, 3.0])
LIP_OPACITY = 0.85


def _lips(lab: np.ndarray, seen: np.ndarray, tpl: dict[str, np.ndarray], skin: np.ndarray) -> Lipstick | None:
    core = cv2.erode((tpl["lips"] > 0.5).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    mask = core & seen
    if mask.sum() < MIN_PIXELS:
        return None
    values = lab[mask]
    lightness = values[:, 0]
    # Specular highlights are the finish, not the colour: leave the brightest tenth out.
    body = values[lightness <= np.percentile(lightness, 90)]
    measured = np.median(body, axis=0)
    bare = skin + BARE_LIP_OFFSET
    # The renderer lays the shade over the lip at about this opacity; undo that mix.
    alpha = LIP_OPACITY * LIPSTICK_COVERAGE
    color = np.clip(bare + (measured - bare) / alpha, [0, -100, -100], [100, 100, 100])
    highlight = float(np.percentile(lightness, 98) - np.median(lightness))
    spread = float(np.std(lightness))
    finish = "gloss" if highlight > 22 else "matte" if spread < 5 else "satin"
    return Lipstick(color=_hex(color), finish=finish, opacity=LIP_OPACITY)


def _eyeshadow(lab, usable, lid, along, skin) -> Eyeshadow | None:
    bands = [
        (lid > 0.05) & (lid < 0.3) & (along > 0.1) & (along < 0.7),
        (lid >= 0.3) & (lid < 0.6) & (along > 0.1) & (along < 0.9),
        (lid > 0.05) & (lid < 0.5) & (along >= 0.7) & (along < 1.1),
    ]
    colors, deltas = [], []
    for band in bands:
        med = _median(lab, band & usable)
        if med is None:
            return None
        colors.append(med)
        deltas.append(float(np.linalg.norm(med - skin)))
    if max(deltas) < EYESHADOW_MIN_DELTA:
        return None
    intensity = float(np.clip(max(deltas) / 30.0, 0.25, 1.0))
    # The renderer mixes the shade with the lid; push each measured colour away from
    # the skin so that mixing at this intensity lands on what was measured.
    alpha = 0.85 * intensity
    shades = [_hex(np.clip(skin + (c - skin) / alpha, [0, -100, -100], [100, 100, 100])) for c in colors]
    return Eyeshadow(colors=shades, layout="gradient", intensity=intensity, height=0.5)


def _eyeliner(lab, usable, lash, lid, along, skin, size) -> Eyeliner | None:
    px = size / 256.0
    band = (lash < 1.5 * px) & (lid >= 0) & (along > 0.4) & (along < 1.0) & usable
    med = _median(lab, band)
    if med is None or skin[0] - med[0] < LINER_MIN_DARKENING:
        return None
    # Thickness: how far above the lash line the lid stays dark.
    darkness = (skin[0] - lab[..., 0]) > 0.6 * (skin[0] - med[0])
    rings = 0
    for d in range(1, 6):
        ring = (lash >= d * px) & (lash < (d + 1) * px) & (lid >= 0) & (along > 0.5) & (along < 1.0) & usable
        if ring.sum() < MIN_PIXELS or darkness[ring].mean() < 0.5:
            break
        rings += 1
    thickness = float(np.clip((rings + 1) / 5.0, 0.15, 1.0))
    wing_zone = (along > 1.0) & (along < 1.35) & (lid > -0.1) & (lid < 0.4) & usable
    wing_med = _median(lab, wing_zone & darkness)
    wing = 0.0 if wing_med is None or (wing_zone & darkness).sum() < 2 * MIN_PIXELS else 0.6
    return Eyeliner(color=_hex(np.minimum(med, [35, 100, 100])), thickness=thickness, wing_length=wing, intensity=0.9)


def _blush(lab, seen, apples, skin) -> Blush | None:
    cheek = _median(lab, apples & seen)
    if cheek is None:
        return None
    gain = float(cheek[1] - skin[1])
    if gain < BLUSH_MIN_CHROMA_GAIN:
        return None
    intensity = float(np.clip(gain / 12.0, 0.2, 1.0))
    alpha = 0.55 * intensity
    color = np.clip(skin + (cheek - skin) / alpha, [0, -100, -100], [100, 100, 100])
    return Blush(color=_hex(color), intensity=intensity, placement="apples")


def _brows(lab, mask, skin) -> Brows | None:
    if mask.sum() < MIN_PIXELS:
        return None
    values = lab[mask]
    dark = values[values[:, 0] <= np.percentile(values[:, 0], 50)]
    color = np.median(dark, axis=0)
    density = float(np.clip((skin[0] - color[0]) / 45.0, 0.0, 1.0))
    if density < 0.1:
        return None
    return Brows(color=_hex(color), density=density)
