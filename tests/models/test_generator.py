"""The stage-2 generator and its input encoding: region attention, intensity, storage."""

from __future__ import annotations

import numpy as np
import torch

from fram.face.uv import geometry_maps
from fram.models.conditioning import CONDITION_CHANNELS, condition_image, reference_condition
from fram.models.generator import AttentionStore, GeneratorConfig, MakeupGenerator
from fram.face.colour import srgb_to_linear
from fram.models.region_tokens import TOKEN_GROUPS, mix_groups, token_group_masks, token_scale

TINY = {"sample_size": 16, "block_out_channels": (16, 32), "cross_attention_dim": 32, "attention_head_dim": 8,
        "resampler": {"input_dim": 32, "width": 32, "depth": 1, "heads": 2, "tokens_per_group": 2}}


def tiny_generator(seed: int = 0) -> MakeupGenerator:
    torch.manual_seed(seed)
    return MakeupGenerator(GeneratorConfig.from_dict(TINY)).eval()


def _inputs(b: int = 2):
    g = torch.Generator().manual_seed(0)
    return torch.randn(b, 3, 16, 16, generator=g), torch.randn(b, CONDITION_CHANNELS, 16, 16, generator=g), torch.randn(b, 9, 32, generator=g)


def test_region_attention_maps_cover_every_token_and_layer():
    model = tiny_generator()
    x, cond, patches = _inputs()
    tokens = model.region_tokens(patches)
    assert tokens.shape == (2, len(TOKEN_GROUPS) * 2, 32)
    store = AttentionStore()
    out = model(x, torch.tensor([10, 500]), cond, tokens, attention_store=store)
    assert out.shape == x.shape and torch.isfinite(out).all()
    assert store.maps, "the region branch recorded no attention"
    for m in store.maps:
        assert m.shape[:2] == (2, tokens.shape[1])
        assert torch.allclose(m.sum(1), torch.ones_like(m.sum(1)), atol=1e-4)  # softmax over tokens


def test_zero_scale_equals_no_region_tokens():
    """Intensity 0 on every group must remove the reference's influence exactly."""
    model = tiny_generator()
    with torch.no_grad():
        for p in model.parameters():  # make the region branch matter (zero-init convs hide it)
            p.add_(torch.randn_like(p) * 0.02)
        x, cond, patches = _inputs()
        a = model.region_tokens(patches)
        b = model.region_tokens(patches.flip(0))
        zero = torch.zeros(2, a.shape[1])
        t = torch.tensor([100, 100])
        assert torch.allclose(model(x, t, cond, a, zero), model(x, t, cond, b, zero), atol=1e-6)
        assert not torch.allclose(model(x, t, cond, a), model(x, t, cond, b), atol=1e-4)


def test_mix_groups_takes_each_group_from_its_reference():
    a, b = torch.zeros(1, 10, 4), torch.ones(1, 10, 4)
    mixed = mix_groups({"skin": a, "cheeks": a, "eyes": b, "brows": a, "lips": b}, tokens_per_group=2)
    assert mixed[0, :, 0].tolist() == [0, 0, 0, 0, 1, 1, 0, 0, 1, 1]
    scale = token_scale({"lips": 0.5}, 2)
    assert scale[0].tolist() == [1, 1, 1, 1, 1, 1, 1, 1, 0.5, 0.5]


def test_group_masks_are_where_the_regions_are():
    masks = token_group_masks(64)
    assert masks.shape == (len(TOKEN_GROUPS), 64, 64)
    lips, skin = masks[TOKEN_GROUPS.index("lips")], masks[TOKEN_GROUPS.index("skin")]
    core = lips > 0.9
    assert core.sum() > 10 and skin[core].mean() < 0.1 and lips[skin > 0.9].mean() < 0.1


def test_save_load_round_trip(tmp_path):
    model = tiny_generator()
    model.save_pretrained(tmp_path)
    again = MakeupGenerator.from_pretrained(tmp_path)
    x, cond, patches = _inputs(1)
    tokens = model.region_tokens(patches).detach()
    t = torch.tensor([500])
    with torch.no_grad():
        assert torch.equal(model(x, t, cond, tokens), again(x, t, cond, tokens))


