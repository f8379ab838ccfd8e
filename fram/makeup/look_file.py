"""The ``.fram`` look file: a makeup look saved as plain data, portable to any face.

A look is its makeup layer (per-texel paint colour and coverage in UV,
:class:`~fram.makeup.decompose.MakeupLayer`) plus the recipe reading of the same look
(:class:`~fram.makeup.recipe.MakeupStyle`, for brows and for engines that paint
recipes). The file is a zip that any tool can open and an image editor can edit
(docs/look-format.md):

* ``look.json``: ``{"format": "fram-look", "version": 1, "name": ..., "recipe": {...},
  "layer": {"size": S, "colour": "colour.png", "alpha": "alpha.png"}, "created_by": ...}``
* ``colour.png``: S×S 8-bit sRGB, the paint's colour under neutral light;
* ``alpha.png``: S×S 16-bit grey, the paint's coverage (0 = none, 65535 = opaque).

Nothing is unpickled and nothing is extracted to disk. Every member is size-capped
before it is read and every PNG's size is checked before it is decoded, so a hostile
file (a zip bomb, a PNG claiming a huge canvas) costs nothing; every problem is one
:class:`~fram.errors.RecipeError` line that names the file.
"""

from __future__ import annotations

import io
import json
import os
import warnings
import zipfile
from pathlib import Path
from collections.abc import Callable
from typing import Any, NamedTuple

import cv2
import numpy as np
from PIL import Image

from fram import __version__
from fram.errors import RecipeError
from fram.face.image_io import write_bytes
from fram.makeup.decompose import NEUTRAL_SKIN_LAB, MakeupLayer, linear_rgb, srgb_from_linear
from fram.makeup.recipe import MakeupStyle

LOOK_SUFFIX = ".fram"
FORMAT_TAG = "fram-look"
FORMAT_VERSION = 1
"""Look file versions this code reads and writes; a newer file fails loudly."""
MANIFEST = "look.json"
COLOUR_MEMBER = "colour.png"
ALPHA_MEMBER = "alpha.png"
LAYER_SIDES = (64, 2048)
"""Smallest and largest layer side a look file may hold, in UV texels."""
MAX_MANIFEST_BYTES = 1 << 20
MAX_IMAGE_BYTES = 64 << 20
"""Uncompressed caps per member: far above any honest file (a 2048² 16-bit PNG is at
most ~8 MiB), far below what a zip bomb would inflate to."""
MAX_FILE_BYTES = 256 << 20
MAX_PAINTING_SIDE = 4096
PAINTED_SIZES = (256, 512)
MIN_PAINTING_SIDE = 128

Fail = Callable[[str], RecipeError]
"""Makes the error for one problem, prefixed with the file's name."""


class Look(NamedTuple):
    """A saved look: its name, its recipe reading and its makeup layer."""

    name: str
    recipe: MakeupStyle
    layer: MakeupLayer


def is_look(value: object) -> bool:
    """Whether ``value`` is a saved look: a :class:`Look` or a path ending ``.fram``."""
    return isinstance(value, Look) or (isinstance(value, (str, os.PathLike))
                                       and os.fspath(value).lower().endswith(LOOK_SUFFIX))


def save_look(path: str | os.PathLike[str], name: str, recipe: MakeupStyle, layer: MakeupLayer) -> None:
    """Write a look to ``path`` (conventionally ``*.fram``) atomically."""
    write_bytes(path, encode_look(Look(name, recipe, layer)))


def load_look(path: str | os.PathLike[str]) -> Look:
    """Read a look file; any problem with it raises one :class:`RecipeError` line naming it."""
    return decode_look(_read_file(Path(path), "look"), str(path))


def manifest_schema() -> dict[str, Any]:
    """``look.json`` as a JSON Schema (``fram schema look``), with the recipe's schema
    inlined, so a tool that writes looks can check its manifest without fram."""
    recipe = MakeupStyle.json_schema()
    defs = recipe.pop("$defs", {})
    recipe.pop("$schema", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "fram look file manifest (look.json)",
        "description": "docs/look-format.md", "type": "object", "required": ["format", "version", "recipe", "layer"],
        "properties": {
            "format": {"const": FORMAT_TAG},
            "version": {"type": "integer", "minimum": 1, "maximum": FORMAT_VERSION},
            "name": {"type": "string"},
            "recipe": recipe,
            "layer": {
                "type": "object", "required": ["size", "colour", "alpha"],
                "properties": {
                    "size": {"type": "integer", "minimum": LAYER_SIDES[0], "maximum": LAYER_SIDES[1],
                             "description": "side of the square UV layer in texels"},
                    "colour": {"type": "string", "description": "member: S×S 8-bit sRGB PNG, paint colour under neutral light"},
                    "alpha": {"type": "string", "description": "member: S×S 16-bit grey PNG, coverage (65535 = opaque)"},
                    "skin_lab": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3,
                                 "description": "CIELAB of the skin the layer was read from"},
                },
            },
            "created_by": {"type": "string"},
        },
        "$defs": defs,
    }


