"""The makeup CLIP's towers: a ViT over UV texture + visibility, a text transformer, and
what every makeup CLIP (trained here or fine-tuned from a pretrained CLIP) answers alike."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fram.models.clip_config import TextCfg, VisionCfg
from fram.models.tokenizer import PAD_ID

PIXEL_MEAN = 0.5
PIXEL_STD = 0.25
RELATIVE_STD = 0.1


class AttnProcessor:
    """Default attention maths: PyTorch's scaled-dot-product attention.

    ``mask`` is boolean ``(B, 1, 1, N)`` (True: attend to that key) or None.
    """

    def __call__(self, attn: "Attention", x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        b, n, c = x.shape
        h = attn.heads
        q = attn.to_q(x).view(b, n, h, c // h).transpose(1, 2)
        k = attn.to_k(x).view(b, n, h, c // h).transpose(1, 2)
        v = attn.to_v(x).view(b, n, h, c // h).transpose(1, 2)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return attn.to_out(out.transpose(1, 2).reshape(b, n, c))


class Attention(nn.Module):
    """Multi-head self-attention whose maths lives in a swappable processor."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(width, width)
        self.to_k = nn.Linear(width, width)
        self.to_v = nn.Linear(width, width)
        self.to_out = nn.Linear(width, width)
        self.processor: Any = AttnProcessor()

    def set_processor(self, processor: Any) -> None:
        self.processor = processor

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.processor(self, x, mask)


class Block(nn.Module):
    """Pre-norm transformer block."""

    def __init__(self, width: int, heads: int, mlp_ratio: float) -> None:
        super().__init__()
        hidden = int(width * mlp_ratio)
        self.ln_1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, width))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


# --------------------------------------------------------------------------- towers


def check_uv_inputs(pixel_values: torch.Tensor, visibility: torch.Tensor | None, size: int) -> torch.Tensor:
    """Validate ``(B, 3, S, S)`` / ``(B, 1, S, S)``; returns the visibility (ones if None)."""
    if pixel_values.ndim != 4 or pixel_values.shape[1] != 3 or pixel_values.shape[-2:] != (size, size):
        raise ValueError(f"pixel_values must be (B, 3, {size}, {size}), got {tuple(pixel_values.shape)}")
    if visibility is None:
        return pixel_values.new_ones(pixel_values.shape[0], 1, size, size)
    if visibility.shape != (pixel_values.shape[0], 1, size, size):
        raise ValueError(f"visibility must be ({pixel_values.shape[0]}, 1, {size}, {size}), got {tuple(visibility.shape)}")
    return visibility.to(pixel_values.dtype)


POOL_REGIONS: tuple[str, ...] = ("skin", "cheeks", "eyeshadow", "eyes", "brows", "lips")
"""Face regions of the UV layout that ``pool="regions"`` averages patch tokens over."""


def region_weights(image_size: int, grid: int) -> torch.Tensor:
    """(R, grid * grid) share of each patch covered by each :data:`POOL_REGIONS` template."""
    from fram.face.templates import uv_templates

    templates = uv_templates(image_size)
    stack = torch.from_numpy(np.stack([templates[name] for name in POOL_REGIONS]).astype(np.float32))
    return F.adaptive_avg_pool2d(stack[None], grid)[0].flatten(1)


