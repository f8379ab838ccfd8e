"""Train the paint segmenter (:mod:`fram.makeup.paint_net`) on men's photos, bare and painted.

    python -m fram.train.paint --faces ../shared/data/faces --out out/paint

Photos: the training split (:func:`fram.data.sources.split_of`, as data synthesis and
the eval suites split) of UTKFace's men and SCUT-FBP5500's men (``[AC]M*``), who
mostly wear no makeup, so what departs on them from a bare face is light, stubble,
hair and skin, never paint. Each photo is unwrapped as it is (target: nothing
painted) and ``--jitter`` more times wearing a random pattern look
(:mod:`fram.makeup.patterns`) or a preset without its base (target: where the painted copy departs
from the bare one); half the photos are shrunk first (references are often small).
Half of all inputs are relit in UV from a random direction through the face's
normals, some with a hard shadow edge across the face: the light changes, the
target does not. Loss, loop, per-step colour noise and mirroring are the occluder
segmenter's (:mod:`fram.train.occluders`); the unwrapped textures are cached beside
``--out``. The run ends after ``--time-limit`` CPU minutes and writes ``final/``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
from pathlib import Path

import cv2
import numpy as np

from fram.data.sources import list_faces, split_of
from fram.errors import FramError
from fram.face.image_io import read_image
from fram.face.landmarks import Face, detect_face
from fram.face.occluders import occluder_inputs
from fram.face.uv import UVTexture, unwrap
from fram.makeup.compose import analyse, apply_style
from fram.makeup.decompose import layer_size_for, linear_rgb, srgb_from_linear, texture_lab
from fram.makeup.paint_net import PAINT_SIZE, PaintNet, default_config
from fram.makeup.patterns import sample_pattern, wear_pattern
from fram.makeup.presets import PRESETS
from fram.train.brows import add_loop_options, train
from fram.train.common import cached_arrays
from fram.train.occluders import SHRINK, UNWRAP_SIZE
from fram.train.occluders import augment as mirror_and_noise

PAINT_DE = 3.0
"""CIELAB distance between the painted and the bare unwrapped texel over which it counts as painted."""
RELIT = 0.5
"""Share of inputs relit (:func:`relit`)."""


def training_photos(faces: Path, split: str = "train") -> list[Path]:
    """Men's photos of a split, in a seeded (stable) order: UTKFace names carry the
    gender second (``age_gender_race_date``, 0 = man), SCUT-FBP5500 names begin with AM or CM."""
    specs = [str(faces / "utkface"), str(faces / "scut-fbp5500" / "[AC]M*.jpg")]
    men = [f for f in list_faces(specs) if split_of(f.identity) == split
           and (not f.identity.startswith("utkface/") or Path(f.path).name.split("_")[1:2] == ["0"])]
    return [Path(f.path) for f in sorted(men, key=lambda f: hashlib.sha256(f.identity.encode()).hexdigest())]


def relit(texture: UVTexture, rng: np.random.Generator) -> UVTexture:
    """The texture under another light: a clamped-cosine lobe from a random direction
    over an ambient floor, through the face's normals, with a tint, and sometimes a
    cast shadow's hard edge across the face; normalised so the face's median light is
    unchanged, clipped as a camera clips."""
    if texture.normals is None:
        return texture
    direction = rng.normal(size=3)
    direction[2] = abs(direction[2]) * 0.6
    direction /= max(np.linalg.norm(direction), 1e-6)
    ambient = rng.uniform(0.2, 0.8)
    field = ambient + (1 - ambient) * rng.uniform(1.0, 2.0) * np.clip(texture.normals @ direction, 0, None)
    size = texture.size
    if rng.random() < 0.35:
        angle = rng.uniform(0, np.pi)
        yy, xx = np.mgrid[:size, :size].astype(np.float32) / size - 0.5
        side = np.cos(angle) * xx + np.sin(angle) * yy - rng.uniform(-0.25, 0.25)
        edge = np.clip(side / rng.uniform(0.005, 0.04) + 0.5, 0, 1)
        field = field * (1 - (1 - rng.uniform(0.4, 0.8)) * edge)
    seen = texture.visibility > 0.5
    field = field / max(float(np.median(field[seen])) if seen.any() else 1.0, 1e-3)
    tint = rng.uniform(0.88, 1.12, 3).astype(np.float32)
    linear = linear_rgb(texture.texture.astype(np.float32) / 255.0) * np.clip(field, 0.2, 3.0)[..., None] * tint
    image = np.round(srgb_from_linear(np.clip(linear, 0, 1)) * 255).astype(np.uint8)
    return dataclasses.replace(texture, texture=image)


def _painted(image: np.ndarray, face: Face, rng: np.random.Generator) -> np.ndarray:
    """The photo wearing a random pattern look or a preset without its base: an even
    foundation is read into the bare face, never as paint, so it is no target."""
    if rng.random() < 0.6:
        return wear_pattern(image, face, sample_pattern(rng).layer)
    style = PRESETS[str(rng.choice(list(PRESETS)))].model_copy(update={"foundation": None, "concealer": None})
    return apply_style(image, analyse(image, face, layer_size_for(face)), style)


def _target(bare: UVTexture, worn: UVTexture) -> np.ndarray:
    gap = np.linalg.norm(texture_lab(worn.texture) - texture_lab(bare.texture), axis=-1)
    paint = ((gap > PAINT_DE) & (worn.visibility > 0.5)).astype(np.float32)
    return cv2.resize(paint, (PAINT_SIZE, PAINT_SIZE), interpolation=cv2.INTER_AREA)


def extract(photos: list[Path], jitter: int, seed: int = 0, log=print, cache: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (N, C, S, S) float16 and targets (N, S, S) float16 for every photo bare
    and painted ``jitter`` times; cached in ``cache`` under a key of the arguments."""
    key = f"{[p.name for p in photos]}{jitter}{seed}{UNWRAP_SIZE}{PAINT_SIZE}{PAINT_DE}{RELIT}"
    return cached_arrays(cache, "paint", key, lambda: _unwrapped(photos, jitter, seed, log))


