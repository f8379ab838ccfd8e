"""Train the eye or lip segmenter (:mod:`fram.face.feature_nets`) on labelled face photos.

    python -m fram.train.features eyes --data ../shared/data/faces/celebamask-hq --out out/eyes

The same data split, crops with jittered copies, noise, loss and loop as the brow
segmenter (:mod:`fram.train.brows`, whose options this takes); labels are CelebAMask-HQ's
eyes (classes 4, 5) or lips (11, 12).
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from fram.errors import FramError
from fram.face.brows import BrowNetConfig, crop_features, crop_frame
from fram.face.feature_nets import EYE_CROP, LIP_CROP, EyeNet, LipNet, eye_geometry, lip_geometry
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.regions import feature_priors
from fram.train.brows import _jittered, train

# name → (label classes, crop, geometry, model class, index of the prior in feature_priors' masks)
FEATURES = {
    "eyes": ((4, 5), EYE_CROP, eye_geometry, EyeNet, 0),
    "lips": ((11, 12), LIP_CROP, lip_geometry, LipNet, 1),
}


def extract(feature: str, data: Path, images: list[Path], jitter: int, seed: int = 0, log=print) -> tuple[np.ndarray, np.ndarray]:
    """Crops (N, C, H, W) float16 and their labels (N, H, W) float16 of ``feature`` in every photo."""
    classes, crop, geometry, _, which = FEATURES[feature]
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k, path in enumerate(images):
        image = read_image(path)
        try:
            face = detect_face(image)
        except FramError:
            continue
        lab, points, *priors, projection = feature_priors(image, face)
        labels = np.isin(np.asarray(Image.open(data / "masks" / f"{path.stem}.png")), classes).astype(np.float32)
        labels = cv2.resize(labels, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)[projection.slices]
        for middle, below, outline in geometry(points, lab.shape[:2]):
            for j in range(jitter + 1):
                frame = crop_frame(_jittered(middle, rng, 0.06 if j else 0.0), below, crop)
                xs.append(crop_features(lab, priors[which], outline, frame, crop).astype(np.float16))
                ys.append(cv2.warpAffine(labels, frame, (crop.width, crop.height),
                                         flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP).astype(np.float16))
        if (k + 1) % 50 == 0:
            log(f"cropped {k + 1}/{len(images)} photos")
    return np.stack(xs), np.stack(ys)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fram.train.features", description=__doc__.split("\n\n")[0])
    p.add_argument("feature", choices=sorted(FEATURES))
    p.add_argument("--data", type=Path, required=True, help="a CelebAMask-HQ-style folder (images/, masks/)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--images", type=int, default=200)
    p.add_argument("--val", type=int, default=30)
    p.add_argument("--jitter", type=int, default=8)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--time-limit", type=float, default=8.0, help="CPU minutes")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--widths", default=",".join(map(str, BrowNetConfig().widths)), help="channels per U-Net level, e.g. 16,24,32")
    args = p.parse_args(argv)
    if not (args.data / "images").is_dir():
        print(f"error: {args.data} has no images/ folder", file=sys.stderr)
        return 2
    train(args.data, args.out, images=args.images, val=args.val, jitter=args.jitter, steps=args.steps, batch=args.batch,
          lr=args.lr, time_limit_min=args.time_limit, threads=args.threads,
          config=BrowNetConfig(widths=tuple(int(w) for w in args.widths.split(","))),
          extract_fn=functools.partial(extract, args.feature), model_class=FEATURES[args.feature][3])
    return 0


if __name__ == "__main__":
    sys.exit(main())
