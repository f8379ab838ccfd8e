"""What defines a stage-2 run: :class:`Stage2Params` (saved as ``params.json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fram.train.augment import AugmentOptions
from fram.train.common import RunSettings

DEFAULT_ENCODER = Path(__file__).resolve().parents[1] / "weights" / "makeup_clip"
LEGACY_DEFAULTS = {"real_prob": 0.0}
"""Settings added after a run may have started, with the value that run had (off)."""


@dataclass
class Stage2Params(RunSettings):
    """Everything that defines a stage-2 run (saved as ``params.json``)."""

    data: str
    out: str
    encoder: str = str(DEFAULT_ENCODER)
    generator: dict[str, Any] = field(default_factory=dict)
    steps: int = 6000
    batch: int = 12
    lr: float = 5e-4
    weight_decay: float = 0.01
    warmup: int = 100
    attn_weight: float = 0.1
    cond_dropout: float = 0.1
    same_style_prob: float = 0.35
    swap_prob: float = 0.35
    mix_prob: float = 0.25
    scale_prob: float = 0.3
    real_prob: float = 0.2
    group_drop_prob: float = 0.15
    makeup_weight: float = 2.0
    init: str | None = None
    augment: AugmentOptions = field(default_factory=lambda: AugmentOptions(turn=0.15, occlude=0.1))
    eval_pairs: int = 48
    eval_steps: int = 8
    time_limit_min: float | None = field(default=110.0, kw_only=True)

    resume_free = ("steps",)
