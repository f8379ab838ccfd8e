"""The occluder segmenter against CelebAMask-HQ labels, in UV (IoU of what covers the face).

    python benchmarks/occluder_iou.py [--data DIR] [--start 800] [--limit N] [--out docs/occluder_iou.json]

Images are taken in name order; the segmenter is trained on the first 800
(``fram.train.occluders``), so the default ``--start 800`` reports on unseen photos.
Each photo is unwrapped as a reference is (256 px UV), and its label map's
non-surface classes (:data:`fram.face.occluders.OCCLUDER_CLASSES`: hair, glasses,
hat, mouth, background, ...) with it. Counted are the texels inside the face
template that the photo shows (visibility > 0.5), where a covered texel would
otherwise be read as paint. Per image, IoU of the network's mask (> 0.5) with the
truth, over images where either is non-empty; also precision and recall over all
texels, and the same for photos wearing a pattern look (paint must not be taken
for cover: the share of painted texels called covered).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from fram.errors import FramError
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.occluders import OCCLUDER_CLASSES, occluded
from fram.face.templates import uv_templates
from fram.face.uv import unwrap
from fram.makeup.patterns import sample_pattern, wear_pattern

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "faces" / "celebamask-hq"
SIZE = 256
PAINT_LEVELS = 24
"""A texel whose colour the pattern moved by more than this (sum over channels) is painted."""


def measure(data: Path, start: int, limit: int | None, seed: int = 0) -> dict:
    images = sorted((data / "images").glob("*.jpg"))
    images = images[start:] if limit is None else images[start : start + limit]
    face_area = uv_templates(SIZE)["face"] > 0.5
    rng = np.random.default_rng(seed)
    ious: list[float] = []
    tp = fp = fn = painted = painted_called = failed = 0
    for path in images:
        image = read_image(path)
        try:
            face = detect_face(image)
        except FramError:
            failed += 1
            continue
        labels = np.isin(np.asarray(Image.open(data / "masks" / f"{path.stem}.png")), OCCLUDER_CLASSES).astype(np.uint8) * 255
        labels = cv2.resize(labels, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_NEAREST)
        texture = unwrap(image, face, SIZE)
        truth = unwrap(np.repeat(labels[..., None], 3, axis=2), face, SIZE).texture[..., 0] > 127
        counted = face_area & (texture.visibility > 0.5)
        pred = (occluded(texture) > 0.5) & counted
        truth &= counted
        union = np.count_nonzero(pred | truth)
        if union:
            ious.append(np.count_nonzero(pred & truth) / union)
        tp += int(np.count_nonzero(pred & truth))
        fp += int(np.count_nonzero(pred & ~truth))
        fn += int(np.count_nonzero(~pred & truth))
        worn = unwrap(wear_pattern(image, face, sample_pattern(rng).layer), face, SIZE)
        paint = (np.abs(worn.texture.astype(np.int16) - texture.texture).sum(axis=-1) > PAINT_LEVELS) & counted & ~truth
        painted += int(np.count_nonzero(paint))
        painted_called += int(np.count_nonzero(paint & (occluded(worn) > 0.5)))
    return {
        "split": {"start": start, "images": len(images), "failed_detections": failed},
        "mean_iou": round(statistics.fmean(ious), 4) if ious else None,
        "precision": round(tp / max(tp + fp, 1), 4),
        "recall": round(tp / max(tp + fn, 1), 4),
        "paint_called_cover": round(painted_called / max(painted, 1), 4),
        "painted_texels": int(painted),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--start", type=int, default=800, help="first image in name order (0-799: training split)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    if not (args.data / "images").is_dir():
        print(f"error: {args.data} has no images/ folder", file=sys.stderr)
        return 2
    results = measure(args.data, args.start, args.limit)
    print(json.dumps(results, indent=1))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
