"""The small U-Net behind the brow, eye, lip, occluder and paint segmenters, run in numpy.

The networks are tiny (about 50k weights, crops of a few thousand pixels), so their
forward pass is written here for exactly the layers they use (3×3 convolutions, a 1×1
head, group norm, SiLU, 2×2 max pooling, bilinear upsampling), and the core
install needs no torch to find a face's features. Training (:mod:`fram.train.segmenter`)
builds the same network in torch and saves weights under the same names, which
:class:`UNet` reads with ``safetensors.numpy``.
"""

from __future__ import annotations

import functools
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

    A subclass names its ``model_type`` (also its shipped folder, ``fram/weights/<model_type>``),
    the environment variable that points at other weights, and what to do when its
    weights are missing.
    """

    model_type: ClassVar[str]
    weights_env: ClassVar[str]
    missing_hint: ClassVar[str] = ""
    prior_channel: ClassVar[int | None] = None
    """The input channel that holds a rule-based mask the network refines, if any."""

    def __init__(self, config: SegmenterConfig, weights: dict[str, np.ndarray]) -> None:
        self.config = config
        self.weights = {k: np.asarray(v, np.float32) for k, v in weights.items()}

    @classmethod
    def from_pretrained(cls, folder) -> "UNet":
        from safetensors.numpy import load_file

        from fram.weights import model_files

        config, path = model_files(folder, cls.model_type, cls.missing_hint)
        return cls(SegmenterConfig.from_dict(config), load_file(str(path)))

    @classmethod
    def shipped(cls, folder: str | None = None) -> "UNet":
        """``folder``, else ``$weights_env``, else the shipped weights; each loaded once
        per process (every photo asks for the same net)."""
        return _loaded(cls, folder)

    def parameter_count(self) -> int:
        return sum(w.size for w in self.weights.values())

    def __call__(self, x: np.ndarray) -> np.ndarray:
        # Channels first, the batch inside (C, B, H, W): each convolution is then one
        # matrix product per tap for the whole batch.
        x = np.ascontiguousarray(np.asarray(x, np.float32).transpose(1, 0, 2, 3))
        levels = len(self.config.widths)
        skips = []
        for i in range(levels):
            x = self._block(f"down.{i}", [x if i == 0 else _max_pool(x)])
            skips.append(x)
        for j, skip in enumerate(reversed(skips[:-1])):
            x = self._block(f"up.{j}", [_upsample(x, skip.shape[-2:]), skip])
        w = self.weights
        c, b, h, wd = x.shape
        return (w["head.weight"][:, :, 0, 0] @ x.reshape(c, -1) + w["head.bias"][:, None]).reshape(b, h, wd)

    def _block(self, name: str, parts: list[np.ndarray]) -> np.ndarray:
        w = self.weights
        for conv, norm in ((0, 1), (3, 4)):
            x = _conv3(parts, w[f"{name}.{conv}.weight"], w[f"{name}.{conv}.bias"])
            x = _group_norm(x, w[f"{name}.{norm}.weight"], w[f"{name}.{norm}.bias"])
            x *= sigmoid(x)
            parts = [x]
        return x


@functools.lru_cache(maxsize=16)
def _loaded(cls: type[UNet], folder: str | None) -> UNet:
    from fram.weights import weights_folder

    return cls.from_pretrained(folder or weights_folder(cls.weights_env, cls.model_type))


def _conv3(parts: list[np.ndarray], weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A 3×3 convolution with zero padding 1 of ``parts`` (C, B, H, W) concatenated
    along channels.

    The parts are copied once into a zero-padded buffer, flattened per channel: each
    of the nine taps is then a contiguous slice of it and one matrix product (outputs
    are computed at every padded position, and those off the image dropped).
    """
    _, b, h, w = parts[0].shape
    hp, wp = h + 2, w + 2
    padded = np.zeros((weight.shape[1], b * hp + 3, wp), np.float32)  # 3 spare rows: the last taps' reach
    framed = padded[:, : b * hp].reshape(-1, b, hp, wp)
    start = 0
    for part in parts:
        framed[start : start + part.shape[0], :, 1 : h + 1, 1 : w + 1] = part
        start += part.shape[0]
    flat = padded.reshape(weight.shape[1], -1)
    n = b * hp * wp
    out = weight[:, :, 0, 0] @ flat[:, :n]
    for tap in range(1, 9):
        i, j = divmod(tap, 3)
        out += weight[:, :, i, j] @ flat[:, i * wp + j : i * wp + j + n]
    out += bias[:, None]
    return np.ascontiguousarray(out.reshape(-1, b, hp, wp)[:, :, :h, :w])


def _group_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Group norm of (C, B, H, W): statistics per group of channels and batch item."""
    c, b, h, w = x.shape
    g = x.reshape(GROUPS, c // GROUPS, b, h * w)
    centred = g - g.mean(axis=(1, 3), keepdims=True)
    var = np.square(centred).mean(axis=(1, 3), keepdims=True)
    centred /= np.sqrt(var + np.float32(EPS))
    return centred.reshape(c, b, h, w) * gamma[:, None, None, None] + beta[:, None, None, None]


def _max_pool(x: np.ndarray) -> np.ndarray:
    h, w = x.shape[2] // 2 * 2, x.shape[3] // 2 * 2
    return np.maximum(np.maximum(x[:, :, 0:h:2, 0:w:2], x[:, :, 0:h:2, 1:w:2]), np.maximum(x[:, :, 1:h:2, 0:w:2], x[:, :, 1:h:2, 1:w:2]))


def _interpolation(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in): linear interpolation with half-pixel centres, clamped at the
    edges (torch's ``interpolate(mode="bilinear", align_corners=False)`` per axis)."""
    src = np.maximum((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    t = src - i0
    m = np.zeros((n_out, n_in), np.float32)
    np.add.at(m, (np.arange(n_out), i0), 1 - t)
    np.add.at(m, (np.arange(n_out), i1), t)
    return m


def _upsample(x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resampling of (C, B, H, W) to ``size``, as two matrix products."""
    c, b, h, w = x.shape
    rows = _interpolation(h, size[0]) @ x.reshape(c * b, h, w)
    return (rows @ _interpolation(w, size[1]).T).reshape(c, b, *size)


__all__ = ["SegmenterConfig", "UNet", "sigmoid"]
