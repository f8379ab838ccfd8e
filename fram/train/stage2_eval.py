"""Stage 2's held-out check during training: the made-up texture's error on a fixed batch."""

from __future__ import annotations

from typing import Any

import torch

from fram.models.generator import MakeupGenerator
from fram.train.augment import AugmentOptions
from fram.train.stage2_batches import batch_tokens, encode_references, make_batch
from fram.train.stage2_data import Stage2Data
from fram.train.stage2_params import Stage2Params


def validation_sample(model: MakeupGenerator, condition: torch.Tensor, tokens: torch.Tensor, steps: int, seed: int = 0) -> torch.Tensor:
    """Deltas (B, 3, S, S) sampled the way the shipped pipeline samples by default (DDIM,
    trailing timesteps, no guidance), so held-out numbers match what users get. The
    pipeline owns the real loop (:class:`fram.pipelines.FramTransferPipeline`); training
    may not import it (the two are sibling layers)."""
    from diffusers import DDIMScheduler

    scheduler = DDIMScheduler(**model.config.scheduler_config(), timestep_spacing="trailing", set_alpha_to_one=True)
    scheduler.set_timesteps(steps)
    rng = torch.Generator().manual_seed(seed)
    size = model.config.sample_size
    x = torch.randn((len(condition), 3, size, size), generator=rng) * scheduler.init_noise_sigma
    for t in scheduler.timesteps:
        x = scheduler.step(model(x, t.expand(len(x)), condition, tokens), t, x, generator=rng).prev_sample
    return x / model.config.delta_scale


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
    deltas = {steps: validation_sample(model, batch.condition, tokens, steps) for steps in {params.eval_steps, 1}}
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
