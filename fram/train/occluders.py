"""Train the occluder segmenter (:mod:`fram.face.occluders`) on labelled face photos.

    python -m fram.train.occluders --data ../shared/data/faces/celebamask-hq --out out/occluders

Photos are taken in name order; the first ``--images`` (default 800; CelebAMask-HQ's
last 200 stay unseen for ``benchmarks/occluder_iou.py``) are used, the last ``--val``
of them only to watch the training. Each photo is unwrapped as it is and ``--jitter``
more times: wearing a random pattern look (:mod:`fram.makeup.patterns`) or a preset,
some of them shrunk first (references are often small, blurry photos). The labels
stay the photo's: paint lands on labelled skin, and paint on the face is exactly
what the segmenter must leave alone. Per step, exposure and white-balance noise and
mirror images are added. Same loss, loop and options as the brow segmenter
(:mod:`fram.train.brows`); extracted textures are cached beside ``--out``.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from fram.errors import FramError
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.occluders import OCCLUDER_CLASSES, OCCLUDER_SIZE, OccluderNet, default_config, occluder_inputs
from fram.face.uv import unwrap
from fram.makeup.compose import analyse, apply_style
from fram.makeup.decompose import layer_size_for
from fram.makeup.patterns import sample_pattern, wear_pattern
from fram.makeup.presets import PRESETS
from fram.train.brows import augment as colour_noise
from fram.train.brows import run_cli
from fram.train.common import cached_arrays

UNWRAP_SIZE = 256
SHRINK = (0.3, 0.7)
"""Scale range of the photos shrunk before unwrapping (a 512 px face to 150–360 px)."""


def _sample(image: np.ndarray, occluder: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """One photo and its (H, W) cover label unwrapped: the network's input and target."""
    try:
        face = detect_face(image)
    except FramError:
        return None
    texture = unwrap(image, face, UNWRAP_SIZE)
    label = unwrap(np.repeat((occluder * 255).astype(np.uint8)[..., None], 3, axis=2), face, UNWRAP_SIZE).texture[..., 0]
    target = cv2.resize(label.astype(np.float32) / 255, (OCCLUDER_SIZE, OCCLUDER_SIZE), interpolation=cv2.INTER_AREA)
    return occluder_inputs(texture).astype(np.float16), target.astype(np.float16)


def _painted(image: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """The photo wearing a random pattern look or preset (None when no face is found)."""
    try:
        face = detect_face(image)
    except FramError:
        return None
    if rng.random() < 0.6:
        return wear_pattern(image, face, sample_pattern(rng).layer)
    style = PRESETS[str(rng.choice(list(PRESETS)))]
    return apply_style(image, analyse(image, face, layer_size_for(face)), style)


def extract(data: Path, images: list[Path], jitter: int, seed: int = 0, log=print, cache: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (N, C, S, S) float16 and targets (N, S, S) float16 for every photo and its
    painted or shrunk copies; cached in ``cache`` under a key of the arguments."""
    key = f"{[p.name for p in images]}{jitter}{seed}{UNWRAP_SIZE}{OCCLUDER_SIZE}"
    return cached_arrays(cache, "occluders", key, lambda: _unwrapped(data, images, jitter, seed, log))


def _unwrapped(data: Path, images: list[Path], jitter: int, seed: int, log) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k, path in enumerate(images):
        image = read_image(path)
        labels = np.isin(np.asarray(Image.open(data / "masks" / f"{path.stem}.png")), OCCLUDER_CLASSES).astype(np.float32)
        labels = cv2.resize(labels, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_NEAREST)
        variants = [(image, labels)]
        for _ in range(jitter):
            painted = _painted(image, rng)
            if painted is None:
                break
            photo, cover = painted, labels
            if rng.random() < 0.5:
                scale = rng.uniform(*SHRINK)
                size = (max(64, round(image.shape[1] * scale)), max(64, round(image.shape[0] * scale)))
                photo = cv2.resize(photo, size, interpolation=cv2.INTER_AREA)
                cover = cv2.resize(cover, size, interpolation=cv2.INTER_AREA)
            variants.append((photo, cover))
        for photo, cover in variants:
            sample = _sample(photo, cover)
            if sample is not None:
                xs.append(sample[0])
                ys.append(sample[1])
        if (k + 1) % 50 == 0:
            log(f"unwrapped {k + 1}/{len(images)} photos ({len(xs)} textures)")
    return np.stack(xs), np.stack(ys)


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """The brows' colour noise on L, a, b, and half the faces mirrored (the UV layout is
    left-right symmetric; the u coordinate channel is flipped back)."""
    x = colour_noise(x, g)
    flip = torch.rand(len(x), generator=g) < 0.5
    x[flip] = torch.flip(x[flip], dims=[-1])
    x[flip, 4] = -x[flip, 4]
    return x


def main(argv: list[str] | None = None) -> int:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--out", type=Path, default=Path("out/occluders"))
    out = pre.parse_known_args(argv)[0].out
    return run_cli(argv, "python -m fram.train.occluders", __doc__,
                   defaults={"images": 800, "val": 80, "jitter": 3, "batch": 24, "lr": 2e-3, "time_limit": 40.0},
                   config=default_config(), extract_fn=functools.partial(extract, cache=out / "cache"),
                   model_class=OccluderNet, augment_fn=augment)


if __name__ == "__main__":
    sys.exit(main())
