"""Looks as files (:mod:`fram.makeup.look_file`): read off a made-up photo or an
artist's painting over the UV guide, saved, and worn later on any face.

A look extracted from a photo is exactly what a transfer from that photo would use
(the photo's makeup layer and its classic recipe reading, through
:func:`fram.pipelines.references.resolve_reference`), so wearing the saved look gives
the transfer's result without the photo.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from fram.makeup.look_file import Look, layer_from_painting, load_look, read_painting, save_look
from fram.makeup.recipe import MakeupStyle
from fram.pipelines.references import resolve_reference


def extract_look(photo: object, *, name: str | None = None) -> Look:
    """The look a made-up photo wears (its largest face): its makeup layer at the
    photo's own detail and its recipe reading. ``name`` defaults to the file's stem."""
    reference = resolve_reference(photo, name="reference")
    name = name if name is not None else _stem(photo, "look")
    return Look(name, reference.recipe().model_copy(update={"name": name}), reference.layer())


def painted_look(painting: str | os.PathLike[str] | np.ndarray, *, name: str | None = None) -> Look:
    """A look from an RGBA painting over the UV guide (``fram uv-guide``): colour is the
    paint, alpha its coverage. It has no recipe: brows, which are hair, stay the face's own."""
    pixels = painting if isinstance(painting, np.ndarray) else read_painting(painting)
    name = name if name is not None else _stem(painting, "painted look")
    label = Path(painting).name if isinstance(painting, (str, os.PathLike)) else "painting"
    return Look(name, MakeupStyle(name=name), layer_from_painting(pixels, label))


def _stem(value: object, default: str) -> str:
    return Path(value).stem if isinstance(value, (str, os.PathLike)) else default


__all__ = ["Look", "extract_look", "load_look", "painted_look", "save_look"]