def encode_look(look: Look) -> bytes:
    """The bytes of a look file (see the module docstring)."""
    layer = look.layer
    size = layer.size
    if not LAYER_SIDES[0] <= size <= LAYER_SIDES[1] or layer.colour.shape != (size, size, 3) or layer.alpha.shape != (size, size):
        raise ValueError(f"a look layer must be square with a side from {LAYER_SIDES[0]} to {LAYER_SIDES[1]}, "
                         f"got colour {layer.colour.shape} and alpha {layer.alpha.shape}")
    colour = np.rint(srgb_from_linear(layer.colour) * 255).astype(np.uint8)
    alpha = np.rint(np.clip(layer.alpha, 0, 1) * 65535).astype(np.uint16)
    manifest = {
        "format": FORMAT_TAG, "version": FORMAT_VERSION, "name": look.name, "recipe": look.recipe.to_dict(),
        "layer": {"size": size, "colour": COLOUR_MEMBER, "alpha": ALPHA_MEMBER,
                  "skin_lab": [round(float(v), 3) for v in layer.skin]},
        "created_by": f"fram {__version__}",
    }
    buffer = io.BytesIO()
    members = ((MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"), zipfile.ZIP_DEFLATED),
               # PNGs are already compressed: stored as they are.
               (COLOUR_MEMBER, _png(colour), zipfile.ZIP_STORED), (ALPHA_MEMBER, _png(alpha), zipfile.ZIP_STORED))
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, payload, compression in members:
            # A fixed timestamp: the same look always gives the same bytes.
            archive.writestr(zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0)), payload, compress_type=compression)
    return buffer.getvalue()


def decode_look(data: bytes, name: str = "<bytes>") -> Look:
    """A look from the bytes of a look file; ``name`` is how errors name it."""
    def fail(why: str) -> RecipeError:
        return RecipeError(f"look {name}: {why}")

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise fail("not a fram look file (not a zip archive)") from None
    with archive:
        try:
            doc = json.loads(_member(archive, MANIFEST, MAX_MANIFEST_BYTES, fail))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise fail(f"{MANIFEST} is not valid JSON ({exc})") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT_TAG:
            raise fail(f"not a fram look file ({MANIFEST} has no \"format\": \"{FORMAT_TAG}\")")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise fail(f"bad version {version!r}")
        if version > FORMAT_VERSION:
            raise fail(f"made by a newer fram (look format {version}; this fram reads up to {FORMAT_VERSION}): upgrade fram")
        look_name = doc.get("name", "")
        if not isinstance(look_name, str):
            raise fail("\"name\" must be text")
        try:
            recipe = MakeupStyle.from_dict(doc.get("recipe"))
        except RecipeError as exc:
            raise fail(f"bad recipe: {exc}") from None
        size, colour_member, alpha_member = _layer_entry(doc.get("layer"), fail)
        colour = _decode_png(_member(archive, colour_member, MAX_IMAGE_BYTES, fail), size, "RGB", f"{colour_member}", fail)
        alpha = _decode_png(_member(archive, alpha_member, MAX_IMAGE_BYTES, fail), size, "I;16", f"{alpha_member}", fail)
        skin = _skin_entry(doc["layer"].get("skin_lab", NEUTRAL_SKIN_LAB.tolist()), fail)
    layer = MakeupLayer(colour=linear_rgb(colour.astype(np.float32) / 255.0),
                        alpha=(alpha.astype(np.float32) / 65535.0).astype(np.float32), skin=skin)
    return Look(look_name, recipe, layer)


def _skin_entry(value: object, fail) -> np.ndarray:
    """The CIELAB skin colour a layer was read from (three numbers, L* in [0, 100])."""
    if (not isinstance(value, list) or len(value) != 3 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            or not 0 <= value[0] <= 100 or not all(abs(v) <= 128 for v in value[1:])):
        raise fail(f"layer \"skin_lab\" must be three CIELAB numbers, got {value!r}")
    return np.asarray(value, np.float32)


