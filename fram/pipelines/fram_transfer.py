"""``FramTransferPipeline`` (``--engine fram``): the region-aware diffusion engine.

Like a diffusers pipeline it composes injected parts: the region generator with its
identity ControlNet (stage 2), the frozen makeup CLIP (stage 1) and a diffusers
scheduler (``scheduler_config.json`` in the generator folder; the default is DDIM over
the training schedule with trailing timesteps, so two steps start from pure noise).
``from_pretrained(folder)`` loads a local folder (the shipped weights by default).

``__call__`` runs numbered steps: 1. check options and resolve references;
2. analyse the source; 3. encode each reference into region tokens; 4. build the
condition (source + aligned references, :mod:`fram.models.conditioning`); 5. the
explicit denoising loop; 6. match the eyes' and lips' level
(:mod:`fram.pipelines.level_match`); 7. composite one layer per selected region at
the photo's resolution, so pixels outside them stay bit-identical.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from fram.errors import ModelNotFoundError, require_extra
from fram.face.uv import UVTexture, geometry_maps, mirror_fill
from fram.makeup.compose import FaceAnalysis, apply_layers, layer_size, match_skin, skin_tone
from fram.makeup.recipe import MakeupStyle
from fram.face.filters import gaussian_blur
from fram.makeup.layer import GroupLayer
from fram.makeup.render import render_uv
from fram.models.conditioning import condition_image, reference_condition
from fram.models.generator import MakeupGenerator
from fram.models.makeup_clip import MakeupCLIP, prepare_uv
from fram.models.region_tokens import CONTROL_GROUP, TOKEN_GROUPS, token_group_partition
from fram.pipelines.base import Pipeline, PipelineOutput, Source, make_up_faces
from fram.pipelines.level_match import match_regions, regional_makeup
from fram.pipelines.options import MakeupOptions
from fram.pipelines.references import Reference, plan_references
from fram.weights import WEIGHTS_ROOT, weights_folder

ENV_GENERATOR = "FRAM_GENERATOR"
SCHEDULER_CONFIG = "scheduler_config.json"
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
    return weights_folder(ENV_GENERATOR, "fram_generator")


def default_scheduler(generator: MakeupGenerator) -> Any:
    """DDIM over the generator's training schedule, "trailing" timesteps (few-step
    sampling on a CPU starts from pure noise)."""
    from diffusers import DDIMScheduler

    return DDIMScheduler(**generator.config.scheduler_config(), timestep_spacing="trailing", set_alpha_to_one=True)


def load_scheduler(folder: Path, generator: MakeupGenerator) -> Any:
    """The scheduler a folder names (``scheduler_config.json``, any diffusers scheduler
    class by its ``_class_name``), or :func:`default_scheduler`."""
    import diffusers

    path = folder / SCHEDULER_CONFIG
    if not path.is_file():
        return default_scheduler(generator)
    config = json.loads(path.read_text(encoding="utf-8"))
    cls = getattr(diffusers, str(config.get("_class_name", "")), None)
    if cls is None or not hasattr(cls, "from_config"):
        raise ModelNotFoundError(f"{path}: unknown scheduler class {config.get('_class_name')!r}")
    return cls.from_config(config)


@dataclass
class ResolvedReference:
    """One reference prepared for one source: what the generator reads (a made-up face
    in UV, hidden half mirrored in) and the same look as the renderer draws it on the
    source (the level each region is matched to, :func:`regional_makeup`)."""

    texture: UVTexture
    on_source: UVTexture


@dataclass
class FramRequest:
    """One face's inputs, resolved: the analysed source and a reference per token group."""

    analysis: FaceAnalysis
    references: dict[str, ResolvedReference]
    groups: tuple[str, ...]
    intensity: dict[str, float]


