"""Does makeup follow the photo's light? Darken-then-make-up vs make-up-then-darken.

For a few real photos (a bare face, deep skin, men), apply looks (foundation, a bold
lip, smoky eyes) and the layer transfer engine (a made-up reference photo) on the
photo and on copies darkened to 35 % and 10 % of its light (in linear light), and
report the mean ΔE00 over the pixels the makeup changes, per region (skin, eyes,
lips) and per engine. Stages are isolated by handing the dark photo parts of the
bright photo's analysis (landmarks, masks, white point, skin tone):

- ``full``: the public API on the dark photo;
- ``face``: the bright photo's landmarks (so mesh placement drops out);
- ``masks``: + its photo-space region masks;
- ``light``: + its white point times the light;
- ``floor``: the bright result's per-pixel change (linear ratio) put on the 8-bit
  dark photo: what a perfectly equivariant engine still shows, from quantisation.

Usage: ``python benchmarks/exposure_equivariance.py [--quick]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

from fram.eval.metrics import delta_e00, to_lab
from fram.eval.suites.common import SHARED_DATA
from fram.eval.suites.robustness import darken
from fram.face.colour import SRGB_TO_LINEAR_8BIT, linear_to_srgb
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.makeup.compose import analyse, apply_layers, apply_style
from fram.makeup.decompose import layer_size_for
from fram.makeup.presets import get_preset
from fram.pipelines import apply_makeup, transfer
from fram.pipelines.layer_transfer import transfer_layers
from fram.pipelines.options import MakeupOptions
from fram.pipelines.references import plan_references

DATA = SHARED_DATA
PHOTOS = (
    "makeup-photos/non-makeup/xfsy_0058.png",
    "makeup-photos/non-makeup/xfsy_0129.png",
    "faces/utkface/21_0_1_20170113133205762.jpg",
    "faces/utkface/20_1_1_20170112231413086.jpg",
    "faces/scut-fbp5500/CM1.jpg",
    "faces/scut-fbp5500/AM10.jpg",
)
LOOKS = ("natural", "goth", "smoky-night", "red-carpet")
REFERENCE = "makeup-photos/makeup/vFG112.png"
LIGHTS = (0.35, 0.10)


def _ratio_floor(rgb: np.ndarray, out: np.ndarray, dark: np.ndarray) -> np.ndarray:
    """The bright result's change as a per-pixel linear ratio, applied to the dark photo."""
    import torch

    lin, lout, ldark = (SRGB_TO_LINEAR_8BIT[x] for x in (rgb, out, dark))
    ratio = np.where(lin > 1e-4, lout / np.maximum(lin, 1e-4), 1.0)
    made = np.where(lin > 1e-4, ldark * ratio, lout * (ldark.mean() / max(lin.mean(), 1e-6)))
    return (linear_to_srgb(torch.from_numpy(np.clip(made, 0, 1).astype(np.float32))).numpy() * 255 + 0.5).astype(np.uint8)


def _regions(analysis, shape) -> dict[str, np.ndarray]:
    """Photo-space region masks (bool, full photo) of the bright analysis."""
    out = {}
    rows, cols = analysis.projection.slices
    for name, key in (("lips", "lips"), ("eyes", "eyeshadow")):
        full = np.zeros(shape[:2], bool)
        full[rows, cols] = analysis.regions.masks[key] > (0.5 if name == "lips" else 0.05)
        out[name] = full
    return out


def _scores(then: np.ndarray, first: np.ndarray, changed: np.ndarray, regions: dict[str, np.ndarray]) -> dict[str, float]:
    de = delta_e00(to_lab(first), to_lab(then))
    eyes, lips = regions["eyes"] & changed, regions["lips"] & changed
    skin = changed & ~eyes & ~lips
    mean = lambda m: float(de[m].mean()) if m.any() else float("nan")  # noqa: E731
    return {"all": mean(changed), "skin": mean(skin), "eyes": mean(eyes), "lips": mean(lips)}


def _engines(reference: Path):
    opts = MakeupOptions.create(engine="layer")
    plan = plan_references(str(reference), None, opts)
    groups = opts.shown(plan.groups)

    def layer_full(img):
        return transfer(img, str(reference), engine="layer").image

    def layer_stage(img, analysis):
        layers, _ = transfer_layers(plan, analysis, groups, opts)
        return apply_layers(img, analysis, layers)

    engines = {f"apply:{look}": (lambda img, look=look: apply_makeup(img, look).image,
                                 lambda img, a, look=look: apply_style(img, a, get_preset(look)), 256) for look in LOOKS}
    engines["transfer:layer"] = (layer_full, layer_stage, None)
    return engines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 photos, 2 looks, full stage only")
    parser.add_argument("--photos", nargs="*", default=None)
    args = parser.parse_args(argv)
    photos = args.photos or (PHOTOS[::3] if args.quick else PHOTOS)
    engines = _engines(DATA / REFERENCE)
    if args.quick:
        engines = {k: v for k, v in engines.items() if k in ("apply:goth", "apply:natural", "transfer:layer")}
    rows = []
    for name in photos:
        rgb = read_image(DATA / name)
        face = detect_face(rgb)
        for engine, (full, stage, size) in engines.items():
            uv = size or layer_size_for(face)
            bright = analyse(rgb, face, uv)
            out = full(rgb)
            out_stage = stage(rgb, bright)
            changed = (out != rgb).any(axis=2)
            regions = _regions(bright, rgb.shape)
            for light in LIGHTS:
                dark = darken(rgb, light)
                then = darken(out, light)
                row = {"photo": Path(name).name, "engine": engine, "light": light}
                row["full"] = _scores(then, full(dark), changed, regions)
                if not args.quick:
                    then_s = darken(out_stage, light)
                    a = analyse(dark, face, uv)
                    row["face"] = _scores(then_s, stage(dark, a), changed, regions)
                    a = dataclasses.replace(a, regions=bright.regions)
                    row["masks"] = _scores(then_s, stage(dark, a), changed, regions)
                    a = dataclasses.replace(a, light=bright.light * np.float32(light))
                    row["white"] = _scores(then_s, stage(dark, a), changed, regions)
                row["floor"] = _scores(then, _ratio_floor(rgb, out, dark), changed, regions)
                rows.append(row)
                stages = [k for k in row if isinstance(row[k], dict)]
                print(f"{row['photo']:<32} {engine:<18} {light:4.2f} " + "  ".join(
                    f"{s}:" + "/".join(f"{row[s][r]:.1f}" for r in ("all", "skin", "eyes", "lips")) for s in stages), flush=True)
    print("\nmean over photos (all/skin/eyes/lips):")
    for engine in engines:
        for light in LIGHTS:
            sel = [r for r in rows if r["engine"] == engine and r["light"] == light]
            stages = [k for k in sel[0] if isinstance(sel[0][k], dict)]
            print(f"{engine:<18} {light:4.2f} " + "  ".join(
                f"{s}:" + "/".join(f"{np.nanmean([r[s][k] for r in sel]):.2f}" for k in ("all", "skin", "eyes", "lips")) for s in stages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
