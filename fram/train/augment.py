"""Augmentations for the makeup CLIP: geometric and light, never colour.

Colour *is* the makeup, so no hue or saturation jitter: the photometric changes are
an exposure gain and a smooth shading field applied equally to the three channels in
linear light (they change how bright a texel is, never its chromaticity), mild blur
and sensor noise. Geometric changes (small affine, mirror, elastic warp) move
texture and visibility together; parts of the face are hidden as a turned head or a
hand would hide them, by lowering the visibility mask.

Every function takes ``(B, C, S, S)`` float tensors in [0, 1] and a
``torch.Generator`` (so a training run is reproducible and resumable), and returns
new tensors of the same shape, device and dtype.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F


@dataclass
class AugmentOptions:
    """Strength of each augmentation (0 turns one off).

    Attributes:
        rotate: max rotation, degrees.
        scale: (min, max) zoom.
        translate: max shift, fraction of the side.
        flip: probability of a left-right mirror (the UV layout is symmetric).
        elastic: max displacement of the elastic warp, fraction of the side.
        gain: exposure range (multiplies linear light), e.g. 0.3 → [0.7, 1.3].
        shading: amplitude of a smooth left/right or top/bottom lighting gradient.
        blur: probability of a Gaussian blur (sigma up to 1 px).
        noise: max standard deviation of additive noise.
        turn: probability of hiding one side of the face (head turned away).
        occlude: probability of hiding a random rectangle (hair, hand).
    """

    rotate: float = 8.0
    scale: tuple[float, float] = (0.9, 1.1)
    translate: float = 0.05
    flip: float = 0.5
    elastic: float = 0.02
    gain: float = 0.3
    shading: float = 0.25
    blur: float = 0.3
    noise: float = 0.02
    turn: float = 0.25
    occlude: float = 0.2

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def none(cls) -> "AugmentOptions":
        """Every augmentation off: a view is the texture as it is (evaluation, probes)."""
        return cls(rotate=0, scale=(1.0, 1.0), translate=0, flip=0, elastic=0, gain=0, shading=0, blur=0, noise=0, turn=0, occlude=0)


def _uniform(shape: tuple[int, ...], low: float, high: float, generator: torch.Generator | None, like: torch.Tensor) -> torch.Tensor:
    return torch.rand(shape, generator=generator).to(like) * (high - low) + low


def _check(x: torch.Tensor, name: str = "x") -> None:
    if x.ndim != 4 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{name} must be (B, C, S, S), got {tuple(x.shape)}")


def geometric(x: torch.Tensor, opts: AugmentOptions, generator: torch.Generator | None = None) -> torch.Tensor:
    """Random affine + mirror + elastic warp of ``(B, C, S, S)``; outside the image is 0.

    Warp texture and visibility in one call (concatenated on C) to keep them aligned.
    """
    _check(x)
    b, _, s, _ = x.shape
    angle = _uniform((b,), -opts.rotate, opts.rotate, generator, x) * (math.pi / 180)
    zoom = _uniform((b,), opts.scale[0], opts.scale[1], generator, x)
    shift = _uniform((b, 2), -opts.translate, opts.translate, generator, x) * 2
    mirror = torch.where(torch.rand(b, generator=generator).to(x) < opts.flip, -1.0, 1.0).to(x)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([torch.stack([cos * mirror, -sin, shift[:, 0]], 1), torch.stack([sin * mirror, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    if opts.elastic > 0:
        coarse = (torch.rand((b, 2, 5, 5), generator=generator).to(x) * 2 - 1) * (opts.elastic * 2)
        field = F.interpolate(coarse, size=(s, s), mode="bilinear", align_corners=True).permute(0, 2, 3, 1)
        grid = grid + field
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


# sRGB is close to a power law: scaling linear light by k scales sRGB by k ** (1 / GAMMA).
GAMMA = 2.2


def photometric(rgb: torch.Tensor, opts: AugmentOptions, generator: torch.Generator | None = None) -> torch.Tensor:
    """Exposure, shading, blur and noise on ``(B, 3, S, S)`` sRGB; chromaticity is kept.

    Gain and shading multiply all three channels of linear light by the same factor
    (done as a factor ``k ** (1 / 2.2)`` on sRGB, the power-law approximation), so the
    hue and saturation of every texel are unchanged (up to clipping at white).
    """
    _check(rgb, "rgb")
    if rgb.shape[1] != 3:
        raise ValueError(f"rgb must have 3 channels, got {rgb.shape[1]}")
    b, _, s, _ = rgb.shape
    factor = _uniform((b, 1, 1, 1), 1 - opts.gain, 1 + opts.gain, generator, rgb)
    if opts.shading > 0:
        ramp = torch.linspace(-1, 1, s).to(rgb)
        direction = _uniform((b, 1), 0, 2 * math.pi, generator, rgb)
        amount = _uniform((b, 1, 1, 1), 0, opts.shading, generator, rgb)
        plane = torch.cos(direction)[..., None] * ramp[None, None, :] + torch.sin(direction)[..., None] * ramp[None, :, None]
        factor = factor * (1 + amount * plane[:, None])
    out = rgb * factor.clamp_min(0) ** (1 / GAMMA)
    if opts.blur > 0:
        sigma = torch.rand(b, generator=generator) * 1.0
        use = torch.rand(b, generator=generator) < opts.blur
        if bool(use.any()):
            out = out.clone()
            out[use] = _gaussian_blur(out[use], sigma[use].to(rgb))
    if opts.noise > 0:
        std = _uniform((b, 1, 1, 1), 0, opts.noise, generator, rgb)
        out = out + torch.randn(out.shape, generator=generator).to(rgb) * std
    return out.clamp(0, 1)


def _gaussian_blur(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Per-image Gaussian blur of (B, C, S, S) with sigma (B,) px (5-tap, separable)."""
    taps = torch.arange(-2, 3).to(x)
    kernel = torch.exp(-(taps[None] ** 2) / (2 * sigma.clamp_min(1e-3)[:, None] ** 2))
    kernel = kernel / kernel.sum(1, keepdim=True)  # (B, 5)
    b, c, h, w = x.shape
    y = x.reshape(1, b * c, h, w)
    k = kernel.repeat_interleave(c, 0)
    y = F.conv2d(F.pad(y, (2, 2, 0, 0), mode="replicate"), k[:, None, None, :], groups=b * c)
    y = F.conv2d(F.pad(y, (0, 0, 2, 2), mode="replicate"), k[:, None, :, None], groups=b * c)
    return y.reshape(b, c, h, w)


