"""The makeup CLIP's architecture: typed tower configs, and the named ones in ``fram/configs``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

CONFIGS_DIR = Path(__file__).resolve().parent.parent / "configs"


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
