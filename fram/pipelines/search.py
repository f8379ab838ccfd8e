"""``SearchPipeline``: makeup embeddings, look-alikes in a folder, a photo's look by name.

It composes face analysis (landmarks, UV unwrap) with the makeup CLIP of FRAM stage 1
(weights in ``fram/weights/makeup_clip``, or ``$FRAM_MAKEUP_CLIP``):

* :meth:`SearchPipeline.embed`: photos → ``(N, D)`` float32 L2-normalised makeup
  embeddings; photos that cannot be read or show no usable face are reported and skipped.
* :meth:`SearchPipeline.similar` (also ``__call__``): rank a folder's photos by makeup
  similarity to a query and draw a contact sheet (:mod:`fram.pipelines.gallery` keeps
  the folder's embeddings).
* :meth:`SearchPipeline.describe`: the best-matching named styles for a photo, by
  text-image similarity against one prompt per style (``styles.json`` beside the weights).

Similarity is cosine similarity of makeup embeddings, in [-1, 1].
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from fram.errors import FramError, ModelNotFoundError
from fram.face.contact_sheet import contact_sheet
from fram.face.image_io import downscale_for_analysis, read_image
from fram.face.landmarks import Face, detect_face
from fram.face.uv import unwrap
from fram.makeup.decompose import layer_size_for, reference_layer
from fram.makeup.visibility import makeup_probability
from fram.models.makeup_clip import MakeupCLIP, prepare_uv
from fram.pipelines.base import Pipeline
from fram.pipelines.gallery import GalleryIndex, build_index, weights_fingerprint
from fram.weights import weights_folder

ENV_WEIGHTS = "FRAM_MAKEUP_CLIP"
ANALYSIS_SIDE = 1024
CROP_SIDE = 192


def default_search_folder() -> Path:
    """``$FRAM_MAKEUP_CLIP`` when set, else the makeup CLIP that ships in ``fram/weights``."""
    return weights_folder(ENV_WEIGHTS, "makeup_clip")


@dataclass(frozen=True)
class FaceUV:
    """One photo's face in UV, ready for the encoder.

    Attributes:
        texture: (S, S, 3) uint8; visibility: (S, S) float32 in [0, 1].
        box: (x0, y0, x1, y1) of the face in the photo, pixels.
        image: the photo (H, W, 3) uint8, at analysis size (longest side ≤ 1024).
        face: the face found in ``image``.
    """

    texture: np.ndarray
    visibility: np.ndarray
    box: tuple[float, float, float, float]
    image: np.ndarray
    face: Face


def face_uv(image: object, *, uv_size: int = 128, face_index: int = 0, source: str = "image") -> FaceUV:
    """Read a photo, find its ``face_index``-th largest face, unwrap it into UV."""
    rgb, _ = downscale_for_analysis(read_image(image), ANALYSIS_SIDE)
    face = detect_face(rgb, face_index, source=source)
    tex = unwrap(rgb, face, uv_size)
    return FaceUV(texture=tex.texture, visibility=tex.visibility, box=tuple(float(v) for v in face.bbox), image=rgb, face=face)


def face_crop(image: np.ndarray, box: Sequence[float], size: int = CROP_SIDE, margin: float = 0.25) -> np.ndarray:
    """A square crop around a face box, white where it leaves the photo."""
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) * (1 + 2 * margin)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    scale = size / max(side, 1.0)
    m = np.array([[scale, 0, size / 2 - cx * scale], [0, scale, size / 2 - cy * scale]], np.float32)
    return cv2.warpAffine(image, m, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))


def _name(item: object, i: int) -> str:
    return str(item) if isinstance(item, (str, os.PathLike)) else f"<image {i}>"


@dataclass(frozen=True)
class Description:
    """What ``describe`` says of a photo's makeup.

    Attributes:
        makeup_probability: how likely the face wears visible makeup
            (:func:`fram.makeup.visibility.makeup_probability`).
        styles: the closest named styles, best first.
    """

    makeup_probability: float
    styles: list[StyleMatch]

    @property
    def visible(self) -> bool:
        return self.makeup_probability >= 0.5

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``fram describe --json`` prints and ``POST /v1/describe`` returns."""
        return {"visible_makeup": self.visible, "makeup_probability": round(self.makeup_probability, 3),
                "styles": [m.__dict__ for m in self.styles]}


