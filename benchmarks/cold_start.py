"""Cold start of real ``fram`` commands: wall time of a fresh process, from launch to the
written result, on a 512 px photo; the median of several runs, as a markdown section for
docs/benchmarks.md. Also times Python's own start, importing torch (which the core
commands no longer do; shown for scale when it is installed) and a refused input,
which must fail before any model loads.

    python benchmarks/cold_start.py [--repeat 7] [--photo FACE.png]

Needs no shared data (the astronaut from scikit-image is the default photo). Run it on a
quiet machine: other processes on the cores inflate every number.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def _photo(path: str | None, folder: Path) -> Path:
    if path:
        rgb = np.asarray(Image.open(path).convert("RGB"))
    else:
        from skimage import data

        rgb = data.astronaut()
    side = 512
    out = folder / "photo.png"
    Image.fromarray(cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA)).save(out)
    return out


def _wall(argv: list[str], env: dict[str, str], expect: int = 0) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != expect:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs per command (the median is reported)")
    ap.add_argument("--photo", help="a face photo (default: scikit-image's astronaut), resized to 512 px")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    fram = [sys.executable, "-m", "fram.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photo = _photo(args.photo, folder)
        subprocess.run([*fram, "apply", str(photo), "--style", "goth", "-o", str(folder / "reference.png")],
                       env=env, check=True, capture_output=True)  # also warms the OS file cache
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], 0),
            "fram --help": ([*fram, "--help"], 0),
            "fram apply missing.png (refused)": ([*fram, "apply", str(folder / "missing.png"), "--style", "goth",
                                                  "-o", str(folder / "x.png")], 2),
            "fram apply PHOTO --style goth": ([*fram, "apply", str(photo), "--style", "goth", "-o", str(folder / "a.png")], 0),
            "fram transfer PHOTO REFERENCE": ([*fram, "transfer", str(photo), str(folder / "reference.png"),
                                              "-o", str(folder / "t.png")], 0),
            "fram remove PHOTO": ([*fram, "remove", str(folder / "reference.png"), "-o", str(folder / "r.png")], 0),
            "fram landmarks PHOTO": ([*fram, "landmarks", str(photo)], 0),
        }
        if importlib.util.find_spec("torch") is not None:
            cases["python -c 'import torch'"] = ([sys.executable, "-c", "import torch"], 0)
        rows = []
        for name, (argv, expect) in cases.items():
            times = [_wall(argv, env, expect) for _ in range(args.repeat)]
            rows.append((name, statistics.median(times), min(times), max(times)))
            print(f"{name}: median {rows[-1][1]:.2f} s", file=sys.stderr)
    print(f"## Cold start (`python benchmarks/cold_start.py --repeat {args.repeat}`)\n")
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, one thread; "
          f"a fresh process per run, 512 px photo, wall time from launch to the written result.\n")
    print("| command | median (s) | min (s) | max (s) |")
    print("| --- | ---: | ---: | ---: |")
    for name, median, low, high in rows:
        print(f"| `{name}` | {median:.2f} | {low:.2f} | {high:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
