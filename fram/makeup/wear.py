"""Put a :class:`~fram.makeup.decompose.MakeupLayer` on a face, or take a face's own off.

Both turn into per-group :class:`~fram.makeup.layer.GroupLayer` maps in UV, which
:func:`fram.makeup.compose.apply_layers` projects and composites onto the photo at its
native resolution, exactly as rendered recipes are. So a worn layer is cut by the
photo's own lip line, skin mask (no hair or glasses) and eye openings, and pixels it
does not reach keep their bits.

Wearing: the photo pixel ``x`` becomes ``(1 - a) x + a p (1 + c (x / base - 1))``:
coverage ``a`` of the paint ``p`` relit by this face's shading, with a fraction
:data:`TEXTURE_KEPT` of the skin's own relative texture showing through the paint,
so pores and lighting stay the source's.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from fram.face.templates import uv_templates
from fram.face.uv import UVTexture
from fram.face.colour import lab_to_rgb_fast, rgb_to_lab_fast
from fram.makeup.decompose import BareFace, MakeupLayer, Surroundings, decompose, estimate_bare, linear_rgb, ramp, srgb_from_linear
from fram.makeup.layer import GroupLayer
from fram.makeup.render import BASE_SIGMA

TEXTURE_KEPT = 0.35
MATTE = 1.0
"""Share of the skin's own specular light that paint at full coverage hides. Powder,
liner and face paint are matte: a black smoky lid kept the bare lid's highlights on
top and came out grey and glittering. Lipstick is left its lips' shine."""
UNLIKE_SKIN_CHROMA = (12.0, 30.0)
"""a*b* distance from the reference's skin over which paint turns from "a change of
the skin" (worn relative to it) to "a colour of its own" (worn as is)."""
WHITE_LIGHTNESS = (82.0, 94.0)
BLACK_LIGHTNESS = (18.0, 32.0)
"""Near-white and near-black paint (face paint, liner) is a colour of its own too."""
LAYER_GROUPS = ("skin", "eyes", "lips")
"""Groups a makeup layer paints; brows are hair and are taken from the recipe."""


@functools.lru_cache(maxsize=4)
def group_zones(size: int) -> dict[str, np.ndarray]:
    """Where each region group's makeup lies in UV: a soft partition of the face.

    ``eyes`` is everything around the eye openings out to the brows and the temples
    (shadow, liner and its wings, lower lash line); ``lips`` the lips; ``skin`` the
    rest of the face (base, blush, contour, face paint). Brows belong to none.
    """
    tpl = uv_templates(size)
    px = size / 256.0
    around = np.maximum.reduce([tpl["eyes"], (tpl["eyeshadow"] > 0.05).astype(np.float32), (tpl["eyeliner"] > 0.05).astype(np.float32)])
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (int(2 * 9 * px) | 1, int(2 * 9 * px) | 1))
    eyes = cv2.GaussianBlur(cv2.dilate((around > 0.5).astype(np.float32), kernel), (0, 0), 2.5 * px)
    brows = cv2.GaussianBlur(tpl["brows"], (0, 0), 1.0 * px)
    lips = np.clip(cv2.GaussianBlur(tpl["lips"], (0, 0), 0.75 * px) * 1.5, 0, 1)
    face = tpl["face"]
    not_brows = 1 - brows
    return {
        "lips": (lips * face).astype(np.float32),
        "eyes": (eyes * (1 - lips) * not_brows * face).astype(np.float32),
        "skin": ((1 - eyes) * (1 - lips) * not_brows * face).astype(np.float32),
    }


def _as_maps(x: np.ndarray) -> np.ndarray:
    """(S, S, C) or (S, S) → the layer's (1, C, S, S) float32."""
    x = np.asarray(x, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1) if x.ndim == 3 else x[None])[None]


def _group_layer(gain: np.ndarray, add: np.ndarray, alpha: np.ndarray, smooth: np.ndarray | None = None,
                 shine: np.ndarray | None = None) -> GroupLayer:
    size = alpha.shape[0]
    zeros = np.zeros((1, 1, size, size), np.float32)
    return GroupLayer(
        gain=_as_maps(gain), add=_as_maps(add), shine=zeros.copy() if shine is None else _as_maps(shine),
        smooth=zeros.copy() if smooth is None else _as_maps(smooth), sparkle=zeros.copy(),
        sparkle_color=np.zeros((1, 3, size, size), np.float32), alpha=_as_maps(alpha),
    )


def _local_base(texture: UVTexture) -> np.ndarray:
    """The texture's linear colour at the scale compositing calls "base"."""
    linear = linear_rgb(texture.texture.astype(np.float32) / 255.0)
    return cv2.GaussianBlur(linear, (0, 0), BASE_SIGMA * texture.size / 256.0)


