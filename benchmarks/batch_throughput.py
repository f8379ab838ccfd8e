"""``fram batch`` throughput: photos per second at 512 px, a preset and a transfer from
one reference photo, on 1 and 2 local processes, plus where one photo's time goes.

    python benchmarks/batch_throughput.py [--data ../shared/data] [-n 24] [--workers 1 2]

Targets (issue 17): >= 4 photos/s for a preset and >= 2 photos/s for a transfer, on two
cores. The timed runs exclude model loading (a warm-up photo runs first, as in a long
batch, where the load is paid once); the profile runs the per-photo steps in this
process. Prints a markdown section for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")


def timed_run(photos: Path, look, workers: int) -> float:
    from fram.pipelines.batch import BatchOptions, run_batch
    from fram.pipelines.batch_inputs import list_inputs

    jobs, _ = list_inputs(str(photos))
    with tempfile.TemporaryDirectory() as out:
        run_batch(jobs[:1], out, BatchOptions(look), workers=1, progress=False)  # warm-up: models load here
        report = run_batch(jobs, out, BatchOptions(look), workers=workers, progress=False)
    assert not report.failures, report.failures
    return report.made / report.seconds


def profile(photo: Path, reference: Path) -> list[tuple[str, float]]:
    """Seconds per step of one photo (the median of 5), the steps a batch photo goes through."""
    import numpy as np

    from fram.face.image_io import encode_image, read_image
    from fram.face.landmarks import detect_face
    from fram.makeup.compose import analyse, apply_style
    from fram.makeup.decompose import estimate_bare, layer_size_for
    from fram.makeup.presets import get_preset
    from fram.makeup.wear import wear_layer
    from fram.makeup.compose import apply_layers
    from fram.pipelines.batch import BatchLook, prepare_look

    ref = prepare_look(BatchLook(reference=str(reference)), "layer").reference
    style = get_preset("goth")
    steps: dict[str, list[float]] = {}

    def clock(name, fn, *args, **kw):
        start = time.perf_counter()
        value = fn(*args, **kw)
        steps.setdefault(name, []).append(time.perf_counter() - start)
        return value

    for _ in range(5):
        rgb = clock("read", read_image, photo)
        face = clock("detect face", detect_face, rgb)
        coarse = clock("analyse 256 (apply)", analyse, rgb, face, 256)
        clock("composite preset", apply_style, rgb, coarse, style, ("skin", "eyes", "brows", "lips"))
        fine = clock(f"analyse {layer_size_for(face)} (transfer)", analyse, rgb, face, layer_size_for(face))
        bare = clock("estimate bare (transfer)", estimate_bare, fine.texture.texture, fine.texture.visibility)
        layers = clock("wear layer (transfer)", wear_layer, ref.layer(), fine.texture, ("skin", "eyes", "lips"),
                       dict.fromkeys(("skin", "eyes", "brows", "lips"), 1.0), bare)
        made = clock("composite layers (transfer)", apply_layers, rgb, fine, layers)
        clock("encode png", encode_image, made, "png")
    return [(name, float(np.median(times))) for name, times in steps.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("-n", type=int, default=24, help="photos per run")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    from fram.pipelines.batch import BatchLook

    data = Path(args.data)
    faces = sorted((data / "faces" / "celebamask-hq" / "images").glob("*.jpg"))[: args.n]
    reference = sorted((data / "makeup-photos" / "makeup").glob("*.png"))[0]
    with tempfile.TemporaryDirectory() as folder:
        photos = Path(folder)
        for path in faces:
            (photos / path.name).write_bytes(path.read_bytes())  # CelebAMask-HQ photos are 512 x 512
        rows = []
        for label, look in (("preset (goth)", BatchLook(style="goth")), ("transfer (one reference photo, layer)", BatchLook(reference=str(reference)))):
            rows.append((label, [timed_run(photos, look, w) for w in args.workers]))
        steps = profile(faces[0], reference)
    print(f"## Batch throughput (`fram batch`, 512 px photos, {len(faces)} per run)\n")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, OMP_NUM_THREADS=1; "
          "models loaded before timing in this process (paid once per process in a batch); with 2 processes the "
          "time includes spawning both workers and their model loads, so it favours long batches.\n")
    print("| look | " + " | ".join(f"{w} process{'es' if w > 1 else ''}" for w in args.workers) + " | target |")
    print("|---|" + "---:|" * (len(args.workers) + 1))
    for (label, rates), target in zip(rows, (4, 2)):
        print(f"| {label} | " + " | ".join(f"{r:.2f} photos/s" for r in rates) + f" | >= {target} photos/s on 2 cores |")
    print("\nWhere one photo's time goes (one process, median of 5):\n")
    print("| step | ms |")
    print("|---|---:|")
    for name, seconds in steps:
        print(f"| {name} | {seconds * 1000:.0f} |")


if __name__ == "__main__":
    main()
