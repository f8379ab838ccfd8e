"""Stage timings on a 1024×1024 photo, 2 CPU cores (targets: landmarks ≤ 30 ms,
unwrap + masks ≤ 20 ms, render + composite ≤ 50 ms), and a whole layer-engine
transfer from a made-up photo (``--reference``, default the astronaut herself).

    python benchmarks/speed.py [--size 1024] [--repeat 10] [--reference PHOTO]

Prints a markdown table row per stage (median of the repeats, after one warm-up).
Runs with or without torch installed (torch's threads are set when it is).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

import cv2
import numpy as np
from skimage import data

from fram.face.landmarks import default_landmarker, select_face
from fram.face.regions import region_masks
from fram.face.uv import face_projection, unwrap
from fram.makeup.compose import analyse, apply_style
from fram.makeup.presets import get_preset
from fram.parallel import keep_freed_memory


def _median_ms(fn, repeat: int) -> tuple[float, object]:
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1, help="OpenCV (and torch) threads (one photo: 1 is fastest)")
    parser.add_argument("--reference", help="a made-up photo to transfer from (default: the test photo itself)")
    args = parser.parse_args(argv)
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        pass
    cv2.setNumThreads(args.threads)
    keep_freed_memory()  # as the CLI does
    image = cv2.resize(data.astronaut(), (args.size, args.size), interpolation=cv2.INTER_CUBIC)
    landmarker = default_landmarker()
    t_lm, result = _median_ms(lambda: landmarker.detect(image), args.repeat)
    face = select_face(result)

    def geometry():
        projection = face_projection(face)
        return projection, unwrap(image, face, 256, projection), region_masks(image, face, projection)

    t_geo, (projection, texture, masks) = _median_ms(geometry, args.repeat)
    analysis = analyse(image, face)
    style = get_preset("red-carpet")
    t_render, _ = _median_ms(lambda: apply_style(image, analysis, style), args.repeat)
    import fram

    reference = args.reference or image
    t_transfer, _ = _median_ms(lambda: fram.transfer(image, reference, engine="layer"), max(1, args.repeat // 2))
    print(f"photo {args.size}x{args.size}, face {face.width:.0f} px wide; {args.threads} thread(s); {platform.processor() or platform.machine()}")
    print("| stage | median ms |\n|---|---|")
    print(f"| landmarks (MediaPipe) | {t_lm:.1f} |")
    print(f"| projection + unwrap + region masks | {t_geo:.1f} |")
    print(f"| render (UV) + composite (native) | {t_render:.1f} |")
    print(f"| transfer, layer engine (landmarks, analysis, reference, composite) | {t_transfer:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