def layer_from_painting(rgba: np.ndarray, name: str = "painting") -> MakeupLayer:
    """A makeup layer from an artist's painting over the UV guide: a square RGBA image
    whose colour is the paint and whose alpha its coverage, brought to a layer size
    (:data:`PAINTED_SIZES`: the nearest not above the painting's side, 256 at least)."""
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise RecipeError(f"{name}: a painted look needs a transparent (RGBA) image, got {rgba.shape[2] if rgba.ndim == 3 else 1} channel(s)")
    height, width = rgba.shape[:2]
    if height != width:
        raise RecipeError(f"{name}: a painted look must be square like the UV guide, got {width}x{height}")
    if width < MIN_PAINTING_SIDE:
        raise RecipeError(f"{name}: {width} px is too small for a painted look (at least {MIN_PAINTING_SIDE})")
    size = max([s for s in PAINTED_SIZES if s <= width] or [PAINTED_SIZES[0]])
    scale = 255.0 if rgba.dtype == np.uint8 else 65535.0
    layer = MakeupLayer(colour=linear_rgb(rgba[..., :3].astype(np.float32) / scale),
                        alpha=(rgba[..., 3].astype(np.float32) / scale).astype(np.float32))
    return layer.resized(size)


def read_painting(path: str | os.PathLike[str]) -> np.ndarray:
    """An RGBA PNG as (H, W, 4) uint8, alpha kept (image_io's reader
    composites transparency away, which is right for photos and wrong for paint)."""
    def fail(why: str) -> RecipeError:
        return RecipeError(f"painted look {path}: {why}")

    return _decode_png(_read_file(Path(path), "painted look"), None, "RGBA", "", fail)


def _read_file(path: Path, what: str) -> bytes:
    try:
        if path.is_dir():
            raise RecipeError(f"{what} {path}: it is a folder, not a file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RecipeError(f"{what} {path}: {path.stat().st_size:,} bytes, above the limit of {MAX_FILE_BYTES:,}")
        return path.read_bytes()
    except FileNotFoundError:
        raise RecipeError(f"no such file: {path}") from None
    except OSError as exc:
        raise RecipeError(f"{what} {path}: cannot read it ({exc.strerror})") from None


def _layer_entry(entry: Any, fail: Fail) -> tuple[int, str, str]:
    if not isinstance(entry, dict):
        raise fail("\"layer\" must be an object with size, colour and alpha")
    size, colour, alpha = entry.get("size"), entry.get("colour"), entry.get("alpha")
    if not isinstance(size, int) or isinstance(size, bool) or not LAYER_SIDES[0] <= size <= LAYER_SIDES[1]:
        raise fail(f"layer size must be a whole number from {LAYER_SIDES[0]} to {LAYER_SIDES[1]}, got {size!r}")
    if not isinstance(colour, str) or not isinstance(alpha, str):
        raise fail("the layer's \"colour\" and \"alpha\" must name members of the file")
    return size, colour, alpha


def _member(archive: zipfile.ZipFile, member: str, limit: int, fail: Fail) -> bytes:
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise fail(f"{member} is missing") from None
    if info.file_size > limit:
        raise fail(f"{member} is {info.file_size:,} bytes unpacked, above the limit of {limit:,}")
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise fail(f"{member} is damaged ({exc})") from None
    if len(data) > limit:
        raise fail(f"{member} unpacks to more than {limit:,} bytes")
    return data


def _png(pixels: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError(f"cannot encode a {pixels.dtype} array of shape {pixels.shape} as PNG")
    return encoded.tobytes()


def _decode_png(data: bytes, size: int | None, mode: str, what: str, fail: Fail) -> np.ndarray:
    """PNG bytes → pixels in ``mode`` ("RGB", "RGBA", or "I;16": 16-bit grey), refusing
    any other format, a side other than ``size`` (None: any square side up to
    :data:`MAX_PAINTING_SIDE`) or a grey alpha that is not 16 bits, before decoding."""
    where = f"{what} " if what else ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            image = Image.open(io.BytesIO(data), formats=["PNG"])
            width, height = image.size
            if size is not None and (width, height) != (size, size):
                raise fail(f"{where}is {width}x{height}, not the layer's {size}x{size}")
            if max(width, height) > MAX_PAINTING_SIDE:
                raise fail(f"{where}is {width}x{height}, above the limit of {MAX_PAINTING_SIDE} px a side")
            if mode == "I;16":
                if not image.mode.startswith("I"):
                    raise fail(f"{where}must be a 16-bit grey PNG, got mode {image.mode}")
                pixels = np.asarray(image).astype(np.int64)
                if pixels.min() < 0 or pixels.max() > 65535:
                    raise fail(f"{where}holds values outside 16 bits")
                return pixels.astype(np.uint16)
            if mode == "RGBA" and not image.has_transparency_data:
                raise fail(f"{where}has no transparency: export the painted layer alone, as an RGBA PNG")
            return np.asarray(image.convert(mode))
        except RecipeError:
            raise
        except (OSError, SyntaxError, ValueError, TypeError, EOFError, Image.DecompressionBombError) as exc:
            raise fail(f"{where}is not a readable PNG ({exc})") from None


__all__ = ["LOOK_SUFFIX", "Look", "decode_look", "encode_look", "is_look", "layer_from_painting", "load_look", "read_painting", "save_look"]