@dataclass(frozen=True)
class EmbedResult:
    """Embeddings of the photos that could be read.

    Attributes:
        vectors: (N, D) float32, L2-normalised, one row per entry of ``sources``.
        sources: names of the embedded photos (paths as given, or ``<image i>``).
        ok: (len(inputs),) bool, which inputs gave a row.
        failures: (name, reason) of every input that was skipped.
        faces: the analysed faces, one per row (only with ``keep_faces=True``).
    """

    vectors: np.ndarray
    sources: list[str]
    ok: np.ndarray
    failures: list[tuple[str, str]] = field(default_factory=list)
    faces: list[FaceUV] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    """One gallery photo that matched.

    ``path`` is relative to the gallery folder, ``score`` the cosine similarity of its
    makeup embedding to the query's (in [-1, 1], higher is closer), ``rank`` 1 for the best.
    """

    path: str
    score: float
    rank: int


@dataclass(frozen=True)
class SimilarResult:
    """Ranked gallery photos and, when drawn, the contact sheet (H, W, 3) uint8."""

    query: str
    matches: list[Match]
    failures: dict[str, str]
    sheet: np.ndarray | None = None


@dataclass(frozen=True)
class StyleMatch:
    """A named style and how well a photo's makeup matches it.

    Attributes:
        style: style id; title, category, description: from ``styles.json``.
        score: cosine similarity of the photo and the style's prompt.
        probability: softmax of the scores over all styles (temperature of the model).
    """

    style: str
    title: str
    category: str
    description: str
    score: float
    probability: float


