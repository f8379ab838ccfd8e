"""Gaussian filters shared by the renderer, the compositor, the models and training.

:func:`gaussian_blur` takes (B, C, H, W) float32 arrays (the renderer, with OpenCV)
or torch tensors (the models and training, on any device and with gradients; torch
is imported only when a tensor is passed); :func:`feather` is the one used on single
masks.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def gaussian_blur(x, sigma: float):
    """Separable Gaussian blur of (B, C, H, W) with reflect padding (kernel radius 3σ).

    An axis shorter than the radius reflects once and cuts the kernel there. Arrays,
    and CPU tensors that need no gradient, go through OpenCV's separable filter, several
    times faster than torch's grouped convolution (the renderer's largest cost);
    results differ only by float rounding.
    """
    if sigma <= 0:
        return x
    radius = max(1, int(math.ceil(3 * sigma)))
    t = np.arange(-radius, radius + 1, dtype=np.float32)
    k = np.exp(-0.5 * (t / np.float32(sigma)) ** 2)
    k = k / k.sum()
    pad_h, pad_w = min(radius, x.shape[2] - 1), min(radius, x.shape[3] - 1)
    ky, kx = k[radius - pad_h : radius + pad_h + 1], k[radius - pad_w : radius + pad_w + 1]
    if isinstance(x, np.ndarray):
        return _blur_planes(x, kx, ky)
    import torch

    if x.device.type == "cpu" and x.dtype == torch.float32 and not (x.requires_grad and torch.is_grad_enabled()):
        return torch.from_numpy(_blur_planes(x.detach().numpy(), kx, ky))
    return _blur_tensor(x, torch.from_numpy(kx).to(x), torch.from_numpy(ky).to(x))


def _blur_planes(x: np.ndarray, kx: np.ndarray, ky: np.ndarray) -> np.ndarray:
    """``kx`` along rows and ``ky`` along columns of every (H, W) plane, reflecting
    at the borders without repeating the edge pixel."""
    b, c, h, w = x.shape
    planes = np.ascontiguousarray(x, dtype=np.float32).reshape(b * c, h, w)
    out = np.empty_like(planes)
    for src, dst in zip(planes, out):
        cv2.sepFilter2D(src, -1, kx, ky, dst=dst, borderType=cv2.BORDER_REFLECT_101)
    return out.reshape(b, c, h, w)


def _blur_tensor(x, kx, ky):
    """The same blur as a grouped convolution, for tensors on a GPU or under autograd."""
    import torch.nn.functional as F

    c, pad_h, pad_w = x.shape[1], len(ky) // 2, len(kx) // 2
    x = F.pad(x, (pad_w, pad_w, 0, 0), mode="reflect") if pad_w > 0 else x
    x = F.conv2d(x, kx.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    x = F.pad(x, (0, 0, pad_h, pad_h), mode="reflect") if pad_h > 0 else x
    return F.conv2d(x, ky.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


def masked_blur(x: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """Blur that ignores pixels of zero weight (normalised convolution).

    Args:
        x: (B, C, H, W).
        weight: (B, 1, H, W) or (B, C, H, W), non-negative.
    """
    num = gaussian_blur(x * weight, sigma)
    den = gaussian_blur(weight, sigma)
    return num / np.maximum(den, np.float32(1e-4))


def feather(mask: np.ndarray, sigma: float) -> np.ndarray:
    """An (H, W) float32 mask softened by a Gaussian of ``sigma`` px (unchanged for σ ≤ 0)."""
    if sigma <= 0:
        return mask
    return cv2.GaussianBlur(mask, (0, 0), sigma)
