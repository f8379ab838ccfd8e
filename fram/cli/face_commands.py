"""``fram landmarks``, ``regions``, ``uv`` and ``uv-guide``: the face layer on its own."""

from __future__ import annotations

import argparse
import io
import json

import numpy as np

from fram.cli.common import (
    check_input, check_outputs, encode_for, face_option, force_option, read_face, whole_number, write_outputs,
)
from fram.errors import FramError

MAX_UV_SIZE = 4096


def cmd_landmarks(args: argparse.Namespace) -> None:
    check_input(args.image, "photo")
    outputs = check_outputs(args.output, inputs=(args.image,), force=args.force)
    from fram.face.image_io import read_image
    from fram.face.landmarks import default_landmarker

    image = read_image(args.image)
    result = default_landmarker().detect(image)
    height, width = result.image_size
    text = json.dumps({"image": {"width": width, "height": height}, "faces": [f.to_dict() for f in result.faces]})
    if outputs:
        write_outputs({outputs[0]: text})
    else:
        print(text)


def cmd_regions(args: argparse.Namespace) -> None:
    check_input(args.image, "photo")
    npz = args.output.lower().endswith(".npz")
    (out,) = check_outputs(args.output, inputs=(args.image,), force=args.force, images=() if npz else (args.output,))
    from fram.face.overlay import region_overlay
    from fram.face.regions import REGION_NAMES, region_masks

    image, face = read_face(args)
    masks = region_masks(image, face)
    if npz:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{name: masks.full(name) for name in REGION_NAMES})
        write_outputs({out: buffer.getvalue()})
    else:
        write_outputs({out: encode_for(out, region_overlay(image, masks))})


def cmd_uv(args: argparse.Namespace) -> None:
    check_input(args.image, "photo")
    out, *vis_out = check_outputs(args.output, args.visibility, inputs=(args.image,), force=args.force,
                                  images=(args.output, args.visibility))
    from fram.face.uv import unwrap

    image, face = read_face(args)
    texture = unwrap(image, face, size=args.size)
    outputs = {out: encode_for(out, texture.texture)}
    if vis_out:
        outputs[vis_out[0]] = encode_for(vis_out[0], (texture.visibility * 255 + 0.5).astype(np.uint8))
    write_outputs(outputs)


def cmd_uv_guide(args: argparse.Namespace) -> None:
    from fram.face.uv_guide import MIN_GUIDE_SIZE, uv_guide

    if args.size < MIN_GUIDE_SIZE:
        raise FramError(f"--size of the guide must be from {MIN_GUIDE_SIZE} to {MAX_UV_SIZE} px, not {args.size}")
    (out,) = check_outputs(args.output, images=(args.output,))
    write_outputs({out: encode_for(out, uv_guide(args.size))})


def register(sub) -> None:
    p = sub.add_parser("landmarks", help="478 landmarks and head pose of every face, as JSON")
    p.add_argument("image", help="the photo (JPEG, PNG, WebP, TIFF, BMP or GIF)")
    p.add_argument("-o", "--output", help="write JSON here instead of printing it")
    force_option(p)
    p.set_defaults(run=cmd_landmarks)

    p = sub.add_parser("regions", help="region masks (.npz of float32 arrays) or an overlay image")
    p.add_argument("image", help="the photo")
    p.add_argument("-o", "--output", required=True, help="masks.npz or overlay.png/.jpg")
    face_option(p)
    force_option(p)
    p.set_defaults(run=cmd_regions)

    p = sub.add_parser("uv", help="unwrap the face into the canonical UV texture")
    p.add_argument("image", help="the photo")
    p.add_argument("-o", "--output", required=True, help="the UV texture image (.png, .jpg, …)")
    p.add_argument("--size", type=whole_number(16, MAX_UV_SIZE), default=256,
                   help=f"UV texture side in px, 16 to {MAX_UV_SIZE} (default 256)")
    p.add_argument("--visibility", help="also write the visibility mask here (an image)")
    face_option(p)
    force_option(p)
    p.set_defaults(run=cmd_uv)

    p = sub.add_parser("uv-guide", help="the UV face template to paint a look over in any image editor")
    p.add_argument("--size", type=whole_number(16, MAX_UV_SIZE), default=512,
                   help=f"side in px, up to {MAX_UV_SIZE} (default 512); paint and export at the same size")
    p.add_argument("-o", "--output", required=True, help="the guide image (.png)")
    p.set_defaults(run=cmd_uv_guide)
