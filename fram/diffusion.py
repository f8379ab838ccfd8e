"""``FramPipeline``: the diffusion engine (``--engine fram``) as one object.

Like a diffusers pipeline it only composes independent parts: the face analysis and
compositor (:mod:`fram.makeup.compose`), the frozen makeup CLIP (stage 1), the region
generator with its identity ControlNet (stage 2) and a scheduler built from the
generator's plain-data config. ``FramPipeline.from_pretrained(folder)`` loads a local
folder (the shipped weights by default); nothing is fetched from anywhere.

Per call: the source is unwrapped into UV; each reference becomes a UV texture (a
made-up photo is unwrapped and its hidden half mirrored in; a recipe, preset or words
is rendered onto the source's own face) and is read by the makeup CLIP; every token
group takes its tokens from the reference of its region, and the references, aligned
in UV, go beside the noisy delta into the denoiser; the generator denoises a
makeup delta in UV in a few steps from a fixed seed; the eyes' and lips' level is
matched to the reference's (:func:`fram.models.generator.match_regions`, mostly from
the look as the renderer draws it on this face, :func:`regional_makeup`); the delta
becomes one layer per selected region and is composited onto the photo at native
resolution, so pixels outside the selected regions stay bit-identical.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from fram.errors import ModelNotFoundError
from fram.face.uv import UVTexture, geometry_maps, mirror_fill
from fram.makeup.compose import FaceAnalysis, analyse, apply_layers, layer_size, match_skin, skin_tone
from fram.makeup.recipe import MakeupStyle
from fram.makeup.layer import GroupLayer
from fram.makeup.render import render_uv
from fram.models.generator import (
    MakeupGenerator,
    condition_image,
    match_regions,
    reference_condition,
    regional_makeup,
    sample_delta,
)
from fram.models.region_tokens import CONTROL_GROUP, TOKEN_GROUPS, token_group_partition

WEIGHTS_ROOT = Path(__file__).resolve().parent / "weights"
ENV_GENERATOR = "FRAM_GENERATOR"
DEFAULT_STEPS = 2  # chosen on held-out pairs: see docs/benchmarks.md, steps vs quality
DEFAULT_COLOUR_MATCH = 1.0  # scales MATCH_AMOUNT (the user's --colour-match)
MATCH_AMOUNT = {"skin": 0.0, "cheeks": 0.0, "eyes": 0.5, "brows": 0.0, "lips": 0.5}
"""How far each token group's level moves to the reference's (:func:`match_regions`) at
``colour_match=1``: groups the generator already carries well are left to it. Chosen
on held-out pairs, see docs/benchmarks.md."""
RATIO_SHARE = 0.3
"""How much of the matched level comes from the reference's colour relative to its skin,
the rest from its look rendered on the source (:func:`regional_makeup`); chosen on
held-out pairs, see docs/benchmarks.md."""
DELTA_SMOOTH_SIGMA = 0.6  # px of the generated grid: removes sampling grain, keeps region shapes


def default_generator_folder() -> Path:
    """``$FRAM_GENERATOR`` when set, else the generator that ships in ``fram/weights``."""
    return Path(os.environ.get(ENV_GENERATOR) or WEIGHTS_ROOT / "fram_generator")


@dataclass
class Reference:
    """One reference, resolved for one source: what the generator reads (a made-up face
    in UV) and the same look as the renderer draws it on the source (the level each
    region is matched to, :func:`regional_makeup`)."""

    texture: UVTexture
    on_source: UVTexture


@dataclass
class FramRequest:
    """One face's inputs, resolved: the analysed source and a reference per token group."""

    analysis: FaceAnalysis
    references: dict[str, Reference]
    groups: tuple[str, ...]
    intensity: dict[str, float]


