"""Stage 2's attention loss: each token group's cross-attention should cover its UV region."""

from __future__ import annotations

import torch

from fram.models.generator import AttentionStore
from fram.models.region_tokens import downsample_masks


def focal_dice(pred: torch.Tensor, target: torch.Tensor, weight: torch.Tensor, gamma: float = 2.0) -> torch.Tensor:
    """Focal + dice loss between soft maps ``pred`` and ``target`` (B, G, h, w) in [0, 1],
    counted where ``weight`` (h, w) > 0."""
    p = pred.clamp(1e-5, 1 - 1e-5)
    ce = -(target * torch.log(p) + (1 - target) * torch.log(1 - p))
    pt = target * p + (1 - target) * (1 - p)
    focal = ((1 - pt) ** gamma * ce * weight).sum((-1, -2)) / weight.sum().clamp_min(1)
    inter = (pred * target * weight).sum((-1, -2))
    dice = 1 - (2 * inter + 1) / ((pred * weight).sum((-1, -2)) + (target * weight).sum((-1, -2)) + 1)
    return (focal + dice).mean()


def attention_loss(store: AttentionStore, targets: torch.Tensor, face: torch.Tensor, tokens_per_group: int, keep: torch.Tensor) -> torch.Tensor:
    """Each token group's attention (summed over its tokens) against its UV region."""
    if not store.maps or not bool(keep.any()):
        return torch.zeros(())
    losses = []
    for m in store.maps:
        b, t, h, w = m.shape
        groups = m.view(b, t // tokens_per_group, tokens_per_group, h, w).sum(2)[keep]
        losses.append(focal_dice(groups, downsample_masks(targets, h)[None], (downsample_masks(face[None], h)[0] > 0.5).float()))
    return torch.stack(losses).mean()