class SearchPipeline(Pipeline):
    """The makeup CLIP as a search engine; see the module docstring."""

    def __init__(self, model: MakeupCLIP, styles: list[dict[str, str]], *, fingerprint: str = "in-memory") -> None:
        self.model = model.eval()
        self.styles = styles
        self.fingerprint = fingerprint
        self._style_features: torch.Tensor | None = None

    @classmethod
    def _load_parts(cls, folder: Path | None, **settings: Any) -> "SearchPipeline":
        folder = folder if folder is not None else default_search_folder()
        if not (folder / "model.safetensors").is_file():
            raise ModelNotFoundError(f"no makeup CLIP weights in {folder} (train them with `python -m fram.train.stage1`)")
        if not (folder / "tokenizer.json").is_file():
            raise ModelNotFoundError(f"{folder} has no tokenizer.json")
        styles_file = folder / "styles.json"
        styles = json.loads(styles_file.read_text(encoding="utf-8")) if styles_file.is_file() else []
        return cls(MakeupCLIP.from_pretrained(folder), styles, fingerprint=weights_fingerprint(folder), **settings)

    def _save_parts(self, folder: Path) -> None:
        self.model.save_pretrained(folder)
        (folder / "styles.json").write_text(json.dumps(self.styles, indent=1), encoding="utf-8")

    @torch.no_grad()
    def encode(self, faces: Sequence[FaceUV], batch: int = 64) -> np.ndarray:
        """(N, D) float32 embeddings of unwrapped faces."""
        out = []
        for start in range(0, len(faces), batch):
            chunk = [prepare_uv(f.texture, f.visibility, self.model.image_size) for f in faces[start : start + batch]]
            out.append(self.model.encode_image(torch.cat([c[0] for c in chunk]), torch.cat([c[1] for c in chunk])).numpy().astype(np.float32))
        return np.concatenate(out) if out else np.zeros((0, self.model.config.embed_dim), np.float32)

    def face(self, image: object, *, face_index: int = 0, source: str = "image") -> FaceUV:
        return face_uv(image, uv_size=self.model.config.uv_size, face_index=face_index, source=source)

    def embed(self, images: Sequence[object], *, face_index: int = 0, keep_faces: bool = False) -> EmbedResult:
        """Makeup embeddings of photos (paths, bytes, PIL images or arrays).

        A photo that is unreadable or has no usable face is skipped and listed in
        ``failures`` with the reason; it never stops the others.
        """
        if isinstance(images, (str, os.PathLike, np.ndarray)):
            images = [images]
        faces, sources, failures = [], [], []
        ok = np.zeros(len(images), bool)
        for i, item in enumerate(images):
            name = _name(item, i)
            try:
                faces.append(self.face(item, face_index=face_index, source=Path(name).name))
            except FramError as exc:
                failures.append((name, str(exc)))
                continue
            sources.append(name)
            ok[i] = True
        return EmbedResult(vectors=self.encode(faces), sources=sources, ok=ok, failures=failures,
                           faces=faces if keep_faces else [])

    def index(self, gallery: str | os.PathLike[str], *, index_path: str | os.PathLike[str] | None = None, cache: bool = True,
              progress: bool = False) -> GalleryIndex:
        """The folder's embeddings, reusing its index for unchanged photos."""
        return build_index(gallery, encode=self.encode, analyse=lambda file, rel: self.face(file, source=rel),
                           fingerprint=self.fingerprint, dim=self.model.config.embed_dim, index_path=index_path,
                           cache=cache, progress=progress)

    def similar(self, query: object, gallery: str | os.PathLike[str], *, k: int = 5, index_path: str | os.PathLike[str] | None = None,
                cache: bool = True, sheet: bool = True, exclude_self: bool = True, progress: bool = False) -> SimilarResult:
        """The ``k`` photos of ``gallery`` whose makeup is closest to the query photo's.

        ``cache`` keeps the folder's embeddings in an index file (``index_path``, default
        :func:`fram.pipelines.gallery.default_index_path`); ``exclude_self`` leaves the
        query file out when it lies in the gallery. Raises :class:`FramError` when the
        query has no usable face or the folder does not exist.
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise FramError(f"k must be a whole number from 1, got {k!r}")
        name = _name(query, 0)
        q = self.face(query, source=Path(name).name)
        qv = self.encode([q])[0]
        index = self.index(gallery, index_path=index_path, cache=cache, progress=progress)
        scores = index.vectors @ qv if len(index.paths) else np.zeros(0, np.float32)
        skip = None
        if exclude_self and isinstance(query, (str, os.PathLike)):
            try:
                skip = Path(query).resolve().relative_to(index.folder).as_posix()
            except ValueError:
                skip = None
        matches = []
        for i in np.argsort(-scores, kind="stable"):
            if index.paths[i] == skip:
                continue
            matches.append(Match(path=index.paths[i], score=float(scores[i]), rank=len(matches) + 1))
            if len(matches) == k:
                break
        drawn = None
        if sheet:
            cells = [(face_crop(q.image, q.box), f"query: {Path(name).name}")]
            cells += [(_gallery_crop(index, m.path), f"#{m.rank} {m.score:.3f}  {Path(m.path).name}") for m in matches]
            drawn = contact_sheet(cells)
        return SimilarResult(query=name, matches=matches, failures=dict(index.failures), sheet=drawn)

    __call__ = similar

    def describe(self, image: object, *, top: int = 3, face_index: int = 0) -> Description:
        """Whether a photo's face wears visible makeup, and the ``top`` named styles
        closest to it, best first (a bare face has a closest style too: read
        ``Description.visible`` before naming one)."""
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise FramError(f"top must be a whole number from 1, got {top!r}")
        if not self.styles or self.model.tokenizer is None:
            raise ModelNotFoundError("this makeup CLIP has no styles.json or tokenizer to describe looks with")
        if self._style_features is None:
            with torch.no_grad():
                self._style_features = self.model.encode_texts([s["prompt"] for s in self.styles])
        face = self.face(image, face_index=face_index, source=Path(_name(image, 0)).name)
        scores = (torch.from_numpy(self.encode([face])) @ self._style_features.T)[0]
        probs = torch.softmax(scores / self.model.config.init_temperature, dim=0)
        order = torch.argsort(scores, descending=True)[:top].tolist()
        bank = self.styles
        styles = [StyleMatch(style=bank[i]["style"], title=bank[i]["title"], category=bank[i]["category"],
                             description=bank[i]["description"], score=float(scores[i]), probability=float(probs[i])) for i in order]
        layer = reference_layer(face.image, face.face, layer_size_for(face.face))
        return Description(makeup_probability=makeup_probability(layer), styles=styles)


def _gallery_crop(index: GalleryIndex, rel: str) -> np.ndarray:
    i = index.paths.index(rel)
    try:
        rgb, _ = downscale_for_analysis(read_image(index.folder / rel), ANALYSIS_SIDE)
    except FramError:
        return np.full((CROP_SIDE, CROP_SIDE, 3), 200, np.uint8)
    return face_crop(rgb, index.boxes[i])
