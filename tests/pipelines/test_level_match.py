"""Level matching of the fram pipeline: each region's colour level toward the reference's."""

from __future__ import annotations

import torch

from fram.face.colour import srgb_to_linear
from fram.models.conditioning import condition_image, region_cores
from fram.models.region_tokens import TOKEN_GROUPS, token_group_partition
from fram.pipelines.level_match import match_regions, region_medians, regional_makeup


def test_match_regions_moves_each_referenced_region_to_its_target():
    size = 32
    partition = token_group_partition(size)
    g = torch.Generator().manual_seed(0)
    lips, skin = TOKEN_GROUPS.index("lips"), TOKEN_GROUPS.index("skin")
    source = torch.rand(1, 3, size, size, generator=g) * 0.5 + 0.3
    condition = condition_image(source, torch.ones(1, 1, size, size), torch.zeros(1, 4, size, size), torch.zeros(1, 8, size, size))
    delta = torch.randn(1, 3, size, size, generator=g) * 0.02
    target = torch.zeros(1, len(TOKEN_GROUPS), 3)
    target[0, lips] = torch.tensor([0.1, -0.05, -0.025])
    present = torch.zeros(1, len(TOKEN_GROUPS), dtype=torch.bool)
    present[0, lips] = present[0, skin] = True
    scale = torch.ones(1, len(TOKEN_GROUPS))
    scale[0, lips] = 0.5
    amount = torch.ones(len(TOKEN_GROUPS))
    amount[skin] = 0.0
    out = match_regions(delta, target, partition, present, scale, condition, amount)
    core = region_cores(partition)[lips] > 0
    assert torch.allclose(out[0][:, core].mean(1), torch.tensor([0.05, -0.025, -0.0125]), atol=2e-3), "lips at half the target"
    made = srgb_to_linear(source) + delta
    gain = (out - delta)[0][:, core] / (partition[lips][core] * made[0][:, core])
    assert torch.allclose(gain.std(1), torch.zeros(3), atol=1e-4), "one gain per region on the generated result: shapes and shading kept"
    untouched = partition[lips] == 0
    assert torch.equal(out[0][:, untouched], delta[0][:, untouched]), "skin (amount 0) and absent groups stay as generated"
    assert torch.equal(match_regions(delta, target, partition, present, scale, condition, torch.zeros(len(TOKEN_GROUPS))), delta)
    black = -srgb_to_linear(source)[0][:, core].mean(1)
    target[0, lips] = black
    darker = match_regions(delta, target, partition, present, torch.ones_like(scale), condition, amount)
    assert (srgb_to_linear(source) + darker)[0][:, core].min() >= -0.1, "as dark as black, and not far below anywhere"


def test_regional_makeup_blends_the_rendered_look_and_the_relative_colour():
    size = 32
    partition = token_group_partition(size)
    lips, skin = TOKEN_GROUPS.index("lips"), TOKEN_GROUPS.index("skin")
    source = torch.full((1, 3, size, size), 0.6)
    vis = torch.ones(1, 1, size, size)
    ref = torch.full((1, 3, size, size), 0.3)  # a deeper face ...
    ref[:, :, partition[lips] > 0.5] = torch.tensor([0.5, 0.05, 0.05])[:, None]  # ... with red lips
    look = source.clone()
    look[:, :, partition[lips] > 0.5] = torch.tensor([0.5, 0.05, 0.05])[:, None]  # the same lipstick drawn on the source
    assign = torch.zeros(1, len(TOKEN_GROUPS), dtype=torch.long)
    rendered = regional_makeup([(ref, vis)], [look], assign, partition, source, vis, 0.0)
    relative = regional_makeup([(ref, vis)], [look], assign, partition, source, vis, 1.0)
    half = regional_makeup([(ref, vis)], [look], assign, partition, source, vis, 0.5)
    lin = srgb_to_linear
    assert torch.allclose(rendered[0, lips], lin(torch.tensor([0.5, 0.05, 0.05])) - lin(torch.tensor(0.6)), atol=1e-4)
    ratio = lin(torch.tensor([0.5, 0.05, 0.05])) / lin(torch.tensor(0.3)) * lin(torch.tensor(0.6)) - lin(torch.tensor(0.6))
    assert torch.allclose(relative[0, lips], ratio, atol=1e-4), "relative to skin: brighter on the paler source"
    assert torch.allclose(half, (rendered + relative) / 2, atol=1e-6)
    assert rendered[0, skin].abs().max() < 1e-6 and relative[0, skin].abs().max() < 1e-6, "skin is the anchor: no change"
    assert torch.allclose(region_medians(lin(source), vis, partition)[0, lips], lin(torch.tensor(0.6)).expand(3))