class VisionTower(nn.Module):
    """ViT over UV texture + visibility; ``forward`` → (pooled ``(B, W)``, patch tokens ``(B, N, W)``)."""

    def __init__(self, cfg: VisionCfg, embed_dim: int) -> None:
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        if cfg.stem == "cnn":
            widths = [cfg.in_channels, *cfg.stem_channels, w]
            layers: list[nn.Module] = []
            for a, b in zip(widths[:-1], widths[1:]):
                layers += [nn.Conv2d(a, b, 3, 2, 1), nn.GroupNorm(8, b), nn.GELU(), nn.Conv2d(b, b, 3, 1, 1), nn.GroupNorm(8, b), nn.GELU()]
            self.patch_embed = nn.Sequential(*layers)
        elif cfg.stem == "conv":
            c1, c2 = cfg.stem_channels
            rest = cfg.patch_size // 4
            self.patch_embed = nn.Sequential(
                nn.Conv2d(cfg.in_channels, c1, 3, 2, 1), nn.GroupNorm(8, c1), nn.GELU(),
                nn.Conv2d(c1, c2, 3, 2, 1), nn.GroupNorm(8, c2), nn.GELU(),
                nn.Conv2d(c2, w, rest, rest),
            )
        else:
            self.patch_embed = nn.Conv2d(cfg.in_channels, w, cfg.patch_size, cfg.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, w))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + cfg.grid**2, w))
        self.blocks = nn.ModuleList(Block(w, cfg.heads, cfg.mlp_ratio) for _ in range(cfg.layers))
        self.ln_post = nn.LayerNorm(w)
        pooled_width = w * len(POOL_REGIONS) if cfg.pool == "regions" else w
        if cfg.pool == "regions":
            self.register_buffer("region_weights", region_weights(cfg.image_size, cfg.grid))
        self.proj = nn.Linear(pooled_width, embed_dim, bias=False)

    def forward(self, pixel_values: torch.Tensor, visibility: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        cfg = self.cfg
        vis = check_uv_inputs(pixel_values, visibility, cfg.image_size)
        parts = [(pixel_values - PIXEL_MEAN) / PIXEL_STD * vis]
        if cfg.relative:
            mean = (pixel_values * vis).sum((2, 3), keepdim=True) / vis.sum((2, 3), keepdim=True).clamp_min(1.0)
            parts.append((pixel_values - mean) / RELATIVE_STD * vis)
        x = torch.cat([*parts, vis], dim=1)
        tokens = self.patch_embed(x).flatten(2).transpose(1, 2)  # (B, N, W)
        b = tokens.shape[0]
        x = torch.cat([self.cls_token.expand(b, -1, -1), tokens], dim=1) + self.pos_embed
        patch_vis = F.avg_pool2d(vis, cfg.patch_size).flatten(1)  # (B, N)
        keep = torch.cat([patch_vis.new_ones(b, 1), patch_vis], dim=1) >= cfg.min_patch_visibility
        keep[:, 0] = True
        mask = keep[:, None, None, :]
        for block in self.blocks:
            x = block(x, mask)
        x = self.ln_post(x)
        if cfg.pool == "regions":
            # (B, R, N) weights: region share of each patch times its visibility
            w = self.region_weights[None] * (patch_vis * keep[:, 1:])[:, None, :]
            per_region = torch.einsum("brn,bnc->brc", w, x[:, 1:]) / w.sum(-1, keepdim=True).clamp_min(1e-3)
            pooled = per_region.flatten(1)
        elif cfg.pool == "mean":
            w = keep[:, 1:].to(x.dtype)[..., None]
            pooled = (x[:, 1:] * w).sum(1) / w.sum(1).clamp_min(1.0)
        else:
            pooled = x[:, 0]
        return pooled, x[:, 1:]


class TextTower(nn.Module):
    """Transformer over token ids, pooled at ``[BOS]`` or over all tokens; pads are masked out."""

    def __init__(self, cfg: TextCfg, embed_dim: int) -> None:
        super().__init__()
        self.cfg = cfg
        self.token_embedding = nn.Embedding(cfg.vocab_size, cfg.width)
        self.pos_embed = nn.Parameter(torch.zeros(1, cfg.context_length, cfg.width))
        self.blocks = nn.ModuleList(Block(cfg.width, cfg.heads, cfg.mlp_ratio) for _ in range(cfg.layers))
        self.ln_final = nn.LayerNorm(cfg.width)
        self.proj = nn.Linear(cfg.width, embed_dim, bias=False)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        cfg = self.cfg
        if input_ids.ndim != 2 or input_ids.shape[1] != cfg.context_length:
            raise ValueError(f"input_ids must be (B, {cfg.context_length}), got {tuple(input_ids.shape)}")
        if input_ids.numel() and (int(input_ids.max()) >= cfg.vocab_size or int(input_ids.min()) < 0):
            raise ValueError(f"input_ids out of the vocabulary (size {cfg.vocab_size})")
        # Trailing columns that are padding in every row change nothing (pads are
        # masked and pooling reads [BOS]); leave them out.
        used = int((input_ids != PAD_ID).any(0).nonzero().max()) + 1 if input_ids.numel() else 1
        input_ids = input_ids[:, :used]
        x = self.token_embedding(input_ids) + self.pos_embed[:, :used]
        mask = (input_ids != PAD_ID)[:, None, None, :]
        for block in self.blocks:
            x = block(x, mask)
        x = self.ln_final(x)
        if cfg.pool == "mean":
            w = (input_ids != PAD_ID).to(x.dtype)[..., None]
            return (x * w).sum(1) / w.sum(1).clamp_min(1.0)
        return x[:, 0]


# --------------------------------------------------------------------------- shared interface


class ClipInterface:
    """``forward``, ``encode_texts`` and the SimCLR projection for any makeup CLIP that
    has ``forward_image``, ``encode_text``, ``ssl_head`` and a ``tokenizer``: the dict
    :class:`fram.train.loss.MakeupClipLoss` reads, whatever the backbone."""

    tokenizer: Any

    def encode_texts(self, texts: str | list[str], *, batch_size: int = 256) -> torch.Tensor:
        """Strings → ``(B, D)`` normalised embeddings, through the attached tokenizer."""
        if self.tokenizer is None:
            raise ValueError("this model has no tokenizer attached (load it with from_pretrained or set .tokenizer)")
        ids = self.tokenizer(texts)
        return torch.cat([self.encode_text(ids[i : i + batch_size]) for i in range(0, len(ids), batch_size)])

    def ssl_project(self, image_embeds: torch.Tensor) -> torch.Tensor:
        """The SimCLR projection head on unnormalised image embeddings → normalised."""
        return F.normalize(self.ssl_head(image_embeds), dim=-1)

    def forward(
        self,
        pixel_values: torch.Tensor | None = None,
        visibility: torch.Tensor | None = None,
        input_ids: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        out: dict[str, torch.Tensor] = {}
        if pixel_values is not None:
            image = self.forward_image(pixel_values, visibility)
            out.update(image)
            out["ssl_features"] = self.ssl_project(image["image_embeds"])
        if input_ids is not None:
            out["text_features"] = self.encode_text(input_ids)
        return out
