"""Train the brow segmenter (:mod:`fram.face.brows`) on labelled face photos.

    python -m fram.train.brows --data ../shared/data/faces/celebamask-hq --out out/brows

Photos are taken in name order; the first ``--images`` (default 200: the development
split of ``benchmarks/region_iou.py``, which reports on the rest) are used, the last
``--val`` of them only to watch the training. Each brow is cropped as the pipeline
crops it plus ``--jitter`` copies with the crop moved, turned and scaled a little (the
mesh is never exactly on the brow), and CIELAB gain/offset noise is added per step.
Loss: binary cross-entropy + soft dice against the labelled brows (classes 6 and 7).
The run ends after ``--time-limit`` minutes of CPU time or ``--steps``, writing
``final/`` (config, safetensors, training_log.json); the run is short enough (a few
minutes) that it simply starts over when killed.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from fram.errors import FramError
from fram.face.brows import CROP, BrowCrop, BrowNet, crop_features, crop_frame
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.regions import brow_inputs
from fram.face.segmenter import SegmenterConfig, UNet
from fram.train.common import lr_at, progress_at
from fram.train.segmenter import SegmenterModule

BROW_CLASSES = (6, 7)


def _jittered(middle: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """The middle line moved, turned and scaled about its centre by up to ``amount``."""
    if amount <= 0:
        return middle
    centre = middle.mean(axis=0)
    length = np.linalg.norm(middle[-1] - middle[0])
    angle = rng.uniform(-0.1, 0.1) * amount / 0.1
    c, s = np.cos(angle), np.sin(angle)
    scale = 1 + rng.uniform(-amount, amount)
    shift = rng.uniform(-amount, amount, 2) * length
    return (middle - centre) @ np.array([[c, s], [-s, c]]) * scale + centre + shift


def extract(data: Path, images: list[Path], jitter: int, seed: int = 0, log=print) -> tuple[np.ndarray, np.ndarray]:
    """Crops (N, C, H, W) float16 and their labels (N, H, W) float16 for every brow."""
    return extract_crops(data, images, jitter, seed, log, BROW_CLASSES, brow_inputs, CROP, 0.08)


def extract_crops(data: Path, images: list[Path], jitter: int, seed: int, log, classes: tuple[int, ...], inputs,
                  crop: BrowCrop, shift: float) -> tuple[np.ndarray, np.ndarray]:
    """Crops and labels (classes ``classes``) of one kind of feature in every photo;
    ``inputs(image, face)`` gives the face box's CIELAB, the features' (middle line,
    point below, outline fill), the prior and the projection; ``jitter`` copies are
    moved by up to ``shift`` (:func:`_jittered`)."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k, path in enumerate(images):
        image = read_image(path)
        try:
            face = detect_face(image)
        except FramError:
            continue
        lab, geometry, prior, projection = inputs(image, face)
        labels = np.isin(np.asarray(Image.open(data / "masks" / f"{path.stem}.png")), classes).astype(np.float32)
        labels = cv2.resize(labels, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)[projection.slices]
        for middle, below, outline in geometry:
            for j in range(jitter + 1):
                frame = crop_frame(_jittered(middle, rng, shift if j else 0.0), below, crop)
                xs.append(crop_features(lab, prior, outline, frame, crop).astype(np.float16))
                ys.append(cv2.warpAffine(labels, frame, (crop.width, crop.height),
                                         flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP).astype(np.float16))
        if (k + 1) % 50 == 0:
            log(f"cropped {k + 1}/{len(images)} photos")
    return np.stack(xs), np.stack(ys)


