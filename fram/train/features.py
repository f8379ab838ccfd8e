"""Train the eye or lip segmenter (:mod:`fram.face.feature_nets`) on labelled face photos.

    python -m fram.train.features eyes --data ../shared/data/faces/celebamask-hq --out out/eyes

The same crops with jittered copies, noise, loss, loop and options as the brow
segmenter (:mod:`fram.train.brows`), on more photos: the first 500 by name (470 to
train on, 30 to check), as eyes and lips vary more than brows and 170 photos overfit
them; ``benchmarks/region_iou.py`` reports on the rest. Labels are CelebAMask-HQ's
eyes (classes 4, 5) or lips (11, 12). The shipped weights' ``training_log.json`` holds the options they
were trained with.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from fram.face.feature_nets import EYE_CROP, LIP_CROP, EyeNet, LipNet, eye_geometry, lip_geometry
from fram.face.landmarks import Face
from fram.face.regions import feature_priors
from fram.train.brows import extract_crops, run_cli

# name → (label classes, crop, geometry, model class, index of the prior in feature_priors' masks)
FEATURES = {
    "eyes": ((4, 5), EYE_CROP, eye_geometry, EyeNet, 0),
    "lips": ((11, 12), LIP_CROP, lip_geometry, LipNet, 1),
}


def extract(feature: str, data: Path, images: list[Path], jitter: int, seed: int = 0, log=print) -> tuple[np.ndarray, np.ndarray]:
    """Crops (N, C, H, W) float16 and their labels (N, H, W) float16 of ``feature`` in every photo."""
    classes, crop, geometry, _, which = FEATURES[feature]

    def inputs(image: np.ndarray, face: Face) -> tuple:
        lab, points, *priors, projection = feature_priors(image, face)
        return lab, geometry(points, lab.shape[:2]), priors[which], projection

    return extract_crops(data, images, jitter, seed, log, classes, inputs, crop, 0.06)


def main(argv: list[str] | None = None) -> int:
    return run_cli(argv, "python -m fram.train.features", __doc__, {name: (extract, f[3]) for name, f in FEATURES.items()},
                   defaults={"images": 500})


if __name__ == "__main__":
    sys.exit(main())
