"""Contact sheet: presets on varied real faces (skin tones, men, glasses, open mouth, profile).

    python benchmarks/contact_sheet.py [--data ../shared/data] [-o docs/contact_sheet.png]

Faces are chosen by rule, not by hand: by UTKFace race/gender labels, SCUT-FBP5500
name prefixes, CelebAMask-HQ labels (eyeglasses class 3, mouth interior class 10 for
an open mouth) and measured head yaw for a turned head.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from fram.errors import FramError
from fram.face.image_io import read_image, write_image
from fram.face.landmarks import detect_face
from fram.makeup.compose import analyse, apply_style
from fram.makeup.presets import get_preset

PRESETS = ("natural", "soft-glam", "red-carpet", "smoky-night", "1950s-pinup", "bollywood-bridal", "goth", "festival-glitter", "avant-garde-blue")
CELL = 224


def pick_faces(data: Path) -> list[tuple[str, Path]]:
    utk = sorted((data / "faces" / "utkface").glob("*.jpg"))
    scut = data / "faces" / "scut-fbp5500"
    celeb = data / "faces" / "celebamask-hq"

    def utk_first(gender: int, race: int, skip: int = 0) -> Path:
        hits = [p for p in utk if p.name.split("_")[1:3] == [str(gender), str(race)] and 25 <= int(p.name.split("_")[0]) <= 45]
        return hits[skip]

    def celeb_with(cls: int) -> Path:
        for path in sorted((celeb / "images").glob("*.jpg")):
            if (np.asarray(Image.open(celeb / "masks" / f"{path.stem}.png")) == cls).sum() > 400:
                return path
        raise FileNotFoundError(f"no CelebAMask-HQ image with class {cls}")

    def celeb_turned() -> Path:
        for path in sorted((celeb / "images").glob("*.jpg")):
            if abs(detect_face(read_image(path)).pose.yaw) > 28:
                return path
        raise FileNotFoundError("no turned head found")

    return [
        ("dark skin, woman", utk_first(1, 1)),
        ("dark skin, man", utk_first(0, 1)),
        ("Indian, woman", utk_first(1, 3)),
        ("Asian, woman", scut / "AF1000.jpg"),
        ("white, man", scut / "CM100.jpg"),
        ("glasses", celeb_with(3)),
        ("open mouth", celeb_with(10)),
        ("turned head", celeb_turned()),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/contact_sheet.png"))
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"data folder not found: {args.data}", file=sys.stderr)
        return 2
    rows = []
    for label, path in pick_faces(args.data):
        image = read_image(path)
        try:
            analysis = analyse(image, detect_face(image))
        except FramError as exc:
            print(f"skip {path.name}: {exc}", file=sys.stderr)
            continue
        cells = [image] + [apply_style(image, analysis, get_preset(p)) for p in PRESETS]
        rows.append((label, [_square(c, analysis.face.bbox) for c in cells]))
    header = ["input"] + list(PRESETS)
    sheet = Image.new("RGB", ((len(header)) * CELL, 20 + len(rows) * CELL), "white")
    draw = ImageDraw.Draw(sheet)
    for j, name in enumerate(header):
        draw.text((j * CELL + 4, 4), name, fill="black")
    for i, (label, cells) in enumerate(rows):
        for j, cell in enumerate(cells):
            sheet.paste(Image.fromarray(cell), (j * CELL, 20 + i * CELL))
        draw.text((4, 20 + i * CELL + 4), label, fill="yellow")
    write_image(args.output, np.asarray(sheet))
    print(f"wrote {args.output} ({len(rows)} faces x {len(PRESETS)} presets)")
    return 0


def _square(image: np.ndarray, bbox: tuple[float, float, float, float]) -> np.ndarray:
    """A square crop around the face, so makeup is visible at thumbnail size."""
    x0, y0, x1, y1 = bbox
    side = max(x1 - x0, y1 - y0) * 1.35
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    h, w = image.shape[:2]
    a, b = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
    crop = image[b : min(h, int(b + side)), a : min(w, int(a + side))]
    return cv2.resize(crop, (CELL, CELL), interpolation=cv2.INTER_AREA)


if __name__ == "__main__":
    sys.exit(main())
