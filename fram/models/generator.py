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
  3D geometry maps, :func:`condition_image`): where the lips, lids and skin of *this*
  face are and what colour, so the delta fits the person.
* the references themselves, aligned (:func:`reference_condition`), are concatenated
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

``save_pretrained`` / ``from_pretrained`` use a plain folder: ``config.json``,
``model.safetensors``, ``scheduler_config.json``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from fram.face.colour import srgb_to_linear
from fram.models.region_tokens import RegionResampler, ResamplerConfig

SOURCE_CHANNELS = 8  # texture (3), visibility (1), normals (3), depth (1)
REFERENCE_CHANNELS = 8  # the references' makeup estimate per region (3) and per texel (3), coverage (1), intensity (1)
LOCAL_SKIN_SIGMA = 4.0  # px at 64: "the skin around a texel" for the per-texel estimate (shading scale)
CONDITION_CHANNELS = SOURCE_CHANNELS + REFERENCE_CHANNELS
DEPTH_GAIN = 4.0  # depth maps are a few hundredths of a face width; bring them to ~±1


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


class MakeupGenerator(nn.Module):
    """UNet + identity ControlNet + region resampler (see the module docstring)."""

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
        a ``condition`` from :func:`condition_image` (source for the ControlNet, aligned
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

    # ------------------------------------------------------------------ storage

    def save_pretrained(self, folder: str | os.PathLike[str], extra: dict[str, Any] | None = None) -> None:
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().contiguous() for k, v in self.state_dict().items()}
        tmp = folder / "model.safetensors.tmp"
        save_file(state, str(tmp), metadata={"format": "pt"})
        os.replace(tmp, folder / "model.safetensors")
        config = {"model_type": "fram_generator", **self.config.to_dict(), **(extra or {})}
        (folder / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
        (folder / "scheduler_config.json").write_text(json.dumps(self.config.scheduler_config(), indent=1), encoding="utf-8")

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike[str]) -> "MakeupGenerator":
        from safetensors.torch import load_file

        from fram.errors import ModelNotFoundError

        folder = Path(folder)
        if not (folder / "config.json").is_file() or not (folder / "model.safetensors").is_file():
            raise ModelNotFoundError(f"no fram generator in {folder} (config.json and model.safetensors expected)")
        raw = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        raw = {k: v for k, v in raw.items() if k in GeneratorConfig.__dataclass_fields__}
        model = cls(GeneratorConfig.from_dict(raw))
        model.load_state_dict(load_file(str(folder / "model.safetensors")))
        return model.eval()


