"""The makeup CLIP (FRAM stage 1): an image encoder over UV textures and a text encoder.

The image tower is a small ViT over a face's **UV texture and its visibility mask**
(``design.md``): every face is unwrapped into the same square, so the patch at a
given position always shows the same part of the face and the position embeddings
learn where lips, lids, brows and cheeks are. It returns

* ``patch_tokens`` ``(B, N, W)``: one token per patch (stage 2's region tokens read
  these; the patch grid is ``image_size // patch_size`` on a side, row-major), and
* ``image_features`` ``(B, D)``: the pooled makeup embedding (L2-normalised).

The text tower is a small transformer over :class:`fram.models.tokenizer.MakeupTokenizer`
ids, pooled at the ``[BOS]`` token into ``text_features`` ``(B, D)`` in the same space.

Architectures are JSON files in ``fram/configs`` (:mod:`fram.models.clip_config`, :func:`create_model`);
``save_pretrained`` / ``from_pretrained`` write and read a folder of ``config.json``,
``model.safetensors`` and ``tokenizer.json`` (CPU, float32; the caller calls ``.to()``).

Image convention: ``pixel_values`` ``(B, 3, S, S)`` sRGB in [0, 1] and ``visibility``
``(B, 1, S, S)`` in [0, 1], S = ``vision_cfg.image_size`` (see :func:`prepare_uv` to
bring any UV texture to that size). Hidden texels are zeroed inside the model, so
what the photo does not show never reaches the encoder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fram.models.clip_config import MakeupCLIPConfig, get_model_config
from fram.models.clip_towers import ClipInterface, TextTower, VisionTower
from fram.models.tokenizer import MakeupTokenizer
from fram.weights import PretrainedModel

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"


def create_model(name: str | MakeupCLIPConfig, **overrides: Any) -> "MakeupCLIP":
    """A freshly initialised :class:`MakeupCLIP` from a config name or object.

    ``overrides`` replace top-level config fields (``vision_cfg`` / ``text_cfg`` may be
    partial dicts merged into the named config).
    """
    cfg = name if isinstance(name, MakeupCLIPConfig) else get_model_config(name)
    doc = cfg.to_dict()
    for key, value in overrides.items():
        if key in ("vision_cfg", "text_cfg") and isinstance(value, dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    return MakeupCLIP(MakeupCLIPConfig.from_dict(doc))
# --------------------------------------------------------------------------- model


class MakeupCLIP(PretrainedModel, ClipInterface, nn.Module):
    """Image (UV texture) and text encoders into one makeup space (FRAM stage 1).

    ``forward`` returns a dict whose keys are the arguments of
    :class:`fram.train.loss.MakeupClipLoss`: ``image_features`` and ``text_features``
    (L2-normalised ``(B, D)``), ``ssl_features`` (the SimCLR head's normalised output),
    and ``patch_tokens`` ``(B, N, W)``. The temperature is the loss's (fixed, FRAM's 0.07);
    ``config.init_temperature`` records it for turning similarities into probabilities.
    """

    model_type = "makeup_clip"
    config_class = MakeupCLIPConfig
    missing_hint = "train one with `python -m fram.train.stage1`"

    def __init__(self, config: MakeupCLIPConfig | dict[str, Any] | None = None) -> None:
        super().__init__()
        if config is None:
            config = MakeupCLIPConfig()
        elif isinstance(config, dict):
            config = MakeupCLIPConfig.from_dict(config)
        self.config = config
        d = config.embed_dim
        self.visual = VisionTower(config.vision_cfg, d)
        self.text = TextTower(config.text_cfg, d)
        self.ssl_head = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, config.ssl_dim))
        self.image_norm = nn.BatchNorm1d(d) if config.embed_norm else nn.Identity()
        self.text_norm = nn.BatchNorm1d(d) if config.embed_norm else nn.Identity()
        self.tokenizer: MakeupTokenizer | None = None
        self.init_weights()

    def init_weights(self) -> None:
        """Truncated-normal linear weights, zero biases, small position embeddings."""
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, std=0.02)
            elif isinstance(module, (nn.LayerNorm, nn.GroupNorm, nn.BatchNorm1d)):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        for p in (self.visual.pos_embed, self.visual.cls_token, self.text.pos_embed):
            nn.init.normal_(p, std=0.02)

    # ------------------------------------------------------------------ encoders

    @property
    def image_size(self) -> int:
        return self.config.vision_cfg.image_size

    def forward_image(self, pixel_values: torch.Tensor, visibility: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """``image_features`` (normalised), ``image_embeds`` (not), ``patch_tokens``."""
        pooled, patches = self.visual(pixel_values, visibility)
        embeds = self.image_norm(self.visual.proj(pooled))
        return {"image_features": F.normalize(embeds, dim=-1), "image_embeds": embeds, "patch_tokens": patches}

    def encode_image(self, pixel_values: torch.Tensor, visibility: torch.Tensor | None = None, *, normalize: bool = True) -> torch.Tensor:
        """``(B, 3, S, S)`` UV textures in [0, 1] (+ visibility) → ``(B, D)`` makeup embeddings."""
        out = self.forward_image(pixel_values, visibility)
        return out["image_features"] if normalize else out["image_embeds"]

    def encode_text(self, input_ids: torch.Tensor, *, normalize: bool = True) -> torch.Tensor:
        """``(B, L)`` token ids → ``(B, D)`` text embeddings."""
        embeds = self.text_norm(self.text.proj(self.text(input_ids)))
        return F.normalize(embeds, dim=-1) if normalize else embeds

    # ------------------------------------------------------------------ files

    def _save_extras(self, folder: Path) -> None:
        if self.tokenizer is not None:
            self.tokenizer.save_pretrained(folder)

    def _load_extras(self, folder: Path) -> None:
        if (folder / "tokenizer.json").is_file():
            self.tokenizer = MakeupTokenizer.from_pretrained(folder)
            if self.tokenizer.vocab_size > self.config.text_cfg.vocab_size:
                raise ValueError(f"{folder}: tokenizer has {self.tokenizer.vocab_size} pieces, model {self.config.text_cfg.vocab_size}")


# --------------------------------------------------------------------------- inputs


def prepare_uv(texture: np.ndarray, visibility: np.ndarray, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A UV texture (S, S, 3) uint8 + visibility (S, S) → model inputs at ``size``.

    Returns ``(1, 3, size, size)`` float32 in [0, 1] and ``(1, 1, size, size)``;
    resizing is area averaging (what the training data went through).
    """
    import cv2

    if texture.ndim != 3 or texture.shape[2] != 3 or visibility.shape != texture.shape[:2]:
        raise ValueError(f"texture (S, S, 3) and visibility (S, S) expected, got {texture.shape} and {visibility.shape}")
    tex = texture.astype(np.float32) / (255.0 if texture.dtype == np.uint8 else 1.0)
    vis = visibility.astype(np.float32)
    if tex.shape[0] != size:
        tex = cv2.resize(tex, (size, size), interpolation=cv2.INTER_AREA)
        vis = cv2.resize(vis, (size, size), interpolation=cv2.INTER_AREA)
    return torch.from_numpy(tex).permute(2, 0, 1)[None].contiguous(), torch.from_numpy(vis)[None, None].contiguous()
