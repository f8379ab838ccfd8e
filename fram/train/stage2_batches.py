"""Stage-2 batches: which reference each token group reads (same style, the recipe on
another face, two looks mixed by region, a real face's pseudo-pair), and the region
tokens the generator is conditioned on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from fram.models.conditioning import condition_image, makeup_delta, reference_condition
from fram.models.generator import GeneratorConfig, MakeupGenerator
from fram.models.region_tokens import TOKEN_GROUPS
from fram.train.augment import augment_view
from fram.train.stage2_data import Stage2Data
from fram.train.stage2_params import Stage2Params


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
    made = torch.from_numpy(render_uv(before.numpy(), vis.numpy(), styles).texture)
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
