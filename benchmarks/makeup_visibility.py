"""Fit and cross-validate fram.makeup.visibility: bare vs made-up real photos.

Reads bare and made-up photos from ../shared/data (makeup-photos, makeup-photos-extra,
and 60 + 60 random files of makeup-pairs-128), decomposes each face into its makeup
layer, takes the layer's mean coverage in the lip, eye and skin zones, and fits a
class-balanced logistic model on their logs. Prints the coefficients (to paste into
fram/makeup/visibility.py) and 5-fold cross-validated accuracy per source.

    python benchmarks/makeup_visibility.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np

from fram.errors import FramError
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.makeup.decompose import layer_size_for, reference_layer
from fram.makeup.visibility import FLOOR, zone_coverage


def photo_sets(data: Path) -> dict[str, list[tuple[str, Path]]]:
    rng = random.Random(0)
    pairs = data / "makeup-pairs-128"
    return {
        "bare": [("photos", p) for p in sorted((data / "makeup-photos/non-makeup").iterdir())
                 + sorted((data / "makeup-photos-extra/bare").iterdir())]
        + [("pairs", p) for p in rng.sample(sorted((pairs / "bare").iterdir()), 60)],
        "made-up": [("photos", p) for p in sorted((data / "makeup-photos/makeup").iterdir())
                    + sorted((data / "makeup-photos-extra/made-up").iterdir())[::2]]
        + [("pairs", p) for p in rng.sample(sorted((pairs / "made-up").iterdir()), 60)],
    }


def fit(features: np.ndarray, labels: np.ndarray, steps: int = 4000) -> np.ndarray:
    """Class-balanced logistic regression by gradient descent: (coefficients..., intercept)
    on the features as given. The descent runs on standardised features: on the raw
    logs (means near -3, unequal spreads) it stops far from the optimum."""
    weight = np.where(labels == 1, 0.5 / labels.mean(), 0.5 / (1 - labels.mean()))
    mean, spread = features.mean(axis=0), features.std(axis=0) + 1e-9
    design = np.c_[(features - mean) / spread, np.ones(len(features))]
    w = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ w))
        w -= 0.5 * design.T @ ((p - labels) * weight) / len(labels)
    return np.r_[w[:-1] / spread, w[-1] - float(np.sum(w[:-1] * mean / spread))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = parser.parse_args()
    rows = []
    for label, items in photo_sets(Path(args.data)).items():
        for source, path in items:
            try:
                image = read_image(path)
                face = detect_face(image)
            except FramError:
                continue
            rows.append((source, label == "made-up", zone_coverage(reference_layer(image, face, layer_size_for(face)))))
    sources = np.array([r[0] for r in rows])
    labels = np.array([r[1] for r in rows], float)
    features = np.log(np.array([r[2] for r in rows]) + FLOOR)
    order = np.random.default_rng(0).permutation(len(rows))
    predicted = np.zeros(len(rows))
    for fold in np.array_split(order, 5):
        w = fit(features[np.setdiff1d(order, fold)], labels[np.setdiff1d(order, fold)])
        predicted[fold] = 1 / (1 + np.exp(-np.c_[features[fold], np.ones(len(fold))] @ w))
    w = fit(features, labels)
    print(f"COEFFICIENTS = {tuple(round(float(v), 3) for v in w[:-1])}\nINTERCEPT = {w[-1]:.3f}\n")
    print("| photos | bare | made-up | bare told 'no visible makeup' | made-up described |\n|---|---|---|---|---|")
    for name, m in (("research photos", sources == "photos"), ("before/after pairs (128 px)", sources == "pairs"),
                    ("all", np.ones(len(rows), bool))):
        bare, made = m & (labels == 0), m & (labels == 1)
        print(f"| {name} | {bare.sum()} | {made.sum()} | {(predicted[bare] < 0.5).mean():.0%} | {(predicted[made] >= 0.5).mean():.0%} |")


if __name__ == "__main__":
    main()
