"""The generator's input encoding: what each channel of its condition means.

This is the contract between the generator's weights and whoever feeds them: the
trainer (:mod:`fram.train.stage2`) and the fram pipeline
(:mod:`fram.pipelines.fram_transfer`) must build exactly the same channels, so the
encoding lives once, beside the model, and both import it. The source face goes to
the identity ControlNet; the references, aligned in UV, go beside the noisy delta.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from fram.face.templates import uv_templates
from fram.face.colour import srgb_to_linear
from fram.face.filters import gaussian_blur
from fram.models.region_tokens import TOKEN_GROUPS

SOURCE_CHANNELS = 8  # texture (3), visibility (1), normals (3), depth (1)
REFERENCE_CHANNELS = 8  # the references' makeup estimate per region (3) and per texel (3), coverage (1), intensity (1)
CONDITION_CHANNELS = SOURCE_CHANNELS + REFERENCE_CHANNELS
LOCAL_SKIN_SIGMA = 4.0  # px at 64: "the skin around a texel" for the per-texel estimate (shading scale)
DEPTH_GAIN = 4.0  # depth maps are a few hundredths of a face width; bring them to ~±1


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
        rgb, vis = aligned_reference(rgb, vis, size)
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


def aligned_reference(rgb: torch.Tensor, vis: torch.Tensor, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A reference at the sample size with what it hides filled from its mirrored half
    (the rule of :func:`fram.face.uv.mirror_fill`)."""
    if rgb.shape[-1] != size:
        rgb, vis = F.adaptive_avg_pool2d(rgb, size), F.adaptive_avg_pool2d(vis, size)
    use = (vis < 0.5) & (vis.flip(-1) >= 0.5)
    return torch.where(use, rgb.flip(-1), rgb), torch.where(use, vis.flip(-1), vis)


def region_cores(partition: torch.Tensor) -> torch.Tensor:
    """(G, S, S) 0/1: where a group's colour is measured (its core, not the eye openings)."""
    opening = torch.from_numpy(uv_templates(partition.shape[-1])["eyes"]) >= 0.5
    return ((partition > 0.5) & ~opening).to(partition)


def region_means(lin: torch.Tensor, vis: torch.Tensor, partition: torch.Tensor) -> torch.Tensor:
    """(B, G, 3, 1, 1): each group's mean colour over its seen core (:func:`region_cores`)."""
    w = (region_cores(partition)[None] * vis)[:, :, None]  # (B, G, 1, S, S)
    return (lin[:, None] * w).sum((-1, -2), keepdim=True) / w.sum((-1, -2), keepdim=True).clamp_min(1e-6)



def makeup_delta(before: torch.Tensor, after: torch.Tensor) -> torch.Tensor:
    """The makeup delta (linear RGB) between two sRGB UV textures in [0, 1]."""
    return srgb_to_linear(after) - srgb_to_linear(before)
