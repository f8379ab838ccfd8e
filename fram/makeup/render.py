"""The parametric makeup renderer: recipes painted in UV space, in torch.

Makeup is modelled as a *layer* over a face, not as new pixels: for each group of
products the renderer produces a per-pixel multiplicative gain (the product's colour,
lit like the skin under it, over the skin's local base colour), an additive term
(highlighter), how much of the skin's own specular shine to keep or add (matte
kills it, gloss adds it), how much skin texture to smooth (coverage), and a sparkle
density. Applying gains to a photo keeps its pores, lighting and high-frequency
detail, and the same :func:`composite` runs on a UV texture (for data synthesis,
batched and differentiable in every recipe number) and on the photo at native
resolution after the layer is projected.

All maths is in linear RGB. Tensors are (B, C, H, W) float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

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


def srgb_to_linear(x: torch.Tensor) -> torch.Tensor:
    """sRGB in [0, 1] → linear RGB (IEC 61966-2-1)."""
    return torch.where(x <= 0.04045, x / 12.92, ((x.clamp(min=0) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x: torch.Tensor) -> torch.Tensor:
    """Linear RGB → sRGB in [0, 1] (clipped)."""
    x = x.clamp(0.0, 1.0)
    return torch.where(x <= 0.0031308, x * 12.92, 1.055 * x.clamp(min=1e-12) ** (1 / 2.4) - 0.055)


def luminance(x: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) linear RGB → (B, 1, H, W) relative luminance."""
    w = x.new_tensor([0.2126, 0.7152, 0.0722]).view(1, 3, 1, 1)
    return (x * w).sum(dim=1, keepdim=True)


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur with reflect padding."""
    if sigma <= 0:
        return x
    radius = max(1, int(math.ceil(3 * sigma)))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = k / k.sum()
    c = x.shape[1]
    pad_h = min(radius, x.shape[2] - 1)
    pad_w = min(radius, x.shape[3] - 1)
    x = F.pad(x, (pad_w, pad_w, 0, 0), mode="reflect") if pad_w > 0 else x
    x = F.conv2d(x, k.view(1, 1, 1, -1).expand(c, 1, 1, -1)[..., radius - pad_w : radius + pad_w + 1], groups=c)
    x = F.pad(x, (0, 0, pad_h, pad_h), mode="reflect") if pad_h > 0 else x
    return F.conv2d(x, k.view(1, 1, -1, 1).expand(c, 1, -1, 1)[:, :, radius - pad_h : radius + pad_h + 1], groups=c)


def masked_blur(x: torch.Tensor, weight: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur that ignores pixels of zero weight (normalised convolution)."""
    num = gaussian_blur(x * weight, sigma)
    den = gaussian_blur(weight, sigma)
    return num / den.clamp(min=1e-4)


def sparkle_noise(u: torch.Tensor, v: torch.Tensor, cells: float, seed: int = 0) -> torch.Tensor:
    """A fixed pseudo-random value in [0, 1) per cell of UV space.

    Sparkle must stick to the skin (same flecks in every frame and at every
    resolution), so it is a hash of the UV cell, not of the pixel.
    """
    iu = torch.floor(u * cells)
    iv = torch.floor(v * cells)
    h = torch.sin(iu * 12.9898 + iv * 78.233 + seed * 37.719) * 43758.5453
    return h - torch.floor(h)


