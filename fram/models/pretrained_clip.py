"""Fine-tune a pretrained CLIP into a makeup CLIP with LoRA (for users with a GPU).

``PretrainedMakeupCLIP.from_clip(path)`` loads CLIP weights from a **local** path —
a transformers folder (``config.json`` + weights + tokenizer files, as
``CLIPModel.save_pretrained`` writes) or an open_clip folder (``open_clip_config.json``
+ ``open_clip_model.safetensors``, read with ``open_clip``'s ``local-dir:``) — freezes
them and adds LoRA adapters (``peft``) to the attention projections of both towers.
It has the interface of :class:`fram.models.makeup_clip.MakeupCLIP` (``forward``,
``encode_image`` on UV textures + visibility, ``encode_text``, ``encode_texts``,
``tokenizer``, ``save_pretrained`` / ``from_pretrained``), so ``fram.train.stage1
--pretrained PATH`` trains it with the same data, augmentations and loss.

UV inputs are ``(B, 3, S, S)`` in [0, 1] at ``image_size`` (the UV side, 128 by
default); hidden texels are set to mid-grey, the texture is resized to the CLIP's
own input size and normalised with its mean and standard deviation.

What ``save_pretrained`` writes is small: the adapters and the SimCLR head
(``model.safetensors``) and a ``config.json`` naming the base weights' path, which
``from_pretrained`` loads again (pass ``base=`` when they have moved).

Needs the optional extra: ``pip install 'fram[pretrained]'`` (transformers, peft).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from fram.models.clip_towers import ClipInterface, check_uv_inputs

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
MODEL_TYPE = "makeup_clip_pretrained"


def _need(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        raise ImportError(f"fine-tuning a pretrained CLIP needs `{name}`: pip install 'fram[pretrained]'") from None


def detect_format(path: str | os.PathLike[str]) -> str:
    """``"transformers"`` or ``"open_clip"`` for a local folder of CLIP weights."""
    p = Path(path)
    if (p / "open_clip_config.json").is_file():
        return "open_clip"
    if (p / "config.json").is_file():
        return "transformers"
    raise FileNotFoundError(f"{p} is not a transformers CLIP folder (config.json) or an open_clip folder (open_clip_config.json)")


class _HFTokenizer:
    """A transformers CLIP tokenizer as a callable: texts → (B, L) ids."""

    def __init__(self, tokenizer: Any, context_length: int) -> None:
        self.tok = tokenizer
        self.context_length = context_length
        self.vocab_size = len(tokenizer)

    def __call__(self, texts: str | list[str]) -> torch.Tensor:
        if isinstance(texts, str):
            texts = [texts]
        return self.tok(list(texts), padding="max_length", truncation=True, max_length=self.context_length, return_tensors="pt")["input_ids"]


class _OpenClipTokenizer:
    def __init__(self, tokenizer: Any, context_length: int) -> None:
        self.tok = tokenizer
        self.context_length = context_length
        self.vocab_size = int(getattr(tokenizer, "vocab_size", 0) or 0)

    def __call__(self, texts: str | list[str]) -> torch.Tensor:
        return self.tok([texts] if isinstance(texts, str) else list(texts))


class PretrainedMakeupCLIP(ClipInterface, nn.Module):
    """A frozen pretrained CLIP with LoRA adapters and a SimCLR head (see the module docstring)."""

    def __init__(self, backbone: nn.Module, kind: str, tokenizer: Any, *, base: str, lora_rank: int,
                 image_size: int = 128, clip_image_size: int = 224, embed_dim: int = 512, ssl_dim: int = 128) -> None:
        super().__init__()
        self.backbone = backbone
        self.kind = kind
        self.tokenizer = tokenizer
        self.base = base
        self.lora_rank = lora_rank
        self._image_size = image_size
        self.clip_image_size = clip_image_size
        self.embed_dim = embed_dim
        self.ssl_head = nn.Sequential(nn.Linear(embed_dim, embed_dim), nn.GELU(), nn.Linear(embed_dim, ssl_dim))
        self.register_buffer("mean", torch.tensor(CLIP_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(CLIP_STD).view(1, 3, 1, 1), persistent=False)

    # ------------------------------------------------------------------ build

    @classmethod
    def from_clip(cls, path: str | os.PathLike[str], *, lora_rank: int = 8, lora_alpha: float | None = None,
                  image_size: int | None = None, ssl_dim: int = 128) -> "PretrainedMakeupCLIP":
        """Load local CLIP weights, freeze them and add LoRA adapters of rank ``lora_rank``."""
        peft = _need("peft")
        path = str(Path(path).resolve())
        kind = detect_format(path)
        if kind == "transformers":
            transformers = _need("transformers")
            backbone = transformers.CLIPModel.from_pretrained(path, torch_dtype=torch.float32)
            tok = transformers.AutoTokenizer.from_pretrained(path)
            context = int(backbone.config.text_config.max_position_embeddings)
            tokenizer: Any = _HFTokenizer(tok, context)
            clip_size = int(backbone.config.vision_config.image_size)
            embed_dim = int(backbone.config.projection_dim)
            targets = ["q_proj", "v_proj"]
        else:
            open_clip = _need("open_clip")
            backbone = open_clip.create_model(f"local-dir:{path}")
            tokenizer = _OpenClipTokenizer(open_clip.get_tokenizer(f"local-dir:{path}"), int(backbone.context_length))
            clip_size = int(backbone.visual.image_size[0] if isinstance(backbone.visual.image_size, (tuple, list)) else backbone.visual.image_size)
            embed_dim = int(backbone.text_projection.shape[1]) if hasattr(backbone, "text_projection") else int(backbone.visual.output_dim)
            targets = ["c_fc", "c_proj"]
        for p in backbone.parameters():
            p.requires_grad_(False)
        config = peft.LoraConfig(r=lora_rank, lora_alpha=lora_alpha or 2 * lora_rank, target_modules=targets, lora_dropout=0.0, bias="none")
        backbone = peft.inject_adapter_in_model(config, backbone)
        model = cls(backbone, kind, tokenizer, base=path, lora_rank=lora_rank, image_size=image_size or 128,
                    clip_image_size=clip_size, embed_dim=embed_dim, ssl_dim=ssl_dim)
        model._lora_alpha = lora_alpha or 2 * lora_rank
        return model

    # ------------------------------------------------------------------ encoders

    @property
    def image_size(self) -> int:
        return self._image_size

    def _pixels(self, pixel_values: torch.Tensor, visibility: torch.Tensor | None) -> torch.Tensor:
        vis = check_uv_inputs(pixel_values, visibility, self._image_size)
        x = pixel_values * vis + 0.5 * (1 - vis)
        x = F.interpolate(x, size=(self.clip_image_size, self.clip_image_size), mode="bilinear", align_corners=False, antialias=True)
        return (x - self.mean) / self.std

    def forward_image(self, pixel_values: torch.Tensor, visibility: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        x = self._pixels(pixel_values, visibility)
        if self.kind == "transformers":
            vision = self.backbone.vision_model(pixel_values=x)
            embeds = self.backbone.visual_projection(vision.pooler_output)
            patches = vision.last_hidden_state[:, 1:]
        else:
            visual = self.backbone.visual
            visual.output_tokens = True
            embeds, patches = visual(x)
        return {"image_features": F.normalize(embeds, dim=-1), "image_embeds": embeds, "patch_tokens": patches}

    def encode_image(self, pixel_values: torch.Tensor, visibility: torch.Tensor | None = None, *, normalize: bool = True) -> torch.Tensor:
        out = self.forward_image(pixel_values, visibility)
        return out["image_features"] if normalize else out["image_embeds"]

    def encode_text(self, input_ids: torch.Tensor, *, normalize: bool = True) -> torch.Tensor:
        if self.kind == "transformers":
            out = self.backbone.text_model(input_ids=input_ids)
            embeds = self.backbone.text_projection(out.pooler_output)
        else:
            embeds = self.backbone.encode_text(input_ids)
        return F.normalize(embeds, dim=-1) if normalize else embeds

    # ------------------------------------------------------------------ files

    def trainable_state_dict(self) -> dict[str, torch.Tensor]:
        """Only what training changes: the LoRA adapters and the SimCLR head."""
        names = {n for n, p in self.named_parameters() if p.requires_grad}
        return {k: v.detach().cpu().contiguous() for k, v in self.state_dict().items() if k in names}

    def save_pretrained(self, folder: str | os.PathLike[str], **_: Any) -> Path:
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        config = {"model_type": MODEL_TYPE, "base": self.base, "format": self.kind, "lora_rank": self.lora_rank,
                  "lora_alpha": getattr(self, "_lora_alpha", 2 * self.lora_rank), "image_size": self._image_size,
                  "ssl_dim": int(self.ssl_head[-1].out_features)}
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        save_file({k: v.float() for k, v in self.trainable_state_dict().items()}, str(folder / "model.safetensors"))
        return folder

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike[str], *, base: str | os.PathLike[str] | None = None) -> "PretrainedMakeupCLIP":
        from safetensors.torch import load_file

        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") != MODEL_TYPE:
            raise ValueError(f"{folder} is not a {MODEL_TYPE} folder")
        model = cls.from_clip(base or config["base"], lora_rank=config["lora_rank"], lora_alpha=config["lora_alpha"],
                              image_size=config["image_size"], ssl_dim=config["ssl_dim"])
        missing, unexpected = model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=False)
        if unexpected:
            raise ValueError(f"{folder}: unexpected weights {unexpected[:5]}")
        return model.eval()
