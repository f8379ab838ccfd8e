"""The small U-Net behind the brow, eye and lip segmenters, run in numpy.

The networks are tiny (about 50k weights, crops of a few thousand pixels), so their
forward pass is written here for exactly the layers they use (3×3 and 1×1
convolutions, group norm, SiLU, 2×2 max pooling, bilinear upsampling), and the core
install needs no torch to find a face's features. Training (:mod:`fram.train.segmenter`)
builds the same network in torch and saves weights under the same names, which
:class:`UNet` reads with ``safetensors.numpy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

GROUPS = 4
"""Group norm's groups in every block."""
EPS = 1e-5


@dataclass(frozen=True)
class SegmenterConfig:
    """Sizes of a segmenter (plain data, saved as ``config.json``)."""

    in_channels: int = 5
    widths: tuple[int, ...] = (16, 24, 32)

    @classmethod
    def from_dict(cls, d: dict) -> "SegmenterConfig":
        return cls(in_channels=int(d["in_channels"]), widths=tuple(int(w) for w in d["widths"]))

    def to_dict(self) -> dict:
        return {"in_channels": self.in_channels, "widths": list(self.widths)}


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, as torch computes it: 1 / (1 + e^-x), tiny but positive
    far below 0 (the renderer's glitter relies on that) and 0 below about -88."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


class UNet:
    """Crop features (B, C, H, W) → logits (B, H, W): per level a block of two
    (3×3 convolution, group norm, SiLU), down by max pooling, up by bilinear
    upsampling and concatenation with the level's skip, then a 1×1 head.

    A subclass names its ``model_type`` and what to do when its weights are missing.
    """

    model_type: ClassVar[str]
    missing_hint: ClassVar[str] = ""

    def __init__(self, config: SegmenterConfig, weights: dict[str, np.ndarray]) -> None:
        self.config = config
        self.weights = {k: np.asarray(v, np.float32) for k, v in weights.items()}

    @classmethod
    def from_pretrained(cls, folder) -> "UNet":
        from safetensors.numpy import load_file

        from fram.weights import model_files

        config, path = model_files(folder, cls.model_type, cls.missing_hint)
        return cls(SegmenterConfig.from_dict(config), load_file(str(path)))

    def parameter_count(self) -> int:
        return sum(w.size for w in self.weights.values())

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float32)
        levels = len(self.config.widths)
        skips = []
        for i in range(levels):
            x = self._block(f"down.{i}", x if i == 0 else _max_pool(x))
            skips.append(x)
        for j, skip in enumerate(reversed(skips[:-1])):
            x = self._block(f"up.{j}", np.concatenate([_upsample(x, skip.shape[-2:]), skip], axis=1))
        return _conv(x, self.weights["head.weight"], self.weights["head.bias"])[:, 0]

    def _block(self, name: str, x: np.ndarray) -> np.ndarray:
        w = self.weights
        for conv, norm in ((0, 1), (3, 4)):
            x = _conv(x, w[f"{name}.{conv}.weight"], w[f"{name}.{conv}.bias"])
            x = _group_norm(x, w[f"{name}.{norm}.weight"], w[f"{name}.{norm}.bias"])
            x = x * sigmoid(x)
        return x


def _conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A k×k convolution (odd k, zero padding k // 2) as one matrix product."""
    b, c, h, w = x.shape
    out, _, k, _ = weight.shape
    if k == 1:
        cols = x.reshape(b, c, h * w)
    else:
        p = k // 2
        padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        cols = np.stack([padded[:, :, i : i + h, j : j + w] for i in range(k) for j in range(k)], axis=2)
        cols = cols.reshape(b, c * k * k, h * w)
    y = weight.reshape(out, -1) @ cols
    return (y + bias[:, None]).reshape(b, out, h, w)


def _group_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    b, c, h, w = x.shape
    g = x.reshape(b, GROUPS, -1)
    mean = g.mean(axis=2, keepdims=True, dtype=np.float64)
    var = g.var(axis=2, keepdims=True, dtype=np.float64)
    g = ((g - mean) / np.sqrt(var + EPS)).astype(np.float32)
    return g.reshape(b, c, h, w) * gamma[:, None, None] + beta[:, None, None]


def _max_pool(x: np.ndarray) -> np.ndarray:
    b, c, h, w = x.shape
    h, w = h // 2, w // 2
    return x[:, :, : 2 * h, : 2 * w].reshape(b, c, h, 2, w, 2).max(axis=(3, 5))


def _upsample(x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resampling to ``size`` with half-pixel centres (torch's
    ``interpolate(mode="bilinear", align_corners=False)``)."""

    def taps(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        src = np.maximum((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0.0)
        i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
        return i0, np.minimum(i0 + 1, n_in - 1), (src - i0).astype(np.float32)

    r0, r1, ty = taps(x.shape[2], size[0])
    c0, c1, tx = taps(x.shape[3], size[1])
    rows = x[:, :, r0] * (1 - ty)[:, None] + x[:, :, r1] * ty[:, None]
    return rows[..., c0] * (1 - tx) + rows[..., c1] * tx


__all__ = ["SegmenterConfig", "UNet", "sigmoid"]