def loss_fn(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    bce = F.binary_cross_entropy_with_logits(logits, target)
    p = torch.sigmoid(logits)
    dice = 1 - (2 * (p * target).sum((1, 2)) + 1) / (p.sum((1, 2)) + target.sum((1, 2)) + 1)
    return bce + dice.mean()


def crop_iou(model: SegmenterModule, x: torch.Tensor, y: torch.Tensor, prior_channel: int | None) -> tuple[float, float | None]:
    """Mean IoU in the crops of the network's and of the rule-based prior's mask (> 0.5;
    None for a network without a prior channel)."""
    with torch.no_grad():
        pred = torch.cat([torch.sigmoid(model(x[i : i + 256])) for i in range(0, len(x), 256)]) > 0.5
    truth = y > 0.5

    def iou(mask: torch.Tensor) -> float:
        union = (mask | truth).sum((1, 2)).float()
        keep = union > 0
        return float(((mask & truth).sum((1, 2)).float()[keep] / union[keep]).mean())

    return iou(pred), None if prior_channel is None else iou(x[:, prior_channel] > 0.5)


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Exposure and white-balance changes: per-crop gain and offset on L, a, b."""
    n = len(x)
    gain = 1 + (torch.rand(n, 3, 1, 1, generator=g) - 0.5) * torch.tensor([0.5, 0.3, 0.3])[None, :, None, None]
    offset = (torch.rand(n, 3, 1, 1, generator=g) - 0.5) * 0.1
    x = x.clone()
    x[:, :3] = x[:, :3] * gain + offset + torch.randn(x[:, :3].shape, generator=g) * 0.02
    return x


@dataclass(frozen=True)
class BrowSchedule:
    """Learning-rate plan for :func:`fram.train.common.lr_at`: cosine decay over the
    steps or the CPU-time limit, whichever comes first; no warm-up (a tiny net)."""

    lr: float
    time_limit_min: float
    warmup: int = 0


def train(data: Path, out: Path, *, images: int = 200, val: int = 30, jitter: int = 12, steps: int = 3000, batch: int = 64,
          lr: float = 3e-3, time_limit_min: float = 15.0, threads: int = 2, seed: int = 0,
          config: SegmenterConfig = SegmenterConfig(), log=print, extract_fn=None, model_class: type[UNet] = BrowNet,
          augment_fn=None, photos: list[Path] | None = None) -> Path:
    """Train a segmenter; ``extract_fn``, ``model_class`` and ``augment_fn`` (default: the
    brows') let :mod:`fram.train.features` and :mod:`fram.train.occluders` train the eye,
    lip, occluder and paint segmenters with the same loop. ``photos`` replaces the
    first ``images`` photos of ``data``'s images/ folder."""
    augment_fn = augment_fn or augment
    extract_fn = extract_fn or extract
    torch.set_num_threads(threads)
    paths = photos if photos is not None else sorted((data / "images").glob("*.jpg"))[:images]
    images = len(paths)
    t0 = time.perf_counter()
    x_train, y_train = extract_fn(data, paths[: images - val], jitter, seed, log)
    x_val, y_val = extract_fn(data, paths[images - val :], 0, seed + 1, log)
    log(f"{len(x_train)} training crops, {len(x_val)} validation crops in {time.perf_counter() - t0:.0f} s")
    x_train, y_train = torch.from_numpy(x_train).float(), torch.from_numpy(y_train).float()
    x_val, y_val = torch.from_numpy(x_val).float(), torch.from_numpy(y_val).float()

    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = SegmenterModule(config, model_class)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    schedule = BrowSchedule(lr=lr, time_limit_min=time_limit_min)
    history, evals = [], []

    def evaluate() -> str:
        model.eval()
        net, prior = crop_iou(model, x_val, y_val, model_class.prior_channel)
        model.train()
        evals.append({"step": step, "val_iou": round(net, 4)} | ({} if prior is None else {"prior_iou": round(prior, 4)}))
        return f"validation crop IoU {net:.4f}" + ("" if prior is None else f" (rule-based prior {prior:.4f})")

    start = time.process_time()
    step = 0
    while (progress := progress_at(step, time.process_time() - start, schedule, steps)) < 1.0:
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, progress, schedule)
        idx = torch.randint(len(x_train), (batch,), generator=g)
        loss = loss_fn(model(augment_fn(x_train[idx], g)), y_train[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        if step % 50 == 0:
            history.append({"step": step, "loss": round(loss.item(), 4), "time": round(time.process_time() - start, 1)})
        if step % 500 == 0:
            log(f"step {step}: loss {loss.item():.4f}, {evaluate()}")
    scores = evaluate()
    model.eval()
    final = out / "final"
    model.save_pretrained(final)
    (final / "training_log.json").write_text(json.dumps({
        "data": str(data), "images": images, "val": val, "jitter": jitter, "batch": batch, "lr": lr, "steps": step,
        "cpu_seconds": round(time.process_time() - start, 1), "history": history, "evals": evals,
    }, indent=1), encoding="utf-8")
    log(f"done: {step} steps; {scores}; model in {final}")
    return final


def main(argv: list[str] | None = None) -> int:
    return run_cli(argv, "python -m fram.train.brows", __doc__)


def add_loop_options(p: argparse.ArgumentParser) -> None:
    """The options of :func:`train`'s loop, with the brows' defaults (a trainer changes
    them with ``set_defaults``)."""
    p.add_argument("--images", type=int, default=200, help="photos to use, the last --val of them only to watch the training")
    p.add_argument("--val", type=int, default=30)
    p.add_argument("--jitter", type=int, default=12)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--time-limit", type=float, default=15.0, help="CPU minutes of training (extraction not counted)")
    p.add_argument("--threads", type=int, default=2)


def run_cli(argv: list[str] | None, prog: str, doc: str, features: dict[str, tuple] | None = None, *,
            defaults: dict | None = None, config: SegmenterConfig = SegmenterConfig(), **chosen) -> int:
    """The training command line; with ``features`` (name → (extract function taking
    the name first, model class)) it first takes which of them to train. ``defaults``
    overrides option defaults, ``config`` the network's input channels and widths, and
    ``chosen`` is passed on to :func:`train` (``extract_fn``, ``model_class``, ``augment_fn``)."""
    p = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    if features:
        p.add_argument("feature", choices=sorted(features))
    p.add_argument("--data", type=Path, required=True, help="a CelebAMask-HQ-style folder (images/, masks/)")
    p.add_argument("--out", type=Path, required=True)
    add_loop_options(p)
    p.add_argument("--widths", default=",".join(map(str, config.widths)), help="channels per U-Net level, e.g. 16,24,32")
    p.set_defaults(**(defaults or {}))
    args = p.parse_args(argv)
    if not (args.data / "images").is_dir():
        print(f"error: {args.data} has no images/ folder", file=sys.stderr)
        return 2
    if features:
        extract_fn, model_class = features[args.feature]
        chosen = {"extract_fn": functools.partial(extract_fn, args.feature), "model_class": model_class}
    train(args.data, args.out, images=args.images, val=args.val, jitter=args.jitter, steps=args.steps, batch=args.batch,
          lr=args.lr, time_limit_min=args.time_limit, threads=args.threads,
          config=SegmenterConfig(in_channels=config.in_channels, widths=tuple(int(w) for w in args.widths.split(","))), **chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