def _skin_linear(lab: np.ndarray) -> np.ndarray:
    return np.maximum(linear_rgb(lab_to_rgb_fast(np.asarray(lab, np.float32).reshape(1, 1, 3)))[0, 0], 1e-3)


def _paint_for(layer: MakeupLayer, bare: BareFace, light: np.ndarray) -> np.ndarray:
    """The layer's paint as it looks on this face, (S, S, 3) linear RGB.

    Opaque or vividly coloured paint (liner, face paint, a colour block, lipstick)
    keeps its own colour, relit by this photo's ``light`` (its white point). Sheer, skin-coloured paint (highlight, contour, a
    lighter or darker base) is a change *of the skin*: it is carried as a ratio to the
    reference's skin, so a highlight from a pale face brightens a deep one by the same
    factor instead of painting it pale.
    """
    shading = bare.shading[..., None]
    absolute = layer.colour * shading * light
    relative = layer.colour / _skin_linear(layer.skin) * _skin_linear(bare.skin_lab) * shading
    lab = rgb_to_lab_fast(srgb_from_linear(layer.colour))
    unlike_skin = ramp(np.linalg.norm(lab[..., 1:] - layer.skin[1:], axis=-1), *UNLIKE_SKIN_CHROMA)
    extreme = np.maximum(ramp(lab[..., 0], *WHITE_LIGHTNESS), 1 - ramp(lab[..., 0], *BLACK_LIGHTNESS))
    keep = np.maximum.reduce([unlike_skin, extreme, group_zones(layer.size)["lips"]])[..., None]
    return np.clip(keep * absolute + (1 - keep) * relative, 0, 1).astype(np.float32)


def wear_layer(layer: MakeupLayer, texture: UVTexture, groups: tuple[str, ...], intensity: dict[str, float],
               bare: BareFace | None = None, light: np.ndarray | None = None) -> dict[str, GroupLayer]:
    """``layer`` on the face whose UV texture is ``texture``, per region group, lit by
    the photo's white point ``light`` (:func:`fram.makeup.compose.photo_light`; None = white).

    Intensity scales coverage (0 = nothing, 1 = as the reference wears it); above 1
    coverage saturates first and then the paint's colour is pushed further from the
    skin, so a sheer look gets stronger and an opaque one more vivid.
    """
    layer = layer.resized(texture.size)
    bare = bare or estimate_bare(texture.texture, texture.visibility, texture.normals)
    base = np.maximum(_local_base(texture), 1e-4)
    paint = _paint_for(layer, bare, np.ones(3, np.float32) if light is None else light)
    zones = group_zones(texture.size)
    out: dict[str, GroupLayer] = {}
    for group in groups:
        if group not in zones:
            continue
        k = float(intensity.get(group, 1.0))
        alpha = layer.alpha * zones[group] * texture.visibility.clip(0, 1)
        scaled = alpha * k
        a = np.clip(scaled, 0, 1)
        extra = np.maximum(scaled, 1.0)[..., None]
        p = np.clip(base + (paint - base) * extra, 0, 1) if k > 1 else paint
        gain = (1 - a)[..., None] + a[..., None] * TEXTURE_KEPT * p / base
        add = a[..., None] * (1 - TEXTURE_KEPT) * p
        shine = None if group == "lips" else -a * MATTE
        out[group] = _group_layer(gain, add, a, shine=shine)
    return out


def remove_layer(texture: UVTexture, groups: tuple[str, ...], intensity: dict[str, float] | None = None,
                 surroundings: Surroundings | None = None, brows: np.ndarray | None = None) -> dict[str, GroupLayer]:
    """Gains that take a face's own makeup off, per region group: each made-up
    texel is moved back to the bare estimate under it (``intensity`` per group: how
    much of the way, at most 1), keeping its relative texture. ``surroundings``
    (:func:`fram.makeup.decompose.surrounding_colours`) keeps hair over the face as
    it is, and ``brows`` (the face's own brows in UV) its brows."""
    split = decompose(texture, surroundings, brows=brows)
    base = np.maximum(_local_base(texture), 1e-4)
    target = np.maximum(split.bare.linear, 1e-4)
    zones = group_zones(texture.size)
    out: dict[str, GroupLayer] = {}
    for group in groups:
        if group not in zones:
            continue
        strength = min(1.0, float((intensity or {}).get(group, 1.0)))
        a = np.clip(split.presence * zones[group] * strength, 0, 1)
        # Full coverage hides the skin's texture too: fall back to the bare colour alone.
        gain = (1 - a)[..., None] + a[..., None] * target / base
        out[group] = _group_layer(gain, np.zeros_like(gain), a, smooth=a * a)
    return out
