"""Median wall time of one in-process transfer per engine at 512 px (one torch thread),
after a warm-up call: what a service or batch pays per photo once models are loaded.

    python benchmarks/transfer_latency.py   # needs ../shared/data
"""

from __future__ import annotations

import argparse
import glob
import time

import cv2
import numpy as np
import torch

from fram.face.image_io import read_image
from fram.pipelines import transfer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    side = (args.size, args.size)
    source = cv2.resize(read_image(sorted(glob.glob(f"{args.data}/makeup-photos/non-makeup/*.png"))[0]), side)
    reference = cv2.resize(read_image(sorted(glob.glob(f"{args.data}/makeup-photos/makeup/*.png"))[0]), side)
    for engine in ("fram", "classic"):
        transfer(source, reference, engine=engine)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            transfer(source, reference, engine=engine)
            times.append(time.perf_counter() - start)
        print(f"{engine}: median {np.median(times) * 1000:.0f} ms over {args.repeat} calls at {args.size} px")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