@dataclass
class GroupLayer:
    """One region group's makeup as maps; neutral values mean "no makeup".

    Attributes:
        gain: (B, 3, H, W) multiplicative, 1 = unchanged.
        add: (B, 3, H, W) linear RGB added after the gain.
        shine: (B, 1, H, W) change of the skin's own specular highlights; -1 removes
            them (matte), +1 keeps them untinted and doubles them (gloss).
        smooth: (B, 1, H, W) fraction of fine skin texture evened out (coverage).
        sparkle: (B, 1, H, W) density of sparkling flecks.
        sparkle_color: (B, 3, H, W) linear colour of the flecks.
        alpha: (B, 1, H, W) how much any product covers the pixel (0 = untouched).
    """

    gain: torch.Tensor
    add: torch.Tensor
    shine: torch.Tensor
    smooth: torch.Tensor
    sparkle: torch.Tensor
    sparkle_color: torch.Tensor
    alpha: torch.Tensor

    CHANNELS = 13

    def pack(self) -> torch.Tensor:
        """(B, 13, H, W): for projecting every map through one remap."""
        return torch.cat([self.gain, self.add, self.shine, self.smooth, self.sparkle, self.sparkle_color, self.alpha], dim=1)

    @classmethod
    def unpack(cls, packed: torch.Tensor) -> "GroupLayer":
        g, a, sh, sm, sp, sc, al = torch.split(packed, [3, 3, 1, 1, 1, 3, 1], dim=1)
        return cls(gain=g, add=a, shine=sh, smooth=sm, sparkle=sp, sparkle_color=sc, alpha=al)

    def masked(self, weight: torch.Tensor) -> "GroupLayer":
        """Fade the layer toward neutral where ``weight`` < 1."""
        return GroupLayer(
            gain=1 + (self.gain - 1) * weight,
            add=self.add * weight,
            shine=self.shine * weight,
            smooth=self.smooth * weight,
            sparkle=self.sparkle * weight,
            sparkle_color=self.sparkle_color,
            alpha=self.alpha * weight,
        )


def combine(layers: list[GroupLayer]) -> GroupLayer:
    """Stack layers applied in order into one (gains multiply, later adds on top)."""
    out = layers[0]
    for nxt in layers[1:]:
        out = GroupLayer(
            gain=out.gain * nxt.gain,
            add=out.add * nxt.gain + nxt.add,
            shine=out.shine + nxt.shine,
            smooth=torch.maximum(out.smooth, nxt.smooth),
            sparkle=torch.maximum(out.sparkle, nxt.sparkle),
            sparkle_color=torch.where(nxt.sparkle > 0, nxt.sparkle_color, out.sparkle_color),
            alpha=torch.maximum(out.alpha, nxt.alpha),
        )
    return out


@dataclass
class RenderOutput:
    """A rendered recipe in UV space.

    Attributes:
        texture: (B, 3, S, S) sRGB in [0, 1], the made-up texture.
        layers: group name → its layer, to composite onto the photo.
    """

    texture: torch.Tensor
    layers: dict[str, GroupLayer] = field(default_factory=dict)


def composite(x_lin: torch.Tensor, layer: GroupLayer, u: torch.Tensor, v: torch.Tensor, *, base_sigma: float, sparkle_cells: float) -> torch.Tensor:
    """Apply one group layer to linear RGB ``x_lin`` (UV texture or photo crop).

    ``u``, ``v`` (B, 1, H, W) are each pixel's UV coordinates, for sparkle placement;
    ``base_sigma`` is the blur (px at this resolution) separating base from texture.
    """
    base = gaussian_blur(x_lin, base_sigma)
    detail = x_lin - base
    x = x_lin - layer.smooth * detail
    lum = luminance(x_lin)
    lum_base = luminance(base)
    spec = (lum - lum_base * 1.08).clamp(min=0)
    diffuse = x - spec
    out = diffuse * layer.gain + spec * (1 + layer.shine).clamp(min=0) + layer.add
    flecks = (sparkle_noise(u, v, sparkle_cells) > 1 - 0.18 * layer.sparkle.clamp(0, 1)).to(x.dtype)
    glint = sparkle_noise(u, v, sparkle_cells, seed=1)
    out = out + flecks * layer.sparkle.clamp(0, 1) * (0.25 + 0.5 * glint) * layer.sparkle_color * (lum_base * 2 + 0.2)
    return out.clamp(0, 1)


def _rgb(colors: list[str], like: torch.Tensor) -> torch.Tensor:
    """(B, 3, 1, 1) linear colours from hex strings."""
    t = torch.tensor([hex_to_rgb(c) for c in colors], dtype=like.dtype, device=like.device)
    return srgb_to_linear(t).view(-1, 3, 1, 1)


def _vec(values: list[float], like: torch.Tensor) -> torch.Tensor:
    return torch.tensor(values, dtype=like.dtype, device=like.device).view(-1, 1, 1, 1)


