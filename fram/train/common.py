"""What the stage-1 and stage-2 trainers share: checkpoints and the learning-rate plan.

A run folder holds ``checkpoint/`` (``model.safetensors``; ``optimizer.safetensors``
with the optimiser moments and the sampling generator's state; ``state.json`` with the
step, the log and the torch RNG). It is written to a new folder and renamed over the
old one, so a run killed at any moment resumes from its last complete checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Protocol

import numpy as np
import torch

CHECKPOINT_DIR = "checkpoint"


@dataclass(kw_only=True)
class RunSettings:
    """The settings every training run has besides its own: seed, threads, how often
    it evaluates, logs and saves, its time budget and its data cache. Those that only
    change how a run is watched or paced (:data:`PACING`) may differ on resume."""

    seed: int = 0
    threads: int = 0
    limit_faces: int | None = None
    eval_every: int = 250
    log_every: int = 10
    save_every_min: float = 5.0
    time_limit_min: float | None = 85.0
    budget: str = "wall"
    cache: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def matters(self) -> dict[str, Any]:
        """The settings a resumed run must share with the run it resumes (JSON values)."""
        doc = self.to_dict()
        for key in (*PACING, *self.resume_free):
            doc.pop(key, None)
        return json.loads(json.dumps(doc))

    resume_free: ClassVar[tuple[str, ...]] = ()


PACING = ("out", "threads", "eval_every", "log_every", "save_every_min", "time_limit_min", "budget", "cache")


def open_run(params: RunSettings, legacy: dict[str, Any] | None = None) -> Path:
    """Create the run folder, or reopen it to resume: its ``params.json`` must agree
    with ``params`` on every setting that matters (settings added later than the run
    count with their ``legacy`` value). Sets torch's threads."""
    if params.threads:
        torch.set_num_threads(params.threads)
    run = Path(params.out)
    run.mkdir(parents=True, exist_ok=True)
    path = run / "params.json"
    mine = params.matters()
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        theirs = {k: old.get(k, (legacy or {}).get(k)) for k in mine}
        if theirs != mine:
            diff = sorted(k for k in mine if theirs.get(k) != mine[k])
            raise ValueError(f"{run} was started with different settings ({', '.join(diff)}); use the same arguments to resume or a new --out")
    path.write_text(json.dumps(params.to_dict(), indent=1), encoding="utf-8")
    return run


class Schedule(Protocol):
    lr: float
    warmup: int
    time_limit_min: float | None


def decay_groups(model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """AdamW groups: no weight decay on biases, norms, embeddings and learned tokens."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        flat = p.ndim < 2 or any(k in name for k in ("pos_embed", "cls_token", "embedding", "queries", "context", "null_tokens"))
        (no_decay if flat else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def progress_at(step: int, seconds: float, params: Schedule, total: int) -> float:
    """How far the run is, in [0, 1]: steps done, or training time spent against
    ``time_limit_min`` when that comes first (so a slow machine still finishes its
    learning-rate schedule inside the budget)."""
    done = step / max(1, total)
    if params.time_limit_min:
        done = max(done, seconds / (60.0 * params.time_limit_min))
    return min(1.0, done)


def lr_at(step: int, progress: float, params: Schedule) -> float:
    """Linear warm-up over ``warmup`` steps, then cosine decay to 0 at progress 1."""
    if step < params.warmup:
        return params.lr * (step + 1) / params.warmup
    return params.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def save_checkpoint(run: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, generator: torch.Generator, state: dict[str, Any]) -> None:
    """Write ``run/checkpoint`` atomically (a new folder, then renamed over the old)."""
    from safetensors.torch import save_file

    tmp = run / f".{CHECKPOINT_DIR}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    if hasattr(model, "trainable_state_dict"):  # a frozen pretrained backbone is not saved
        trainable = model.trainable_state_dict()
    else:
        trainable = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(trainable, str(tmp / "model.safetensors"))
    opt = optimizer.state_dict()
    tensors = {"rng.generator": generator.get_state()}
    for idx, entry in opt["state"].items():
        for name, value in entry.items():
            tensors[f"state.{idx}.{name}"] = torch.as_tensor(value).detach().cpu().contiguous()
    save_file(tensors, str(tmp / "optimizer.safetensors"))
    groups = [{k: v for k, v in g.items() if k != "params"} | {"params": g["params"]} for g in opt["param_groups"]]
    doc = dict(state, optimizer_groups=groups, torch_rng=torch.get_rng_state().tolist())
    (tmp / "state.json").write_text(json.dumps(doc), encoding="utf-8")
    final = run / CHECKPOINT_DIR
    old = run / f".{CHECKPOINT_DIR}.old"
    if final.exists():
        if old.exists():
            shutil.rmtree(old)
        os.replace(final, old)
    os.replace(tmp, final)
    if old.exists():
        shutil.rmtree(old)


def load_checkpoint(run: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, generator: torch.Generator) -> dict[str, Any] | None:
    """Restore what :func:`save_checkpoint` wrote; None when the run has none yet."""
    from safetensors.torch import load_file

    folder = run / CHECKPOINT_DIR
    if not (folder / "state.json").is_file():
        return None
    doc = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=not hasattr(model, "trainable_state_dict"))
    tensors = load_file(str(folder / "optimizer.safetensors"))
    generator.set_state(tensors.pop("rng.generator"))
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        _, idx, name = key.split(".", 2)
        state.setdefault(int(idx), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": doc.pop("optimizer_groups")})
    torch.set_rng_state(torch.tensor(doc.pop("torch_rng"), dtype=torch.uint8))
    return doc


def cached_arrays(cache: Path | None, name: str, key: str,
                  build: Callable[[], tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """A segmenter's training arrays ``(x, y)``, built once and kept in ``cache`` as
    ``<name>-<hash of key>.npz`` (unwrapping and painting photos takes minutes)."""
    stored = cache / f"{name}-{hashlib.sha1(key.encode()).hexdigest()[:12]}.npz" if cache else None
    if stored and stored.exists():
        with np.load(stored) as saved:
            return saved["x"], saved["y"]
    x, y = build()
    if stored:
        stored.parent.mkdir(parents=True, exist_ok=True)
        np.savez(stored, x=x, y=y)
    return x, y