class FramPipeline:
    """The fram diffusion engine; see the module docstring."""

    def __init__(self, generator: MakeupGenerator, encoder: Any, *, steps: int = DEFAULT_STEPS, guidance: float = 1.0,
                 colour_match: float = DEFAULT_COLOUR_MATCH) -> None:
        self.generator = generator.eval()
        self.encoder = encoder.eval()
        self.steps = steps
        self.guidance = guidance
        self.colour_match = colour_match

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike[str] | None = None, *, encoder: str | os.PathLike[str] | None = None,
                        **kwargs: Any) -> "FramPipeline":
        """Load a generator folder and the makeup CLIP its config names (relative to
        the package's weights folder unless absolute), or ``encoder``."""
        from fram.models.makeup_clip import MakeupCLIP

        folder = Path(folder) if folder is not None else default_generator_folder()
        if not (folder / "model.safetensors").is_file():
            raise ModelNotFoundError(
                f"no fram generator in {folder}: train one with `python -m fram.train.stage2` "
                f"(or set ${ENV_GENERATOR}), or use --engine classic"
            )
        generator = MakeupGenerator.from_pretrained(folder)
        enc = Path(encoder) if encoder is not None else Path(generator.config.encoder)
        if not enc.is_absolute():
            enc = WEIGHTS_ROOT / enc
        if not (enc / "model.safetensors").is_file():
            raise ModelNotFoundError(f"the fram generator in {folder} needs the makeup CLIP at {enc}, which is missing")
        return cls(generator, MakeupCLIP.from_pretrained(enc), **kwargs)

    # ------------------------------------------------------------------ inputs

    def resolve_reference(self, reference: object, source: FaceAnalysis, *, name: str = "reference") -> Reference:
        """A reference for this source. A recipe, preset or words is rendered onto the
        source's own face (and that is also how it looks on the source); a photo's face
        is unwrapped with its hidden parts mirrored in, and the classic engine's fit of
        it is rendered on the source."""
        from fram.makeup.estimate import estimate_style
        from fram.pipeline import face_of, is_recipe_reference, read_image, resolve_style

        tone = skin_tone(source.texture)
        if is_recipe_reference(reference):
            made = _render_on(source.texture, match_skin(resolve_style(reference), tone))
            return Reference(texture=made, on_source=made)
        rgb = read_image(reference)
        face = face_of(rgb, 0, name)
        texture = analyse(rgb, face).texture
        filled, vis = mirror_fill(texture)
        return Reference(texture=UVTexture(texture=filled, visibility=vis),
                         on_source=_render_on(source.texture, match_skin(estimate_style(texture), tone)))

    @torch.no_grad()
    def _tokens(self, reference: Reference) -> torch.Tensor:
        from fram.models.makeup_clip import prepare_uv

        texture = reference.texture
        cfg = self.encoder.config.vision_cfg
        x, vis = prepare_uv(texture.texture, texture.visibility, cfg.image_size)
        patches = self.encoder.forward_image(x, vis)["patch_tokens"]
        mask = F.avg_pool2d(vis, cfg.patch_size).flatten(1) > cfg.min_patch_visibility
        return self.generator.region_tokens(patches, mask)

    def _condition(self, request: FramRequest, partition: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The generator's condition (the source face and, aligned, each group's
        reference), which groups have a reference (1, G) and the mean change each
        reference implies for its group (1, G, 3)."""
        from fram.models.makeup_clip import prepare_uv

        size = self.generator.config.sample_size
        analysis = request.analysis
        tex, vis = prepare_uv(analysis.texture.texture, analysis.texture.visibility, size)
        geo = torch.from_numpy(geometry_maps(analysis.face.landmarks, size)).permute(2, 0, 1)[None]
        slots: list[tuple[torch.Tensor, torch.Tensor]] = []
        looks: list[torch.Tensor] = []
        slot_of: dict[int, int] = {}
        assign, present = torch.zeros(1, len(TOKEN_GROUPS), dtype=torch.long), torch.zeros(1, len(TOKEN_GROUPS), dtype=torch.bool)
        for i, group in enumerate(TOKEN_GROUPS):
            ref = request.references.get(group)
            if ref is None or CONTROL_GROUP[group] not in request.groups:
                continue
            if id(ref) not in slot_of:
                slot_of[id(ref)] = len(slots)
                slots.append(prepare_uv(ref.texture.texture, ref.texture.visibility, size))
                looks.append(prepare_uv(ref.on_source.texture, ref.on_source.visibility, size)[0])
            assign[0, i], present[0, i] = slot_of[id(ref)], True
        if not slots:
            slots.append((torch.zeros_like(tex), torch.zeros_like(vis)))
            looks.append(tex)
        reference = reference_condition(slots, assign, present, self._group_scale(request), partition, tex, vis,
                                        self.generator.config.delta_scale)
        target = regional_makeup(slots, looks, assign, partition, tex, vis, RATIO_SHARE)
        return condition_image(tex, vis, geo, reference), present, target

    @staticmethod
    def _group_scale(request: FramRequest) -> torch.Tensor:
        """(1, G) intensity per token group (each follows its user-facing region)."""
        return torch.tensor([[request.intensity.get(CONTROL_GROUP[g], 1.0) for g in TOKEN_GROUPS]])

    # ------------------------------------------------------------------ generation

    def generate_delta(self, request: FramRequest, *, steps: int | None = None, seed: int = 0, guidance: float | None = None,
                       colour_match: float | None = None) -> torch.Tensor:
        """The makeup delta (1, 3, S, S), linear RGB in UV, for one request."""
        k = self.generator.tokens_per_group
        by_ref: dict[int, torch.Tensor] = {}
        rows = []
        for group in TOKEN_GROUPS:
            ref = request.references.get(group)
            if ref is None or CONTROL_GROUP[group] not in request.groups:
                rows.append(self.generator.null_tokens[None, TOKEN_GROUPS.index(group) * k : (TOKEN_GROUPS.index(group) + 1) * k])
                continue
            if id(ref) not in by_ref:
                by_ref[id(ref)] = self._tokens(ref)
            i = TOKEN_GROUPS.index(group)
            rows.append(by_ref[id(ref)][:, i * k : (i + 1) * k])
        tokens = torch.cat(rows, dim=1)
        cfg = self.generator.config
        partition = token_group_partition(cfg.sample_size)
        group_scale = self._group_scale(request)
        condition, present, target = self._condition(request, partition)
        delta = sample_delta(self.generator, condition, tokens, region_scale=group_scale.repeat_interleave(k, dim=1),
                             steps=steps or self.steps, guidance=self.guidance if guidance is None else guidance, seed=seed)
        return match_regions(delta, target, partition, present, group_scale, condition,
                             torch.tensor([MATCH_AMOUNT[g] for g in TOKEN_GROUPS]) * (self.colour_match if colour_match is None else colour_match))

    def delta_layers(self, delta: torch.Tensor, analysis: FaceAnalysis, groups: tuple[str, ...]) -> dict[str, GroupLayer]:
        """The UV delta as one compositing layer per selected region group."""
        size = layer_size(analysis)
        d = delta
        if DELTA_SMOOTH_SIGMA > 0:
            from fram.face.filters import gaussian_blur

            d = gaussian_blur(d, DELTA_SMOOTH_SIGMA)
        d = F.interpolate(d, size=(size, size), mode="bilinear", align_corners=False)
        partition = token_group_partition(size)
        layers = {}
        for group in groups:
            weight = sum(partition[i] for i, g in enumerate(TOKEN_GROUPS) if CONTROL_GROUP[g] == group)[None, None]
            zeros1 = torch.zeros_like(weight)
            layers[group] = GroupLayer(
                gain=torch.ones_like(d), add=d * weight, shine=zeros1, smooth=zeros1, sparkle=zeros1,
                sparkle_color=torch.zeros_like(d), alpha=weight,
            )
        return layers

    def __call__(
        self,
        source: object,
        reference: object | None = None,
        *,
        references: dict[str, object] | None = None,
        regions: str | tuple[str, ...] | None = None,
        intensity: float | str | dict[str, float] = 1.0,
        steps: int | None = None,
        seed: int = 0,
        guidance: float | None = None,
        colour_match: float | None = None,
        face_index: int = 0,
        source_name: str = "source",
    ):
        """Put the reference's makeup on the source; arguments as :func:`fram.pipeline.transfer`."""
        from fram.pipeline import PipelineOutput, face_of, parse_intensity, plan_regions, read_image

        groups, per_group = plan_regions(reference, references, regions)
        rgb = read_image(source)
        face = face_of(rgb, face_index, source_name)
        analysis = analyse(rgb, face)
        resolved: dict[int, Reference] = {}
        refs: dict[str, Reference] = {}
        for group in groups:
            ref = per_group[group]
            if id(ref) not in resolved:
                resolved[id(ref)] = self.resolve_reference(ref, analysis, name=f"reference for {group}")
            for token_group in TOKEN_GROUPS:
                if CONTROL_GROUP[token_group] == group:
                    refs[token_group] = resolved[id(ref)]
        level = parse_intensity(intensity)
        shown = tuple(g for g in groups if level.get(g, 1.0) > 0)  # intensity 0: as if not selected, bit-identical
        request = FramRequest(analysis=analysis, references=refs, groups=shown, intensity=level)
        delta = self.generate_delta(request, steps=steps, seed=seed, guidance=guidance, colour_match=colour_match)
        image = apply_layers(rgb, analysis, self.delta_layers(delta, analysis, shown))
        return PipelineOutput(image=image, face=face, style=None)


def _render_on(texture: UVTexture, style: MakeupStyle) -> UVTexture:
    x = torch.from_numpy(texture.texture).permute(2, 0, 1)[None].float() / 255
    vis = torch.from_numpy(texture.visibility)[None, None]
    with torch.no_grad():
        out = render_uv(x, vis, [style]).texture
    made = (out[0].permute(1, 2, 0).numpy() * 255 + 0.5).clip(0, 255).astype(np.uint8)
    return UVTexture(texture=made, visibility=texture.visibility)


__all__ = ["FramPipeline", "FramRequest", "Reference", "default_generator_folder"]
