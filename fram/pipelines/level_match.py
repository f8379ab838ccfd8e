"""The fram pipeline's last step: each referenced region's colour level moved part of
the way to what the reference implies (:func:`regional_makeup`), the generator's
shapes kept (:func:`match_regions`, which says why). Inference only."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from fram.face.colour import srgb_to_linear
from fram.models.conditioning import aligned_reference, region_cores
from fram.models.region_tokens import TOKEN_GROUPS

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
    size = partition.shape[-1]
    g_skin = TOKEN_GROUPS.index("skin")
    source_colour = region_medians(srgb_to_linear(source), source_vis, partition)  # (B, G, 3)
    slots = []
    for (rgb, vis), look in zip(references, looks):
        rgb, vis = aligned_reference(rgb, vis, size)
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