def _smoothstep(a: float, b: float, x: torch.Tensor) -> torch.Tensor:
    t = ((x - a) / (b - a)).clamp(0, 1)
    return t * t * (3 - 2 * t)


class _Painter:
    """Accumulates products of one group onto a working texture."""

    def __init__(self, x_lin: torch.Tensor, visibility: torch.Tensor, z: Zones, px: float) -> None:
        self.x = x_lin
        self.vis = visibility
        self.z = z
        self.px = px
        b, _, h, w = x_lin.shape
        one = torch.ones(b, 1, h, w, dtype=x_lin.dtype, device=x_lin.device)
        self.one = one
        skin_w = (z.skin.to(x_lin) * visibility).clamp(min=0)
        base = masked_blur(x_lin, visibility.clamp(min=1e-3), BASE_SIGMA * px)
        self.base = base
        ref = (luminance(base) * skin_w).sum(dim=(2, 3), keepdim=True) / skin_w.sum(dim=(2, 3), keepdim=True).clamp(min=1)
        self.shade = (luminance(base) / ref.clamp(min=1e-4)).clamp(0.25, 2.0)
        self.light = ref.clamp(min=1e-3)  # how brightly the face is lit (times albedo)
        self.new_layer()

    def new_layer(self) -> None:
        one = self.one
        self.gain = one.repeat(1, 3, 1, 1)
        self.add = torch.zeros_like(self.gain)
        self.shine = torch.zeros_like(one)
        self.smooth = torch.zeros_like(one)
        self.sparkle = torch.zeros_like(one)
        self.sparkle_color = torch.zeros_like(self.gain)
        self.alpha = torch.zeros_like(one)

    def paint(self, color: torch.Tensor, alpha: torch.Tensor, *, shine: float | torch.Tensor = 0.0, lit: float = 1.0) -> None:
        """Lay a colour over the current base with opacity ``alpha`` (B, 1, H, W)."""
        current = self.base * self.gain
        target = color * self.shade**lit
        g = 1 + alpha * (target / current.clamp(min=2e-3) - 1)
        self.gain = self.gain * g.clamp(0.0, 12.0)
        self.add = self.add * g
        self.shine = self.shine + alpha * shine
        self.alpha = torch.maximum(self.alpha, alpha)

    def brighten(self, color: torch.Tensor, alpha: torch.Tensor) -> None:
        """Add reflected light (highlighter, gloss), scaled to the scene's lighting."""
        self.add = self.add + alpha * color * self.shade * self.light.sqrt() * 0.6
        self.alpha = torch.maximum(self.alpha, alpha.clamp(0, 1))

    def glitter(self, color: torch.Tensor, density: torch.Tensor) -> None:
        self.sparkle = torch.maximum(self.sparkle, density)
        self.sparkle_color = torch.where(density > 0, color.expand_as(self.sparkle_color), self.sparkle_color)

    def take(self) -> GroupLayer:
        layer = GroupLayer(
            gain=self.gain, add=self.add, shine=self.shine.clamp(-1, 2), smooth=self.smooth.clamp(0, 1),
            sparkle=self.sparkle, sparkle_color=self.sparkle_color, alpha=self.alpha.clamp(0, 1),
        )
        self.new_layer()
        return layer


def _present(styles: list[MakeupStyle], product: str) -> list[int]:
    return [i for i, s in enumerate(styles) if getattr(s, product) is not None]


def _select(values: list, idx: list[int], fill):
    out = [fill] * len(values)
    for i in idx:
        out[i] = values[i]
    return out