def hide(visibility: torch.Tensor, opts: AugmentOptions, generator: torch.Generator | None = None) -> torch.Tensor:
    """Lower ``(B, 1, S, S)`` visibility as a turned head (one side fades) or an occluder would."""
    _check(visibility, "visibility")
    b, _, s, _ = visibility.shape
    out = visibility
    u = torch.linspace(0, 1, s).to(visibility)
    if opts.turn > 0:
        use = (torch.rand(b, generator=generator) < opts.turn).to(visibility)
        edge = _uniform((b,), 0.0, 0.35, generator, visibility)
        side = torch.rand(b, generator=generator) < 0.5
        pos = torch.where(side.to(visibility.device)[:, None], u[None], 1 - u[None])  # (B, S)
        fade = torch.sigmoid((pos - edge[:, None]) / 0.03)
        fade = 1 - use[:, None] * (1 - fade)
        out = out * fade[:, None, None, :]
    if opts.occlude > 0:
        use = torch.rand(b, generator=generator) < opts.occlude
        corner = torch.rand((b, 2), generator=generator) * 0.8
        size = 0.1 + torch.rand((b, 2), generator=generator) * 0.25
        rows = (u[None] >= corner[:, :1].to(u)) & (u[None] < (corner[:, :1] + size[:, :1]).to(u))
        cols = (u[None] >= corner[:, 1:].to(u)) & (u[None] < (corner[:, 1:] + size[:, 1:]).to(u))
        box = (rows[:, :, None] & cols[:, None, :]) & use.to(u.device)[:, None, None]
        out = out * (~box).to(out)[:, None]
    return out


def augment_view(rgb: torch.Tensor, visibility: torch.Tensor, opts: AugmentOptions, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """One random view: geometric (texture and visibility together), light, hiding."""
    if rgb.shape[0] != visibility.shape[0] or visibility.shape[1] != 1 or rgb.shape[-2:] != visibility.shape[-2:]:
        raise ValueError(f"rgb (B, 3, S, S) and visibility (B, 1, S, S) expected, got {tuple(rgb.shape)} and {tuple(visibility.shape)}")
    warped = geometric(torch.cat([rgb, visibility], 1), opts, generator)
    rgb, vis = warped[:, :3], warped[:, 3:]
    return photometric(rgb, opts, generator), hide(vis, opts, generator).clamp(0, 1)


def swap_identity(after: torch.Tensor, before: torch.Tensor, vis: torch.Tensor, other_before: torch.Tensor, other_vis: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The same makeup on another face: ``other_before + (after - before)`` in UV.

    All ``(B, 3, S, S)`` / ``(B, 1, S, S)`` in [0, 1]. The makeup layer (what the look
    changed on its own face) is moved onto another bare face; it is shown where both
    faces are visible.
    """
    return (other_before + (after - before)).clamp(0, 1), vis * other_vis
