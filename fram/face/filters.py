"""Gaussian filters shared by the renderer, the compositor, the models and training.

Torch functions take (B, C, H, W) tensors in any range and keep their device and
dtype; :func:`feather` is the numpy one used on single masks.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch
import torch.nn.functional as F


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of (B, C, H, W) with reflect padding (kernel radius 3σ).

    On the CPU, when no gradient is needed, OpenCV's separable filter applies the same
    kernel several times faster than torch's grouped convolution (the renderer's
    largest cost); results differ only by float rounding.
    """
    if sigma <= 0:
        return x
    radius = max(1, int(math.ceil(3 * sigma)))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = k / k.sum()
    if (
        x.device.type == "cpu" and x.dtype == torch.float32 and radius < min(x.shape[2], x.shape[3])
        and not (x.requires_grad and torch.is_grad_enabled())
    ):
        return _blur_planes(x, k.numpy())
    c = x.shape[1]
    pad_h = min(radius, x.shape[2] - 1)
    pad_w = min(radius, x.shape[3] - 1)
    x = F.pad(x, (pad_w, pad_w, 0, 0), mode="reflect") if pad_w > 0 else x
    x = F.conv2d(x, k.view(1, 1, 1, -1).expand(c, 1, 1, -1)[..., radius - pad_w : radius + pad_w + 1], groups=c)
    x = F.pad(x, (0, 0, pad_h, pad_h), mode="reflect") if pad_h > 0 else x
    return F.conv2d(x, k.view(1, 1, -1, 1).expand(c, 1, -1, 1)[:, :, radius - pad_h : radius + pad_h + 1], groups=c)


def _blur_planes(x: torch.Tensor, kernel: np.ndarray) -> torch.Tensor:
    """``kernel`` along rows and columns of every (H, W) plane of a CPU tensor, with
    the same reflection at the borders as ``F.pad(mode="reflect")``."""
    b, c, h, w = x.shape
    planes = x.detach().contiguous().numpy().reshape(b * c, h, w)
    out = np.empty_like(planes)
    for src, dst in zip(planes, out):
        cv2.sepFilter2D(src, -1, kernel, kernel, dst=dst, borderType=cv2.BORDER_REFLECT_101)
    return torch.from_numpy(out).view(b, c, h, w)


def masked_blur(x: torch.Tensor, weight: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur that ignores pixels of zero weight (normalised convolution).

    Args:
        x: (B, C, H, W).
        weight: (B, 1, H, W) or (B, C, H, W), non-negative.
    """
    num = gaussian_blur(x * weight, sigma)
    den = gaussian_blur(weight, sigma)
    return num / den.clamp(min=1e-4)


def feather(mask: np.ndarray, sigma: float) -> np.ndarray:
    """An (H, W) float32 mask softened by a Gaussian of ``sigma`` px (unchanged for σ ≤ 0)."""
    if sigma <= 0:
        return mask
    return cv2.GaussianBlur(mask, (0, 0), sigma)
