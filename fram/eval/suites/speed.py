"""Suite ``speed``: wall time per stage and peak memory at several photo sizes.

The photo is a portrait cropped from scikit-image's astronaut (face about 36% of the
width) resized to S×S, so the face scales with the photo; the
reference is the first photo of ``--data``/``makeup`` when given (else of
``../shared/data/makeup-photos/makeup``, else the astronaut). Each size runs in a
fresh Python process (``isolate``) so its peak RSS is its own; after two untimed
rounds every stage is timed once per round for ``repeat`` interleaved rounds; the
median and best wall times and the median CPU time are reported:

- ``landmarks``: MediaPipe face landmarker on the photo;
- ``analysis``: projection, UV unwrap and region masks (:func:`fram.makeup.compose.analyse`);
- ``render``: recipe engines only, rendering and compositing the preset;
- ``engine``: one whole engine call (reads nothing from disk; includes its own
  landmarks and analysis of source and reference).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from fram.eval.engines import Engine
from fram.eval.report import Figure, SuiteResult, Table
from fram.eval.suites.common import SHARED_DATA, SuiteDataError, SuiteOptions, engine_infos, list_images

STAGES = ("landmarks", "analysis", "render", "engine")


WARMUP_ROUNDS = 2


def _timed_rounds(stages: dict, repeat: int) -> dict[str, dict[str, float]]:
    """Median and best wall time and median CPU time (all threads) of each stage, ms.

    Stages are timed in interleaved rounds (every stage once per round), after
    :data:`WARMUP_ROUNDS` untimed rounds, so that a burst of load from other jobs or
    a slow first few calls hits every stage alike instead of one.
    """
    wall: dict[str, list[float]] = {name: [] for name in stages}
    cpu: dict[str, list[float]] = {name: [] for name in stages}
    for round_index in range(WARMUP_ROUNDS + max(1, repeat)):
        for name, fn in stages.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            if round_index >= WARMUP_ROUNDS:
                wall[name].append((time.perf_counter() - start) * 1e3)
                cpu[name].append((time.process_time() - start_cpu) * 1e3)
    return {name: {"median": statistics.median(wall[name]), "best": min(wall[name]), "cpu": statistics.median(cpu[name])} for name in stages}


def _rss_mib() -> float:
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):  # pragma: no cover - not Linux
        return float("nan")


def measure_size(engine_name: str, size: int, repeat: int, reference: str | None, threads: int | None = None) -> dict:
    """Stage timings (ms) and memory (MiB) of one engine at one photo size, with
    ``threads`` torch threads (restored afterwards)."""
    from fram.errors import require_extra

    torch = require_extra("torch", "eval", "fram eval")

    previous = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        return _measure_size(engine_name, size, repeat, reference, torch.get_num_threads())
    finally:
        torch.set_num_threads(previous)


def _measure_size(engine_name: str, size: int, repeat: int, reference: str | None, threads: int) -> dict:
    import cv2
    import numpy as np

    from fram.eval.engines import get_engine
    from fram.eval.measure import GROUPS
    from fram.eval.report import peak_rss_mib
    from fram.face.image_io import read_image
    from fram.face.landmarks import default_landmarker, select_face
    from fram.makeup.compose import analyse, apply_style

    engine = get_engine(engine_name)
    image = np.ascontiguousarray(cv2.resize(portrait(), (size, size), interpolation=cv2.INTER_AREA if size < 512 else cv2.INTER_CUBIC))
    ref = read_image(reference) if reference else portrait()
    refs = {g: ref for g in GROUPS}
    landmarker = default_landmarker()
    face = select_face(landmarker.detect(image))
    analysis = analyse(image, face)
    stages = {"landmarks": lambda: landmarker.detect(image), "analysis": lambda: analyse(image, face)}
    if engine_name.startswith("recipe:"):
        from fram.makeup.presets import get_preset

        style = get_preset(engine_name.split(":", 1)[1])
        stages["render"] = lambda: apply_style(image, analysis, style)
    stages["engine"] = lambda: engine(image, refs, GROUPS)
    engine(image, refs, GROUPS)  # loads models, fills caches
    rss_warm = _rss_mib()
    ms = _timed_rounds(stages, repeat)
    out = {"size": size, "threads": threads, "face_px": round(face.width, 1), "rss_after_warmup_mib": round(rss_warm, 1), "peak_rss_mib": round(peak_rss_mib(), 1)}
    for stage, times in ms.items():
        out[f"ms/{stage}"] = times["median"]
        out[f"best_ms/{stage}"] = times["best"]
        out[f"cpu_ms/{stage}"] = times["cpu"]
    return out


def portrait():
    """A 512×512 portrait: the astronaut photo cropped square around her face
    (the face is about 36% of the width, as in a typical portrait)."""
    import cv2
    import numpy as np
    from skimage import data

    astronaut = np.ascontiguousarray(data.astronaut())
    # Face box of the astronaut (MediaPipe landmarks): x 181–270, y 72–177.
    cx, cy, side = 225, 130, 250
    crop = astronaut[max(0, cy - side // 2) : cy + side // 2, max(0, cx - side // 2) : cx + side // 2]
    return np.ascontiguousarray(cv2.resize(crop, (512, 512), interpolation=cv2.INTER_CUBIC))


def _worker_main() -> None:  # pragma: no cover - runs in a child process
    args = json.loads(sys.argv[1])
    print("FRAM-SPEED " + json.dumps(measure_size(**args)), flush=True)


def _isolated(args: dict) -> dict:
    command = [sys.executable, "-c", "from fram.eval.suites.speed import _worker_main; _worker_main()", json.dumps(args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    for line in done.stdout.splitlines():
        if line.startswith("FRAM-SPEED "):
            return json.loads(line[len("FRAM-SPEED ") :])
    tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
    return {"size": args["size"], "error": tail[0]}


def _reference(options: SuiteOptions) -> str | None:
    folder = (Path(options.data) if options.data is not None else SHARED_DATA / "makeup-photos") / "makeup"
    if folder.is_dir():
        photos = list_images(folder)
        if photos:
            return str(photos[0])
    if options.data is not None:
        raise SuiteDataError(f"no reference photo in {folder}")
    return None


def run(engines: list[Engine], options: SuiteOptions) -> SuiteResult:
    reference = _reference(options)
    records = []
    for engine in engines:
        for size in options.sizes:
            args = {"engine_name": engine.name, "size": int(size), "repeat": options.repeat, "reference": reference, "threads": options.threads}
            if options.progress:
                print(f"[speed] {engine.name} {size} px", file=sys.stderr, flush=True)
            try:
                row = _isolated(args) if options.isolate else measure_size(**args)
            except Exception as exc:  # noqa: BLE001 - a failed size is reported, not fatal
                row = {"size": size, "error": f"{type(exc).__name__}: {exc}"}
            records.append({"engine": engine.name, **row})

    sizes = [int(s) for s in options.sizes]
    summary = {}
    for engine in engines:
        s: dict[str, float] = {}
        for r in records:
            if r["engine"] == engine.name and "error" not in r:
                s[f"time_s/{r['size']} px"] = r["ms/engine"] / 1e3
        summary[engine.name] = s
    tables = []
    for engine in engines:
        mine = {r["size"]: r for r in records if r["engine"] == engine.name}
        rows = []
        for stage in STAGES:
            for prefix, what in (("ms", "median"), ("best_ms", "best"), ("cpu_ms", "CPU")):
                rows.append([f"{stage}: {what} ms"] + [mine.get(s, {}).get(f"{prefix}/{stage}") for s in sizes])
        rows.append(["face width (px)"] + [mine.get(s, {}).get("face_px") for s in sizes])
        rows.append(["RSS after warm-up (MiB)"] + [mine.get(s, {}).get("rss_after_warmup_mib") for s in sizes])
        rows.append(["peak RSS (MiB)"] + [mine.get(s, {}).get("peak_rss_mib") for s in sizes])
        errors = [f"{s}: {mine[s]['error']}" for s in sizes if "error" in mine.get(s, {})]
        note = ("median and best wall time of the repeats, and median CPU time summed over threads (less sensitive "
                "to other jobs on the machine; above the wall time when torch uses both cores).")
        tables.append(Table(f"`{engine.name}`: ms per stage", ["stage"] + [f"{s} px" for s in sizes], rows,
                            note=note + ((" Errors: " + "; ".join(errors)) if errors else "")))
    series = {}
    for engine in engines:
        mine = {r["size"]: r for r in records if r["engine"] == engine.name}
        series[f"{engine.name} engine"] = [mine.get(s, {}).get("ms/engine", float("nan")) for s in sizes]
    first = {r["size"]: r for r in records if r["engine"] == engines[0].name} if engines else {}
    for stage in ("landmarks", "analysis", "render"):
        values = [first.get(s, {}).get(f"ms/{stage}", float("nan")) for s in sizes]
        if any(v == v for v in values):
            series[stage] = values
    figures = [Figure("speed.png", "line", "median wall time per call vs photo size", {"x": sizes, "series": series, "logy": True, "logx": True}, ylabel="ms", xlabel="photo side (px)")]
    return SuiteResult(
        suite="speed",
        engines=engine_infos(engines),
        params={"sizes": ", ".join(map(str, sizes)), "repeat": options.repeat, "torch threads": options.threads or "default", "isolated processes": options.isolate, "reference": reference or "astronaut"},
        summary=summary,
        summary_keys=[f"time_s/{s} px" for s in sizes],
        tables=tables,
        records=records,
        figures=figures,
        notes=["Stages are timed in interleaved rounds after two untimed rounds, on a machine whose 2 cores may be shared "
               "with other jobs (see the load average above): the best time is the closest to an idle machine."],
    )
