"""Suite ``robustness``: real-world photos (issue 16), measured on real faces from
``../shared/data/faces/celebamask-hq/images``.

- **rotation**: the photo turned 90/180/270° and 30°, made up (goth), turned back: IoU of
  the changed pixels with the upright result's;
- **exposure**: darkening to 35 % and 10 % light then making up vs making up then
  darkening: mean ΔE00 over the changed pixels (target 3), for ``apply`` and for each
  engine given, which transfers the first photo of ``makeup-photos/makeup``;
- **small faces**: detection rate for the face scaled to 64–160 px wide in a 2000 px canvas;
- **big photos**: ``fram apply --style goth`` wall time and peak RSS at 1 and 12 MP, each
  in its own process (targets: 12 MP ≤ 1.2 GB and ≤ 3× the 1 MP time).

Rotation, small faces and big photos measure ``apply``; exposure also the engines.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from fram.eval.metrics import delta_e00, to_lab
from fram.eval.report import SuiteResult, Table
from fram.eval.suites.common import SHARED_DATA, SuiteOptions, list_images

PHOTOS = 5
BIG_SIZES = {"1MP": (1155, 866), "12MP": (4000, 3000)}
SMALL_WIDTHS = (64, 96, 128, 160)
ANGLES = (90, 180, 270, 30)
CHANGED_LEVELS = 8
LIGHTS = (0.35, 0.10)
STYLE = "goth"


def portrait_canvas(photo: Path, size: tuple[int, int], out: Path) -> Path:
    """``photo`` enlarged to fill ``size``'s height, centred on a plain backdrop, as JPEG."""
    from fram.face.image_io import read_image, write_image

    rgb = read_image(photo)
    side = size[1]
    canvas = np.full((size[1], size[0], 3), (90, 110, 130), np.uint8)
    left = (size[0] - side) // 2
    canvas[:, left : left + side] = cv2.resize(rgb, (side, side), interpolation=cv2.INTER_LANCZOS4)
    write_image(out, canvas, quality=92)
    return out