def _unwrapped(photos: list[Path], jitter: int, seed: int, log) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k, path in enumerate(photos):
        try:
            image = read_image(path)
            if rng.random() < 0.5:
                scale = rng.uniform(*SHRINK)
                image = cv2.resize(image, (max(64, round(image.shape[1] * scale)), max(64, round(image.shape[0] * scale))),
                                   interpolation=cv2.INTER_AREA)
            face = detect_face(image)
        except FramError:
            continue
        bare = unwrap(image, face, UNWRAP_SIZE)
        variants = [(bare, np.zeros((PAINT_SIZE, PAINT_SIZE), np.float32))]
        for _ in range(jitter):
            worn = unwrap(_painted(image, face, rng), face, UNWRAP_SIZE)
            variants.append((worn, _target(bare, worn)))
        for texture, target in variants:
            if rng.random() < RELIT:
                texture = relit(texture, rng)
            xs.append(occluder_inputs(texture).astype(np.float16))
            ys.append(target.astype(np.float16))
        if (k + 1) % 50 == 0:
            log(f"unwrapped {k + 1}/{len(photos)} photos ({len(xs)} textures)")
    return np.stack(xs), np.stack(ys)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fram.train.paint", description=__doc__.split("\n\n")[0])
    p.add_argument("--faces", type=Path, default=Path("../shared/data/faces"), help="folder holding utkface/ and scut-fbp5500/")
    p.add_argument("--out", type=Path, default=Path("out/paint"))
    add_loop_options(p)
    p.set_defaults(images=1600, val=100, jitter=2, steps=100000, batch=24, lr=2e-3, time_limit=40.0)
    args = p.parse_args(argv)
    photos = training_photos(args.faces)[: args.images]
    if len(photos) <= args.val:
        print(f"error: found {len(photos)} training photos of men under {args.faces} (utkface/, scut-fbp5500/)", file=sys.stderr)
        return 2
    train(args.faces, args.out, photos=photos, val=args.val, jitter=args.jitter, steps=args.steps, batch=args.batch, lr=args.lr,
          time_limit_min=args.time_limit, threads=args.threads,
          config=default_config(),
          # The validation photos are painted once too: bare alone, there is no paint to find.
          extract_fn=lambda _data, paths, jitter, seed, log: extract(paths, max(jitter, 1), seed, log, args.out / "cache"),
          model_class=PaintNet, augment_fn=mirror_and_noise)
    return 0


if __name__ == "__main__":
    sys.exit(main())