def render_uv(texture: torch.Tensor, visibility: torch.Tensor, styles: list[MakeupStyle], *, lip_support: bool = False) -> RenderOutput:
    """Paint one recipe per batch item onto UV textures.

    Args:
        texture: (B, 3, S, S) sRGB in [0, 1], the bare face in UV.
        visibility: (B, 1, S, S) in [0, 1] (from ``unwrap``).
        styles: B recipes.
        lip_support: paint lipstick a little past the mesh's lip line, for a photo
            composite that cuts it at the lip line found in the photo itself.
    """
    if texture.ndim != 4 or texture.shape[1] != 3 or texture.shape[2] != texture.shape[3]:
        raise ValueError(f"texture must be (B, 3, S, S), got {tuple(texture.shape)}")
    if len(styles) != texture.shape[0]:
        raise ValueError(f"{len(styles)} styles for a batch of {texture.shape[0]}")
    size = texture.shape[-1]
    z = zones(size)
    px = size / 256.0
    x_lin = srgb_to_linear(texture)
    painter = _Painter(x_lin, visibility, z, px)
    painter.lips = z.lips_support if lip_support else z.lips
    like = x_lin
    layers: dict[str, GroupLayer] = {}
    u = (z.grid_x.to(like) + 0.5) / size
    v = (z.grid_y.to(like) + 0.5) / size
    current = x_lin
    for group in GROUPS:
        for product in GROUP_PRODUCTS[group]:
            idx = _present(styles, product)
            if idx:
                _PRODUCTS[product](painter, [getattr(s, product) for s in styles], idx, like)
        layer = painter.take()
        layers[group] = layer
        current = composite(current, layer, u, v, base_sigma=BASE_SIGMA * px, sparkle_cells=size)
        painter.base = masked_blur(current, visibility.clamp(min=1e-3), BASE_SIGMA * px)
    return RenderOutput(texture=linear_to_srgb(current), layers=layers)


def _on(idx: list[int], like: torch.Tensor, n: int) -> torch.Tensor:
    mask = torch.zeros(n, 1, 1, 1, dtype=like.dtype, device=like.device)
    mask[idx] = 1
    return mask


