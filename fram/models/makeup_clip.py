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

Architectures are JSON files in ``fram/configs`` (:func:`list_models`, :func:`create_model`);
``save_pretrained`` / ``from_pretrained`` write and read a folder of ``config.json``,
``model.safetensors`` and ``tokenizer.json`` (CPU, float32; the caller calls ``.to()``).

Image convention: ``pixel_values`` ``(B, 3, S, S)`` sRGB in [0, 1] and ``visibility``
``(B, 1, S, S)`` in [0, 1], S = ``vision_cfg.image_size`` (see :func:`prepare_uv` to
bring any UV texture to that size). Hidden texels are zeroed inside the model, so
what the photo does not show never reaches the encoder.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fram.models.tokenizer import BOS_ID, PAD_ID, MakeupTokenizer

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CONFIGS_DIR = Path(__file__).resolve().parent.parent / "configs"
PIXEL_MEAN = 0.5
PIXEL_STD = 0.25
RELATIVE_STD = 0.1


# --------------------------------------------------------------------------- configs


def _from_dict(cls, doc: dict[str, Any] | Any):
    if isinstance(doc, cls):
        return doc
    names = {f.name for f in fields(cls)}
    unknown = set(doc) - names
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
    return cls(**doc)


@dataclass
class VisionCfg:
    """The UV image tower.

    Attributes:
        image_size: side S of the UV input, in pixels.
        patch_size: side of a patch; S must be a multiple of it.
        width, layers, heads, mlp_ratio: transformer size.
        in_channels: 3 colour channels plus the visibility mask.
        min_patch_visibility: patches less visible than this (mean of the mask) are
            left out of attention, so a turned-away cheek is ignored, not read as black.
        stem: how patches become tokens. ``"patch"``: one strided convolution (the
            classic ViT). ``"conv"``: two stride-2 3×3 convolutions, then the patch
            projection (patch_size % 4 == 0). ``"cnn"``: a small residual-free CNN of
            log2(patch_size) stages (stride-2 3×3 conv, 3×3 conv, GroupNorm, GELU),
            widths ``stem_channels`` then ``width`` (patch_size a power of two). The
            more convolution, the faster a small model learns colour-in-place from
            little data; the transformer on top still sees one token per patch.
        stem_channels: widths of the first convolution stages of ``"conv"`` / ``"cnn"``.
        pool: ``"regions"`` (average the visible patch tokens inside each face region of
            the UV layout — skin, cheeks, eyeshadow, eyes, brows, lips — and project
            their concatenation: region-aware, and by far the fastest to learn from
            scratch), ``"mean"`` (average of the visible patch tokens) or ``"cls"``
            (the class token, as in CLIP).
        relative: also feed the texture relative to the face's own mean colour (3 more
            input channels): makeup is a change from the wearer's skin, and this takes
            the wearer's skin tone out of what the first layer sees.
    """

    image_size: int = 96
    patch_size: int = 8
    width: int = 160
    layers: int = 5
    heads: int = 4
    mlp_ratio: float = 4.0
    in_channels: int = 4
    min_patch_visibility: float = 0.05
    stem: str = "patch"
    stem_channels: tuple[int, int] = (32, 64)
    pool: str = "cls"
    relative: bool = False

    def __post_init__(self) -> None:
        self.stem_channels = tuple(self.stem_channels)
        if self.in_channels != (7 if self.relative else 4):
            raise ValueError(f"in_channels must be {7 if self.relative else 4} (colour, {'relative colour, ' if self.relative else ''}visibility), got {self.in_channels}")
        if self.pool not in ("cls", "mean", "regions"):
            raise ValueError(f"pool must be 'cls', 'mean' or 'regions', got {self.pool!r}")
        if self.stem not in ("patch", "conv", "cnn"):
            raise ValueError(f"stem must be 'patch', 'conv' or 'cnn', got {self.stem!r}")
        if self.stem == "cnn" and (self.patch_size & (self.patch_size - 1) or len(self.stem_channels) != self.patch_size.bit_length() - 2):
            raise ValueError(f"a cnn stem needs a power-of-two patch_size and log2(patch_size) - 1 stem_channels, "
                             f"got patch_size {self.patch_size} and {list(self.stem_channels)}")
        if self.stem == "conv" and self.patch_size % 4:
            raise ValueError(f"a conv stem needs patch_size % 4 == 0, got {self.patch_size}")
        if self.image_size % self.patch_size:
            raise ValueError(f"image_size {self.image_size} is not a multiple of patch_size {self.patch_size}")
        if self.width % self.heads:
            raise ValueError(f"width {self.width} is not a multiple of heads {self.heads}")

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size


