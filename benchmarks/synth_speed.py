"""Data synthesis throughput: pairs per second at 256 px UV (target: >= 20 on 2 cores).

    python benchmarks/synth_speed.py [--faces 96] [--per-face 5] [--workers 2] [--size 256]

Two measurements on UTKFace photos from ../shared/data (or copies of scikit-image's
astronaut when that folder is absent):

1. stage costs in one process (run it with OMP_NUM_THREADS=1, as a synthesis worker runs);
2. the real job, ``fram.data.synthesize`` with ``--workers`` processes into a temporary
   folder (no card), as wall-clock pairs/s and as CPU seconds per pair. On a shared
   machine the wall clock also counts other people's jobs; the CPU time does not, so
   ``2 / cpu_seconds_per_pair`` is what two idle cores would give.

Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _photos(count: int, folder: Path) -> list[str]:
    utk = SHARED / "faces" / "utkface"
    if utk.is_dir():
        files = sorted(utk.glob("*.jpg"))
        step = max(1, len(files) // count)
        return [str(p) for p in files[::step][:count]]
    import cv2
    from skimage import data

    image = data.astronaut()
    out = []
    for i in range(count):
        scale = 0.6 + 0.4 * (i % 5) / 4
        variant = cv2.resize(image, None, fx=scale, fy=scale)
        variant = variant[:, ::-1] if i % 2 else variant
        path = folder / f"astronaut_{i:03d}.png"
        cv2.imwrite(str(path), cv2.cvtColor(np.ascontiguousarray(variant), cv2.COLOR_RGB2BGR))
        out.append(str(path))
    return out


def _cpu() -> float:
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return self_usage.ru_utime + self_usage.ru_stime + children.ru_utime + children.ru_stime


def stage_costs(photos: list[str], size: int, per_face: int) -> dict[str, float]:
    from fram.data.pairs import QualityOptions, add_looks, analyse_photo, face_rng
    from fram.face.landmarks import default_landmarker
    from fram.parallel import keep_freed_memory

    keep_freed_memory()  # as a synthesis worker does
    landmarker = default_landmarker()
    quality = QualityOptions()
    analyse, looks, encode = [], [], []
    for i, path in enumerate(photos):
        t0 = time.process_time()
        record, _ = analyse_photo(path, f"p/{i}", f"f{i:07d}", landmarker, size, quality)
        t1 = time.process_time()
        if record is None:
            continue
        add_looks(record, per_face, face_rng(0, i))
        t2 = time.process_time()
        record.to_fields()
        t3 = time.process_time()
        analyse.append(t1 - t0)
        looks.append(t2 - t1)
        encode.append(t3 - t2)
    return {
        "analyse (read, detect, unwrap, checks) CPU ms/face": 1e3 * statistics.median(analyse),
        f"looks (sample, fit, describe, render x{per_face}) CPU ms/face": 1e3 * statistics.median(looks),
        "encode (PNG x{0}, JSON) CPU ms/face".format(per_face + 2): 1e3 * statistics.median(encode),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--faces", type=int, default=96)
    parser.add_argument("--per-face", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--stage-faces", type=int, default=12)
    args = parser.parse_args(argv)

    from fram.data.synth import SynthConfig, synthesize

    with tempfile.TemporaryDirectory() as tmp:
        photos = _photos(args.faces, Path(tmp))
        costs = stage_costs(photos[: args.stage_faces], args.size, args.per_face)
        config = SynthConfig(faces=photos, n=args.faces * args.per_face, per_face=args.per_face, uv_size=args.size, faces_per_shard=8)
        cpu0, wall0, load0 = _cpu(), time.perf_counter(), os.getloadavg()[0]
        report = synthesize(config, Path(tmp) / "out", workers=args.workers, progress=False, card=False, log=lambda m: None)
        wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
        load1 = os.getloadavg()[0]

    pairs = report.pairs
    print(f"{pairs} pairs from {report.faces} faces ({sum(report.rejected.values())} rejected), "
          f"UV {args.size} px, {args.workers} workers, {os.cpu_count()} cores, load average {load0:.1f} -> {load1:.1f}")
    print("\n| measure | value |\n|---|---|")
    for name, value in costs.items():
        print(f"| {name} | {value:.0f} |")
    print(f"| job wall clock, pairs/s (incl. worker start-up) | {pairs / wall:.1f} |")
    print(f"| job CPU seconds per pair (all processes) | {cpu / max(pairs, 1):.3f} |")
    print(f"| pairs/s on 2 idle cores, whole job (2 / CPU s per pair) | {2 * pairs / max(cpu, 1e-9):.1f} |")
    print(f"| pairs/s on 2 idle cores, steady state (shard CPU only) | {2 * pairs / max(report.shard_cpu_seconds, 1e-9):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
