"""Train the makeup CLIP (FRAM stage 1): ``python -m fram.train.stage1 --data DIR --out RUN``.

One step (see ``docs`` in :mod:`fram.train.data` and :mod:`fram.train.loss`):

1. sample a batch: style groups (one style on several faces), face groups (one face
   in several styles) and real made-up faces;
2. make two views of every image: geometric + light augmentations, and for the
   second view of a synthetic image, with probability ``swap_prob``, the same makeup
   layer moved onto another bare face (identity variation);
3. encode both views and one text per synthetic image (its own description or its
   style's prompt), and take ``1.0 · SimCLR + 0.5 · SupCon(image ↔ text by style)
   + 0.5 · SupCon(image ↔ image by style)`` (:class:`fram.train.loss.MakeupClipLoss`).

FRAM's own weights are ``--text-weight 0.1 --style-weight 0``: right for fine-tuning a
pretrained CLIP, too slow to make a from-scratch encoder style-aware in 90 CPU
minutes (see ``docs/benchmarks.md``), hence these defaults.

The run folder holds ``checkpoint/`` (``model.safetensors``, ``optimizer.safetensors``
with the optimiser moments and the random generator, ``state.json`` with the step and
the log), the data caches, the tokenizer, and when done ``final/``: a
``MakeupCLIP.from_pretrained`` folder with ``training_log.json``, ``loss_curve.png``
and ``styles.json``. Rerun the same command to resume. ``--time-limit`` (default 85
minutes of training, over all resumes) ends the learning-rate schedule in time;
``--budget cpu`` counts this process's CPU time instead of the wall clock, which is
what the run costs on two free cores when the machine is shared.

``--pretrained PATH`` starts from a local CLIP (transformers or open_clip format) with
LoRA adapters instead (:mod:`fram.models.pretrained_clip`; meant for a GPU).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fram.train.augment import AugmentOptions, augment_view, swap_identity
from fram.train.common import CHECKPOINT_DIR, RunSettings, decay_groups, load_checkpoint, lr_at, open_run, progress_at, save_checkpoint
from fram.train.data import BatchPlan, BatchSampler, UVSet, annotation_corpus, cached_split, style_bank
from fram.train.loss import MakeupClipLoss
from fram.train.plots import plot_stage1_log
from fram.train.retrieval_metrics import cross_modal_retrieval, style_retrieval

FINAL_DIR = "final"


@dataclass
class Stage1Params(RunSettings):
    """Every setting of a run (saved in ``state.json``; a resumed run must match)."""

    data: str = ""
    out: str = ""
    model: str = "makeup-clip-s"
    pretrained: str | None = None
    lora_rank: int = 8
    steps: int = 2000
    epochs: float | None = None
    lr: float = 1e-3
    weight_decay: float = 0.05
    warmup: int = 50
    ssl_weight: float = 1.0
    text_weight: float = 0.5
    style_weight: float = 0.5
    temperature: float = 0.07
    swap_prob: float = 0.5
    prompt_prob: float = 0.5
    plan: BatchPlan = field(default_factory=BatchPlan)
    augment: AugmentOptions = field(default_factory=AugmentOptions)
    vocab_size: int = 2048

    def __post_init__(self) -> None:
        if self.budget not in ("wall", "cpu"):
            raise ValueError(f"budget must be 'wall' or 'cpu', got {self.budget!r}")
        if isinstance(self.plan, dict):
            self.plan = BatchPlan(**self.plan)
        elif isinstance(self.plan, (list, tuple)):
            self.plan = BatchPlan(*self.plan)
        if isinstance(self.augment, dict):
            doc = dict(self.augment)
            if "scale" in doc:
                doc["scale"] = tuple(doc["scale"])
            self.augment = AugmentOptions(**doc)

    resume_free = ("data",)


# --------------------------------------------------------------------------- synthetic data


def synthetic_uvset(n_faces: int = 24, looks: int = 3, n_styles: int = 6, size: int = 32, n_real: int = 8, seed: int = 0) -> UVSet:
    """A tiny made-up dataset for smoke tests: faces are noisy skin, styles are colours
    painted at fixed UV places (lips, lids, cheeks)."""
    g = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    spots = [((yy - 0.8) ** 2 + (xx - 0.5) ** 2) < 0.01, ((yy - 0.35) ** 2 + (np.abs(xx - 0.5) - 0.2) ** 2) < 0.006,
             ((yy - 0.55) ** 2 + (np.abs(xx - 0.5) - 0.3) ** 2) < 0.01]
    palette = g.uniform(0, 1, (n_styles, len(spots), 3))
    befores, afters, pair_face, styles, texts = [], [], [], [], []
    for f in range(n_faces):
        skin = g.uniform(0.3, 0.9, 3) * np.ones((size, size, 3)) + g.normal(0, 0.03, (size, size, 3))
        befores.append(skin)
        for s in g.choice(n_styles, looks, replace=False):
            after = skin.copy()
            for spot, colour in zip(spots, palette[s]):
                after[spot] = 0.3 * after[spot] + 0.7 * (colour + g.normal(0, 0.03, 3))
            afters.append(after)
            pair_face.append(f)
            styles.append(int(s))
            texts.append(f"style {s} look with colour {int(palette[s, 0, 0] * 9)} lips")
    real = [np.clip(g.uniform(0.3, 0.9, 3) * np.ones((size, size, 3)), 0, 1) for _ in range(n_real)]

    def u8(images: list[np.ndarray]) -> torch.Tensor:
        return torch.from_numpy((np.clip(np.stack(images), 0, 1) * 255).astype(np.uint8)).permute(0, 3, 1, 2).contiguous()

    vis = torch.full((n_faces, 1, size, size), 255, dtype=torch.uint8)
    return UVSet(
        befores=u8(befores), vis=vis, afters=u8(afters), pair_face=torch.tensor(pair_face), styles=torch.tensor(styles),
        texts=texts, identities=[f"synthetic/{i}" for i in range(n_faces)], style_names=[f"style-{i}" for i in range(n_styles)],
        real=u8(real), real_vis=torch.full((n_real, 1, size, size), 255, dtype=torch.uint8),
        real_identities=[f"real/{i}" for i in range(n_real)],
    )


def synthetic_bank(data: UVSet) -> list[dict[str, str]]:
    return [{"style": s, "title": s, "category": "test", "description": s, "prompt": f"{s} makeup"} for s in data.style_names]


# --------------------------------------------------------------------------- model


def build_model(params: Stage1Params, tokenizer: Any) -> Any:
    if params.pretrained:
        from fram.models.pretrained_clip import PretrainedMakeupCLIP

        from fram.models.clip_config import get_model_config

        torch.manual_seed(params.seed)
        return PretrainedMakeupCLIP.from_clip(params.pretrained, lora_rank=params.lora_rank, image_size=get_model_config(params.model).uv_size)
    from fram.models.makeup_clip import create_model

    torch.manual_seed(params.seed)
    model = create_model(params.model)
    if tokenizer.vocab_size > model.config.text_cfg.vocab_size:
        raise ValueError(f"tokenizer has {tokenizer.vocab_size} pieces but {params.model} embeds {model.config.text_cfg.vocab_size}")
    model.tokenizer = tokenizer
    return model


# --------------------------------------------------------------------------- evaluation


@torch.no_grad()
def encode_set(model: Any, afters: torch.Tensor, vis: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """(N, 3, S, S) / (N, 1, S, S) uint8 → (N, D) normalised embeddings."""
    was = model.training
    model.eval()
    out = [model.encode_image(afters[i : i + batch].float() / 255, vis[i : i + batch].float() / 255) for i in range(0, len(afters), batch)]
    model.train(was)
    return torch.cat(out) if out else torch.zeros(0, 1)


def quick_eval(model: Any, data: UVSet, bank: list[dict[str, str]]) -> dict[str, float]:
    """Style retrieval across identities and image→text on a held-out split."""
    vis = data.vis[data.pair_face]
    emb = encode_set(model, data.afters, vis)
    ident = [data.identities[i] for i in data.pair_face.tolist()]
    out = style_retrieval(emb, data.styles.numpy(), ident)
    with torch.no_grad():
        was = model.training
        model.eval()
        txt = model.encode_texts([b["prompt"] for b in bank])
        model.train(was)
    index = {name: i for i, name in enumerate(data.style_names)}
    labels = [index.get(b["style"], -1) for b in bank]
    cm = cross_modal_retrieval(emb, data.styles.numpy(), txt, labels)
    return {"top1": out["top1"], "top5": out["top5"], "mAP": out["mAP"], "i2t_R@1": cm["i2t_R@1"], "t2i_R@1": cm["t2i_R@1"]}


# --------------------------------------------------------------------------- training


def _texts_ids(tokenizer: Any, texts: list[str]) -> torch.Tensor:
    return torch.cat([tokenizer(texts[i : i + 2048]) for i in range(0, len(texts), 2048)]) if texts else torch.zeros(0, 1, dtype=torch.long)


def train(params: Stage1Params, *, log_fn: Any = None, stop_after: int | None = None) -> Path:
    """Run (or resume) a stage 1 training; returns the ``final`` folder, or the run
    folder when ``stop_after`` steps (an interruption, for tests) stopped it first.

    With ``time_limit_min`` the learning-rate schedule runs on whichever is further
    along, steps or training time, and the run ends when either is used up."""
    from fram.models.tokenizer import MakeupTokenizer

    log_fn = log_fn or (lambda m: print(m, file=sys.stderr, flush=True))
    run = open_run(params)

    # 1. data
    from fram.models.clip_config import get_model_config

    model_cfg = get_model_config(params.model)
    size = model_cfg.uv_size if params.pretrained else model_cfg.vision_cfg.image_size
    if params.data.startswith("synthetic"):
        train_set = synthetic_uvset(size=size, seed=params.seed)
        val_set = synthetic_uvset(n_faces=8, size=size, seed=params.seed + 1)
        bank = synthetic_bank(train_set)
    else:
        t0 = time.perf_counter()
        cache = Path(params.cache) if params.cache else run
        train_set = cached_split(params.data, "train", size, cache, limit_faces=params.limit_faces, progress=True)
        val_set = cached_split(params.data, "val", size, cache, limit_faces=params.limit_faces, include_real=False)
        bank = style_bank()
        log_fn(f"data: {len(train_set)} pairs / {len(train_set.befores)} faces / {len(train_set.real)} real (train), "
               f"{len(val_set)} pairs (val) at {size} px, {time.perf_counter() - t0:.0f} s")

    # 2. tokenizer and model
    tok_path = run / "tokenizer.json"
    if params.pretrained:
        tokenizer = None
    elif tok_path.is_file():
        tokenizer = MakeupTokenizer.from_file(tok_path)
    else:
        corpus = train_set.texts + [b["prompt"] for b in bank]
        if not params.data.startswith("synthetic"):
            corpus = annotation_corpus(corpus, seed=params.seed)
        vocab = min(params.vocab_size, model_cfg.text_cfg.vocab_size)
        tokenizer = MakeupTokenizer.train(corpus, vocab_size=vocab, context_length=model_cfg.text_cfg.context_length)
        tokenizer.save_pretrained(run)
    model = build_model(params, tokenizer)
    tokenizer = model.tokenizer
    model.train()
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    pair_ids = _texts_ids(tokenizer, train_set.texts)
    bank_index = {b["style"]: i for i, b in enumerate(bank)}
    prompt_ids = _texts_ids(tokenizer, [b["prompt"] for b in bank])
    style_to_prompt = torch.tensor([bank_index.get(s, -1) for s in train_set.style_names], dtype=torch.long)

    optimizer = torch.optim.AdamW(decay_groups(model, params.weight_decay), lr=params.lr, betas=(0.9, 0.98), eps=1e-6)
    generator = torch.Generator().manual_seed(params.seed)
    loss_fn = MakeupClipLoss(params.ssl_weight, params.text_weight, params.temperature, style_weight=params.style_weight)
    pairs_per_batch = params.plan.style_groups * params.plan.faces_per_style + params.plan.face_groups * params.plan.looks_per_face
    total = params.steps if params.epochs is None else max(1, math.ceil(params.epochs * len(train_set) / max(1, pairs_per_batch)))

    state = load_checkpoint(run, model, optimizer, generator)
    if state is None:
        state = {"step": 0, "train_seconds": 0.0, "history": [], "evals": []}
        log_fn(f"new run in {run}: {n_params / 1e6:.2f} M trainable parameters, {total} steps")
    else:
        log_fn(f"resumed {run} at step {state['step']} / {total}")
    sampler = BatchSampler(train_set, params.plan, generator)

    # 3. loop
    step = state["step"]
    last_save = time.perf_counter()
    running: dict[str, list[float]] = {}
    # Training time is wall-clock, or this process's CPU time (all threads) with
    # budget="cpu": on a machine shared with other jobs the CPU time is what the
    # run would take on two free cores.
    clock = time.process_time if params.budget == "cpu" else time.perf_counter
    seg_start = clock()
    base_seconds = state["train_seconds"]
    while True:
        progress = progress_at(step, base_seconds + clock() - seg_start, params, total)
        if progress >= 1.0:
            break
        if stop_after is not None and step >= stop_after:
            break
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, progress, params)
        pairs, real = sampler.sample()
        after = train_set.afters[pairs].float() / 255
        faces = train_set.pair_face[pairs]
        before = train_set.befores[faces].float() / 255
        vis = train_set.vis[faces].float() / 255
        # identity variation: the second view moves the makeup layer onto another face
        other = torch.randint(len(train_set.befores), (len(pairs),), generator=generator)
        other = torch.where(other == faces, (other + 1) % len(train_set.befores), other)
        swapped, swapped_vis = swap_identity(after, before, vis, train_set.befores[other].float() / 255, train_set.vis[other].float() / 255)
        use = (torch.rand(len(pairs), generator=generator) < params.swap_prob)[:, None, None, None]
        second, second_vis = torch.where(use, swapped, after), torch.where(use, swapped_vis, vis)
        real_rgb = train_set.real[real].float() / 255
        real_vis = train_set.real_vis[real].float() / 255
        x1, m1 = augment_view(torch.cat([after, real_rgb]), torch.cat([vis, real_vis]), params.augment, generator)
        x2, m2 = augment_view(torch.cat([second, real_rgb]), torch.cat([second_vis, real_vis]), params.augment, generator)
        # one text per synthetic image: its description, or its style's prompt
        labels = train_set.styles[pairs]
        prompt_row = style_to_prompt[labels]
        use_prompt = (torch.rand(len(pairs), generator=generator) < params.prompt_prob) & (prompt_row >= 0)
        ids = torch.where(use_prompt[:, None], prompt_ids[prompt_row.clamp_min(0)], pair_ids[pairs])

        out = model(torch.cat([x1, x2]), torch.cat([m1, m2]), ids if params.text_weight else None)
        n, m = len(x1), len(pairs)
        ssl = out["ssl_features"]
        feats = out["image_features"]
        terms = loss_fn(ssl_features=ssl, image_features=feats[:m], text_features=out.get("text_features"),
                        image_labels=labels, text_labels=labels,
                        style_features=torch.cat([feats[:m], feats[n : n + m]]), style_labels=torch.cat([labels, labels]),
                        output_dict=True)
        optimizer.zero_grad(set_to_none=True)
        terms["loss"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        for k, v in terms.items():
            running.setdefault(k, []).append(float(v.detach()))
        assert n == ssl.shape[0] // 2

        now = time.perf_counter()
        if step % params.log_every == 0:
            entry = {"step": step, "time": round(base_seconds + clock() - seg_start, 1), "lr": optimizer.param_groups[0]["lr"]}
            entry.update({k: round(float(np.mean(v)), 5) for k, v in running.items()})
            state["history"].append(entry)
            running = {}
            log_fn(" ".join(f"{k}={v}" for k, v in entry.items()))
        if params.eval_every and step % params.eval_every == 0 and len(val_set):
            ev = quick_eval(model, val_set, bank)
            state["evals"].append({"step": step, **{k: round(v, 4) for k, v in ev.items()}})
            log_fn(f"eval step {step}: " + " ".join(f"{k}={v:.3f}" for k, v in ev.items()))
        if (now - last_save) / 60 >= params.save_every_min:
            state.update(step=step, train_seconds=base_seconds + clock() - seg_start)
            save_checkpoint(run, model, optimizer, generator, state)
            last_save = time.perf_counter()
    if running:
        entry = {"step": step, "time": round(base_seconds + clock() - seg_start, 1), "lr": optimizer.param_groups[0]["lr"]}
        entry.update({k: round(float(np.mean(v)), 5) for k, v in running.items()})
        state["history"].append(entry)
    finished = progress_at(step, base_seconds + clock() - seg_start, params, total) >= 1.0
    if finished and len(val_set) and (not state["evals"] or state["evals"][-1]["step"] != step):
        ev = quick_eval(model, val_set, bank)
        state["evals"].append({"step": step, **{k: round(v, 4) for k, v in ev.items()}})
        log_fn(f"eval step {step}: " + " ".join(f"{k}={v:.3f}" for k, v in ev.items()))
    state.update(step=step, train_seconds=base_seconds + clock() - seg_start)
    save_checkpoint(run, model, optimizer, generator, state)
    log = {"params": params.to_dict(), "steps": step, "total_steps": total, "train_seconds": round(state["train_seconds"], 1),
           "trainable_parameters": n_params, "history": state["history"], "evals": state["evals"]}
    (run / "training_log.json").write_text(json.dumps(log, indent=1), encoding="utf-8")
    if not finished:
        log_fn(f"stopped at step {step} / {total}; checkpoint in {run / CHECKPOINT_DIR}: rerun the same command to resume")
        return run
    final = run / FINAL_DIR
    model.eval()
    model.save_pretrained(final)
    (final / "training_log.json").write_text(json.dumps(log, indent=1), encoding="utf-8")
    (final / "styles.json").write_text(json.dumps(bank, indent=1), encoding="utf-8")
    try:
        plot_stage1_log(log, final / "loss_curve.png")
    except ImportError:  # matplotlib is a dev extra
        log_fn("matplotlib missing: no loss_curve.png")
    log_fn(f"done: {step} steps in {state['train_seconds'] / 60:.1f} min; model in {final}")
    return final


# --------------------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    d = Stage1Params()
    p = argparse.ArgumentParser(prog="python -m fram.train.stage1", description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="a `fram synth` dataset folder, or 'synthetic' (tiny toy set for tests)")
    p.add_argument("--out", required=True, help="run folder (checkpoints, caches, final model); rerun to resume")
    p.add_argument("--model", default=d.model, help="architecture name in fram/configs or a JSON path")
    p.add_argument("--pretrained", help="local CLIP weights (transformers folder or open_clip .safetensors/.bin) to fine-tune with LoRA")
    p.add_argument("--lora-rank", type=int, default=d.lora_rank)
    p.add_argument("--steps", type=int, default=d.steps)
    p.add_argument("--epochs", type=float, help="train this many passes over the pairs instead of --steps")
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--weight-decay", type=float, default=d.weight_decay)
    p.add_argument("--warmup", type=int, default=d.warmup)
    p.add_argument("--ssl-weight", type=float, default=d.ssl_weight)
    p.add_argument("--text-weight", type=float, default=d.text_weight)
    p.add_argument("--style-weight", type=float, default=d.style_weight, help="image-image style contrast (not in FRAM)")
    p.add_argument("--temperature", type=float, default=d.temperature)
    p.add_argument("--swap-prob", type=float, default=d.swap_prob, help="share of second views with the makeup moved to another face")
    p.add_argument("--prompt-prob", type=float, default=d.prompt_prob, help="share of texts that are the style's prompt")
    p.add_argument("--plan", default="8,4,4,4,8", help="style groups, faces per style, face groups, looks per face, real faces")
    p.add_argument("--vocab-size", type=int, default=d.vocab_size)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--cache", help="folder for the in-memory data caches (default: the run folder)")
    p.add_argument("--limit-faces", type=int, help="use at most N faces per split (quick runs)")
    p.add_argument("--eval-every", type=int, default=d.eval_every)
    p.add_argument("--log-every", type=int, default=d.log_every)
    p.add_argument("--save-every-min", type=float, default=d.save_every_min)
    p.add_argument("--time-limit", type=float, default=d.time_limit_min, help="training-time budget in minutes (over resumes): the schedule ends by then")
    p.add_argument("--budget", choices=("wall", "cpu"), default="wall", help="measure --time-limit in wall-clock or in CPU time")
    return p


def params_from_args(args: argparse.Namespace) -> Stage1Params:
    plan = [int(v) for v in args.plan.split(",")]
    if len(plan) != 5:
        raise ValueError(f"--plan needs 5 numbers, got {args.plan!r}")
    return Stage1Params(
        data=args.data, out=args.out, model=args.model, pretrained=args.pretrained, lora_rank=args.lora_rank,
        steps=args.steps, epochs=args.epochs, lr=args.lr, weight_decay=args.weight_decay, warmup=args.warmup,
        ssl_weight=args.ssl_weight, text_weight=args.text_weight, style_weight=args.style_weight, temperature=args.temperature, swap_prob=args.swap_prob,
        prompt_prob=args.prompt_prob, plan=BatchPlan(*plan), vocab_size=args.vocab_size, seed=args.seed,
        threads=args.threads, limit_faces=args.limit_faces, eval_every=args.eval_every, log_every=args.log_every,
        save_every_min=args.save_every_min, time_limit_min=args.time_limit, budget=args.budget, cache=args.cache,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        train(params_from_args(args))
    except (ValueError, FileNotFoundError) as exc:
        print(f"stage1: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
