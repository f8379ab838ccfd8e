"""Photo-space region masks against CelebAMask-HQ labels (mean IoU per region).

    python benchmarks/region_iou.py [--data DIR] [--start 500] [--limit N] [--out docs/region_iou.json]

Images are taken in name order. 0–499 are the development split: the constants in
``fram/face/edges.py``, ``feature_outlines.py``, ``brow_profile.py`` and
``skin_model.py`` were tuned on 0–199, the brow segmenter trained on 0–169
(``fram.train.brows``) and the eye and lip segmenters on 0–469, checked on 470–499
(``fram.train.features --images 500``). The default ``--start 500`` reports on the
held-out rest. For every image with a detected face, ``region_masks(...) > 0.5`` is
compared with the label map (a palette PNG whose pixel value is the class). An image
where both the mask and the label of a region are empty has no IoU for that region
(closed eyes, brows under a fringe); an image without a detected face counts as a
failed detection and is left out of the means. Reads the dataset where it lies;
copies nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from fram.errors import FramError
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.regions import region_masks

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "faces" / "celebamask-hq"
# CelebAMask-HQ label ids making up each fram region (left and right halves together).
CLASSES = {"lips": (11, 12), "brows": (6, 7), "eyes": (4, 5), "skin": (1, 2)}
HELD_OUT = 500
"""First held-out image (name order)."""
# fram's targets for the held-out mean IoU.
TARGETS = {"lips": 0.82, "brows": 0.65, "eyes": 0.78, "skin": 0.85}


def _iou(pred: np.ndarray, truth: np.ndarray) -> float | None:
    union = np.count_nonzero(pred | truth)
    return None if union == 0 else np.count_nonzero(pred & truth) / union


def _at_size(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The soft mask resampled to the label map's size (the original release pairs
    1024-px photos with 512-px labels)."""
    if mask.shape == shape[:2]:
        return mask
    return cv2.resize(mask, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


def _pairs(data: Path, start: int, limit: int | None) -> list[tuple[Path, Path]]:
    images = sorted((data / "images").glob("*.jpg"))
    images = images[start:] if limit is None else images[start : start + limit]
    return [(path, data / "masks" / f"{path.stem}.png") for path in images]


def evaluate(data: Path, start: int = HELD_OUT, limit: int | None = None) -> dict:
    """Mean and median IoU per region over the images ``start`` … ``start + limit``."""
    pairs = _pairs(data, start, limit)
    scores: dict[str, list[float]] = {name: [] for name in CLASSES}
    both_empty = dict.fromkeys(CLASSES, 0)
    failed: list[str] = []
    mask_ms: list[float] = []
    for i, (image_path, label_path) in enumerate(pairs, 1):
        image = read_image(image_path)
        try:
            face = detect_face(image)
        except FramError as error:
            failed.append(f"{image_path.name}: {error}")
            continue
        began = time.perf_counter()
        masks = region_masks(image, face)
        mask_ms.append((time.perf_counter() - began) * 1e3)
        labels = np.asarray(Image.open(label_path))
        for name, ids in CLASSES.items():
            score = _iou(_at_size(masks.full(name), labels.shape) > 0.5, np.isin(labels, ids))
            if score is None:
                both_empty[name] += 1
            else:
                scores[name].append(score)
        if i % 100 == 0:
            print(f"  {i}/{len(pairs)} images", file=sys.stderr)
    regions = {
        name: {
            "classes": list(CLASSES[name]),
            "mean_iou": round(float(np.mean(values)), 4) if values else None,
            "median_iou": round(float(np.median(values)), 4) if values else None,
            "images": len(values),
            "both_empty": both_empty[name],
            "target": TARGETS[name],
        }
        for name, values in scores.items()
    }
    return {
        "dataset": "CelebAMask-HQ",
        "data": str(data),
        "split": {"start": start, "images": len(pairs)},
        "failed_detections": len(failed),
        "failures": failed,
        "regions": regions,
        "region_masks_median_ms": round(statistics.median(mask_ms), 1) if mask_ms else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with images/ and masks/")
    parser.add_argument("--start", type=int, default=HELD_OUT, help=f"first image in name order (0-{HELD_OUT - 1}: development split)")
    parser.add_argument("--limit", type=int, default=None, help="number of images (default: all from --start)")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    if not (args.data / "images").is_dir() or not (args.data / "masks").is_dir():
        print(f"CelebAMask-HQ not found: {args.data} needs images/*.jpg and masks/*.png (--data DIR)", file=sys.stderr)
        return 2
    if args.start < HELD_OUT:
        print(f"note: images 0-{HELD_OUT - 1} are the development split the masks were tuned and trained on", file=sys.stderr)
    results = evaluate(args.data, args.start, args.limit)
    split = results["split"]
    print(f"CelebAMask-HQ images {split['start']}–{split['start'] + split['images'] - 1}: "
          f"{split['images']} images, {results['failed_detections']} failed detections, "
          f"region_masks median {results['region_masks_median_ms']} ms")
    print("| region | mean IoU | median IoU | images | both empty | target |\n|---|---|---|---|---|---|")
    for name, row in results["regions"].items():
        mean, median = (f"{v:.3f}" if v is not None else "–" for v in (row["mean_iou"], row["median_iou"]))
        print(f"| {name} | {mean} | {median} | {row['images']} | {row['both_empty']} | ≥ {row['target']:.2f} |")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
