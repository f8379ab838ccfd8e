"""Stage 2's generator: a region-aware diffusion denoiser over UV makeup deltas.

What it denoises is not a photo but the *makeup delta* of a UV texture: the change in
linear RGB that the makeup makes to the bare face, at ``sample_size`` px (64 by
default) and scaled by ``delta_scale``. The delta is then projected onto the photo at
its native resolution by :mod:`fram.makeup.compose`, so skin texture, lighting and
everything outside the selected regions stay the photo's own (``design.md``).

Parts (diffusers classes, configured small enough to train on two CPU cores):

* ``unet``: ``UNet2DConditionModel`` with cross-attention only (no self-attention, whose
  cost grows with the square of the pixels); every cross-attention (``attn2``) has a
  second, decoupled key/value branch to the region tokens (:class:`RegionAttnProcessor`,
  IP-Adapter style) whose output is scaled per token by the user's intensity.
* ``controlnet``: ``ControlNetModel`` on the source face (its UV texture, visibility and
  3D geometry maps, :func:`fram.models.conditioning.condition_image`): where the lips, lids and skin of *this*
  face are and what colour, so the delta fits the person.
* the references themselves, aligned (:func:`fram.models.conditioning.reference_condition`), are concatenated
  with the noisy delta at the input of both (InstructPix2Pix style): UV is canonical,
  so a reference's lips sit where the source's lips are, and the exact colours and
  strength of the look reach the generator pixel for pixel, not only through a few
  tokens (which alone regressed to the mean: ``docs/benchmarks.md``).
* ``resampler``: :class:`fram.models.region_tokens.RegionResampler` over the makeup
  CLIP's patch tokens of the reference.
* ``context``: learned tokens for the denoiser's own ("text") cross-attention branch,
  which carries no prompt here: words become a recipe or a reference instead.
* ``null_tokens``: the region tokens of "no reference", used for classifier-free
  guidance (condition dropout in training) and for groups left out.

``save_pretrained`` / ``from_pretrained`` use a plain folder: ``config.json`` and
``model.safetensors``. Sampling (the scheduler and the loop) belongs to the pipeline,
:class:`fram.pipelines.fram_transfer.FramTransferPipeline`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from fram.models.conditioning import REFERENCE_CHANNELS, SOURCE_CHANNELS
from fram.models.region_tokens import RegionResampler, ResamplerConfig
from fram.weights import PretrainedModel



@dataclass(frozen=True)
class GeneratorConfig:
    """Sizes of the generator; plain data, saved as ``config.json``.

    Attributes:
        sample_size: UV side of the generated delta.
        block_out_channels, layers_per_block, attention_head_dim: the UNet's size.
        cross_attention_dim: width of context and region tokens.
        controlnet_embedding_channels: the ControlNet's condition encoder (one entry =
            no down-sampling: the condition is at ``sample_size``).
        context_tokens: learned tokens of the denoiser's own cross-attention branch.
        resampler: region-token resampler size (``input_dim`` = makeup CLIP width).
        delta_scale: delta (linear RGB) × this = the diffusion sample (about unit std).
        num_train_timesteps, beta_schedule, prediction_type: the noise schedule.
        encoder: folder of the makeup CLIP whose patch tokens the resampler reads
            (relative to the package's weights folder, or absolute).
    """

    sample_size: int = 64
    block_out_channels: tuple[int, ...] = (32, 48, 64)
    layers_per_block: int = 1
    attention_head_dim: int = 16
    cross_attention_dim: int = 64
    controlnet_embedding_channels: tuple[int, ...] = (16,)
    context_tokens: int = 4
    resampler: ResamplerConfig = field(default_factory=ResamplerConfig)
    delta_scale: float = 8.0
    num_train_timesteps: int = 1000
    beta_schedule: str = "squaredcos_cap_v2"
    prediction_type: str = "sample"
    encoder: str = "makeup_clip"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["block_out_channels"] = list(self.block_out_channels)
        d["controlnet_embedding_channels"] = list(self.controlnet_embedding_channels)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "GeneratorConfig":
        d = dict(d)
        d.pop("model_type", None)
        d["block_out_channels"] = tuple(d.get("block_out_channels", cls.block_out_channels))
        d["controlnet_embedding_channels"] = tuple(d.get("controlnet_embedding_channels", cls.controlnet_embedding_channels))
        d["resampler"] = ResamplerConfig(**d.get("resampler", {}))
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown generator config key(s) {sorted(unknown)}")
        return cls(**d)

    def scheduler_config(self) -> dict[str, Any]:
        return {
            "num_train_timesteps": self.num_train_timesteps,
            "beta_schedule": self.beta_schedule,
            "prediction_type": self.prediction_type,
            "clip_sample": False,
        }


class AttentionStore:
    """Collects the region branch's attention maps during one forward pass.

    ``maps`` holds, per cross-attention layer, (B, T, h, w) probabilities of each region
    token over the layer's pixels (mean over heads), for the attention loss and for
    inspection.
    """

    def __init__(self) -> None:
        self.maps: list[torch.Tensor] = []

    def clear(self) -> None:
        self.maps.clear()


class ContextAttnProcessor:
    """The UNet's first attention (cross-attention only, to the context tokens); it
    accepts and ignores the region arguments that every attention receives."""

    def __init__(self) -> None:
        from diffusers.models.attention_processor import AttnProcessor2_0

        self._inner = AttnProcessor2_0()

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None,
                 region_tokens=None, region_scale=None, attention_store=None):
        return self._inner(attn, hidden_states, encoder_hidden_states, attention_mask, temb)


class RegionAttnProcessor(nn.Module):
    """Decoupled cross-attention: text/context branch + scaled region-token branch.

    ``out = Attn(q, K_ctx, V_ctx) + Σ_t scale_t · p_t · V_region,t`` with ``p`` the
    softmax of ``q`` against the region tokens' keys, so a token group's intensity
    scales exactly its own contribution (0 = as if absent, >1 exaggerates).
    """

    def __init__(self, hidden_size: int, cross_attention_dim: int) -> None:
        super().__init__()
        self.to_k_region = nn.Linear(cross_attention_dim, hidden_size, bias=False)
        self.to_v_region = nn.Linear(cross_attention_dim, hidden_size, bias=False)

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None,
                 region_tokens=None, region_scale=None, attention_store=None):
        input_ndim = hidden_states.ndim
        if input_ndim == 4:
            b, c, h, w = hidden_states.shape
            hidden_states = hidden_states.view(b, c, h * w).transpose(1, 2)
        else:
            b, n, _ = hidden_states.shape
            h = w = int(round(n**0.5))
        query = attn.to_q(hidden_states)
        context = encoder_hidden_states if encoder_hidden_states is not None else hidden_states
        key, value = attn.to_k(context), attn.to_v(context)
        heads = attn.heads
        head_dim = key.shape[-1] // heads

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(b, -1, heads, head_dim).transpose(1, 2)

        q = split(query)
        out = F.scaled_dot_product_attention(q, split(key), split(value))
        if region_tokens is not None:
            k_r, v_r = split(self.to_k_region(region_tokens)), split(self.to_v_region(region_tokens))
            probs = torch.softmax(q @ k_r.transpose(-1, -2) * head_dim**-0.5, dim=-1)  # (B, heads, HW, T)
            weighted = probs if region_scale is None else probs * region_scale[:, None, None, :]
            out = out + weighted @ v_r
            if attention_store is not None:
                attention_store.maps.append(probs.mean(1).transpose(1, 2).reshape(b, -1, h, w))
        out = out.transpose(1, 2).reshape(b, -1, heads * head_dim)
        out = attn.to_out[1](attn.to_out[0](out))
        if input_ndim == 4:
            out = out.transpose(-1, -2).reshape(b, c, h, w)
        if attn.residual_connection:
            out = out + (hidden_states if input_ndim != 4 else hidden_states.transpose(-1, -2).reshape(b, c, h, w))
        return out / attn.rescale_output_factor


def _unet_kwargs(config: GeneratorConfig) -> dict[str, Any]:
    n = len(config.block_out_channels)
    return dict(
        sample_size=config.sample_size,
        in_channels=3 + REFERENCE_CHANNELS,
        out_channels=3,
        block_out_channels=config.block_out_channels,
        layers_per_block=config.layers_per_block,
        down_block_types=("DownBlock2D",) + ("CrossAttnDownBlock2D",) * (n - 1),
        up_block_types=("CrossAttnUpBlock2D",) * (n - 1) + ("UpBlock2D",),
        cross_attention_dim=config.cross_attention_dim,
        attention_head_dim=config.attention_head_dim,
        norm_num_groups=min(16, min(config.block_out_channels)),
        only_cross_attention=True,
    )


class MakeupGenerator(PretrainedModel, nn.Module):
    """UNet + identity ControlNet + region resampler (see the module docstring)."""

    model_type = "fram_generator"
    config_class = GeneratorConfig
    missing_hint = "train one with `python -m fram.train.stage2`"

    def __init__(self, config: GeneratorConfig) -> None:
        super().__init__()
        from diffusers import ControlNetModel, UNet2DConditionModel

        self.config = config
        self.unet = UNet2DConditionModel(**_unet_kwargs(config))
        self.controlnet = ControlNetModel.from_unet(
            self.unet, conditioning_embedding_out_channels=config.controlnet_embedding_channels,
            conditioning_channels=SOURCE_CHANNELS,
        )
        # ControlNet's zero-initialised output convs protect a *pretrained* UNet from a new
        # branch; trained from scratch together they would only delay the identity signal.
        cn = self.controlnet
        for conv in [*cn.controlnet_down_blocks, cn.controlnet_mid_block, cn.controlnet_cond_embedding.conv_out]:
            nn.init.normal_(conv.weight, std=0.02)
        self.resampler = RegionResampler(replace(config.resampler, output_dim=config.cross_attention_dim))
        d = config.cross_attention_dim
        self.context = nn.Parameter(torch.randn(config.context_tokens, d) * d**-0.5)
        self.null_tokens = nn.Parameter(torch.zeros(self.resampler.num_tokens, d))
        # Region processors are nn.Modules: diffusers registers them under their
        # attention module, so they train and save with the UNet.
        processors: dict[str, Any] = {}
        for name in self.unet.attn_processors:
            if name.endswith("attn2.processor"):
                module = self.unet.get_submodule(name[: -len(".processor")])
                processors[name] = RegionAttnProcessor(module.to_q.out_features, d)
            else:
                processors[name] = ContextAttnProcessor()
        self.unet.set_attn_processor(processors)

    @property
    def tokens_per_group(self) -> int:
        return self.config.resampler.tokens_per_group

    def region_tokens(self, patch_tokens: torch.Tensor, patch_mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.resampler(patch_tokens, patch_mask)

    def forward(
        self,
        sample: torch.Tensor,
        timesteps: torch.Tensor,
        condition: torch.Tensor,
        region_tokens: torch.Tensor,
        region_scale: torch.Tensor | None = None,
        attention_store: AttentionStore | None = None,
    ) -> torch.Tensor:
        """Predict (per ``prediction_type``) from a noisy delta ``sample`` (B, 3, S, S) and
        a ``condition`` from :func:`fram.models.conditioning.condition_image` (source for the ControlNet, aligned
        references beside the sample)."""
        b = len(sample)
        context = self.context[None].expand(b, -1, -1)
        source, reference = condition[:, :SOURCE_CHANNELS], condition[:, SOURCE_CHANNELS:]
        x = torch.cat([sample, reference], dim=1)
        down, mid = self.controlnet(x, timesteps, encoder_hidden_states=context, controlnet_cond=source, return_dict=False)
        kwargs = {"region_tokens": region_tokens, "region_scale": region_scale, "attention_store": attention_store}
        return self.unet(
            x, timesteps, encoder_hidden_states=context, cross_attention_kwargs=kwargs,
            down_block_additional_residuals=down, mid_block_additional_residual=mid,
        ).sample