class FramTransferPipeline(Pipeline):
    """The fram diffusion engine; see the module docstring."""

    config_keys = ("steps", "guidance", "colour_match")

    def __init__(self, generator: MakeupGenerator, encoder: MakeupCLIP, scheduler: Any, *, steps: int = DEFAULT_STEPS,
                 guidance: float = 1.0, colour_match: float = DEFAULT_COLOUR_MATCH) -> None:
        self.generator = generator.eval()
        self.encoder = encoder.eval()
        self.scheduler = scheduler
        self.steps = steps
        self.guidance = guidance
        self.colour_match = colour_match

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike[str] | None = None, *, encoder: str | os.PathLike[str] | None = None,
                        **overrides: Any) -> "FramTransferPipeline":
        """Load a generator folder (default :func:`default_generator_folder`), its
        scheduler, and the makeup CLIP its config names (relative to the package's
        weights folder unless absolute), or ``encoder``."""
        require_extra("diffusers", "diffusion", "the fram (diffusion) engine")
        folder = Path(folder) if folder is not None else default_generator_folder()
        if not (folder / "model.safetensors").is_file():
            raise ModelNotFoundError(
                f"no fram generator in {folder}: train one with `python -m fram.train.stage2` "
                f"(or set ${ENV_GENERATOR}), or use --engine classic"
            )
        return super().from_pretrained(folder, **({"encoder": encoder} if encoder is not None else {}), **overrides)

    @classmethod
    def _load_parts(cls, folder: Path | None, *, encoder: str | os.PathLike[str] | None = None, **settings: Any) -> "FramTransferPipeline":
        generator = MakeupGenerator.from_pretrained(folder)
        enc = Path(encoder) if encoder is not None else Path(generator.config.encoder)
        if not enc.is_absolute():
            enc = WEIGHTS_ROOT / enc
        if not (enc / "model.safetensors").is_file():
            raise ModelNotFoundError(f"the fram generator in {folder} needs the makeup CLIP at {enc}, which is missing")
        return cls(generator, MakeupCLIP.from_pretrained(enc), load_scheduler(folder, generator), **settings)

    def _save_parts(self, folder: Path) -> None:
        self.generator.save_pretrained(folder)
        self.scheduler.save_config(folder)

    # ------------------------------------------------------------------ inputs

    def prepare_reference(self, reference: Reference, source: FaceAnalysis) -> ResolvedReference:
        """A reference for this source. A recipe, preset or words is rendered onto the
        source's own face (and that is also how it looks on the source); a photo's face
        is used with its hidden parts mirrored in, and the classic engine's fit of it is
        rendered on the source."""
        tone, light = skin_tone(source.texture), source.light
        if not reference.is_photo:
            made = _render_on(source.texture, match_skin(reference.recipe(), tone, light), light)
            return ResolvedReference(texture=made, on_source=made)
        filled, vis = mirror_fill(reference.texture)
        return ResolvedReference(texture=UVTexture(texture=filled, visibility=vis),
                                 on_source=_render_on(source.texture, match_skin(reference.recipe(), tone, light), light))

    @torch.no_grad()
    def _tokens(self, reference: ResolvedReference) -> torch.Tensor:
        texture = reference.texture
        cfg = self.encoder.config.vision_cfg
        x, vis = prepare_uv(texture.texture, texture.visibility, cfg.image_size)
        patches = self.encoder.forward_image(x, vis)["patch_tokens"]
        mask = F.avg_pool2d(vis, cfg.patch_size).flatten(1) > cfg.min_patch_visibility
        return self.generator.region_tokens(patches, mask)

    def _region_tokens(self, request: FramRequest) -> torch.Tensor:
        """(1, G·k, D): each token group's tokens from its reference, null tokens where none."""
        k = self.generator.tokens_per_group
        by_ref: dict[int, torch.Tensor] = {}
        rows = []
        for i, group in enumerate(TOKEN_GROUPS):
            ref = request.references.get(group)
            if ref is None or CONTROL_GROUP[group] not in request.groups:
                rows.append(self.generator.null_tokens[None, i * k : (i + 1) * k])
                continue
            if id(ref) not in by_ref:
                by_ref[id(ref)] = self._tokens(ref)
            rows.append(by_ref[id(ref)][:, i * k : (i + 1) * k])
        return torch.cat(rows, dim=1)

    def _condition(self, request: FramRequest, partition: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The generator's condition (the source face and, aligned, each group's
        reference), which groups have a reference (1, G) and the mean change each
        reference implies for its group (1, G, 3)."""
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

    @torch.no_grad()
    def denoise(self, condition: torch.Tensor, tokens: torch.Tensor, region_scale: torch.Tensor | None, *, steps: int,
                guidance: float, seed: int) -> torch.Tensor:
        """The explicit sampling loop: makeup deltas (B, 3, S, S), linear RGB.

        ``guidance`` > 1 applies classifier-free guidance against the null tokens (twice
        the compute); the seed fixes the starting noise so results repeat.
        """
        cfg = self.generator.config
        b = len(condition)
        self.scheduler.set_timesteps(steps)
        rng = torch.Generator().manual_seed(seed)
        x = torch.randn((b, 3, cfg.sample_size, cfg.sample_size), generator=rng) * self.scheduler.init_noise_sigma
        guided = guidance != 1.0
        if guided:
            tokens = torch.cat([tokens, self.generator.null_tokens[None].expand_as(tokens)])
            condition = torch.cat([condition, condition])
            region_scale = None if region_scale is None else torch.cat([region_scale, region_scale])
        for t in self.scheduler.timesteps:
            sample = self.scheduler.scale_model_input(torch.cat([x, x]) if guided else x, t)
            pred = self.generator(sample, t.expand(len(sample)), condition, tokens, region_scale)
            if guided:
                pred = pred[b:] + guidance * (pred[:b] - pred[b:])
            x = self.scheduler.step(pred, t, x, generator=rng).prev_sample
        return x / cfg.delta_scale

    def generate_delta(self, request: FramRequest, options: MakeupOptions) -> torch.Tensor:
        """The matched makeup delta (1, 3, S, S), linear RGB in UV, for one request."""
        partition = token_group_partition(self.generator.config.sample_size)
        group_scale = self._group_scale(request)
        condition, present, target = self._condition(request, partition)
        delta = self.denoise(condition, self._region_tokens(request),
                             group_scale.repeat_interleave(self.generator.tokens_per_group, dim=1),
                             steps=options.steps or self.steps, guidance=self.guidance if options.guidance is None else options.guidance,
                             seed=options.seed)
        amount = self.colour_match if options.colour_match is None else options.colour_match
        return match_regions(delta, target, partition, present, group_scale, condition,
                             torch.tensor([MATCH_AMOUNT[g] for g in TOKEN_GROUPS]) * amount)

    def delta_layers(self, delta: torch.Tensor, analysis: FaceAnalysis, groups: tuple[str, ...]) -> dict[str, GroupLayer]:
        """The UV delta as one compositing layer per selected region group."""
        size = layer_size(analysis)
        d = gaussian_blur(delta, DELTA_SMOOTH_SIGMA) if DELTA_SMOOTH_SIGMA > 0 else delta
        d = F.interpolate(d, size=(size, size), mode="bilinear", align_corners=False).numpy()
        partition = token_group_partition(size).numpy()
        layers = {}
        for group in groups:
            weight = sum(partition[i] for i, g in enumerate(TOKEN_GROUPS) if CONTROL_GROUP[g] == group)[None, None]
            zeros1 = np.zeros_like(weight)
            layers[group] = GroupLayer(
                gain=np.ones_like(d), add=d * weight, shine=zeros1, smooth=zeros1, sparkle=zeros1,
                sparkle_color=np.zeros_like(d), alpha=weight,
            )
        return layers

    def request(self, analysis: FaceAnalysis, plan_refs: dict[str, Reference], groups: tuple[str, ...],
                intensity: dict[str, float]) -> FramRequest:
        """Prepare each distinct reference once and give every token group its own."""
        prepared: dict[int, ResolvedReference] = {}
        refs: dict[str, ResolvedReference] = {}
        for group, ref in plan_refs.items():
            if id(ref) not in prepared:
                prepared[id(ref)] = self.prepare_reference(ref, analysis)
            for token_group in TOKEN_GROUPS:
                if CONTROL_GROUP[token_group] == group:
                    refs[token_group] = prepared[id(ref)]
        return FramRequest(analysis=analysis, references=refs, groups=groups, intensity=intensity)

    def __call__(self, source: object, reference: object | None = None, *, references: dict[str, object] | None = None,
                 options: MakeupOptions | None = None, source_name: str = "source", **values: Any) -> PipelineOutput:
        """Put the reference's makeup on the source; references as
        :class:`fram.pipelines.classic.ClassicTransferPipeline` takes them."""
        options = MakeupOptions.of(options, **values)  # 1
        plan = plan_references(reference, references, options)
        shown = options.shown(plan.groups)

        def make(photo: Source) -> np.ndarray:  # 2: each face analysed on its own frame
            request = self.request(photo.analysis, plan.references, shown, options.intensity)
            delta = self.generate_delta(request, options)  # 3–6
            return apply_layers(photo.image, photo.analysis, self.delta_layers(delta, photo.analysis, shown))  # 7

        image, face = make_up_faces(source, make, face_index=options.face_index, all_faces=options.all_faces, name=source_name)
        return PipelineOutput(image=image, face=face, style=None, groups=shown)


def _render_on(texture: UVTexture, style: MakeupStyle, light: np.ndarray | None) -> UVTexture:
    """``style`` painted on a face texture as the photo's ``light`` (white point) lights it."""
    x = texture.texture.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255)
    out = render_uv(x, texture.visibility[None, None], [style], light=None if light is None else np.asarray(light, np.float32)[None]).texture
    made = (out[0].transpose(1, 2, 0) * 255 + 0.5).clip(0, 255).astype(np.uint8)
    return UVTexture(texture=made, visibility=texture.visibility)
