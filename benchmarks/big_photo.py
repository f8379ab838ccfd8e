"""Time and peak memory of ``fram apply --style goth`` on one portrait at 1 MP and 12 MP.

Targets (issue 16): 12 MP at most 1.2 GB peak RSS and 3x the 1 MP time. Each size
runs in its own process (peak RSS is per process). Run on a quiet machine:

    python benchmarks/big_photo.py [PHOTO]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from fram.eval.suites.robustness import BIG_SIZES, measure_apply, portrait_canvas

DEFAULT_PHOTO = Path(__file__).resolve().parents[1] / "../shared/data/faces/celebamask-hq/images/00129b5490b5459d813a2f031033635e.jpg"


def main() -> None:
    photo = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PHOTO
    with tempfile.TemporaryDirectory() as folder:
        for label, size in BIG_SIZES.items():
            path = portrait_canvas(photo, size, Path(folder) / f"{label}.jpg")
            seconds, peak_mb = measure_apply(path, Path(folder) / f"{label}_out.png")
            print(f"{label:>5} {size[0]}x{size[1]}  {seconds:6.2f} s  {peak_mb:6.0f} MB peak")


if __name__ == "__main__":
    main()
