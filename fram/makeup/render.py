"""The parametric makeup renderer: recipes painted in UV space, in numpy.

For each group of products the renderer paints one :class:`~fram.makeup.layer.GroupLayer`
(gains, highlights, shine, smoothing, sparkle) over the face's UV texture, batched (for
data synthesis); the compositor projects the layers onto the photo at native resolution.

All maths is in linear RGB. Maps are (B, C, H, W) float32 numpy arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from fram.face.colour import linear_to_srgb, luminance, srgb_to_linear
from fram.face.filters import masked_blur
from fram.face.segmenter import sigmoid
from fram.makeup.layer import GroupLayer, composite
from fram.makeup.recipe import MakeupStyle, hex_to_rgb
from fram.makeup.zones import Zones, zones

GROUPS = ("skin", "eyes", "brows", "lips")
"""Region groups, in application order; each becomes one layer of the photo."""
GROUP_PRODUCTS = {
    "skin": ("foundation", "concealer", "contour", "blush", "highlight"),
    "eyes": ("eyeshadow", "eyeliner", "mascara"),
    "brows": ("brows",),
    "lips": ("lipstick",),
}
BASE_SIGMA = 4.0  # px of a 256 texture: the scale that separates base colour from texture
LIPSTICK_COVERAGE = 0.92
"""Share of a lipstick's colour laid over the lip at full opacity (the lip shows through the rest)."""


@dataclass
class RenderOutput:
    """A rendered recipe in UV space.

    Attributes:
        texture: (B, 3, S, S) sRGB in [0, 1], the made-up texture.
        layers: group name → its layer, to composite onto the photo.
    """

    texture: np.ndarray
    layers: dict[str, GroupLayer] = field(default_factory=dict)