@dataclass
class TextCfg:
    """The text tower (vocab_size must cover the tokenizer's).

    ``pool``: ``"mean"`` (average of the non-padding tokens) or ``"bos"`` (the
    ``[BOS]`` token's output, like CLIP's single pooled token).
    """

    context_length: int = 64
    vocab_size: int = 2048
    width: int = 128
    layers: int = 3
    heads: int = 4
    mlp_ratio: float = 4.0
    pool: str = "bos"

    def __post_init__(self) -> None:
        if self.pool not in ("bos", "mean"):
            raise ValueError(f"pool must be 'bos' or 'mean', got {self.pool!r}")
        if self.width % self.heads:
            raise ValueError(f"width {self.width} is not a multiple of heads {self.heads}")


@dataclass
class MakeupCLIPConfig:
    """Everything the constructor takes; saved as ``config.json``.

    Attributes:
        embed_dim: size D of the shared image-text space.
        ssl_dim: output of the SimCLR projection head (training only).
        init_temperature: softmax temperature of the image-text logits (fixed).
        embed_norm: batch-normalise both towers' embeddings before L2 normalisation.
            Trained from scratch, every face texture (and every templated description)
            first maps to nearly the same vector; centring across the batch removes that
            shared part, so the contrastive losses see the differences from step one.
            At inference the running statistics are a fixed affine map.
        uv_size: side of the UV textures the model was trained from (inputs are
            unwrapped at this size, then area-resized to ``vision_cfg.image_size``).
    """

    embed_dim: int = 128
    vision_cfg: VisionCfg = field(default_factory=VisionCfg)
    text_cfg: TextCfg = field(default_factory=TextCfg)
    ssl_dim: int = 128
    init_temperature: float = 0.07
    uv_size: int = 128
    embed_norm: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.vision_cfg, dict):
            self.vision_cfg = _from_dict(VisionCfg, self.vision_cfg)
        if isinstance(self.text_cfg, dict):
            self.text_cfg = _from_dict(TextCfg, self.text_cfg)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> "MakeupCLIPConfig":
        doc = {k: v for k, v in doc.items() if k not in ("model_type", "name")}
        return _from_dict(cls, doc)

    def to_json(self) -> str:
        return json.dumps({"model_type": "makeup_clip", **self.to_dict()}, indent=2) + "\n"


def list_models() -> list[str]:
    """Names of the architectures in ``fram/configs`` (file names without ``.json``)."""
    return sorted(p.stem for p in CONFIGS_DIR.glob("*.json") if json.loads(p.read_text()).get("model_type") == "makeup_clip")


def get_model_config(name: str) -> MakeupCLIPConfig:
    """The config called ``name`` (see :func:`list_models`), or a path to a JSON file."""
    path = Path(name)
    if not path.is_file():
        path = CONFIGS_DIR / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"unknown model config {name!r}; known: {', '.join(list_models())}")
    return MakeupCLIPConfig.from_dict(json.loads(path.read_text(encoding="utf-8")))


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


# --------------------------------------------------------------------------- attention


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


# --------------------------------------------------------------------------- model


class MakeupCLIP(nn.Module):
    """Image (UV texture) and text encoders into one makeup space (FRAM stage 1).

    ``forward`` returns a dict whose keys are the arguments of
    :class:`fram.train.loss.MakeupClipLoss`: ``image_features`` and ``text_features``
    (L2-normalised ``(B, D)``), ``ssl_features`` (the SimCLR head's normalised output),
    and ``patch_tokens`` ``(B, N, W)``. The temperature is the loss's (fixed, FRAM's 0.07);
    ``config.init_temperature`` records it for turning similarities into probabilities.
    """

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

    # ------------------------------------------------------------------ files

    def save_pretrained(self, folder: str | os.PathLike[str], *, tokenizer: MakeupTokenizer | None = None) -> Path:
        """Write ``config.json``, ``model.safetensors`` (and ``tokenizer.json``)."""
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CONFIG_FILE).write_text(self.config.to_json(), encoding="utf-8")
        state = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(folder / WEIGHTS_FILE), metadata={"format": "pt", "model_type": "makeup_clip"})
        tokenizer = tokenizer or self.tokenizer
        if tokenizer is not None:
            tokenizer.save_pretrained(folder)
        return folder

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike[str]) -> "MakeupCLIP":
        """Load a folder written by :meth:`save_pretrained` (CPU, float32, eval mode)."""
        from safetensors.torch import load_file

        folder = Path(folder)
        config_path, weights_path = folder / CONFIG_FILE, folder / WEIGHTS_FILE
        if not config_path.is_file() or not weights_path.is_file():
            raise FileNotFoundError(f"{folder} does not hold {CONFIG_FILE} and {WEIGHTS_FILE}")
        config = MakeupCLIPConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        model = cls(config)
        state = load_file(str(weights_path), device="cpu")
        model.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
        if (folder / "tokenizer.json").is_file():
            model.tokenizer = MakeupTokenizer.from_pretrained(folder)
            if model.tokenizer.vocab_size > config.text_cfg.vocab_size:
                raise ValueError(f"{folder}: tokenizer has {model.tokenizer.vocab_size} pieces, model {config.text_cfg.vocab_size}")
        return model.eval()


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
