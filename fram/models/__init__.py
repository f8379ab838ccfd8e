"""Learned models: the makeup CLIP (stage 1) and, later, stage 2's resampler and denoiser."""

from fram.models.clip_config import MakeupCLIPConfig, TextCfg, VisionCfg, get_model_config, list_models
from fram.models.makeup_clip import MakeupCLIP, create_model, prepare_uv
from fram.models.tokenizer import MakeupTokenizer

__all__ = [
    "MakeupCLIP", "MakeupCLIPConfig", "MakeupTokenizer", "TextCfg", "VisionCfg",
    "create_model", "get_model_config", "list_models", "prepare_uv",
]