def _support(alpha: np.ndarray, threshold: float = 1e-6) -> tuple[slice | None, slice | None]:
    """Row and column slices bounding where a (B, 1, H, W) map exceeds ``threshold``."""
    mask = np.abs(alpha).max(axis=(0, 1)) > threshold
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None, None
    cols = np.flatnonzero(mask.any(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def _put(full: np.ndarray, rows: slice, cols: slice, value: np.ndarray) -> np.ndarray:
    """``full`` with its (rows, cols) box replaced, in place (only the painter's own
    maps, which nothing else holds, are passed here)."""
    full[:, :, rows, cols] = value
    return full


def _smoothstep(a: float, b: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - a) / (b - a), 0, 1)
    return t * t * (3 - 2 * t)


class _Painter:
    """Paints the products of a batch of recipes, group by group.

    Recipe numbers are read through :meth:`num` and :meth:`rgb` as (B, 1, 1, 1) and
    (B, 3, 1, 1) arrays, one value per batch item.
    """

    def __init__(self, x_lin: np.ndarray, visibility: np.ndarray, styles: list[MakeupStyle], z: Zones, px: float,
                 white: np.ndarray | None = None) -> None:
        self.styles = styles
        self.z = z
        self.px = px
        b, _, h, w = x_lin.shape
        self.one = np.ones((b, 1, h, w), np.float32)
        skin_w = np.maximum(z.skin * visibility, 0)
        self.base0 = masked_blur(x_lin, np.maximum(visibility, np.float32(1e-3)), BASE_SIGMA * px)
        self.base = self.base0
        lum = luminance(self.base0)
        ref = (lum * skin_w).sum(axis=(2, 3), keepdims=True) / np.maximum(skin_w.sum(axis=(2, 3), keepdims=True), 1)
        self.shade = np.clip(lum / np.maximum(ref, np.float32(1e-4)), 0.25, 2.0)
        self.light = np.maximum(ref, np.float32(1e-3))  # how brightly the face is lit (times albedo)
        self.white = np.ones((b, 3, 1, 1), np.float32) if white is None else np.asarray(white, np.float32).reshape(-1, 3, 1, 1)
        self.white_lum = luminance(self.white)
        self._shade_cache: dict[float, np.ndarray] = {}
        self.new_layer()

    # -- recipe access
    def items(self, product: str) -> list:
        return [getattr(s, product) for s in self.styles]

    def on(self, product: str) -> np.ndarray:
        """(B, 1, 1, 1): 1 where the batch item's recipe has the product."""
        return _per_item([float(item is not None) for item in self.items(product)])

    def num(self, product: str, name: str, fill: float = 0.0) -> np.ndarray:
        """(B, 1, 1, 1) recipe number."""
        return _per_item([float(getattr(item, name)) if item is not None else fill for item in self.items(product)])

    def rgb(self, product: str, name: str, fill: str = "#808080") -> np.ndarray:
        """(B, 3, 1, 1) linear colour."""
        return _linear_colours([(getattr(item, name) or fill) if item is not None else fill for item in self.items(product)])

    def choice(self, product: str, name: str, table: dict[str, float]) -> np.ndarray:
        """(B, 1, 1, 1) number looked up from a categorical field (e.g. finish → shine)."""
        return _per_item([table[getattr(item, name)] if item is not None else 0.0 for item in self.items(product)])

    # -- painting
    def new_layer(self) -> None:
        # np.zeros, not zeros_like: calloc'd pages cost nothing until painted, and
        # most products paint a small box.
        b, _, h, w = self.one.shape
        self.gain = np.repeat(self.one, 3, axis=1)
        self.add = np.zeros((b, 3, h, w), np.float32)
        self.shine = np.zeros((b, 1, h, w), np.float32)
        self.smooth = np.zeros((b, 1, h, w), np.float32)
        self.sparkle = np.zeros((b, 1, h, w), np.float32)
        self.sparkle_color = np.zeros((b, 3, h, w), np.float32)
        self.alpha = np.zeros((b, 1, h, w), np.float32)

    def paint(self, color: np.ndarray, alpha: np.ndarray, *, shine: float | np.ndarray = 0.0, lit: float = 1.0) -> None:
        """Lay a colour over the current base with opacity ``alpha`` (B, 1, H, W).

        Work is confined to the box where ``alpha`` is non-zero: most products cover
        a small part of the face, and this keeps a full look fast on a CPU.
        """
        rows, cols = _support(alpha)
        if rows is None:
            return
        box = (slice(None), slice(None), rows, cols)
        a = alpha[box]
        gain = self.gain[box]
        current = self.base[box] * gain
        if color.shape[-1] > 1:  # a colour map (eyeshadow gradients), not one colour
            color = color[box]
        if isinstance(shine, np.ndarray) and shine.shape[-1] > 1:
            shine = shine[box]
        target = color * self.white * self._lit(lit)[box]
        g = np.clip(1 + a * (target / np.maximum(current, np.float32(2e-3)) - 1), 0.0, 12.0)
        self.gain = _put(self.gain, rows, cols, gain * g)
        self.add = _put(self.add, rows, cols, self.add[box] * g)
        self.shine = _put(self.shine, rows, cols, self.shine[box] + a * shine)
        self.alpha = _put(self.alpha, rows, cols, np.maximum(self.alpha[box], a))

    def _lit(self, lit: float) -> np.ndarray:
        if lit not in self._shade_cache:
            self._shade_cache[lit] = self.shade**lit
        return self._shade_cache[lit]

    def brighten(self, color: np.ndarray, alpha: np.ndarray) -> None:
        """Add reflected light (highlighter, gloss), scaled to the scene's lighting.

        Confined to the box where ``alpha`` is non-zero, like :meth:`paint`.
        """
        rows, cols = _support(alpha)
        if rows is None:
            return
        box = (slice(None), slice(None), rows, cols)
        a = alpha[box]
        self.add = _put(self.add, rows, cols, self.add[box] + a * color * self.shade[box] * np.sqrt(self.light * self.white_lum) * np.float32(0.6))
        self.alpha = _put(self.alpha, rows, cols, np.maximum(self.alpha[box], np.clip(a, 0, 1)))

    def glitter(self, color: np.ndarray, density: np.ndarray) -> None:
        """Sparkle of ``color`` (one per item, or a map) wherever ``density`` > 0.

        The colour is set even where the density is minute: the photo composite
        interpolates colours between pixels, so the box must hold every such pixel.
        """
        rows, cols = _support(density, threshold=0.0)
        if rows is None:
            return
        box = (slice(None), slice(None), rows, cols)
        d = density[box]
        color = color[box] if color.shape[-1] > 1 else color
        self.sparkle = _put(self.sparkle, rows, cols, np.maximum(self.sparkle[box], d))
        current = self.sparkle_color[box]
        self.sparkle_color = _put(self.sparkle_color, rows, cols, np.where(d > 0, color, current))

    def take(self) -> GroupLayer:
        layer = GroupLayer(
            gain=self.gain, add=self.add, shine=np.clip(self.shine, -1, 2), smooth=np.clip(self.smooth, 0, 1),
            sparkle=self.sparkle, sparkle_color=self.sparkle_color, alpha=np.clip(self.alpha, 0, 1),
        )
        self.new_layer()
        return layer


def _per_item(values: list[float]) -> np.ndarray:
    """(B, 1, 1, 1) float32: one number per batch item."""
    return np.asarray(values, np.float32).reshape(-1, 1, 1, 1)


def _linear_colours(hexes: list[str]) -> np.ndarray:
    """(B, 3, 1, 1) linear RGB of one hex colour per batch item."""
    return srgb_to_linear(np.asarray([hex_to_rgb(c) for c in hexes], np.float32)).reshape(-1, 3, 1, 1)


def render_uv(
    texture: np.ndarray,
    visibility: np.ndarray,
    styles: list[MakeupStyle],
    *,
    lip_support: bool = False,
    with_texture: bool = True,
    light: np.ndarray | None = None,
) -> RenderOutput:
    """Paint one recipe per batch item onto UV textures.

    Args:
        texture: (B, 3, S, S) float32 sRGB in [0, 1], the bare face in UV.
        visibility: (B, 1, S, S) float32 in [0, 1] (from ``unwrap``).
        styles: B recipes.
        lip_support: paint lipstick a little past the mesh's lip line, for a photo
            composite that cuts it at the lip line found in the photo itself.
        with_texture: also composite the made-up UV texture (skip for photo use).
        light: (B, 3) linear white point of each photo
            (:func:`fram.makeup.compose.photo_light`); paint colours are lit by it.
            None = full white light (synthetic data).
    """
    if texture.ndim != 4 or texture.shape[1] != 3 or texture.shape[2] != texture.shape[3]:
        raise ValueError(f"texture must be (B, 3, S, S), got {tuple(texture.shape)}")
    if len(styles) != texture.shape[0]:
        raise ValueError(f"{len(styles)} styles for a batch of {texture.shape[0]}")
    size = texture.shape[-1]
    z = zones(size)
    px = size / 256.0
    x_lin = srgb_to_linear(np.asarray(texture, np.float32))
    painter = _Painter(x_lin, np.asarray(visibility, np.float32), styles, z, px, light)
    painter.lips = z.lips_support if lip_support else z.lips
    layers: dict[str, GroupLayer] = {}
    total: GroupLayer | None = None
    for group in GROUPS:
        products = [p for p in GROUP_PRODUCTS[group] if any(getattr(s, p) is not None for s in styles)]
        for product in products:
            _PRODUCTS[product](painter)
        layers[group] = painter.take()
        if products:
            # Later groups paint over what earlier ones left: gains are smooth, so the
            # new base is the old base under the accumulated layer.
            if total is None:
                total = layers[group].copy()
            else:
                total.stack(layers[group])
            painter.base = painter.base0 * total.gain + total.add
    out = x_lin
    if with_texture and total is not None:
        u = (z.grid_x + np.float32(0.5)) / np.float32(size)
        v = (z.grid_y + np.float32(0.5)) / np.float32(size)
        out = composite(x_lin, total, u, v, base_sigma=BASE_SIGMA * px, sparkle_cells=size)
    return RenderOutput(texture=linear_to_srgb(out), layers=layers)


def _foundation(p: _Painter) -> None:
    skin = p.z.skin * p.on("foundation")
    coverage = p.num("foundation", "coverage")
    shine = p.choice("foundation", "finish", {"matte": -0.6, "natural": 0.0, "dewy": 0.5})
    p.paint(p.rgb("foundation", "shade"), coverage * 0.75 * skin, shine=shine)
    p.smooth = p.smooth + coverage * 0.6 * skin


def _concealer(p: _Painter) -> None:
    area = p.z.under_eye * p.on("concealer")
    coverage = p.num("concealer", "coverage")
    p.paint(p.rgb("concealer", "shade"), coverage * 0.7 * area)
    p.smooth = p.smooth + coverage * 0.5 * area


def _contour(p: _Painter) -> None:
    area = p.z.contour * p.on("contour")
    p.paint(p.rgb("contour", "color"), p.num("contour", "intensity") * 0.45 * area)


def _blush(p: _Painter) -> None:
    placements = [item.placement if item is not None else None for item in p.items("blush")]
    weight = sum(zone * _per_item([float(pl == name) for pl in placements]) for name, zone in p.z.blush.items())
    p.paint(p.rgb("blush", "color"), p.num("blush", "intensity") * 0.55 * weight)


def _highlight(p: _Painter) -> None:
    area = p.z.highlight * p.on("highlight")
    strength = p.num("highlight", "intensity")
    shimmer = p.num("highlight", "shimmer")
    color = p.rgb("highlight", "color", "#ffffff")
    p.brighten(color, strength * 0.18 * area)
    p.shine = p.shine + strength * shimmer * 0.8 * area
    p.glitter(color, strength * shimmer * 0.6 * area)


def _eyeshadow_weights(layout: str, lid: np.ndarray, along: np.ndarray) -> list[np.ndarray]:
    """Blend weights of the three shade slots (lid/inner, crease/middle, outer/deepest)."""
    if layout == "wash":
        return [np.ones_like(lid), np.zeros_like(lid), np.zeros_like(lid)]
    if layout == "gradient":
        crease = _smoothstep(0.25, 0.6, lid)
        outer = _smoothstep(0.55, 0.95, along) * (1 - _smoothstep(0.5, 0.9, lid)) * 0.85
        return [(1 - crease) * (1 - outer), crease * (1 - outer), outer]
    if layout == "smoky":
        deep = (1 - _smoothstep(0.0, 0.45, lid)) * 0.6 + _smoothstep(0.5, 1.0, along) * 0.4
        return [(1 - deep) * 0.5, (1 - deep) * 0.5, deep]
    if layout == "cut_crease":
        lidpart = sigmoid((0.42 - lid) / 0.02)
        return [lidpart, 1 - lidpart, np.zeros_like(lid)]
    if layout == "halo":
        centre = np.exp(-(((along - 0.5) / 0.22) ** 2))
        outer = (1 - centre) * (along > 0.5).astype(lid.dtype)
        return [centre, (1 - centre) - outer, outer]
    raise ValueError(f"unknown eyeshadow layout {layout!r}")


_SHADOW_SHINE = {"matte": -0.4, "satin": 0.2, "shimmer": 0.5, "glitter": 0.3, "metallic": 0.8}
_SHADOW_SPARKLE = {"matte": 0.0, "satin": 0.0, "shimmer": 0.3, "glitter": 0.6, "metallic": 0.2}


def _eyeshadow(p: _Painter) -> None:
    """Shades laid out by each item's layout; items are grouped by layout so a batch
    of one layout is painted in one pass."""
    z = p.z
    lid, along = z.eye_lid, z.eye_along
    items = p.items("eyeshadow")
    slots = [_linear_colours([(item.colors + [item.colors[-1]] * 3)[k] if item is not None else "#808080" for item in items])
             for k in range(3)]
    height = p.num("eyeshadow", "height")
    strength = p.num("eyeshadow", "intensity")
    opening = 1 - z.eye_open
    for layout in sorted({item.layout for item in items if item is not None}):
        sel = _per_item([float(item is not None and item.layout == layout) for item in items])
        weights = _eyeshadow_weights(layout, lid, along)
        total = np.maximum(sum(weights), np.float32(1e-4))
        rgb = sum(w / total * c for w, c in zip(weights, slots))
        top = 0.3 + 0.6 * height
        soft = 0.14 if layout == "smoky" else 0.07
        zone = sigmoid((top - lid) / soft) * sigmoid((lid + 0.02) / 0.02)
        zone = zone * sigmoid((along + 0.08) / 0.05) * sigmoid((1.25 - along) / 0.07) * opening
        alpha = strength * 0.85 * zone * sel
        shine = p.choice("eyeshadow", "finish", _SHADOW_SHINE)
        metallic = p.choice("eyeshadow", "finish", {"metallic": 1.0, "matte": 0.0, "satin": 0.0, "shimmer": 0.0, "glitter": 0.0})
        p.paint(rgb, alpha, shine=shine, lit=1.0)
        density = np.clip(p.num("eyeshadow", "shimmer") + p.choice("eyeshadow", "finish", _SHADOW_SPARKLE), 0, 1)
        p.glitter(rgb * (1.5 + metallic) + 0.2, alpha * density)


def _eyeliner(p: _Painter) -> None:
    z = p.z
    px = p.px
    lid, along, lash = z.eye_lid, z.eye_along, z.lash_distance
    gx, gy = z.grid_x, z.grid_y
    thick = p.num("eyeliner", "thickness")
    length = p.num("eyeliner", "wing_length")
    angle = p.num("eyeliner", "wing_angle", 15.0) * (math.pi / 180)
    lower = p.num("eyeliner", "lower")

    width = (0.7 + 3.5 * thick) * px * (0.6 + 0.8 * np.clip(along, 0, 1))
    band = sigmoid((width - lash) / (0.45 * px)) * sigmoid((lid + 0.03) / 0.02)
    band = band * sigmoid((along - 0.03) / 0.03) * sigmoid((1.03 - along) / 0.03)
    wing = np.zeros_like(band)
    wing_len = length * z.eye_width * 0.5 + 1e-3
    wing_width = (0.7 + 3.5 * thick) * px * 1.4
    for e in range(2):
        ox, oy = float(z.wing_origin[e, 0]), float(z.wing_origin[e, 1])
        dx = float(z.wing_dir_x[e]) * np.cos(angle)
        dy = -np.sin(angle)
        rx, ry = gx - ox, gy - oy
        t = (rx * dx + ry * dy) / wing_len
        tc = np.clip(t, 0, 1)
        perp = np.sqrt((rx - tc * wing_len * dx) ** 2 + (ry - tc * wing_len * dy) ** 2 + 1e-6)
        half = wing_width * (1 - tc) * 0.5
        wing = np.maximum(wing, sigmoid((half - perp) / (0.45 * px)) * sigmoid(t / 0.05) * sigmoid((length - 0.02) / 0.01))
    mask = np.maximum(band, wing) + lower * 0.8 * z.lower_lash
    alpha = np.clip(p.num("eyeliner", "intensity") * np.clip(mask, 0, 1) * p.on("eyeliner"), 0, 1)
    p.paint(p.rgb("eyeliner", "color", "#000000"), alpha, shine=-0.5, lit=0.5)


def _mascara(p: _Painter) -> None:
    z = p.z
    lid, along, lash = z.eye_lid, z.eye_along, z.lash_distance
    lashes = sigmoid((1.4 * p.px - lash) / (0.4 * p.px)) * sigmoid((lid + 0.02) / 0.02)
    lashes = lashes * sigmoid((along - 0.1) / 0.05) * sigmoid((1.05 - along) / 0.03)
    mask = lashes + 0.35 * z.lower_lash
    alpha = np.clip(p.num("mascara", "intensity") * 0.9 * mask * p.on("mascara"), 0, 1)
    p.paint(p.rgb("mascara", "color", "#000000"), alpha, lit=0.4)


def _brows(p: _Painter) -> None:
    alpha = p.num("brows", "density") * 0.7 * p.z.brows * p.on("brows")
    p.paint(p.rgb("brows", "color", "#000000"), alpha, shine=-0.3, lit=0.8)


_LIP_SHINE = {"matte": -0.8, "satin": 0.0, "gloss": 1.0, "metallic": 0.6}


def _lipstick(p: _Painter) -> None:
    z = p.z
    on = p.on("lipstick")
    color = p.rgb("lipstick", "color")
    opacity = p.num("lipstick", "opacity")
    alpha = opacity * LIPSTICK_COVERAGE * p.lips * on
    p.paint(color, alpha, shine=p.choice("lipstick", "finish", _LIP_SHINE))
    gloss = p.choice("lipstick", "finish", {"gloss": 1.0, "matte": 0.0, "satin": 0.0, "metallic": 0.0})
    p.brighten(np.full_like(color, 0.5), gloss * opacity * z.lip_gloss * on)
    metal = p.choice("lipstick", "finish", {"metallic": 1.0, "matte": 0.0, "satin": 0.0, "gloss": 0.0})
    p.glitter(color * 1.6 + 0.15, metal * alpha * 0.7)
    has_liner = _per_item([float(item is not None and item.liner is not None) for item in p.items("lipstick")])
    if has_liner.sum() > 0:
        liner_alpha = p.num("lipstick", "liner_intensity") * 0.85 * z.lip_edge * has_liner
        p.paint(p.rgb("lipstick", "liner"), liner_alpha)


_PRODUCTS = {
    "foundation": _foundation,
    "concealer": _concealer,
    "contour": _contour,
    "blush": _blush,
    "highlight": _highlight,
    "eyeshadow": _eyeshadow,
    "eyeliner": _eyeliner,
    "mascara": _mascara,
    "brows": _brows,
    "lipstick": _lipstick,
}
