"""Stage-2 training: batches, losses, a tiny run end to end, resuming."""

from __future__ import annotations

import json

import pytest
import torch

from fram.models.conditioning import makeup_delta
from fram.models.generator import GeneratorConfig, MakeupGenerator
from fram.models.makeup_clip import create_model
from fram.models.region_tokens import TOKEN_GROUPS, token_group_masks
from fram.train import stage2
from fram.train.stage2_batches import make_batch, pseudo_bare, render_on_other_faces
from fram.train.stage2_data import prepare, synthetic_stage2_uvset
from fram.train.stage2_loss import focal_dice
from fram.train.stage2_params import Stage2Params

TINY = {"sample_size": 16, "block_out_channels": [16, 32], "cross_attention_dim": 32, "attention_head_dim": 8,
        "resampler": {"width": 32, "depth": 1, "heads": 2, "tokens_per_group": 2}}


@pytest.fixture(scope="module")
def tiny_sets():
    return synthetic_stage2_uvset(size=32, seed=0), synthetic_stage2_uvset(n_faces=6, size=32, seed=1)


def _params(tmp_path, **kw):
    base = dict(data="synthetic", out=str(tmp_path / "run"), generator=TINY, steps=12, batch=4, eval_every=6, eval_pairs=6,
                eval_steps=2, log_every=3, time_limit_min=None, warmup=2)
    return Stage2Params(**{**base, **kw})


def test_mixed_batch_target_follows_each_groups_reference(tiny_sets):
    from fram.train.augment import AugmentOptions

    train, _ = tiny_sets
    data = prepare(train, 32)
    still = AugmentOptions.none()
    params = Stage2Params(data="", out="", batch=6, mix_prob=1.0, same_style_prob=0.0, swap_prob=0.0, scale_prob=0.0, cond_dropout=0.0,
                                 real_prob=0.0, group_drop_prob=0.0,
                                 augment=still)
    config = GeneratorConfig.from_dict({**TINY, "sample_size": 32})
    masks = token_group_masks(32)
    partition = masks / masks.sum(0, keepdim=True).clamp_min(1)
    batch = make_batch(data, params, config, torch.Generator().manual_seed(3), torch.ones(32, 32), partition)
    assert (batch.assign.sum(1) > 0).all(), "every sample mixes two references"
    flat_refs = data.ref.float().flatten(1) / 255
    for group in ("lips",):
        k = TOKEN_GROUPS.index(group)
        core = partition[k] > 0.995
        assert core.sum() > 0
        for i in range(6):
            # The reference this group's tokens read (unaugmented, so an exact row of the data) ...
            ref = batch.refs[int(batch.assign[i, k])][0][i].flatten()
            look = int((flat_refs - ref).abs().sum(1).argmin())
            face = int(data.pair_face[look])
            # ... is the look whose makeup the target has in this group's region.
            expected = makeup_delta(data.before[face : face + 1], data.after[look : look + 1])[0]
            got = batch.target[i] / config.delta_scale
            assert torch.allclose(got[:, core], expected[:, core], atol=5e-3)


def test_focal_dice_prefers_the_right_region():
    masks = token_group_masks(16)[None]
    weight = torch.ones(16, 16)
    right = focal_dice(masks.clamp(0.01, 0.99), masks, weight)
    wrong = focal_dice(masks.roll(1, dims=1).clamp(0.01, 0.99), masks, weight)
    assert right < wrong


def test_tiny_run_trains_saves_and_resumes(tiny_sets, tmp_path):
    encoder = create_model("makeup-clip-tiny").eval()
    params = _params(tmp_path)
    logs: list[str] = []
    stage2.train(params, datasets=tiny_sets, encoder=encoder, stop_after=5, log_fn=logs.append)
    state = json.loads((tmp_path / "run" / "checkpoint" / "state.json").read_text())
    assert state["step"] == 5 and not (tmp_path / "run" / "final").exists()
    stage2.train(params, datasets=tiny_sets, encoder=encoder, log_fn=logs.append)
    assert any("resumed" in line for line in logs)
    final = tmp_path / "run" / "final"
    log = json.loads((final / "training_log.json").read_text())
    assert log["steps"] == 12 and log["evals"] and (final / "loss_curve.png").is_file()
    model = MakeupGenerator.from_pretrained(final)
    assert model.config.sample_size == 16
    with pytest.raises(ValueError, match="different settings"):
        stage2.train(_params(tmp_path, lr=1.0), datasets=tiny_sets, encoder=encoder, log_fn=logs.append)


def test_makeup_delta_is_linear_light():
    before = torch.full((1, 3, 2, 2), 0.5)
    assert torch.allclose(makeup_delta(before, before), torch.zeros(1, 3, 2, 2))
    assert makeup_delta(before, before * 0.5).max() < 0


