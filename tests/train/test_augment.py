"""Augmentations keep colour (hue, saturation), move texture and visibility together."""

from __future__ import annotations

import pytest
import torch

from fram.train.augment import AugmentOptions, augment_view, geometric, hide, photometric, swap_identity


def _chroma_direction(rgb: torch.Tensor) -> torch.Tensor:
    """Channel proportions r:g:b of each texel (hue/saturation up to brightness)."""
    return rgb / rgb.sum(1, keepdim=True).clamp_min(1e-6)


def test_photometric_keeps_colour():
    g = torch.Generator().manual_seed(0)
    rgb = torch.rand(4, 3, 32, 32, generator=g) * 0.6 + 0.1
    opts = AugmentOptions(blur=0.0, noise=0.0)
    out = photometric(rgb, opts, torch.Generator().manual_seed(1))
    assert out.shape == rgb.shape
    assert not torch.allclose(out, rgb)  # brightness did change
    lin_in, lin_out = rgb ** 2.2, out ** 2.2  # power-law linear light
    torch.testing.assert_close(_chroma_direction(lin_out), _chroma_direction(lin_in), atol=2e-3, rtol=0)


def test_geometric_moves_texture_and_visibility_together():
    x = torch.zeros(2, 4, 32, 32)
    x[:, :3, 8:16, 8:16] = 1.0
    x[:, 3:, 8:16, 8:16] = 1.0
    out = geometric(x, AugmentOptions(), torch.Generator().manual_seed(3))
    torch.testing.assert_close(out[:, 0:1], out[:, 3:4])


def test_identity_options_are_identity():
    x = torch.rand(2, 4, 16, 16)
    none = AugmentOptions(rotate=0, scale=(1, 1), translate=0, flip=0, elastic=0)
    torch.testing.assert_close(geometric(x, none), x, atol=1e-5, rtol=0)


def test_hide_only_lowers_visibility_and_is_seeded():
    v = torch.ones(8, 1, 32, 32)
    opts = AugmentOptions(turn=1.0, occlude=1.0)
    a = hide(v, opts, torch.Generator().manual_seed(5))
    b = hide(v, opts, torch.Generator().manual_seed(5))
    torch.testing.assert_close(a, b)
    assert float(a.max()) <= 1.0 and float(a.min()) >= 0.0 and float(a.mean()) < 1.0


def test_augment_view_shapes_and_checks():
    rgb, vis = torch.rand(3, 3, 24, 24), torch.ones(3, 1, 24, 24)
    x, v = augment_view(rgb, vis, AugmentOptions(), torch.Generator().manual_seed(0))
    assert x.shape == rgb.shape and v.shape == vis.shape
    assert 0 <= float(x.min()) and float(x.max()) <= 1
    with pytest.raises(ValueError):
        augment_view(rgb, torch.ones(2, 1, 24, 24), AugmentOptions())


def test_swap_identity_moves_the_makeup_layer():
    before = torch.full((1, 3, 8, 8), 0.5)
    after = before.clone()
    after[:, 0, 6:, 2:6] = 0.9  # red lips
    other = torch.full((1, 3, 8, 8), 0.3)
    vis, other_vis = torch.ones(1, 1, 8, 8), torch.ones(1, 1, 8, 8)
    other_vis[..., :2] = 0
    out, out_vis = swap_identity(after, before, vis, other, other_vis)
    torch.testing.assert_close(out[:, 0, 6:, 2:6], torch.full((2, 4), 0.7).unsqueeze(0))
    torch.testing.assert_close(out[:, :, :6], other[:, :, :6])
    torch.testing.assert_close(out_vis, other_vis)
