"""What crosses the wire: uploads read into memory, references a client may name, and
images encoded the way the client asked.

An upload is bytes in memory, decoded by :func:`fram.face.image_io.read_image` with
the service's pixel cap; a client's string is only ever a preset name or words,
never a path, so no request can make the server read its own files.
"""

from __future__ import annotations

import json

import numpy as np

from fram.errors import FramError, RecipeError
from fram.face.image_io import encode_image, read_image
from fram.makeup.look_file import decode_look

# Accept media type → (encode_image format, response media type); PNG unless asked.
IMAGE_TYPES = {"image/png": ("png", "image/png"), "image/jpeg": ("jpg", "image/jpeg"), "image/webp": ("webp", "image/webp")}
PRESET_PREFIX = "preset:"
TEXT_PREFIX = "text:"


class UploadError(FramError):
    """A form field is missing, empty, or of the wrong kind (a file where words belong)."""


def upload_bytes(data: bytes | None, field: str) -> bytes:
    """The bytes of a file field, refused when it is absent or empty."""
    if not data:
        raise UploadError(f"'{field}' is empty: upload an image file")
    return data


def read_upload(data: bytes, field: str, max_pixels: int) -> np.ndarray:
    """An uploaded photo as (H, W, 3) uint8; the message names the form field."""
    try:
        return read_image(upload_bytes(data, field), max_pixels=max_pixels)
    except FramError as exc:
        raise type(exc)(f"{field}: {exc}") from None


def named_look(value: str, field: str) -> str:
    """A reference a client typed: ``preset:NAME`` or ``text:WORDS`` (a bare name is a
    preset). Paths are refused: the server's files are not the client's to name."""
    text = value.strip()
    if not text:
        raise UploadError(f"'{field}' is empty")
    if text.startswith((PRESET_PREFIX, TEXT_PREFIX)):
        return text
    if any(sep in text for sep in "/\\") or text.lower().endswith((".json", ".fram")):
        raise UploadError(f"'{field}': upload the file itself, or give preset:NAME or text:WORDS")
    return PRESET_PREFIX + text


def recipe_dict(text: str) -> dict:
    """A recipe sent as JSON text (its schema is checked when it is resolved)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecipeError(f"recipe: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(value, dict):
        raise RecipeError("recipe: expected a JSON object")
    return value


def image_type(accept: str | None) -> tuple[str, str]:
    """The first of PNG, JPEG, WebP the ``Accept`` header names, by its order; PNG
    when it names none of them (``*/*``, ``image/*`` or nothing)."""
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in IMAGE_TYPES:
            return IMAGE_TYPES[media]
    return IMAGE_TYPES["image/png"]


def encode_for(image: np.ndarray, accept: str | None) -> tuple[bytes, str]:
    """The image encoded as the client asked, with no metadata."""
    fmt, media = image_type(accept)
    return encode_image(image, fmt, quality=92), media


def reference_upload(data: bytes, filename: str | None, field: str, max_pixels: int):
    """An uploaded reference: a saved look when its name ends ``.fram``, else a photo."""
    if (filename or "").lower().endswith(".fram"):
        return decode_look(upload_bytes(data, field), name=filename)
    return read_upload(data, field, max_pixels)
