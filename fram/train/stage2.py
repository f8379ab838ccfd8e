"""Train stage 2 (FRAM's region-aware makeup injection) on a ``fram synth`` dataset.

One step, for a batch of synthetic pairs (bare face → the same face made up):

1. the *source* is the bare face: its UV texture, visibility and 3D geometry maps go
   to the identity ControlNet (:func:`fram.models.generator.condition_image`);
2. the *target* is the makeup delta (linear RGB) between the made-up and the bare
   texture at the generator's size, × ``delta_scale``;
3. the *reference* is, with probability ``same_style_prob``, **another identity
   wearing the same style** (so makeup is separated from identity and skin tone), with
   probability ``swap_prob`` **this exact recipe rendered on another bare face**
   (:func:`render_on_other_faces`: the same products, so the same physics of colour on
   a different skin, as the evaluation's ground truth), otherwise FRAM's augmented
   copy of the target; every reference goes
   through the colour-preserving augmentations of stage 1, then both to the frozen
   makeup CLIP, whose patch tokens the region resampler reads, and, aligned in UV,
   beside the noisy delta (:func:`fram.models.generator.reference_condition`);
4. with probability ``mix_prob`` the token groups come from two references (two looks
   of the same face) and the target is assembled region by region from the two
   deltas: the generator learns that the lips tokens paint the lips and nothing else;
5. with probability ``real_prob`` the pair is a real made-up face instead: the source
   is the face with its makeup taken off region by region (:func:`pseudo_bare`), the
   reference an augmented copy of it, the target its real makeup;
6. with probability ``cond_dropout`` no group has a reference (null tokens, empty
   reference channels: classifier-free guidance); with probability ``group_drop_prob``
   only some groups have one, as when a user selects regions, and the loss ignores
   the others (their output is never composited);
7. loss = MSE of the predicted clean delta inside the face, ``makeup_weight`` more on
   the eyes, brows, lips and cheeks (small in UV, so skin would rule a plain mean) +
   ``attn_weight`` × (focal + dice) between each token group's cross-attention map and
   its UV region.

The run folder mirrors stage 1's: ``checkpoint/`` (resume by rerunning the same
command), ``params.json``, and at the end ``final/`` (a ``MakeupGenerator`` folder with
``training_log.json`` and ``loss_curve.png``). ``--time-limit`` (minutes of training
over all resumes; ``--budget cpu`` counts this process's CPU time) ends the schedule
in time. ``--init FOLDER`` starts from an earlier generator (tensors that grew new
input channels keep their old ones and start the new ones at zero).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from fram.models.generator import (AttentionStore, GeneratorConfig, MakeupGenerator, condition_image, makeup_delta, reference_condition,
                                   sample_delta)
from fram.models.region_tokens import TOKEN_GROUPS, downsample_masks, token_group_masks, token_group_partition
from fram.train.augment import AugmentOptions, augment_view
from fram.train.common import CHECKPOINT_DIR, decay_groups, load_checkpoint, lr_at, progress_at, save_checkpoint
from fram.train.data import UVSet, cached_split

DEFAULT_ENCODER = Path(__file__).resolve().parents[1] / "weights" / "makeup_clip"
LEGACY_DEFAULTS = {"real_prob": 0.0}
"""Settings added after a run may have started, with the value that run had (off)."""


@dataclass
class Stage2Params:
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
    seed: int = 0
    threads: int = 0
    limit_faces: int | None = None
    eval_every: int = 250
    eval_pairs: int = 48
    eval_steps: int = 8
    log_every: int = 10
    save_every_min: float = 5.0
    time_limit_min: float | None = 110.0
    budget: str = "wall"
    cache: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def matters(self) -> dict[str, Any]:
        """The fields a resumed run must share with the run it resumes."""
        d = self.to_dict()
        for k in ("out", "threads", "eval_every", "log_every", "save_every_min", "time_limit_min", "budget", "cache", "steps"):
            d.pop(k, None)
        return d


# --------------------------------------------------------------------------- data


@dataclass
class Stage2Data:
    """One split ready for stage 2 (all uint8/float tensors in memory).

    ``ref`` / ``ref_vis`` are at the encoder's input size; ``before``, ``after``,
    ``vis``, ``geometry`` at the generator's.
    """

    ref: torch.Tensor  # (P, 3, R, R) uint8, the made-up textures as references
    ref_vis: torch.Tensor  # (F, 1, R, R) uint8
    ref_before: torch.Tensor  # (F, 3, R, R) uint8, the bare faces (a look rendered on another face)
    before: torch.Tensor  # (F, 3, S, S) float
    after: torch.Tensor  # (P, 3, S, S) float
    vis: torch.Tensor  # (F, 1, S, S) float
    geometry: torch.Tensor  # (F, 4, S, S) float
    pair_face: torch.Tensor  # (P,)
    styles: torch.Tensor  # (P,)
    style_pairs: dict[int, torch.Tensor]
    face_pairs: dict[int, torch.Tensor]
    recipes: list[str]  # (P) each pair's recipe, JSON
    real_ref: torch.Tensor | None = None  # (R, 3, Rr, Rr) uint8 real made-up faces
    real_ref_vis: torch.Tensor | None = None  # (R, 1, Rr, Rr) uint8
    real: torch.Tensor | None = None  # (R, 3, S, S) float
    real_vis: torch.Tensor | None = None  # (R, 1, S, S) float
    real_geometry: torch.Tensor | None = None  # (R, 4, S, S) float

    def __len__(self) -> int:
        return len(self.pair_face)

    @property
    def num_real(self) -> int:
        return 0 if self.real is None else len(self.real)


def _area(x: torch.Tensor, size: int) -> torch.Tensor:
    return x if x.shape[-1] == size else F.adaptive_avg_pool2d(x, size)


def prepare(uvset: UVSet, size: int) -> Stage2Data:
    """Derive the generator-size tensors and geometry maps from a stage-1 ``UVSet``."""
    from fram.face.uv import geometry_maps

    if len(uvset.landmarks) != len(uvset.befores):
        raise ValueError("the dataset cache has no landmarks; rebuild it with this version of fram")
    if len(uvset.recipes) != len(uvset.afters):
        raise ValueError("the dataset cache has no recipes; rebuild it with this version of fram")

    def geometry_of(landmarks: torch.Tensor) -> torch.Tensor:
        if not len(landmarks):
            return torch.zeros(0, 4, size, size)
        return torch.stack([torch.from_numpy(geometry_maps(lm.numpy(), size)).permute(2, 0, 1) for lm in landmarks])

    geometry = geometry_of(uvset.landmarks)
    real = {}
    if len(uvset.real) and len(uvset.real_landmarks) == len(uvset.real):
        real = dict(real_ref=uvset.real, real_ref_vis=uvset.real_vis, real=_area(uvset.real.float() / 255, size),
                    real_vis=_area(uvset.real_vis.float() / 255, size), real_geometry=geometry_of(uvset.real_landmarks))
    style_pairs: dict[int, list[int]] = {}
    face_pairs: dict[int, list[int]] = {}
    for i, (s, f) in enumerate(zip(uvset.styles.tolist(), uvset.pair_face.tolist())):
        style_pairs.setdefault(s, []).append(i)
        face_pairs.setdefault(f, []).append(i)
    return Stage2Data(
        ref=uvset.afters, ref_vis=uvset.vis, ref_before=uvset.befores,
        before=_area(uvset.befores.float() / 255, size), after=_area(uvset.afters.float() / 255, size),
        vis=_area(uvset.vis.float() / 255, size), geometry=geometry,
        pair_face=uvset.pair_face, styles=uvset.styles,
        style_pairs={k: torch.tensor(v) for k, v in style_pairs.items()},
        face_pairs={k: torch.tensor(v) for k, v in face_pairs.items()},
        recipes=uvset.recipes,
        **real,
    )


def synthetic_stage2_uvset(n_faces: int = 12, looks: int = 3, n_styles: int = 4, size: int = 32, seed: int = 0, n_real: int = 4) -> UVSet:
    """A tiny made-up dataset for tests: flat "faces" with region-coloured "makeup"."""
    from fram.face.landmarks import NUM_LANDMARKS
    from fram.face.mesh import canonical_mesh
    from fram.makeup.presets import PRESETS

    g = np.random.default_rng(seed)
    masks = token_group_masks(size).numpy()
    palette = g.uniform(0.1, 0.9, (n_styles, len(TOKEN_GROUPS), 3))
    mesh = canonical_mesh()
    befores, afters, pair_face, styles, landmarks = [], [], [], [], []
    for f in range(n_faces):
        skin = g.uniform(0.3, 0.8, 3)
        bare = np.ones((size, size, 3)) * skin
        befores.append(bare)
        lm = np.zeros((NUM_LANDMARKS, 3))
        lm[: mesh.num_vertices, :2] = mesh.uv * 200 + g.normal(0, 2, (mesh.num_vertices, 2))
        lm[: mesh.num_vertices, 2] = g.normal(0, 5, mesh.num_vertices)
        landmarks.append(lm)
        for s in g.choice(n_styles, looks, replace=False):
            made = bare.copy()
            for k in (2, 4):  # eyes and lips only: visible, region-bound makeup
                made = made * (1 - masks[k, ..., None] * 0.8) + palette[s, k] * masks[k, ..., None] * 0.8
            afters.append(made)
            pair_face.append(f)
            styles.append(int(s))

    real = []
    for r in range(n_real):  # "real" made-up faces: another skin, strongly coloured lips
        made = np.ones((size, size, 3)) * g.uniform(0.3, 0.8, 3)
        real.append(made * (1 - masks[4, ..., None]) + np.array([0.7, 0.05, 0.1]) * masks[4, ..., None])

    def u8(images: list[np.ndarray]) -> torch.Tensor:
        if not images:
            return torch.zeros(0, 3, size, size, dtype=torch.uint8)
        return torch.from_numpy((np.clip(np.stack(images), 0, 1) * 255 + 0.5).astype(np.uint8)).permute(0, 3, 1, 2).contiguous()

    presets = [PRESETS[name] for name in ("red-carpet", "natural", "smoky-plum", "goth", "k-beauty-gradient")]
    return UVSet(
        befores=u8(befores), vis=torch.full((n_faces, 1, size, size), 255, dtype=torch.uint8), afters=u8(afters),
        pair_face=torch.tensor(pair_face), styles=torch.tensor(styles), texts=[f"style {s}" for s in styles],
        recipes=[presets[s % len(presets)].model_dump_json() for s in styles],
        identities=[f"face{i}" for i in range(n_faces)], style_names=[f"s{i}" for i in range(n_styles)],
        real=u8(real), real_vis=torch.full((n_real, 1, size, size), 255, dtype=torch.uint8),
        real_identities=[f"real{i}" for i in range(n_real)],
        landmarks=torch.from_numpy(np.stack(landmarks)).float(),
        real_landmarks=torch.from_numpy(np.stack(landmarks[:n_real])).float() if n_real else torch.zeros(0, 478, 3),
    )


# --------------------------------------------------------------------------- batches


@dataclass
class Batch:
    condition: torch.Tensor  # (B, 8, S, S)
    target: torch.Tensor  # (B, 3, S, S) scaled delta
    weight: torch.Tensor  # (B, 1, S, S) where the loss counts
    refs: list[tuple[torch.Tensor, torch.Tensor]]  # per reference slot: (rgb, vis) at the encoder size
    assign: torch.Tensor  # (B, G) index of the reference slot each token group reads
    scale: torch.Tensor  # (B, G) each token group's intensity (the target delta follows it)
    present: torch.Tensor  # (B, G) bool: the group has a reference (else null tokens, empty channels)


PSEUDO_GROUPS: tuple[str, ...] = ("cheeks", "eyes", "brows", "lips")
"""Regions whose makeup a real made-up face's pseudo-bare source has removed."""


