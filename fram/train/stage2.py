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
from pathlib import Path
from typing import Any

import torch

from fram.models.generator import AttentionStore, GeneratorConfig, MakeupGenerator
from fram.models.region_tokens import token_group_masks, token_group_partition
from fram.train.common import CHECKPOINT_DIR, decay_groups, load_checkpoint, lr_at, open_run, progress_at, save_checkpoint
from fram.train.data import UVSet, cached_split
from fram.train.plots import plot_stage2_log
from fram.train.stage2_batches import batch_tokens, encode_references, make_batch
from fram.train.stage2_data import area_resize, prepare
from fram.train.stage2_eval import quick_eval
from fram.train.stage2_loss import attention_loss
from fram.train.stage2_params import LEGACY_DEFAULTS, Stage2Params


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
    run = open_run(params, LEGACY_DEFAULTS)

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
    face_mask = area_resize(torch.from_numpy(uv_templates(256)["face"])[None, None], config.sample_size)[0, 0]

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
    plot_stage2_log(log, final / "loss_curve.png")
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
