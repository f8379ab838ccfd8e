"""What every pipeline shares: its output type, finding and analysing the source face,
and saving/loading as a plain folder.

A pipeline folder holds ``pipeline.json`` (the class name and its plain-data
settings) beside whatever weights its parts keep (diffusers' ``model_index.json``
idea, without a hub): ``Pipeline.from_pretrained(folder)`` rebuilds it,
``save_pretrained(folder)`` writes it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import cv2
import numpy as np

from fram.errors import ModelNotFoundError
from fram.face.image_io import read_image
from fram.face.landmarks import Face, LocatedFace, default_landmarker, locate_faces, select_located
from fram.face.uv import DEFAULT_UV_SIZE
from fram.makeup.compose import FaceAnalysis, analyse
from fram.makeup.decompose import layer_size_for
from fram.makeup.recipe import MakeupStyle

PIPELINE_CONFIG = "pipeline.json"
MAX_FACE_WIDTH = 800
"""Widest face (px) the makeup is made at. A larger face (a 12 MP portrait's is ~1700 px)
is made up on a copy of its frame shrunk to this width and the change is enlarged
onto the full-resolution frame: region masks and compositing cost memory with the
square of the face's size (2 GB at 1700 px), while paint gains little from more
pixels than its 512 px UV layer has, and the photo keeps its own fine detail."""


@dataclass(frozen=True)
class PipelineOutput:
    """The made-up photo and what was done to it.

    Attributes:
        image: (H, W, 3) uint8, the photo's own size.
        face: the face that was made up.
        style: the recipe that was rendered (apply, classic transfer); None when the
            makeup was generated (fram engine).
        groups: the region groups that were made up.
        notes: things the user should know about the result (a reference that shows
            no makeup, say), one line each.
    """

    image: np.ndarray
    face: Face
    style: MakeupStyle | None
    groups: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """The photo to make up, read and analysed once.

    ``image`` is the face's upright frame (``located.frame``) of
    ``photo``, at native resolution or shrunk so the face is at most
    :data:`MAX_FACE_WIDTH` wide: the makeup is made there and :meth:`paste` puts it
    back, so a turned or 12 MP photo costs about what its face costs.
    """

    image: np.ndarray
    analysis: FaceAnalysis
    photo: np.ndarray
    located: LocatedFace
    full_view: np.ndarray | None = None
    """The frame at native resolution when ``image`` is a shrunk copy of it."""

    @property
    def face(self) -> Face:
        return self.analysis.face

    @property
    def photo_face(self) -> Face:
        """The face in the photo's own pixels."""
        return self.located.in_photo(self.photo.shape[:2])

    def paste(self, made: np.ndarray) -> np.ndarray:
        """The whole photo with its frame replaced by ``made`` (a made-up ``image``)."""
        if self.full_view is not None:
            made = _enlarge_change(self.full_view, self.image, made)
        return self.located.frame.paste(self.photo, made)


def _enlarge_change(full: np.ndarray, small: np.ndarray, made: np.ndarray) -> np.ndarray:
    """``full`` plus the change from ``small`` to ``made`` enlarged to its size, worked
    only over the changed pixels' box: untouched pixels keep their bits."""
    changed = np.any(made != small, axis=2)
    if not changed.any():
        return full.copy()
    sy, sx = full.shape[0] / small.shape[0], full.shape[1] / small.shape[1]
    rows, cols = (np.flatnonzero(changed.any(axis=axis)) for axis in (1, 0))
    r0, r1 = max(0, int(rows[0]) - 1), min(small.shape[0], int(rows[-1]) + 2)
    c0, c1 = max(0, int(cols[0]) - 1), min(small.shape[1], int(cols[-1]) + 2)
    R0, R1 = int(r0 * sy), min(full.shape[0], int(np.ceil(r1 * sy)))
    C0, C1 = int(c0 * sx), min(full.shape[1], int(np.ceil(c1 * sx)))
    delta = made[r0:r1, c0:c1].astype(np.float32) - small[r0:r1, c0:c1]
    # Pixel-centre aligned enlargement of the change, sampled over the big box.
    ys = ((np.arange(R0, R1) + 0.5) / sy - 0.5 - r0).astype(np.float32)
    xs = ((np.arange(C0, C1) + 0.5) / sx - 0.5 - c0).astype(np.float32)
    map_x, map_y = np.meshgrid(xs, ys)
    big = cv2.remap(delta, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    out = full.copy()
    box = out[R0:R1, C0:C1]
    touched = cv2.remap(changed[r0:r1, c0:c1].astype(np.uint8), map_x, map_y, cv2.INTER_LINEAR) > 0
    big += box
    np.copyto(box, np.clip(big + 0.5, 0, 255).astype(np.uint8), where=touched[..., None])
    return out


def _shrunk(view: np.ndarray, face: Face, scale: float) -> tuple[np.ndarray, Face]:
    """``view`` shrunk by ``scale`` (area averaging) and ``face`` in its pixels."""
    height, width = view.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(view, size, interpolation=cv2.INTER_AREA)
    sx, sy = size[0] / width, size[1] / height
    points = face.landmarks * np.array([sx, sy, sx], np.float32)
    return small, Face(landmarks=points.astype(np.float32), image_size=(size[1], size[0]), pose=face.pose,
                       transform=face.transform)


def analyse_source(rgb: np.ndarray, located: LocatedFace, *, fine: bool = False) -> Source:
    """Analyse one located face of a photo (UV texture, photo-space masks) on its frame.

    ``fine``: unwrap at the face's own detail (:func:`fram.makeup.decompose.layer_size_for`,
    512 px for large faces) rather than the standard 256 px.
    """
    view, face, full_view = located.frame.view(rgb), located.face, None
    if face.width > MAX_FACE_WIDTH:
        full_view = view
        view, face = _shrunk(view, face, MAX_FACE_WIDTH / face.width)
    return Source(image=view, analysis=analyse(view, face, layer_size_for(face) if fine else DEFAULT_UV_SIZE), photo=rgb,
                  located=located, full_view=full_view)


def make_up_faces(image: object, make: Callable[[Source], np.ndarray], *, face_index: int = 0, all_faces: bool = False,
                  name: str = "source", fine: bool = False) -> tuple[np.ndarray, Face]:
    """Read a photo and make up its chosen face, or each of its faces in turn.

    ``make`` turns one analysed face (:class:`Source`) into its made-up frame. Each face
    is analysed on its own upright frame, cut from the photo as the faces before it
    left it (frames of faces side by side may overlap). With ``all_faces`` every face
    at least the landmarker's minimum size is made up, largest first.

    Returns:
        The made-up photo, and the chosen (or largest) face in its pixels.
    """
    rgb = read_image(image)
    landmarker = default_landmarker()
    found = locate_faces(rgb, landmarker)
    chosen = select_located(found, rgb.shape[:2], 0 if all_faces else face_index,
                            min_face_size=landmarker.options.min_face_size, source=name)
    faces = [chosen] + [f for f in found[1:] if f.face.width >= landmarker.options.min_face_size] if all_faces else [chosen]
    for located in faces:
        source = analyse_source(rgb, located, fine=fine)
        rgb = source.paste(make(source))
    return rgb, chosen.in_photo(rgb.shape[:2])


class Pipeline:
    """Save/load for pipelines; subclasses list their plain-data settings in
    ``config_keys`` and override :meth:`_save_parts` / :meth:`_load_parts` for weights."""

    config_keys: ClassVar[tuple[str, ...]] = ()

    @property
    def config(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.config_keys}

    def save_pretrained(self, folder: str | os.PathLike[str]) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._save_parts(folder)
        doc = {"_class_name": type(self).__name__, **self.config}
        (folder / PIPELINE_CONFIG).write_text(json.dumps(doc, indent=1), encoding="utf-8")

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike[str] | None = None, **overrides: Any) -> "Pipeline":
        settings: dict[str, Any] = {}
        if folder is not None:
            path = Path(folder) / PIPELINE_CONFIG
            if path.is_file():
                doc = json.loads(path.read_text(encoding="utf-8"))
                if doc.get("_class_name", cls.__name__) != cls.__name__:
                    raise ModelNotFoundError(f"{folder} holds a {doc['_class_name']}, not a {cls.__name__}")
                settings = {k: v for k, v in doc.items() if k in cls.config_keys}
        return cls._load_parts(None if folder is None else Path(folder), **{**settings, **overrides})

    def _save_parts(self, folder: Path) -> None:
        """Write the weights of the pipeline's parts (none by default)."""

    @classmethod
    def _load_parts(cls, folder: Path | None, **settings: Any) -> "Pipeline":
        return cls(**settings)
