"""Median wall time of one in-process transfer (default engine) and one removal, per photo
size, one thread, after a warm-up call: what a service or batch pays per photo once models
are loaded. The issue-15 targets are 0.5 s at 512 px and 1.5 s at 2048 px.

    OMP_NUM_THREADS=1 python benchmarks/transfer_latency.py   # needs ../shared/data

The reference is analysed afresh on every call (as a one-off ``fram transfer`` does), and
each photo is the same portrait resized, so the face fills the same share of it.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import cv2
import numpy as np

from fram.face.image_io import read_image
from fram.pipelines import remove_makeup, transfer

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
SOURCE = "makeup-photos-extra/bare/makeup_transfer__Code_Final_Images_target_04.jpg"
REFERENCE = "makeup-photos-extra/made-up/gorgeous__makeup_assets_purple_0000.png"


def _median_seconds(call, repeat: int) -> float:
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--sizes", default="512,2048", help="longest side of the photo, px")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if os.environ.get("OMP_NUM_THREADS") != "1":
        print("note: set OMP_NUM_THREADS=1 for one-thread numbers")
    cv2.setNumThreads(1)
    portrait = read_image(args.data / SOURCE)
    reference = read_image(args.data / REFERENCE)
    print("| photo | transfer (s) | removal (s) |\n|---|---|---|")
    for side in (int(s) for s in args.sizes.split(",")):
        scale = side / max(portrait.shape[:2])
        photo = cv2.resize(portrait, (round(portrait.shape[1] * scale), round(portrait.shape[0] * scale)),
                           interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
        made = _median_seconds(lambda: transfer(photo, reference), args.repeat)
        removed = _median_seconds(lambda: remove_makeup(photo), args.repeat)
        print(f"| {photo.shape[1]}×{photo.shape[0]} | {made:.3f} | {removed:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