def pseudo_bare(real: torch.Tensor, real_vis: torch.Tensor, donor: torch.Tensor, donor_vis: torch.Tensor,
                masks: torch.Tensor) -> torch.Tensor:
    """A real made-up face (sRGB, B×3×S×S) with its makeup taken off, region by region.

    There is no photo of the same face without makeup, so each region's colour, relative
    to the face's own skin, is moved to what a bare ``donor`` face has there (lips as
    pink as a bare lip is against its skin, lids as a bare lid): FRAM's self-supervised
    pseudo-pairs. Skin itself (foundation) is left alone, so skin tone and identity stay.
    The difference to ``real`` is then the real makeup, for the generator to learn.
    """
    from fram.face.colour import linear_to_srgb, srgb_to_linear

    lin, donor_lin = srgb_to_linear(real), srgb_to_linear(donor)

    def mean(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return (x * w).sum((-1, -2)) / w.sum((-1, -2)).clamp_min(1e-6)

    skin = masks[TOKEN_GROUPS.index("skin")]
    base_real, base_donor = mean(lin, skin * real_vis), mean(donor_lin, skin * donor_vis)
    out = lin
    for name in PSEUDO_GROUPS:
        m = masks[TOKEN_GROUPS.index(name)]
        shift = (mean(lin, m * real_vis) - base_real) - (mean(donor_lin, m * donor_vis) - base_donor)
        out = out - m * shift[:, :, None, None]
    return linear_to_srgb(out.clamp(0, 1))


def _reference_for(data: Stage2Data, params: Stage2Params, look: int, face: int, g: torch.Generator) -> tuple[int, int]:
    """A reference for ``look`` on ``face``: (pair whose made-up texture it is, bare face
    that pair's makeup is moved onto, or -1 to show it on its own face)."""
    r = float(torch.rand(1, generator=g))
    if r < params.same_style_prob:
        other = _other_pair(data.style_pairs[int(data.styles[look])], face, data.pair_face, g)
        return (look if other is None else other), -1
    if r < params.same_style_prob + params.swap_prob:
        onto = int(torch.randint(len(data.ref_before), (1,), generator=g))
        return look, (onto if onto != face else -1)
    return look, -1


def _reference_views(data: Stage2Data, chosen: list[tuple[int, int]]) -> list[torch.Tensor]:
    """Made-up textures and visibility (float, encoder size) of the chosen references."""
    idx = torch.tensor([c[0] for c in chosen])
    onto = torch.tensor([c[1] for c in chosen])
    own = data.pair_face[idx]
    rgb, vis = data.ref[idx].float() / 255, data.ref_vis[own].float() / 255
    moved = (onto >= 0).nonzero().flatten()
    if len(moved):
        rgb[moved], vis[moved] = render_on_other_faces(data, idx[moved], onto[moved])
    return [rgb, vis]


def render_on_other_faces(data: Stage2Data, looks: torch.Tensor, onto: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The recipes of pairs ``looks`` rendered on the bare faces ``onto`` (float, encoder
    size): the same products on another skin. As when a user applies a look (and as the
    evaluation's ground truth), foundation and concealer keep their offset from the
    wearer's skin (:func:`fram.makeup.compose.match_skin`); every other colour is the
    product's own."""
    from fram.face.uv import UVTexture
    from fram.makeup.compose import REFERENCE_SKIN_LAB, match_skin, skin_tone
    from fram.makeup.recipe import MakeupStyle
    from fram.makeup.render import render_uv

    def tone(face: int) -> np.ndarray:
        texture = data.ref_before[face].permute(1, 2, 0).numpy()
        return skin_tone(UVTexture(texture=np.ascontiguousarray(texture), visibility=data.ref_vis[face, 0].numpy() / 255.0))

    styles = []
    for look, face in zip(looks.tolist(), onto.tolist()):
        style = MakeupStyle.model_validate_json(data.recipes[look])
        styles.append(match_skin(style, REFERENCE_SKIN_LAB + tone(face) - tone(int(data.pair_face[look]))))
    before, vis = data.ref_before[onto].float() / 255, data.ref_vis[onto].float() / 255
    with torch.no_grad():
        made = render_uv(before, vis, styles).texture
    return made.clamp(0, 1), vis


def _other_pair(pool: torch.Tensor, avoid_face: int, pair_face: torch.Tensor, g: torch.Generator) -> int | None:
    for _ in range(6):
        j = int(pool[torch.randint(len(pool), (1,), generator=g)])
        if int(pair_face[j]) != avoid_face:
            return j
    return None


def make_batch(data: Stage2Data, params: Stage2Params, config: GeneratorConfig, g: torch.Generator,
               face_mask: torch.Tensor, group_partition: torch.Tensor, pairs: torch.Tensor | None = None) -> Batch:
    """Sample one training (or, with fixed ``pairs``, evaluation) batch."""
    n = params.batch if pairs is None else len(pairs)
    if pairs is None:
        pairs = torch.randint(len(data), (n,), generator=g)
    faces = data.pair_face[pairs]
    delta = makeup_delta(data.before[faces], data.after[pairs])
    refs1, refs2, assign = [], [], torch.zeros(n, len(TOKEN_GROUPS), dtype=torch.long)
    for i in range(n):
        p, f = int(pairs[i]), int(faces[i])
        look2 = None
        if float(torch.rand(1, generator=g)) < params.mix_prob:
            others = data.face_pairs[f][data.face_pairs[f] != p]
            if len(others):
                look2 = int(others[torch.randint(len(others), (1,), generator=g)])
        refs1.append(_reference_for(data, params, p, f, g))
        refs2.append(_reference_for(data, params, look2 if look2 is not None else p, f, g))
        if look2 is not None:
            bits = torch.randint(2, (len(TOKEN_GROUPS),), generator=g)
            if bits.sum() in (0, len(TOKEN_GROUPS)):
                bits[torch.randint(len(TOKEN_GROUPS), (1,), generator=g)] ^= 1
            assign[i] = bits
            delta2 = makeup_delta(data.before[f : f + 1], data.after[look2 : look2 + 1])[0]
            share = (group_partition * bits[:, None, None].float()).sum(0, keepdim=True)  # (1, S, S)
            delta[i] = delta[i] * (1 - share) + delta2 * share
    source, source_vis, geometry = data.before[faces], data.vis[faces], data.geometry[faces]
    raw = [_reference_views(data, chosen) for chosen in (refs1, refs2)]
    # Real made-up faces as self-supervised pseudo-pairs: source = the face with its
    # makeup taken off (pseudo_bare), reference = an augmented copy of it, target = its
    # real makeup (what the renderer cannot draw).
    real_rows = (torch.rand(n, generator=g) < params.real_prob).nonzero().flatten() if data.num_real else torch.zeros(0, dtype=torch.long)
    if len(real_rows):
        r = torch.randint(data.num_real, (len(real_rows),), generator=g)
        donors = torch.randint(len(data.before), (len(real_rows),), generator=g)
        bare = pseudo_bare(data.real[r], data.real_vis[r], data.before[donors], data.vis[donors], group_partition)
        source, source_vis, geometry = source.clone(), source_vis.clone(), geometry.clone()
        source[real_rows], source_vis[real_rows], geometry[real_rows] = bare, data.real_vis[r], data.real_geometry[r]
        delta[real_rows] = makeup_delta(bare, data.real[r])
        assign[real_rows] = 0
        for slot in raw:
            slot[0][real_rows] = data.real_ref[r].float() / 255
            slot[1][real_rows] = data.real_ref_vis[r].float() / 255
    refs = [augment_view(rgb, vis, params.augment, g) for rgb, vis in raw]
    # Intensity: a group's attention scale s must mean "s times this group's makeup".
    scale = torch.ones(n, len(TOKEN_GROUPS))
    scaled = torch.rand(n, generator=g) < params.scale_prob
    scale[scaled] = torch.rand(int(scaled.sum()), len(TOKEN_GROUPS), generator=g) * 1.5
    factor = (group_partition[None] * scale[:, :, None, None]).sum(1, keepdim=True) + (1 - group_partition.sum(0))[None, None]
    delta = delta * factor
    # Which groups have a reference: all (most), none (guidance dropout) or some (a user's
    # region selection; the loss then ignores the others, which are never composited).
    g_count = len(TOKEN_GROUPS)
    dropped = torch.rand(n, generator=g) < params.cond_dropout
    present = (~dropped)[:, None].repeat(1, g_count)
    for i in ((~dropped) & (torch.rand(n, generator=g) < params.group_drop_prob)).nonzero().flatten().tolist():
        bits = torch.randint(2, (g_count,), generator=g).bool()
        if bool(bits.all()) or not bool(bits.any()):
            bits[torch.randint(g_count, (1,), generator=g)] ^= True
        present[i] = bits
    reference = reference_condition(refs, assign, present, scale, group_partition, source, source_vis, config.delta_scale)
    condition = condition_image(source, source_vis, geometry, reference)
    outside = (1 - group_partition.sum(0)).clamp_min(0)
    counted = (group_partition[None] * present[:, :, None, None]).sum(1, keepdim=True) + outside
    counted = torch.where(dropped[:, None, None, None], torch.ones_like(counted), counted)
    makeup = group_partition.sum(0) - group_partition[TOKEN_GROUPS.index("skin")]
    weight = face_mask * counted * (1 + params.makeup_weight * makeup)
    return Batch(condition=condition, target=delta * config.delta_scale, weight=weight, refs=refs, assign=assign, scale=scale,
                 present=present)


@torch.no_grad()
def encode_references(encoder: Any, refs: list[tuple[torch.Tensor, torch.Tensor]]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Patch tokens and their visibility mask (patches worth reading) per reference slot."""
    out = []
    cfg = encoder.config.vision_cfg
    for rgb, vis in refs:
        tokens = encoder.forward_image(rgb, vis)["patch_tokens"]
        patch_vis = F.avg_pool2d(vis, cfg.patch_size).flatten(1)
        out.append((tokens, patch_vis > cfg.min_patch_visibility))
    return out


def batch_tokens(model: MakeupGenerator, encoded: list[tuple[torch.Tensor, torch.Tensor]], assign: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
    """Region tokens per sample: each group from its assigned reference; null tokens where it has none."""
    k = model.tokens_per_group
    per_slot = [model.region_tokens(tokens, mask) for tokens, mask in encoded]
    stacked = torch.stack(per_slot)  # (slots, B, T, D)
    rows = assign.repeat_interleave(k, dim=1)  # (B, T)
    tokens = stacked.gather(0, rows[None, :, :, None].expand(1, -1, -1, stacked.shape[-1]))[0]
    absent = ~present.repeat_interleave(k, dim=1)
    return torch.where(absent[:, :, None], model.null_tokens[None].expand_as(tokens), tokens)


# --------------------------------------------------------------------------- losses


def focal_dice(pred: torch.Tensor, target: torch.Tensor, weight: torch.Tensor, gamma: float = 2.0) -> torch.Tensor:
    """Focal + dice loss between soft maps ``pred`` and ``target`` (B, G, h, w) in [0, 1],
    counted where ``weight`` (h, w) > 0."""
    p = pred.clamp(1e-5, 1 - 1e-5)
    ce = -(target * torch.log(p) + (1 - target) * torch.log(1 - p))
    pt = target * p + (1 - target) * (1 - p)
    focal = ((1 - pt) ** gamma * ce * weight).sum((-1, -2)) / weight.sum().clamp_min(1)
    inter = (pred * target * weight).sum((-1, -2))
    dice = 1 - (2 * inter + 1) / ((pred * weight).sum((-1, -2)) + (target * weight).sum((-1, -2)) + 1)
    return (focal + dice).mean()


def attention_loss(store: AttentionStore, targets: torch.Tensor, face: torch.Tensor, tokens_per_group: int, keep: torch.Tensor) -> torch.Tensor:
    """Each token group's attention (summed over its tokens) against its UV region."""
    if not store.maps or not bool(keep.any()):
        return torch.zeros(())
    losses = []
    for m in store.maps:
        b, t, h, w = m.shape
        groups = m.view(b, t // tokens_per_group, tokens_per_group, h, w).sum(2)[keep]
        losses.append(focal_dice(groups, downsample_masks(targets, h)[None], (downsample_masks(face[None], h)[0] > 0.5).float()))
    return torch.stack(losses).mean()


# --------------------------------------------------------------------------- evaluation


@torch.no_grad()
def quick_eval(model: MakeupGenerator, encoder: Any, data: Stage2Data, params: Stage2Params, face_mask: torch.Tensor,
               partition: torch.Tensor) -> dict[str, float]:
    """Fixed held-out batch, references of other identities: error of the made-up
    texture (sRGB, 0–255, inside the face) for the generator and for doing nothing."""
    from fram.face.colour import linear_to_srgb, srgb_to_linear

    g = torch.Generator().manual_seed(1234)
    eval_params = Stage2Params(**{**params.to_dict(), "mix_prob": 0.0, "cond_dropout": 0.0, "same_style_prob": 1.0, "swap_prob": 0.0,
                                  "group_drop_prob": 0.0, "scale_prob": 0.0, "real_prob": 0.0,
                                  "augment": AugmentOptions.none()})
    pairs = torch.randperm(len(data), generator=g)[: params.eval_pairs]
    batch = make_batch(data, eval_params, model.config, g, face_mask, partition, pairs=pairs)
    tokens = batch_tokens(model, encode_references(encoder, batch.refs), batch.assign, batch.present)
    was = model.training
    model.eval()
    deltas = {steps: sample_delta(model, batch.condition, tokens, steps=steps, seed=0) for steps in {params.eval_steps, 1}}
    model.train(was)
    faces = data.pair_face[pairs]
    before_lin = srgb_to_linear(data.before[faces])
    truth = data.after[pairs]
    w = face_mask[None, None]

    def err(x: torch.Tensor) -> float:
        return float(((x - truth).abs() * w).sum() / (w.sum() * 3 * len(x)) * 255)

    def made(delta: torch.Tensor) -> torch.Tensor:
        return linear_to_srgb((before_lin + delta).clamp(0, 1))

    # One step is the generator's conditional mean: what the few-step samples are judged against.
    return {"texture_error": err(made(deltas[params.eval_steps])), "one_step_error": err(made(deltas[1])),
            "noop_error": err(data.before[faces])}


def plot_log(log: dict[str, Any], path: Path) -> None:
    """Loss curves and the held-out texture error against the step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hist = log["history"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    steps = [h["step"] for h in hist]
    for key, colour in (("loss", "k"), ("mse", "tab:blue"), ("attn", "tab:orange")):
        axes[0].plot(steps, [h[key] for h in hist], colour, lw=1, label=key)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("step")
    axes[0].set_title(f"stage-2 loss (mse + {log['params']['attn_weight']}·attention)", fontsize=9)
    axes[0].legend()
    evals = log.get("evals", [])
    if evals:
        es = [e["step"] for e in evals]
        axes[1].plot(es, [e["texture_error"] for e in evals], "o-", label=f"generator, {log['params']['eval_steps']} steps")
        if "one_step_error" in evals[0]:
            axes[1].plot(es, [e["one_step_error"] for e in evals], "s-", label="generator, 1 step")
        axes[1].plot(es, [e["noop_error"] for e in evals], "--", label="no makeup")
        axes[1].set_xlabel("step")
        axes[1].set_ylabel("held-out texture error (0-255)")
        axes[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --------------------------------------------------------------------------- training


def load_encoder(folder: str) -> Any:
    from fram.models.makeup_clip import MakeupCLIP

    encoder = MakeupCLIP.from_pretrained(folder)
    encoder.eval()
    for p in encoder.parameters():
        p.requires_grad_(False)
    return encoder


def warm_start(model: MakeupGenerator, folder: str) -> list[str]:
    """Load an earlier generator's weights into ``model`` (``--init``).

    A tensor that has grown input channels since (the denoiser's first convolution
    when the references joined its input) keeps its old channels and
    starts the new ones at zero, so the model begins exactly where the old one was.
    Returns the names of tensors that could not be carried over (left as initialised).
    """
    from safetensors.torch import load_file

    from fram.errors import ModelNotFoundError

    path = Path(folder) / "model.safetensors"
    if not path.is_file():
        raise ModelNotFoundError(f"--init: no generator weights at {path}")
    old = load_file(str(path))
    state = model.state_dict()
    skipped = []
    with torch.no_grad():
        for name, tensor in state.items():
            prev = old.get(name)
            if prev is not None and prev.shape == tensor.shape:
                tensor.copy_(prev)
            elif (prev is not None and prev.ndim == tensor.ndim >= 2 and prev.shape[0] == tensor.shape[0]
                  and prev.shape[2:] == tensor.shape[2:] and prev.shape[1] < tensor.shape[1]):
                tensor.zero_()
                tensor[:, : prev.shape[1]].copy_(prev)
            else:
                skipped.append(name)
    return skipped


def train(params: Stage2Params, *, log_fn: Any = None, stop_after: int | None = None,
          datasets: tuple[UVSet, UVSet] | None = None, encoder: Any = None) -> Path:
    """Run (or resume) training; returns the run folder. ``stop_after`` ends the
    process's share after that many steps (tests of resuming); ``datasets``/``encoder``
    replace the on-disk data and weights (tests)."""
    log_fn = log_fn or (lambda msg: print(msg, flush=True))
    if params.threads:
        torch.set_num_threads(params.threads)
    run = Path(params.out)
    run.mkdir(parents=True, exist_ok=True)
    params_file = run / "params.json"
    if params_file.is_file():
        old = json.loads(params_file.read_text(encoding="utf-8"))
        mine = json.loads(json.dumps(params.matters()))
        theirs = {k: old.get(k, LEGACY_DEFAULTS.get(k)) for k in mine}
        if theirs != mine:
            diff = sorted(k for k in mine if theirs.get(k) != mine[k])
            raise ValueError(f"{run} was started with different settings ({', '.join(diff)}); use a new --out")
    params_file.write_text(json.dumps(params.to_dict(), indent=1), encoding="utf-8")

    encoder = encoder if encoder is not None else load_encoder(params.encoder)
    ref_size = encoder.config.vision_cfg.image_size
    config = GeneratorConfig.from_dict({**GeneratorConfig().to_dict(), **params.generator,
                                        "resampler": {**GeneratorConfig().resampler.to_dict(), **params.generator.get("resampler", {}),
                                                      "input_dim": encoder.config.vision_cfg.width}})
    if datasets is None:
        cache = params.cache or str(run)
        t0 = time.perf_counter()
        train_set = cached_split(params.data, "train", ref_size, cache, limit_faces=params.limit_faces,
                                 include_real=params.real_prob > 0, progress=True)
        val_set = cached_split(params.data, "val", ref_size, cache, limit_faces=params.limit_faces, include_real=False)
        log_fn(f"data: {len(train_set)} pairs / {len(train_set.befores)} faces (train), {len(val_set)} pairs (val), {time.perf_counter() - t0:.0f} s")
    else:
        train_set, val_set = datasets
    train_data, val_data = prepare(train_set, config.sample_size), prepare(val_set, config.sample_size)

    from diffusers import DDPMScheduler

    from fram.face.templates import uv_templates

    torch.manual_seed(params.seed)
    model = MakeupGenerator(config)
    scheduler = DDPMScheduler(**config.scheduler_config())
    targets = token_group_masks(config.sample_size)
    partition = token_group_partition(config.sample_size)
    face_mask = _area(torch.from_numpy(uv_templates(256)["face"])[None, None], config.sample_size)[0, 0]

    optimizer = torch.optim.AdamW(decay_groups(model, params.weight_decay), lr=params.lr, betas=(0.9, 0.99))
    generator = torch.Generator().manual_seed(params.seed)
    state = load_checkpoint(run, model, optimizer, generator)
    if state is None:
        state = {"step": 0, "train_seconds": 0.0, "history": [], "evals": []}
        if params.init:
            skipped = warm_start(model, params.init)
            log_fn(f"started from {params.init}" + (f"; new: {', '.join(skipped)}" if skipped else ""))
        log_fn(f"new run in {run}: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters, {params.steps} steps")
    else:
        log_fn(f"resumed {run} at step {state['step']} / {params.steps}")
    clock = time.process_time if params.budget == "cpu" else time.perf_counter
    step, base_seconds, seg_start = state["step"], state["train_seconds"], clock()
    last_save = time.perf_counter()
    done_here = 0
    model.train()
    while progress_at(step, base_seconds + clock() - seg_start, params, params.steps) < 1.0:
        progress = progress_at(step, base_seconds + clock() - seg_start, params, params.steps)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, progress, params)
        batch = make_batch(train_data, params, config, generator, face_mask, partition)
        tokens = batch_tokens(model, encode_references(encoder, batch.refs), batch.assign, batch.present)
        noise = torch.randn(batch.target.shape, generator=generator)
        t = torch.randint(0, config.num_train_timesteps, (len(noise),), generator=generator)
        noisy = scheduler.add_noise(batch.target, noise, t)
        store = AttentionStore()
        pred = model(noisy, t, batch.condition, tokens, batch.scale.repeat_interleave(model.tokens_per_group, dim=1), store)
        mse = (((pred - batch.target) ** 2) * batch.weight).sum() / (batch.weight.sum() * 3)
        attn = attention_loss(store, targets, face_mask, model.tokens_per_group, batch.present.any(1))
        loss = mse + params.attn_weight * attn
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        done_here += 1
        seconds = base_seconds + clock() - seg_start
        if step % params.log_every == 0:
            entry = {"step": step, "time": round(seconds, 1), "lr": optimizer.param_groups[0]["lr"],
                     "loss": round(loss.item(), 5), "mse": round(mse.item(), 5), "attn": round(attn.item(), 5)}
            state["history"].append(entry)
            log_fn(" ".join(f"{k}={v}" for k, v in entry.items()))
        if step % params.eval_every == 0:
            result = quick_eval(model, encoder, val_data, params, face_mask, partition)
            state["evals"].append({"step": step, **{k: round(v, 3) for k, v in result.items()}})
            log_fn(f"eval step {step}: " + " ".join(f"{k}={v:.3f}" for k, v in result.items()))
        if time.perf_counter() - last_save > 60 * params.save_every_min:
            state.update(step=step, train_seconds=seconds)
            save_checkpoint(run, model, optimizer, generator, state)
            last_save = time.perf_counter()
        if stop_after is not None and done_here >= stop_after:
            break
    seconds = base_seconds + clock() - seg_start
    state.update(step=step, train_seconds=seconds)
    save_checkpoint(run, model, optimizer, generator, state)
    if progress_at(step, seconds, params, params.steps) < 1.0:
        log_fn(f"stopped at step {step}; checkpoint in {run / CHECKPOINT_DIR}: rerun the same command to resume")
        return run
    result = quick_eval(model, encoder, val_data, params, face_mask, partition)
    state["evals"].append({"step": step, **{k: round(v, 3) for k, v in result.items()}})
    final = run / "final"
    model.eval()
    model.save_pretrained(final, extra={"encoder": config.encoder})
    log = {"params": params.to_dict(), "history": state["history"], "evals": state["evals"], "train_seconds": seconds,
           "steps": step, "budget": params.budget}
    (final / "training_log.json").write_text(json.dumps(log, indent=1), encoding="utf-8")
    plot_log(log, final / "loss_curve.png")
    log_fn(f"done: {step} steps in {seconds / 60:.1f} min; final eval {result}; model in {final}")
    return run


def build_parser() -> argparse.ArgumentParser:
    d = Stage2Params(data="", out="")
    p = argparse.ArgumentParser(prog="python -m fram.train.stage2", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="a `fram synth` dataset folder")
    p.add_argument("--out", required=True, help="run folder (checkpoints, caches, final model); rerun to resume")
    p.add_argument("--encoder", default=d.encoder, help="makeup CLIP folder (default: the shipped weights)")
    p.add_argument("--generator", default="{}", help="generator config overrides as JSON, e.g. '{\"sample_size\": 48}'")
    for name in ("steps", "batch", "warmup", "seed", "threads", "eval_every", "eval_pairs", "eval_steps", "log_every"):
        p.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(d, name))
    for name in ("lr", "weight_decay", "attn_weight", "cond_dropout", "same_style_prob", "swap_prob", "mix_prob", "scale_prob", "real_prob",
                 "group_drop_prob", "makeup_weight", "save_every_min"):
        p.add_argument(f"--{name.replace('_', '-')}", type=float, default=getattr(d, name))
    p.add_argument("--limit-faces", type=int)
    p.add_argument("--init", help="start from this generator folder (e.g. an earlier run's final/)")
    p.add_argument("--cache", help="folder for the in-memory dataset cache (default: the run folder)")
    p.add_argument("--time-limit", type=float, default=d.time_limit_min, help="training-time budget in minutes (over resumes)")
    p.add_argument("--budget", choices=("wall", "cpu"), default=d.budget)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        generator = json.loads(args.generator)
    except json.JSONDecodeError as exc:
        print(f"error: --generator is not JSON: {exc}", file=sys.stderr)
        return 2
    params = Stage2Params(
        data=args.data, out=args.out, encoder=args.encoder, generator=generator, steps=args.steps, batch=args.batch,
        lr=args.lr, weight_decay=args.weight_decay, warmup=args.warmup, attn_weight=args.attn_weight,
        cond_dropout=args.cond_dropout, same_style_prob=args.same_style_prob, swap_prob=args.swap_prob, mix_prob=args.mix_prob,
        scale_prob=args.scale_prob, real_prob=args.real_prob, group_drop_prob=args.group_drop_prob,
        makeup_weight=args.makeup_weight, init=args.init, seed=args.seed,
        threads=args.threads, limit_faces=args.limit_faces, eval_every=args.eval_every, eval_pairs=args.eval_pairs,
        eval_steps=args.eval_steps, log_every=args.log_every, save_every_min=args.save_every_min,
        time_limit_min=args.time_limit, budget=args.budget, cache=args.cache,
    )
    train(params)
    return 0


if __name__ == "__main__":
    sys.exit(main())
