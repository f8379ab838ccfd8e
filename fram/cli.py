"""The ``fram`` command: a thin shell over :mod:`fram.pipeline` and the face layer.

It parses arguments, calls the Python API and writes results atomically. User
errors print one line and exit with status 2; nothing is half-written.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from fram.errors import FramError

EXIT_USER_ERROR = 2


def _atomic_bytes(path: Path, payload: bytes) -> None:
    directory = path.resolve().parent
    if not directory.is_dir():
        raise FramError(f"output folder does not exist: {directory}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _face(args: argparse.Namespace):
    from fram.face.image_io import read_image
    from fram.face.landmarks import default_landmarker, select_face

    image = read_image(args.image)
    landmarker = default_landmarker()
    face = select_face(landmarker.detect(image), args.face, min_face_size=landmarker.options.min_face_size, source=Path(args.image).name)
    return image, face


def cmd_landmarks(args: argparse.Namespace) -> None:
    from fram.face.image_io import read_image
    from fram.face.landmarks import default_landmarker

    image = read_image(args.image)
    result = default_landmarker().detect(image)
    height, width = result.image_size
    doc = {"image": {"width": width, "height": height}, "faces": [f.to_dict() for f in result.faces]}
    text = json.dumps(doc)
    if args.output:
        _atomic_bytes(Path(args.output), text.encode())
    else:
        print(text)


def cmd_regions(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.face.regions import REGION_NAMES, region_masks

    image, face = _face(args)
    masks = region_masks(image, face)
    out = Path(args.output)
    if out.suffix.lower() == ".npz":
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{name: masks.full(name) for name in REGION_NAMES})
        _atomic_bytes(out, buffer.getvalue())
    else:
        write_image(out, region_overlay(image, masks))


OVERLAY_COLORS = {
    "skin": (255, 214, 102), "lips": (230, 30, 70), "eyes": (40, 120, 255), "brows": (120, 70, 30),
    "eyeshadow": (170, 80, 220), "eyeliner": (20, 20, 20), "cheeks": (255, 120, 150),
    "nose": (80, 220, 160), "under_eye": (90, 230, 240),
}


def region_overlay(image: np.ndarray, masks) -> np.ndarray:
    """The photo with each region tinted in its own colour (later ones on top)."""
    out = image.astype(np.float32)
    for name, color in OVERLAY_COLORS.items():
        alpha = 0.45 * masks.full(name)[..., None]
        out = out * (1 - alpha) + alpha * np.array(color, np.float32)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def cmd_uv(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.face.uv import unwrap

    image, face = _face(args)
    texture = unwrap(image, face, size=args.size)
    if args.visibility:
        write_image(Path(args.visibility), (texture.visibility * 255 + 0.5).astype(np.uint8))
    write_image(Path(args.output), texture.texture)


def cmd_apply(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.pipeline import apply_makeup

    if (args.style is None) == (args.text is None):
        raise FramError("give exactly one of --style NAME|FILE.json or --text \"...\"")
    style = args.style if args.style is not None else f"text:{args.text}"
    result = apply_makeup(args.image, style, intensity=args.intensity, regions=args.regions, face_index=args.face, source=Path(args.image).name)
    write_image(Path(args.output), result.image)
    if args.recipe:
        _atomic_bytes(Path(args.recipe), result.style.to_json().encode())


def cmd_presets(args: argparse.Namespace) -> None:
    from fram.makeup.presets import PRESET_CATEGORIES, PRESETS
    from fram.makeup.text import describe

    if args.json:
        print(json.dumps({k: v.to_dict() for k, v in PRESETS.items()}, indent=2))
        return
    for slug, style in PRESETS.items():
        print(f"{slug:24s} {PRESET_CATEGORIES[slug]:14s} {describe(style).overall}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fram", description="Facial region-aware makeup on your own photos, offline.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("landmarks", help="478 landmarks and head pose of every face, as JSON")
    p.add_argument("image")
    p.add_argument("-o", "--output", help="write JSON here instead of printing it")
    p.set_defaults(run=cmd_landmarks)

    p = sub.add_parser("regions", help="region masks (.npz of float32 arrays) or an overlay image")
    p.add_argument("image")
    p.add_argument("-o", "--output", required=True, help="masks.npz or overlay.png/.jpg")
    p.add_argument("--face", type=int, default=0, help="face index, largest first (default 0)")
    p.set_defaults(run=cmd_regions)

    p = sub.add_parser("uv", help="unwrap the face into the canonical UV texture")
    p.add_argument("image")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--visibility", help="also write the visibility mask here")
    p.add_argument("--face", type=int, default=0)
    p.set_defaults(run=cmd_uv)

    p = sub.add_parser("apply", help="put a look (preset, recipe file or words) on a photo")
    p.add_argument("image")
    p.add_argument("--style", help="preset name or recipe .json")
    p.add_argument("--text", help='a description, e.g. "glossy berry lips and a winged liner"')
    p.add_argument("--intensity", default="1.0", help="0.7, or per region: lips=1,eyes=0.5")
    p.add_argument("--regions", help="only these: skin,eyes,brows,lips")
    p.add_argument("--face", type=int, default=0)
    p.add_argument("--recipe", help="also save the recipe that was applied (JSON)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_apply)

    p = sub.add_parser("presets", help="list the preset looks")
    p.add_argument("--json", action="store_true", help="print every preset recipe as JSON")
    p.set_defaults(run=cmd_presets)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except FramError as exc:
        print(f"fram: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except ValueError as exc:
        print(f"fram: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. `fram presets | head`
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
