"""Do two checkouts of fram make the same pictures? Runs apply (several presets),
transfer (layer and classic engines, a photo reference), remove and extract on real
photos from ../shared/data and saves every output; then compares two such folders.

    PYTHONPATH=OLD python benchmarks/lean_parity.py save /tmp/old
    PYTHONPATH=NEW python benchmarks/lean_parity.py save /tmp/new
    python benchmarks/lean_parity.py compare /tmp/old /tmp/new

Written for the numpy port of the renderer and compositor (the lean core without
torch): every output must stay within one 8-bit level of the torch version's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PRESETS = ("natural", "full-glam", "smoky-night", "graphic-liner", "festival-glitter")


def _photos() -> tuple[list[Path], Path, list[Path]]:
    bare = sorted((DATA / "makeup-photos" / "non-makeup").glob("*.png"))[:3] + sorted((DATA / "faces" / "scut-fbp5500").glob("*.jpg"))[:3]
    made_up = sorted((DATA / "makeup-photos" / "makeup").glob("*.png"))
    return bare, made_up[0], made_up[1:4]


def save(out: Path) -> None:
    import fram
    from fram.face.image_io import read_image, write_image
    from fram.makeup.presets import list_presets
    from fram.pipelines.looks import extract_look

    out.mkdir(parents=True, exist_ok=True)
    presets = [p for p in PRESETS if p in list_presets()] or list_presets()[:3]
    bare, reference, made_up = _photos()
    for photo in bare:
        image = read_image(photo)
        for preset in presets:
            write_image(out / f"{photo.stem}-apply-{preset}.png", fram.apply_makeup(image, preset).image)
        for engine in ("layer", "classic"):
            write_image(out / f"{photo.stem}-transfer-{engine}.png", fram.transfer(image, reference, engine=engine).image)
    for photo in made_up:
        write_image(out / f"{photo.stem}-remove.png", fram.remove_makeup(read_image(photo)).image)
        look = extract_look(photo)
        np.savez(out / f"{photo.stem}-extract.npz", colour=look.layer.colour, alpha=look.layer.alpha, skin=look.layer.skin)
    print(f"{len(list(out.iterdir()))} outputs in {out}")


def compare(old: Path, new: Path) -> int:
    from fram.face.image_io import read_image

    worst = 0.0
    for a in sorted(old.iterdir()):
        b = new / a.name
        if a.suffix == ".png":
            x, y = read_image(a).astype(np.int16), read_image(b).astype(np.int16)
            diff = np.abs(x - y)
            print(f"{a.name:50s} max {diff.max():3d}  mean {diff.mean():.5f}  differing px {np.mean(diff.max(axis=2) > 0):.5f}")
            worst = max(worst, float(diff.max()))
        else:
            x, y = np.load(a), np.load(b)
            d = max(float(np.abs(x[k] - y[k]).max()) for k in x.files)
            print(f"{a.name:50s} max |Δ| of the look's arrays {d:.2e}")
    print(f"worst 8-bit difference: {worst:.0f}")
    return 0 if worst <= 1 else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("save").add_argument("out", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("old", type=Path)
    cmp.add_argument("new", type=Path)
    args = ap.parse_args(argv)
    if args.command == "save":
        save(args.out)
        return 0
    return compare(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
