"""A makeup layer: what a group of products does to the skin under it, as maps.

Makeup is modelled as a *layer* over a face, not as new pixels: a per-pixel
multiplicative gain (the product's colour, lit like the skin under it, over the skin's
local base colour), an additive term (highlighter), how much of the skin's own
specular shine to keep or add, how much skin texture to smooth (coverage), and a
sparkle density. Applying gains to a photo keeps its pores, lighting and
high-frequency detail, and the same :func:`composite` runs on a UV texture and on the
photo at native resolution after the layer is projected.

All maths is in linear RGB. Maps are (B, C, H, W) float32 numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fram.face.colour import luminance
from fram.face.filters import gaussian_blur


def sparkle_noise(u: np.ndarray, v: np.ndarray, cells: float, seed: int = 0) -> np.ndarray:
    """A fixed pseudo-random value in [0, 1) per cell of UV space.

    Sparkle must stick to the skin (same flecks in every frame and at every
    resolution), so it is a hash of the UV cell, not of the pixel. The sine is taken
    in float64 and rounded to float32: correctly rounded, so the flecks do not depend
    on which SIMD sine the CPU's numpy build has.
    """
    iu = np.floor(u * np.float32(cells))
    iv = np.floor(v * np.float32(cells))
    arg = iu * np.float32(12.9898) + iv * np.float32(78.233) + np.float32(seed * 37.719)
    h = np.sin(arg.astype(np.float64)).astype(np.float32) * np.float32(43758.5453)
    return h - np.floor(h)


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

    gain: np.ndarray
    add: np.ndarray
    shine: np.ndarray
    smooth: np.ndarray
    sparkle: np.ndarray
    sparkle_color: np.ndarray
    alpha: np.ndarray

    CHANNELS = 13

    def pack(self) -> np.ndarray:
        """(B, 13, H, W): for projecting every map through one remap."""
        return np.concatenate([self.gain, self.add, self.shine, self.smooth, self.sparkle, self.sparkle_color, self.alpha], axis=1)

    @classmethod
    def unpack(cls, packed: np.ndarray) -> "GroupLayer":
        g, a, sh, sm, sp, sc, al = np.split(packed, [3, 6, 7, 8, 9, 12], axis=1)
        return cls(gain=g, add=a, shine=sh, smooth=sm, sparkle=sp, sparkle_color=sc, alpha=al)

    def copy(self) -> "GroupLayer":
        return GroupLayer(**{name: maps.copy() for name, maps in vars(self).items()})

    def stack(self, top: "GroupLayer") -> None:
        """Put ``top`` over this layer, in place (this layer's maps must be its own,
        full-size arrays): gains multiply, ``top``'s add lands over the gained add."""
        self.add *= top.gain
        self.add += top.add
        self.gain *= top.gain
        self.shine += top.shine
        np.maximum(self.smooth, top.smooth, out=self.smooth)
        np.maximum(self.sparkle, top.sparkle, out=self.sparkle)
        np.copyto(self.sparkle_color, top.sparkle_color, where=top.sparkle > 0)
        np.maximum(self.alpha, top.alpha, out=self.alpha)

    def region(self, rows: slice, cols: slice) -> "GroupLayer":
        """The layer over rows × cols (views: writing to them writes to this layer)."""
        return GroupLayer(**{name: maps[..., rows, cols] for name, maps in vars(self).items()})

    def masked(self, weight: np.ndarray) -> "GroupLayer":
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
    if len(layers) == 1:
        return layers[0]
    out = layers[0].copy()
    for nxt in layers[1:]:
        out.stack(nxt)
    return out


def composite(
    x_lin: np.ndarray,
    layer: GroupLayer,
    u: np.ndarray,
    v: np.ndarray,
    *,
    base_sigma: float,
    sparkle_cells: float,
    base: np.ndarray | None = None,
) -> np.ndarray:
    """Apply one group layer to linear RGB ``x_lin`` (UV texture or photo crop).

    ``u``, ``v`` (B, 1, H, W) are each pixel's UV coordinates, for sparkle placement;
    ``base_sigma`` is the blur (px at this resolution) separating base from texture;
    a caller that already has that blur (``base``) can pass it.
    """
    if base is None:
        base = gaussian_blur(x_lin, base_sigma)
    # In place on as few full-size arrays as possible: at photo size, fresh
    # allocations (page faults) cost as much as the arithmetic.
    out = x_lin - base  # the detail
    out *= layer.smooth
    np.subtract(x_lin, out, out=out)  # the detail smoothed away
    lum_base = luminance(base)
    spec = luminance(x_lin)
    spec -= lum_base * np.float32(1.08)
    np.maximum(spec, 0, out=spec)
    out -= spec  # diffuse
    out *= layer.gain
    shine = 1 + layer.shine
    np.maximum(shine, 0, out=shine)
    shine *= spec
    out += shine
    out += layer.add
    if layer.sparkle.max() > 0:
        _add_sparkle(out, layer, u, v, sparkle_cells, lum_base)
    return np.clip(out, 0, 1, out=out)


def _add_sparkle(out: np.ndarray, layer: GroupLayer, u: np.ndarray, v: np.ndarray, cells: float, lum_base: np.ndarray) -> None:
    """Add the flecks to ``out`` in place: a pixel sparkles where its cell's noise
    exceeds 1 - 0.18 × density. The noise is below 1, so only pixels whose threshold
    is below 1 are hashed, and only the flecks get a glint."""
    density = np.clip(layer.sparkle, 0, 1)
    threshold = 1 - np.float32(0.18) * density
    u, v = np.broadcast_to(u, density.shape), np.broadcast_to(v, density.shape)
    candidates = np.flatnonzero(threshold < 1)
    fleck = candidates[sparkle_noise(u.flat[candidates], v.flat[candidates], cells) > threshold.flat[candidates]]
    if fleck.size == 0:
        return
    b, _, y, x = np.unravel_index(fleck, density.shape)
    glint = sparkle_noise(u.flat[fleck], v.flat[fleck], cells, seed=1)
    amount = density.flat[fleck] * (0.25 + 0.5 * glint)
    out[b, :, y, x] += amount[:, None] * layer.sparkle_color[b, :, y, x] * (lum_base[b, 0, y, x] * 2 + 0.2)[:, None]