def test_geometry_maps_of_a_real_face(astronaut_face):
    maps = geometry_maps(astronaut_face.landmarks, 64)
    assert maps.shape == (64, 64, 4)
    normals, depth = maps[..., :3], maps[..., 3]
    inside = np.linalg.norm(normals, axis=-1) > 0.5
    assert inside.mean() > 0.3
    # A face seen from the front: normals point mostly toward the camera, the nose tip is nearest.
    assert np.median(normals[inside, 2]) > 0.5
    cond = condition_image(torch.rand(1, 3, 64, 64), torch.ones(1, 1, 64, 64), torch.from_numpy(maps).permute(2, 0, 1)[None],
                           torch.zeros(1, 8, 64, 64))
    assert cond.shape == (1, CONDITION_CHANNELS, 64, 64)
    nose = depth[20:44, 28:36].max()
    assert nose == depth.max() or nose > np.percentile(depth[inside], 95)


def test_reference_condition_estimates_each_groups_makeup_in_its_region():
    """Lips from one made-up copy of the source, eyes from another photographed at half
    the exposure with its left half hidden: each region shows the true delta."""
    from fram.face.colour import linear_to_srgb

    size = 32
    masks = token_group_masks(size)
    partition = masks / masks.sum(0, keepdim=True).clamp_min(1)
    lips, eyes = TOKEN_GROUPS.index("lips"), TOKEN_GROUPS.index("eyes")
    from fram.face.templates import uv_templates

    opening = torch.from_numpy(uv_templates(size)["eyes"]) >= 0.5
    lip_core, eye_core = partition[lips] > 0.5, (partition[eyes] > 0.5) & ~opening
    bare_lin = torch.tensor([0.4, 0.25, 0.2])[None, :, None, None].expand(1, 3, size, size).clone()
    red_lin, blue_lin = bare_lin.clone(), bare_lin.clone()
    red_lin[:, :, lip_core] = torch.tensor([0.5, 0.02, 0.05])[None, :, None]
    blue_lin[:, :, eye_core] = torch.tensor([0.1, 0.1, 0.4])[None, :, None]
    half = torch.ones(1, 1, size, size)
    half[..., : size // 2] = 0  # hidden: filled from the mirrored side
    assign = torch.zeros(1, len(TOKEN_GROUPS), dtype=torch.long)
    assign[0, eyes] = 1
    present = torch.zeros(1, len(TOKEN_GROUPS), dtype=torch.bool)
    present[0, [lips, eyes]] = True
    scale = torch.full((1, len(TOKEN_GROUPS)), 0.5)
    refs = [(linear_to_srgb(red_lin), torch.ones(1, 1, size, size)), (linear_to_srgb(blue_lin * 0.5), half)]
    source = linear_to_srgb(bare_lin)
    out = reference_condition(refs, assign, present, scale, partition, source, torch.ones(1, 1, size, size), delta_scale=8.0)
    assert out.shape == (1, 8, size, size)
    coverage, intensity = (out[0, 6] + 1) / 2, out[0, 7]
    truth_lips = srgb_to_linear(linear_to_srgb(red_lin)) - srgb_to_linear(source)
    truth_eyes = srgb_to_linear(linear_to_srgb(blue_lin)) - srgb_to_linear(source)
    lip_in, eye_in = lip_core & (partition[lips] > 0.99), eye_core & (partition[eyes] > 0.99)
    for estimate in (out[0, :3] / 8.0, out[0, 3:6] / 8.0):  # per region, per texel
        assert torch.allclose(estimate[:, lip_in], truth_lips[0][:, lip_in], atol=0.01)
        # exposure cancels; the mirrored half of the UV layout is symmetric to a texel or so
        assert torch.allclose(estimate[:, eye_in], truth_eyes[0][:, eye_in], atol=0.03)
    assert torch.allclose(coverage[eye_in], torch.ones(()), atol=0.01), "hidden eye filled from the other side"
    assert torch.allclose(intensity[lip_in], torch.full((), 0.5), atol=0.01)
    skin = partition[TOKEN_GROUPS.index("skin")] > 0.99
    assert coverage[skin].max() < 0.01 and intensity[skin].max() < 0.01, "absent groups stay empty"


def test_warm_start_keeps_old_weights_and_zeroes_new_channels(tmp_path):
    from fram.train.stage2 import warm_start

    old = tiny_generator(0)
    conv = old.unet.conv_in
    state = {k: v.clone() for k, v in old.state_dict().items()}
    state["unet.conv_in.weight"] = conv.weight[:, :3].clone()  # as saved before the reference channels existed
    from safetensors.torch import save_file

    save_file(state, str(tmp_path / "model.safetensors"))
    new = tiny_generator(1)
    assert warm_start(new, str(tmp_path)) == []
    grown = new.unet.conv_in.weight
    assert torch.equal(grown[:, :3], conv.weight[:, :3]) and not grown[:, 3:].any()
    assert torch.equal(new.unet.conv_out.weight, old.unet.conv_out.weight)


