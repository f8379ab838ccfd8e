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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from fram.errors import ModelNotFoundError
from fram.face.image_io import read_image
from fram.face.landmarks import Face, LocatedFace, locate_face
from fram.face.uv import DEFAULT_UV_SIZE
from fram.makeup.compose import FaceAnalysis, analyse
from fram.makeup.decompose import layer_size_for
from fram.makeup.recipe import MakeupStyle

PIPELINE_CONFIG = "pipeline.json"


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
    ``photo``: the makeup is made there, at native resolution, and :meth:`paste` puts
    it back, so a turned or 12 MP photo costs about what its face costs.
    """

    image: np.ndarray
    analysis: FaceAnalysis
    photo: np.ndarray
    located: LocatedFace

    @property
    def face(self) -> Face:
        return self.analysis.face

    @property
    def photo_face(self) -> Face:
        """The face in the photo's own pixels."""
        return self.located.in_photo(self.photo.shape[:2])

    def paste(self, made: np.ndarray) -> np.ndarray:
        """The whole photo with its frame replaced by ``made`` (a made-up ``image``)."""
        return self.located.frame.paste(self.photo, made)


def analyse_source(image: object, face_index: int = 0, name: str = "source", *, fine: bool = False) -> Source:
    """Read a photo, pick its face and analyse it (UV texture, photo-space masks).

    ``fine``: unwrap at the face's own detail (:func:`fram.makeup.decompose.layer_size_for`,
    512 px for large faces) rather than the standard 256 px.
    """
    rgb = read_image(image)
    located = locate_face(rgb, face_index, source=name)
    view, face = located.frame.view(rgb), located.face
    return Source(image=view, analysis=analyse(view, face, layer_size_for(face) if fine else DEFAULT_UV_SIZE), photo=rgb,
                  located=located)


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