def _foundation(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    n = like.shape[0]
    on = _on(idx, like, n)
    color = _rgb(_select([getattr(i, "shade", "#000000") for i in items], idx, "#808080"), like)
    coverage = _vec(_select([getattr(i, "coverage", 0.0) for i in items], idx, 0.0), like)
    finish = {"matte": -0.6, "natural": 0.0, "dewy": 0.5}
    shine = _vec(_select([finish[getattr(i, "finish", "natural")] if i else 0.0 for i in items], idx, 0.0), like)
    skin = p.z.skin.to(like) * on
    p.paint(color, coverage * 0.75 * skin, shine=shine)
    p.smooth = p.smooth + coverage * 0.6 * skin


def _concealer(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    on = _on(idx, like, like.shape[0])
    color = _rgb(_select([getattr(i, "shade", "#000000") for i in items], idx, "#808080"), like)
    coverage = _vec(_select([getattr(i, "coverage", 0.0) for i in items], idx, 0.0), like)
    area = p.z.under_eye.to(like) * on
    p.paint(color, coverage * 0.7 * area)
    p.smooth = p.smooth + coverage * 0.5 * area


def _contour(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    on = _on(idx, like, like.shape[0])
    color = _rgb(_select([getattr(i, "color", "#000000") for i in items], idx, "#808080"), like)
    strength = _vec(_select([getattr(i, "intensity", 0.0) for i in items], idx, 0.0), like)
    p.paint(color, strength * 0.45 * p.z.contour.to(like) * on)


def _blush(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    n = like.shape[0]
    for placement, zone in p.z.blush.items():
        sel = [i for i in idx if items[i].placement == placement]
        if not sel:
            continue
        on = _on(sel, like, n)
        color = _rgb(_select([getattr(i, "color", "#000000") for i in items], sel, "#808080"), like)
        strength = _vec(_select([getattr(i, "intensity", 0.0) for i in items], sel, 0.0), like)
        p.paint(color, strength * 0.55 * zone.to(like) * on)


def _highlight(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    on = _on(idx, like, like.shape[0])
    color = _rgb(_select([getattr(i, "color", "#000000") for i in items], idx, "#ffffff"), like)
    strength = _vec(_select([getattr(i, "intensity", 0.0) for i in items], idx, 0.0), like)
    shimmer = _vec(_select([getattr(i, "shimmer", 0.0) for i in items], idx, 0.0), like)
    area = p.z.highlight.to(like) * on
    p.brighten(color, strength * 0.18 * area)
    p.shine = p.shine + strength * shimmer * 0.8 * area
    p.glitter(color, strength * shimmer * 0.6 * area)


def _eyeshadow_weights(layout: str, lid: torch.Tensor, along: torch.Tensor) -> list[torch.Tensor]:
    """Blend weights of the three shade slots (lid/inner, crease/middle, outer/deepest)."""
    if layout == "wash":
        return [torch.ones_like(lid), torch.zeros_like(lid), torch.zeros_like(lid)]
    if layout == "gradient":
        crease = _smoothstep(0.25, 0.6, lid)
        outer = _smoothstep(0.55, 0.95, along) * (1 - _smoothstep(0.5, 0.9, lid)) * 0.85
        return [(1 - crease) * (1 - outer), crease * (1 - outer), outer]
    if layout == "smoky":
        deep = (1 - _smoothstep(0.0, 0.45, lid)) * 0.6 + _smoothstep(0.5, 1.0, along) * 0.4
        mid = 1 - deep
        return [mid * (1 - _smoothstep(0.3, 0.7, lid)) * 0.0 + mid * 0.5, mid * 0.5, deep]
    if layout == "cut_crease":
        lidpart = torch.sigmoid((0.42 - lid) / 0.02)
        return [lidpart, 1 - lidpart, torch.zeros_like(lid)]
    if layout == "halo":
        centre = torch.exp(-(((along - 0.5) / 0.22) ** 2))
        outer = (1 - centre) * (along > 0.5).to(lid)
        return [centre, (1 - centre) - outer, outer]
    raise ValueError(f"unknown eyeshadow layout {layout!r}")


def _eyeshadow(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    z = p.z
    lid, along = z.eye_lid.to(like), z.eye_along.to(like)
    for i in idx:
        item = items[i]
        on = _on([i], like, like.shape[0])
        colors = list(item.colors) + [item.colors[-1]] * (3 - len(item.colors))
        weights = _eyeshadow_weights(item.layout, lid, along)
        total = sum(weights).clamp(min=1e-4)
        rgb = sum(w / total * _rgb([c], like) for w, c in zip(weights, colors))
        top = 0.3 + 0.6 * item.height
        soft = 0.14 if item.layout == "smoky" else 0.07
        zone = torch.sigmoid((top - lid) / soft) * torch.sigmoid((lid + 0.02) / 0.02)
        zone = zone * torch.sigmoid((along + 0.08) / 0.05) * torch.sigmoid((1.25 - along) / 0.07)
        zone = zone * (1 - z.eye_open.to(like))
        alpha = item.intensity * 0.85 * zone * on
        shine = {"matte": -0.4, "satin": 0.2, "shimmer": 0.5, "glitter": 0.3, "metallic": 0.8}[item.finish]
        p.paint(rgb, alpha, shine=shine, lit=1.3 if item.finish == "metallic" else 1.0)
        density = item.shimmer + {"shimmer": 0.3, "glitter": 0.6, "metallic": 0.2}.get(item.finish, 0.0)
        if density > 0:
            p.glitter(rgb * 1.5 + 0.2, alpha * min(1.0, density))


def _eyeliner(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    z = p.z
    px = p.px
    lid, along, lash = z.eye_lid.to(like), z.eye_along.to(like), z.lash_distance.to(like)
    gx, gy = z.grid_x.to(like), z.grid_y.to(like)
    n = like.shape[0]
    on = _on(idx, like, n)
    color = _rgb(_select([getattr(i, "color", "#000000") for i in items], idx, "#000000"), like)
    thick = _vec(_select([getattr(i, "thickness", 0.0) for i in items], idx, 0.0), like)
    length = _vec(_select([getattr(i, "wing_length", 0.0) for i in items], idx, 0.0), like)
    angle = _vec(_select([getattr(i, "wing_angle", 15.0) for i in items], idx, 15.0), like) * (math.pi / 180)
    strength = _vec(_select([getattr(i, "intensity", 0.0) for i in items], idx, 0.0), like)
    lower = _vec(_select([float(getattr(i, "lower", False)) for i in items], idx, 0.0), like)

    width = (0.7 + 3.5 * thick) * px * (0.6 + 0.8 * along.clamp(0, 1))
    band = torch.sigmoid((width - lash) / (0.45 * px)) * torch.sigmoid((lid + 0.03) / 0.02)
    band = band * torch.sigmoid((along - 0.03) / 0.03) * torch.sigmoid((1.03 - along) / 0.03)
    wing = torch.zeros_like(band)
    wing_len = length * z.eye_width * 0.5 + 1e-3
    wing_width = (0.7 + 3.5 * thick) * px * 1.4
    for e in range(2):
        ox, oy = z.wing_origin[e, 0].item(), z.wing_origin[e, 1].item()
        dx = z.wing_dir_x[e].item() * torch.cos(angle)
        dy = -torch.sin(angle)
        rx, ry = gx - ox, gy - oy
        t = (rx * dx + ry * dy) / wing_len
        tc = t.clamp(0, 1)
        perp = torch.sqrt((rx - tc * wing_len * dx) ** 2 + (ry - tc * wing_len * dy) ** 2 + 1e-6)
        half = wing_width * (1 - tc) * 0.5
        w = torch.sigmoid((half - perp) / (0.45 * px)) * torch.sigmoid(t / 0.05) * (length > 0).to(like)
        wing = torch.maximum(wing, w)
    mask = torch.maximum(band, wing) + lower * 0.8 * z.lower_lash.to(like)
    p.paint(color, (strength * mask.clamp(0, 1) * on).clamp(0, 1), shine=-0.5, lit=0.5)


def _mascara(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    z = p.z
    on = _on(idx, like, like.shape[0])
    color = _rgb(_select([getattr(i, "color", "#000000") for i in items], idx, "#000000"), like)
    strength = _vec(_select([getattr(i, "intensity", 0.0) for i in items], idx, 0.0), like)
    lid, along, lash = z.eye_lid.to(like), z.eye_along.to(like), z.lash_distance.to(like)
    lashes = torch.sigmoid((1.4 * p.px - lash) / (0.4 * p.px)) * torch.sigmoid((lid + 0.02) / 0.02)
    lashes = lashes * torch.sigmoid((along - 0.1) / 0.05) * torch.sigmoid((1.05 - along) / 0.03)
    mask = lashes + 0.35 * z.lower_lash.to(like)
    p.paint(color, (strength * 0.9 * mask * on).clamp(0, 1), lit=0.4)


def _brows(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    on = _on(idx, like, like.shape[0])
    color = _rgb(_select([getattr(i, "color", "#000000") for i in items], idx, "#000000"), like)
    density = _vec(_select([getattr(i, "density", 0.0) for i in items], idx, 0.0), like)
    p.paint(color, density * 0.7 * p.z.brows.to(like) * on, shine=-0.3, lit=0.8)


def _lipstick(p: _Painter, items: list, idx: list[int], like: torch.Tensor) -> None:
    z = p.z
    n = like.shape[0]
    on = _on(idx, like, n)
    color = _rgb(_select([getattr(i, "color", "#000000") for i in items], idx, "#808080"), like)
    opacity = _vec(_select([getattr(i, "opacity", 0.0) for i in items], idx, 0.0), like)
    finish = {"matte": -0.8, "satin": 0.0, "gloss": 1.0, "metallic": 0.6}
    shine = _vec(_select([finish[getattr(i, "finish", "satin")] if i else 0.0 for i in items], idx, 0.0), like)
    lips = p.lips.to(like)
    alpha = opacity * 0.92 * lips * on
    p.paint(color, alpha, shine=shine)
    gloss = _vec(_select([1.0 if getattr(i, "finish", "") == "gloss" else 0.0 for i in items], idx, 0.0), like)
    p.brighten(torch.ones_like(color) * 0.5, gloss * opacity * z.lip_gloss.to(like) * on)
    metal = _vec(_select([1.0 if getattr(i, "finish", "") == "metallic" else 0.0 for i in items], idx, 0.0), like)
    p.glitter(color * 1.6 + 0.15, metal * alpha * 0.7)
    liner_idx = [i for i in idx if items[i].liner is not None]
    if liner_idx:
        lon = _on(liner_idx, like, n)
        liner = _rgb(_select([getattr(i, "liner", None) or "#000000" for i in items], liner_idx, "#808080"), like)
        strength = _vec(_select([getattr(i, "liner_intensity", 0.0) for i in items], liner_idx, 0.0), like)
        p.paint(liner, strength * 0.85 * z.lip_edge.to(like) * lon)


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
