"""``fram landmarks``, ``regions``, ``uv`` and ``uv-guide``: the face layer on its own."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import numpy as np

from fram.cli.common import check_outputs, face_option, read_face, write_text
from fram.errors import FramError


def cmd_landmarks(args: argparse.Namespace) -> None:
    from fram.face.image_io import read_image
    from fram.face.landmarks import default_landmarker

    check_outputs(args.output)
    image = read_image(args.image)
    result = default_landmarker().detect(image)
    height, width = result.image_size
    text = json.dumps({"image": {"width": width, "height": height}, "faces": [f.to_dict() for f in result.faces]})
    if args.output:
        write_text(Path(args.output), text)
    else:
        print(text)


def cmd_regions(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_bytes, write_image
    from fram.face.overlay import region_overlay
    from fram.face.regions import REGION_NAMES, region_masks

    (out,) = check_outputs(args.output)
    image, face = read_face(args)
    masks = region_masks(image, face)
    if out.suffix.lower() == ".npz":
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{name: masks.full(name) for name in REGION_NAMES})
        write_bytes(out, buffer.getvalue())
    else:
        write_image(out, region_overlay(image, masks))


def cmd_uv(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.face.uv import unwrap

    if not 16 <= args.size <= 4096:
        raise FramError(f"--size must be from 16 to 4096 px, got {args.size}")
    out, *vis_out = check_outputs(args.output, args.visibility)
    image, face = read_face(args)
    texture = unwrap(image, face, size=args.size)
    if vis_out:
        write_image(vis_out[0], (texture.visibility * 255 + 0.5).astype(np.uint8))
    write_image(out, texture.texture)


def cmd_uv_guide(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.face.uv_guide import MIN_GUIDE_SIZE, uv_guide

    if not MIN_GUIDE_SIZE <= args.size <= 4096:
        raise FramError(f"--size must be from {MIN_GUIDE_SIZE} to 4096 px, got {args.size}")
    (out,) = check_outputs(args.output)
    write_image(out, uv_guide(args.size))


def register(sub) -> None:
    p = sub.add_parser("landmarks", help="478 landmarks and head pose of every face, as JSON")
    p.add_argument("image")
    p.add_argument("-o", "--output", help="write JSON here instead of printing it")
    p.set_defaults(run=cmd_landmarks)

    p = sub.add_parser("regions", help="region masks (.npz of float32 arrays) or an overlay image")
    p.add_argument("image")
    p.add_argument("-o", "--output", required=True, help="masks.npz or overlay.png/.jpg")
    face_option(p)
    p.set_defaults(run=cmd_regions)

    p = sub.add_parser("uv", help="unwrap the face into the canonical UV texture")
    p.add_argument("image")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--size", type=int, default=256, help="UV texture side in px (default 256)")
    p.add_argument("--visibility", help="also write the visibility mask here")
    face_option(p)
    p.set_defaults(run=cmd_uv)

    p = sub.add_parser("uv-guide", help="the UV face template to paint a look over in any image editor")
    p.add_argument("--size", type=int, default=512, help="side in px (default 512); paint and export at the same size")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_uv_guide)
