"""Region tokens: learnable queries per face region that read a reference's makeup.

FRAM's second idea: instead of one global makeup vector, K learnable query tokens per
facial region group read the makeup CLIP's patch tokens through a Perceiver resampler,
so the lips tokens carry the reference's lipstick and the eyes tokens its shadow and
liner. Because each group is its own set of rows, groups can come from different
references (lips from one photo, eyes from another) simply by taking each group's rows
from the reference assigned to it (:func:`mix_groups`).

The groups and the UV regions their attention is supervised with
(:func:`token_group_masks`) are fixed here; the UV layout makes those targets
constant templates (``design.md``).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

TOKEN_GROUPS: tuple[str, ...] = ("skin", "cheeks", "eyes", "brows", "lips")
"""Token groups, in row order. ``cheeks`` (blush, contour, highlight) is its own group
so that the attention loss can tell blush from foundation; it follows ``skin`` when a
user selects regions."""

CONTROL_GROUP: dict[str, str] = {"skin": "skin", "cheeks": "skin", "eyes": "eyes", "brows": "brows", "lips": "lips"}
"""Which user-facing region (``fram.makeup.render.GROUPS``) each token group belongs to."""


@functools.lru_cache(maxsize=8)
def _group_masks_np(size: int) -> np.ndarray:
    from fram.face.templates import uv_templates

    t = uv_templates(256)
    eyes = np.clip(np.maximum(t["eyeshadow"], t["eyeliner"]) + 0.5 * t["eyes"], 0, 1)
    cheeks = t["cheeks"]
    skin = np.clip(t["skin"] - cheeks - eyes, 0, 1)
    stack = np.stack([skin, cheeks, eyes, t["brows"], t["lips"]]).astype(np.float32)
    assert len(stack) == len(TOKEN_GROUPS)
    if size != 256:
        import cv2

        stack = np.stack([cv2.resize(m, (size, size), interpolation=cv2.INTER_AREA) for m in stack])
    return stack


def token_group_masks(size: int) -> torch.Tensor:
    """(G, S, S) float UV masks, one per token group: where that group's makeup goes."""
    return torch.from_numpy(_group_masks_np(size).copy())


def token_group_partition(size: int) -> torch.Tensor:
    """(G, S, S): each group's share of each texel (the masks, summing to 1 where they overlap)."""
    masks = token_group_masks(size)
    return masks / masks.sum(0, keepdim=True).clamp_min(1.0)


@dataclass(frozen=True)
class ResamplerConfig:
    """Perceiver resampler size.

    Attributes:
        input_dim: width of the makeup CLIP's patch tokens.
        width: the resampler's own width.
        output_dim: width of the tokens it emits (the denoiser's cross-attention width).
        tokens_per_group: K queries per token group.
        depth: cross-attention + MLP layers.
        heads: attention heads.
    """

    input_dim: int = 128
    width: int = 128
    output_dim: int = 64
    tokens_per_group: int = 4
    depth: int = 2
    heads: int = 4

    def to_dict(self) -> dict:
        return asdict(self)


class _PerceiverLayer(nn.Module):
    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.norm_media = nn.LayerNorm(width)
        self.norm_query = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.norm_mlp = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, queries: torch.Tensor, media: torch.Tensor, media_mask: torch.Tensor | None) -> torch.Tensor:
        q = self.norm_query(queries)
        # Perceiver resampler: queries attend to the media and to themselves.
        kv = torch.cat([self.norm_media(media), q], dim=1)
        mask = None
        if media_mask is not None:
            keep = torch.cat([media_mask, torch.ones(q.shape[:2], dtype=torch.bool, device=q.device)], dim=1)
            mask = ~keep
        out, _ = self.attn(q, kv, kv, key_padding_mask=mask, need_weights=False)
        queries = queries + out
        return queries + self.mlp(self.norm_mlp(queries))


class RegionResampler(nn.Module):
    """Patch tokens ``(B, N, input_dim)`` → region tokens ``(B, G·K, output_dim)``.

    Rows ``g·K … g·K+K-1`` belong to ``TOKEN_GROUPS[g]``.
    """

    def __init__(self, config: ResamplerConfig) -> None:
        super().__init__()
        self.config = config
        g, k = len(TOKEN_GROUPS), config.tokens_per_group
        self.queries = nn.Parameter(torch.randn(g * k, config.width) * config.width**-0.5)
        self.proj_in = nn.Linear(config.input_dim, config.width)
        self.layers = nn.ModuleList(_PerceiverLayer(config.width, config.heads) for _ in range(config.depth))
        self.proj_out = nn.Linear(config.width, config.output_dim)
        self.norm_out = nn.LayerNorm(config.output_dim)

    @property
    def num_tokens(self) -> int:
        return len(TOKEN_GROUPS) * self.config.tokens_per_group

    def forward(self, patch_tokens: torch.Tensor, patch_mask: torch.Tensor | None = None) -> torch.Tensor:
        """``patch_mask`` (B, N) bool: patches worth reading (visible); None = all."""
        media = self.proj_in(patch_tokens)
        queries = self.queries[None].expand(len(media), -1, -1)
        if patch_mask is not None:
            # A reference with no usable patch would make attention undefined: keep one.
            patch_mask = patch_mask.clone()
            patch_mask[patch_mask.sum(1) == 0, 0] = True
        for layer in self.layers:
            queries = layer(queries, media, patch_mask)
        return self.norm_out(self.proj_out(queries))


def group_slices(tokens_per_group: int) -> dict[str, slice]:
    """Token rows of each group."""
    return {name: slice(i * tokens_per_group, (i + 1) * tokens_per_group) for i, name in enumerate(TOKEN_GROUPS)}


def mix_groups(tokens: dict[str, torch.Tensor], tokens_per_group: int) -> torch.Tensor:
    """Assemble region tokens group by group: ``tokens[group]`` is a (B, G·K, D) tensor
    whose rows for that group are used (e.g. lips from one reference, eyes from another)."""
    missing = set(TOKEN_GROUPS) - set(tokens)
    if missing:
        raise ValueError(f"no tokens for group(s) {sorted(missing)}")
    slices = group_slices(tokens_per_group)
    return torch.cat([tokens[name][:, slices[name]] for name in TOKEN_GROUPS], dim=1)


def token_scale(intensity: dict[str, float] | torch.Tensor | float, tokens_per_group: int, batch: int = 1) -> torch.Tensor:
    """Per-token attention scale (B, G·K) from per-group intensities (by token group name)."""
    if isinstance(intensity, torch.Tensor):
        per_group = intensity.reshape(batch, len(TOKEN_GROUPS)).float()
    elif isinstance(intensity, dict):
        per_group = torch.tensor([[float(intensity.get(g, 1.0)) for g in TOKEN_GROUPS]] * batch)
    else:
        per_group = torch.full((batch, len(TOKEN_GROUPS)), float(intensity))
    return per_group.repeat_interleave(tokens_per_group, dim=1)


def downsample_masks(masks: torch.Tensor, size: int) -> torch.Tensor:
    """(G, S, S) → (G, size, size) by area averaging (attention maps are coarser)."""
    if masks.shape[-1] == size:
        return masks
    return F.adaptive_avg_pool2d(masks[None], size)[0]