def measure_apply(path: Path, out: Path) -> tuple[float, float]:
    """(seconds, peak MB) of ``fram apply`` in a fresh process (its own peak RSS)."""
    code = ("import resource, sys; from fram.cli import main; rc = main(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "apply", str(path), "--style", STYLE, "-o", str(out)],
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - start, int(done.stdout.split()[-1]) / 1024


def _apply(image: np.ndarray) -> np.ndarray | None:
    from fram.errors import FramError
    from fram.pipelines import apply_makeup

    try:
        return apply_makeup(image, STYLE).image
    except FramError:
        return None


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def _changed(made: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Pixels the makeup visibly changed (more than 8 levels in a channel): the same
    test on the upright and the turned result, so soft edges count alike in both."""
    return np.abs(made.astype(int) - before).max(axis=2) > CHANGED_LEVELS


def _rotation(rgb: np.ndarray, upright: np.ndarray) -> dict[str, float]:
    h, w = rgb.shape[:2]
    ref = _changed(upright, rgb)
    out = {}
    for angle in ANGLES:
        if angle % 90 == 0:
            k = angle // 90
            made = _apply(np.ascontiguousarray(np.rot90(rgb, k)))
            back = None if made is None else np.rot90(made, -k)
            base = rgb
        else:
            m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            turned = cv2.warpAffine(rgb, m, (w, h), borderMode=cv2.BORDER_REFLECT)
            made = _apply(turned)
            inv = cv2.invertAffineTransform(m)
            back = None if made is None else cv2.warpAffine(made, inv, (w, h), borderMode=cv2.BORDER_REFLECT)
            base = cv2.warpAffine(turned, inv, (w, h), borderMode=cv2.BORDER_REFLECT)
        out[f"rot{angle}_iou"] = 0.0 if back is None else _iou(ref, _changed(back, base))
    return out


def darken(rgb: np.ndarray, light: float) -> np.ndarray:
    from fram.face.colour import SRGB_TO_LINEAR_8BIT, linear_to_srgb

    return (linear_to_srgb(SRGB_TO_LINEAR_8BIT[rgb] * np.float32(light)) * 255 + 0.5).astype(np.uint8)


def _exposure(rgb: np.ndarray, upright: np.ndarray, make) -> dict[str, float]:
    """``make`` (photo → made-up photo or None) on darkened copies against ``upright``
    (its bright result) darkened: equal if makeup follows the photo's light."""
    changed = (upright != rgb).any(axis=2)
    out = {}
    for light in LIGHTS:
        first = make(darken(rgb, light))
        if first is None:
            out[f"exposure{round(light * 100)}_de"] = float("nan")
            continue
        then = darken(upright, light)
        out[f"exposure{round(light * 100)}_de"] = float(delta_e00(to_lab(first), to_lab(then))[changed].mean())
    return out


def _small(rgb: np.ndarray) -> dict[str, float]:
    from fram.face.landmarks import locate_faces

    out = {}
    for width in SMALL_WIDTHS:
        scale = width / (0.5 * rgb.shape[1])  # the crops' faces are about half the photo wide
        small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        canvas = np.full((2000, 2000, 3), 90, np.uint8)
        canvas[1200 : 1200 + small.shape[0], 700 : 700 + small.shape[1]] = small
        out[f"small{width}_found"] = float(len(locate_faces(canvas)) > 0)
    return out


def _transfer(engine, reference: np.ndarray):
    from fram.errors import FramError
    from fram.makeup.render import GROUPS

    def make(image: np.ndarray) -> np.ndarray | None:
        try:
            return engine(image, {g: reference for g in GROUPS}, GROUPS)
        except FramError:
            return None

    return make


def run(engines: list, options: SuiteOptions) -> SuiteResult:
    from fram.face.image_io import read_image

    folder = Path(options.data) if options.data else SHARED_DATA / "faces" / "celebamask-hq" / "images"
    photos = list_images(folder)[: options.limit or PHOTOS]
    reference_path = list_images(SHARED_DATA / "makeup-photos" / "makeup")[0]
    reference = read_image(reference_path)
    makers = {e.name: _transfer(e, reference) for e in engines}
    records = []
    for path in photos:
        rgb = read_image(path)
        upright = _apply(rgb)
        if upright is None:
            continue
        record = {"photo": path.name, **_rotation(rgb, upright), **_exposure(rgb, upright, _apply), **_small(rgb)}
        for name, make in makers.items():
            made = make(rgb)
            if made is not None:
                record.update({f"{name}:{k}": v for k, v in _exposure(rgb, made, make).items()})
        records.append(record)
    import tempfile

    big = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, size in BIG_SIZES.items():
            seconds, peak = measure_apply(portrait_canvas(photos[0], size, Path(tmp) / f"{label}.jpg"), Path(tmp) / f"{label}.png")
            big[f"{label}_s"], big[f"{label}_MB"] = seconds, peak

    def means(prefix: str) -> dict[str, float]:
        keys = [k for k in dict.fromkeys(k for r in records for k in r) if k != "photo" and k.startswith(prefix) and ":" not in k[len(prefix):]]
        return {k[len(prefix):]: float(np.nanmean([r.get(k, np.nan) for r in records])) for k in keys}

    summary = {"apply": {**means(""), **big}}
    summary.update({name: means(f"{name}:") for name in makers})
    tables = [Table("robustness (mean over photos)", ["engine", "metric", "value"],
                    [[name, k, round(v, 3)] for name, values in summary.items() for k, v in values.items()])]
    params = {"photos": len(photos), "style": STYLE, "reference": reference_path.name, "angles": ANGLES, "lights": LIGHTS,
              "small_widths": SMALL_WIDTHS, "big": BIG_SIZES}
    infos = {"apply": f"fram.apply_makeup ({STYLE})", **{e.name: e.description for e in engines}}
    return SuiteResult("robustness", infos, params, summary, list(summary["apply"]), tables, records)