def condition_image(texture: torch.Tensor, visibility: torch.Tensor, geometry: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """The generator's condition (B, 16, S, S): the source face (for the ControlNet) and
    the aligned references (concatenated with the noisy sample).

    ``texture`` (B, 3, S, S) sRGB in [0, 1]; ``visibility`` (B, 1, S, S) in [0, 1];
    ``geometry`` (B, 4, S, S) normals + depth from :func:`fram.face.uv.geometry_maps`;
    ``reference`` (B, 8, S, S) from :func:`reference_condition`.
    """
    return torch.cat([texture * 2 - 1, visibility * 2 - 1, geometry[:, :3], geometry[:, 3:] * DEPTH_GAIN, reference], dim=1)


def reference_condition(references: list[tuple[torch.Tensor, torch.Tensor]], assign: torch.Tensor, present: torch.Tensor,
                        scale: torch.Tensor, partition: torch.Tensor, source: torch.Tensor, source_vis: torch.Tensor,
                        delta_scale: float) -> torch.Tensor:
    """The references as aligned condition channels (B, 8, S, S): what each would paint.

    Each token group's UV region shows the reference that group reads: ``references``
    holds per slot an sRGB texture (B, 3, R, R) and its visibility (B, 1, R, R) at any
    size R; ``assign`` (B, G) is the slot each group reads, ``present`` (B, G) whether
    it has a reference at all (absent: the region stays empty and the generator's
    output there is not used), ``scale`` (B, G) the group's intensity and
    ``partition`` (G, S, S) the groups' share of each texel; ``source`` (B, 3, S, S)
    sRGB and ``source_vis`` are the bare face.

    A reference is not shown as it is but as the makeup delta it implies for this
    source, in linear RGB × ``delta_scale`` like the generator's sample, two ways:

    * per region: the region's mean colour relative to the reference's skin (a ratio
      per channel, so exposure, white balance and skin tone cancel), brought to the
      source's skin, minus the source's own region colour: what the classic engine
      measures, the colour and strength of the look;
    * per texel: the same with the skin colour *around* each texel (shading cancels),
      which keeps the look's shapes (a wing, a gradient) but also the reference's own
      features, so it is only a hint.

    The generator learns how far to trust each; the tokens carry the rest. What a
    reference hides is first filled from its mirrored half (the rule of
    :func:`fram.face.uv.mirror_fill`). Channels: regional and per-texel estimate (each
    × coverage), coverage (given and seen) mapped to [-1, 1], intensity.
    """
    from fram.face.filters import gaussian_blur
    from fram.models.region_tokens import TOKEN_GROUPS

    size = partition.shape[-1]
    skin = partition[TOKEN_GROUPS.index("skin")]

    def skin_around(lin: torch.Tensor, vis: torch.Tensor) -> torch.Tensor:
        w = skin * vis
        return gaussian_blur(lin * w, LOCAL_SKIN_SIGMA * size / 64) / gaussian_blur(w, LOCAL_SKIN_SIGMA * size / 64).clamp_min(1e-3)

    g_skin = TOKEN_GROUPS.index("skin")
    source_lin = srgb_to_linear(source)
    source_means = region_means(source_lin, source_vis, partition)
    source_local = skin_around(source_lin, source_vis)
    regional, local, viss = [], [], []
    for rgb, vis in references:
        rgb, vis = _aligned(rgb, vis, size)
        lin = srgb_to_linear(rgb)
        means = region_means(lin, vis, partition)
        relative = means / means[:, g_skin : g_skin + 1].clamp_min(1e-3) * source_means[:, g_skin : g_skin + 1]
        regional.append((relative - source_means) * delta_scale)  # (B, G, 3, 1, 1)
        local.append((lin * source_local / skin_around(lin, vis).clamp_min(1e-3) - source_lin) * delta_scale)
        viss.append(vis)
    reg_slots, loc_slots, vis_slots = torch.stack(regional), torch.stack(local), torch.stack(viss)
    rows = torch.arange(len(assign))
    region_estimate = torch.zeros_like(source)
    texel_estimate = torch.zeros_like(source)
    coverage = torch.zeros_like(source_vis)
    intensity = torch.zeros_like(source_vis)
    for g in range(partition.shape[0]):
        share = partition[g] * present[:, g, None, None, None].to(partition)
        seen = share * vis_slots[assign[:, g], rows]
        region_estimate = region_estimate + share * reg_slots[assign[:, g], rows, g]
        texel_estimate = texel_estimate + seen * loc_slots[assign[:, g], rows]
        coverage = coverage + seen
        intensity = intensity + share * scale[:, g, None, None, None]
    return torch.cat([region_estimate, texel_estimate, coverage * 2 - 1, intensity], dim=1)


def _aligned(rgb: torch.Tensor, vis: torch.Tensor, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A reference at the sample size with what it hides filled from its mirrored half
    (the rule of :func:`fram.face.uv.mirror_fill`)."""
    if rgb.shape[-1] != size:
        rgb, vis = F.adaptive_avg_pool2d(rgb, size), F.adaptive_avg_pool2d(vis, size)
    use = (vis < 0.5) & (vis.flip(-1) >= 0.5)
    return torch.where(use, rgb.flip(-1), rgb), torch.where(use, vis.flip(-1), vis)


def region_cores(partition: torch.Tensor) -> torch.Tensor:
    """(G, S, S) 0/1: where a group's colour is measured (its core, not the eye openings)."""
    from fram.face.templates import uv_templates

    opening = torch.from_numpy(uv_templates(partition.shape[-1])["eyes"]) >= 0.5
    return ((partition > 0.5) & ~opening).to(partition)


def region_means(lin: torch.Tensor, vis: torch.Tensor, partition: torch.Tensor) -> torch.Tensor:
    """(B, G, 3, 1, 1): each group's mean colour over its seen core (:func:`region_cores`)."""
    w = (region_cores(partition)[None] * vis)[:, :, None]  # (B, G, 1, S, S)
    return (lin[:, None] * w).sum((-1, -2), keepdim=True) / w.sum((-1, -2), keepdim=True).clamp_min(1e-6)


def region_medians(lin: torch.Tensor, vis: torch.Tensor, partition: torch.Tensor) -> torch.Tensor:
    """(B, G, 3): each group's median colour over its well-seen core, per channel. A
    median, unlike a mean, is not pulled by a beard, a strand of hair or a highlight."""
    cores = region_cores(partition) > 0
    out = torch.zeros(lin.shape[0], partition.shape[0], 3)
    for b in range(lin.shape[0]):
        seen = vis[b, 0] >= 0.5
        for g in range(partition.shape[0]):
            use = cores[g] & seen
            if int(use.sum()) < 4:
                use = cores[g]
            out[b, g] = lin[b][:, use].median(dim=1).values
    return out


def regional_makeup(references: list[tuple[torch.Tensor, torch.Tensor]], looks: list[torch.Tensor], assign: torch.Tensor,
                    partition: torch.Tensor, source: torch.Tensor, source_vis: torch.Tensor, ratio_share: float) -> torch.Tensor:
    """(B, G, 3) linear RGB: how much each group's reference should change the source's
    typical texel in that group, from two estimates.

    * Rendered: ``looks`` holds per slot the reference's look as the renderer draws it
      on this source (B, 3, S', S') sRGB, a recipe rendered directly or the classic
      engine's fit of a photo (:func:`fram.makeup.estimate.estimate_style`). The
      renderer's physics of colour on skin holds (an opaque lipstick keeps its colour on
      any skin), but a fit only sees what a recipe can say.
    * Relative: the reference's own colour in the group relative to its skin (a ratio
      per channel, cancelling skin tone, exposure and white balance), brought to the
      source's skin. It sees everything the reference shows, but carries a pale
      reference's colour onto deep skin too literally.

    The result is ``ratio_share`` of the relative estimate and the rest rendered (the
    share is chosen on held-out pairs, ``docs/benchmarks.md``). Colours are medians
    (:func:`region_medians`); references as in :func:`reference_condition`.
    """
    from fram.models.region_tokens import TOKEN_GROUPS

    size = partition.shape[-1]
    g_skin = TOKEN_GROUPS.index("skin")
    source_colour = region_medians(srgb_to_linear(source), source_vis, partition)  # (B, G, 3)
    slots = []
    for (rgb, vis), look in zip(references, looks):
        rgb, vis = _aligned(rgb, vis, size)
        colour = region_medians(srgb_to_linear(rgb), vis, partition)
        relative = colour / colour[:, g_skin : g_skin + 1].clamp_min(1e-3) * source_colour[:, g_skin : g_skin + 1]
        rendered = region_medians(srgb_to_linear(F.adaptive_avg_pool2d(look, size)), source_vis, partition)
        slots.append(ratio_share * relative + (1 - ratio_share) * rendered - source_colour)
    rows = torch.arange(len(assign))
    stacked = torch.stack(slots)  # (slots, B, G, 3)
    return torch.stack([stacked[assign[:, g], rows, g] for g in range(partition.shape[0])], dim=1)


def match_regions(delta: torch.Tensor, target: torch.Tensor, partition: torch.Tensor, present: torch.Tensor,
                  scale: torch.Tensor, condition: torch.Tensor, amount: torch.Tensor) -> torch.Tensor:
    """Move each referenced region of a generated delta (B, 3, S, S) so that the made-up
    source's typical texel there changes by ``target`` (B, G, 3) × the group's
    intensity, ``amount`` (G,) of the way.

    Why: trained with MSE on synthetic pairs, where another face's makeup is an
    uncertain guide to this face's, the generator draws the look's shapes but shrinks
    its strength toward the average look (``docs/benchmarks.md``). Correcting each
    region's level to the reference's (:func:`regional_makeup`) and keeping the
    generator's shapes gives the look its full colour. The correction is a gain on the
    generated result (the source in ``condition`` + ``delta``; only what the source shows
    is averaged): a shadowed lip changes by the same fraction as a lit one, its
    contrasts stay, and a target no darker than black never paints below it.
    """
    if not amount.any():
        return delta
    cores = region_cores(partition)
    source, visibility = (condition[:, :3] + 1) / 2, (condition[:, 3:4] + 1) / 2  # as condition_image wrote them
    made = (srgb_to_linear(source) + delta).clamp_min(0)  # the generated result, linear RGB
    out = delta
    for g in range(partition.shape[0]):
        w = cores[g] * visibility

        def mean(x: torch.Tensor) -> torch.Tensor:
            return (x * w).sum((-1, -2), keepdim=True) / w.sum((-1, -2), keepdim=True).clamp_min(1e-6)

        gain = (target[:, g, :, None, None] * scale[:, g, None, None, None] - mean(delta)) / mean(partition[g] * made).clamp_min(1e-4)
        out = out + amount[g] * partition[g] * present[:, g, None, None, None].to(delta) * gain * made
    return out


def makeup_delta(before: torch.Tensor, after: torch.Tensor) -> torch.Tensor:
    """The makeup delta (linear RGB) between two sRGB UV textures in [0, 1]."""
    return srgb_to_linear(after) - srgb_to_linear(before)


def sampling_scheduler(config: GeneratorConfig, steps: int) -> Any:
    """DDIM over the training schedule, with "trailing" timesteps so that even two or
    three steps start from pure noise (few-step sampling on a CPU)."""
    from diffusers import DDIMScheduler

    scheduler = DDIMScheduler(**config.scheduler_config(), timestep_spacing="trailing", set_alpha_to_one=True)
    scheduler.set_timesteps(steps)
    return scheduler


@torch.no_grad()
def sample_delta(
    model: MakeupGenerator,
    condition: torch.Tensor,
    region_tokens: torch.Tensor,
    *,
    region_scale: torch.Tensor | None = None,
    steps: int = 8,
    guidance: float = 1.0,
    seed: int = 0,
) -> torch.Tensor:
    """Generate makeup deltas (B, 3, S, S), linear RGB, for sources ``condition``.

    ``guidance`` > 1 applies classifier-free guidance against the null tokens (twice
    the compute); the seed fixes the starting noise so results repeat.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    cfg = model.config
    b = len(condition)
    scheduler = sampling_scheduler(cfg, steps)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn((b, 3, cfg.sample_size, cfg.sample_size), generator=generator) * scheduler.init_noise_sigma
    guided = guidance != 1.0
    if guided:
        null = model.null_tokens[None].expand_as(region_tokens)
        tokens = torch.cat([region_tokens, null])
        cond = torch.cat([condition, condition])
        scale = None if region_scale is None else torch.cat([region_scale, region_scale])
    for t in scheduler.timesteps:
        if guided:
            out = model(torch.cat([x, x]), t.expand(2 * b), cond, tokens, scale)
            pred = out[b:] + guidance * (out[:b] - out[b:])
        else:
            pred = model(x, t.expand(b), condition, region_tokens, region_scale)
        x = scheduler.step(pred, t, x, generator=generator).prev_sample
    return x / cfg.delta_scale
