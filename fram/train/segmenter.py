"""The segmenters' U-Net in torch, for training (:mod:`fram.train.brows`, :mod:`fram.train.features`).

Inference runs in numpy (:class:`fram.face.segmenter.UNet`); this module is the same
network with the same weight names (``down.<level>.<layer>``, ``up.<level>.<layer>``,
``head``), so :meth:`save_pretrained` writes weights the numpy forward reads.
"""

from __future__ import annotations

import torch
from torch import nn

from fram.face.segmenter import GROUPS, SegmenterConfig, UNet
from fram.weights import PretrainedModel


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.GroupNorm(GROUPS, cout), nn.SiLU(),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.GroupNorm(GROUPS, cout), nn.SiLU())


class SegmenterModule(PretrainedModel, nn.Module):
    """A trainable segmenter, saved as the kind ``net`` (a :class:`UNet` subclass) loads."""

    config_class = SegmenterConfig
    model_type = "segmenter"

    def __init__(self, config: SegmenterConfig = SegmenterConfig(), net: type[UNet] | None = None) -> None:
        super().__init__()
        self.config = config
        if net is not None:
            self.model_type = net.model_type
        w = config.widths
        self.down = nn.ModuleList([_block(config.in_channels if i == 0 else w[i - 1], w[i]) for i in range(len(w))])
        self.up = nn.ModuleList([_block(w[i + 1] + w[i], w[i]) for i in reversed(range(len(w) - 1))])
        self.head = nn.Conv2d(w[0], 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else nn.functional.max_pool2d(x, 2))
            skips.append(x)
        for block, skip in zip(self.up, reversed(skips[:-1])):
            x = nn.functional.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        return self.head(x)[:, 0]


__all__ = ["SegmenterModule"]