def test_real_pseudo_pairs_take_the_makeup_off(tiny_sets):
    """A real made-up face becomes a pseudo-pair: its source has bare-looking lips and
    the target delta is the real lipstick."""
    from fram.train.augment import AugmentOptions

    train, _ = tiny_sets
    data = prepare(train, 32)
    assert data.num_real == 4
    masks = token_group_masks(32)
    partition = masks / masks.sum(0, keepdim=True).clamp_min(1)
    lips = partition[TOKEN_GROUPS.index("lips")] > 0.995
    bare = pseudo_bare(data.real, data.real_vis, data.before[:4], data.vis[:4], partition)
    skin = partition[TOKEN_GROUPS.index("skin")] > 0.99
    # Bare donors' lips equal their skin, so the pseudo-bare lips come out at the real face's skin colour.
    # (Soft region edges at 32 px pull the mean shift a little: a few hundredths.)
    off_after = (bare[:, :, lips].mean(-1) - data.real[:, :, skin].mean(-1)).abs().max()
    off_before = (data.real[:, :, lips].mean(-1) - data.real[:, :, skin].mean(-1)).abs().max()
    assert off_after < 0.06 < off_before
    still = AugmentOptions.none()
    params = Stage2Params(data="", out="", batch=5, real_prob=1.0, mix_prob=0.0, scale_prob=0.0, cond_dropout=0.0, augment=still)
    config = GeneratorConfig.from_dict({**TINY, "sample_size": 32})
    batch = make_batch(data, params, config, torch.Generator().manual_seed(0), torch.ones(32, 32), partition)
    delta = batch.target / config.delta_scale
    # Red lipstick on any skin: the real makeup delta on the lips is red-up, green-down.
    assert (delta[:, 0][:, lips].mean() > 0.02) and (delta[:, 1][:, lips].mean() < 0)
    assert delta[:, :, skin].abs().max() < 1e-4, "skin (foundation) is left as it is"
    assert all(torch.equal(batch.refs[0][0][i], batch.refs[1][0][i]) for i in range(5))


def test_a_recipe_on_another_face_keeps_its_products(tiny_sets):
    """The same lipstick on two skins shows nearly the same colour (it is opaque), while
    foundation keeps its offset from each wearer's skin."""
    train, _ = tiny_sets
    data = prepare(train, 32)
    from fram.makeup.recipe import MakeupStyle

    look = next(p for p in range(len(data)) if (MakeupStyle.model_validate_json(data.recipes[p]).lipstick or 0)
                and MakeupStyle.model_validate_json(data.recipes[p]).lipstick.opacity >= 0.8)
    tones = data.ref_before.float().mean((1, 2, 3))
    pale, deep = int(tones.argmax()), int(tones.argmin())
    made, _ = render_on_other_faces(data, torch.tensor([look, look]), torch.tensor([pale, deep]))
    lips = token_group_masks(data.ref.shape[-1])[TOKEN_GROUPS.index("lips")] > 0.5
    bare = data.ref_before[[pale, deep]].float() / 255
    lip = made[:, :, lips].mean(2)
    assert (lip[0] - lip[1]).abs().max() < 0.5 * (bare[0][:, lips].mean(1) - bare[1][:, lips].mean(1)).abs().max()


def test_swapped_references_and_partial_groups(tiny_sets):
    """A swapped reference is this look's recipe rendered on another face; a partial
    selection leaves the other groups without a reference, with null tokens, and out of
    the loss."""
    from fram.train.augment import AugmentOptions

    train, _ = tiny_sets
    data = prepare(train, 32)
    still = AugmentOptions.none()
    params = Stage2Params(data="", out="", batch=8, mix_prob=0.0, same_style_prob=0.0, swap_prob=1.0, scale_prob=0.0,
                                 cond_dropout=0.0, real_prob=0.0, group_drop_prob=1.0, augment=still)
    config = GeneratorConfig.from_dict({**TINY, "sample_size": 32})
    masks = token_group_masks(32)
    partition = masks / masks.sum(0, keepdim=True).clamp_min(1)
    batch = make_batch(data, params, config, torch.Generator().manual_seed(5), torch.ones(32, 32), partition)
    skin = partition[TOKEN_GROUPS.index("skin")] > 0.995
    source = (batch.condition[:, :3] + 1) / 2
    ref = batch.refs[0][0]
    assert all((ref[i][:, skin].mean(1) - source[i][:, skin].mean(1)).abs().max() > 0.02 for i in range(8)), "another face"
    for i in range(8):  # one of this face's looks, rendered on some other face
        face = next(f for f in range(len(data.before)) if torch.allclose(data.before[f], source[i]))
        looks = data.face_pairs[face]
        renders = [render_on_other_faces(data, looks[k : k + 1], torch.tensor([o]))[0][0]
                   for k in range(len(looks)) for o in range(len(data.ref_before)) if o != face]
        assert any(torch.allclose(ref[i], r, atol=1e-5) for r in renders)
    assert (batch.present.any(1) & ~batch.present.all(1)).all(), "some groups, not all"
    for i in range(8):
        for k, group in enumerate(TOKEN_GROUPS):
            core = partition[k] > 0.995
            if not core.any():
                continue
            if not bool(batch.present[i, k]):
                assert batch.weight[i, 0][core].max() < 0.01
            else:
                assert batch.weight[i, 0][core].min() > 0.5
