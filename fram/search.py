"""Makeup search: embed photos, find similar makeup in a folder, name a photo's look.

Composes face analysis (landmarks, UV unwrap) with the makeup CLIP of FRAM stage 1
(:class:`fram.models.makeup_clip.MakeupCLIP`, weights in ``fram/weights/makeup_clip``):

* :func:`embed`: photos → ``(N, D)`` float32 L2-normalised makeup embeddings; photos
  that cannot be read or show no usable face are reported and skipped.
* :func:`similar`: rank the photos of a folder by makeup similarity to a query and
  draw a contact sheet. The folder's embeddings are kept in an index file (in
  ``$XDG_CACHE_HOME/fram``, never inside the folder) and only new or changed photos
  are embedded again.
* :func:`describe_makeup`: the best-matching named styles for a photo, by text-image
  similarity against one prompt per style (``styles.json`` beside the weights).

Similarity is cosine similarity of makeup embeddings, in [-1, 1].
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fram.errors import FramError, ModelNotFoundError

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights" / "makeup_clip"
ENV_WEIGHTS = "FRAM_MAKEUP_CLIP"
INDEX_FORMAT = "fram-makeup-index/1"
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})
ANALYSIS_SIDE = 1024


# --------------------------------------------------------------------------- model


def default_weights() -> Path:
    """``$FRAM_MAKEUP_CLIP`` when set, else the weights that ship in ``fram/weights``."""
    return Path(os.environ.get(ENV_WEIGHTS) or WEIGHTS_DIR)


@functools.lru_cache(maxsize=2)
def _load(path: str) -> Any:
    from fram.models.makeup_clip import MakeupCLIP

    folder = Path(path)
    if not (folder / "model.safetensors").is_file():
        raise ModelNotFoundError(f"no makeup CLIP weights in {folder} (train them with `python -m fram.train.stage1`)")
    model = MakeupCLIP.from_pretrained(folder)
    if model.tokenizer is None:
        raise ModelNotFoundError(f"{folder} has no tokenizer.json")
    return model


def load_makeup_clip(path: str | os.PathLike[str] | None = None) -> Any:
    """The makeup CLIP at ``path`` (default: :func:`default_weights`), loaded once per process."""
    return _load(str(Path(path) if path is not None else default_weights()))


def _fingerprint(folder: Path) -> str:
    weights = folder / "model.safetensors"
    stat = weights.stat()
    with open(weights, "rb") as handle:
        head = handle.read(1 << 20)
    return hashlib.sha1(head + f"{stat.st_size}".encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- faces


@dataclass(frozen=True)
class FaceUV:
    """One photo's face in UV, ready for the encoder.

    Attributes:
        texture: (S, S, 3) uint8; visibility: (S, S) float32 in [0, 1].
        box: (x0, y0, x1, y1) of the face in the photo, pixels.
        image: the photo (H, W, 3) uint8, at analysis size (longest side ≤ 1024).
    """

    texture: np.ndarray
    visibility: np.ndarray
    box: tuple[float, float, float, float]
    image: np.ndarray


def face_uv(image: object, *, uv_size: int = 128, face_index: int = 0, source: str = "image") -> FaceUV:
    """Read a photo, find its ``face_index``-th largest face, unwrap it into UV."""
    from fram.face.image_io import downscale_for_analysis, read_image
    from fram.face.landmarks import default_landmarker, select_face
    from fram.face.uv import unwrap

    rgb = read_image(image)
    rgb, _ = downscale_for_analysis(rgb, ANALYSIS_SIDE)
    landmarker = default_landmarker()
    face = select_face(landmarker.detect(rgb), face_index, min_face_size=landmarker.options.min_face_size, source=source)
    tex = unwrap(rgb, face, uv_size)
    return FaceUV(texture=tex.texture, visibility=tex.visibility, box=tuple(float(v) for v in face.bbox), image=rgb)


def _name(item: object, i: int) -> str:
    return str(item) if isinstance(item, (str, os.PathLike)) else f"<image {i}>"


@torch.no_grad()
def _encode_uvs(model: Any, faces: Sequence[FaceUV], batch: int = 64) -> np.ndarray:
    from fram.models.makeup_clip import prepare_uv

    out = []
    for start in range(0, len(faces), batch):
        chunk = [prepare_uv(f.texture, f.visibility, model.image_size) for f in faces[start : start + batch]]
        pixels = torch.cat([c[0] for c in chunk])
        vis = torch.cat([c[1] for c in chunk])
        out.append(model.encode_image(pixels, vis).numpy().astype(np.float32))
    return np.concatenate(out) if out else np.zeros((0, model.config.embed_dim), np.float32)


# --------------------------------------------------------------------------- embed


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


def embed(images: Sequence[object], *, model: Any = None, face_index: int = 0, keep_faces: bool = False) -> EmbedResult:
    """Makeup embeddings of photos (paths, bytes, PIL images or arrays).

    A photo that is unreadable or has no usable face is skipped and listed in
    ``failures`` with the reason; it never stops the others.
    """
    if isinstance(images, (str, os.PathLike, np.ndarray)):
        images = [images]
    model = model if model is not None else load_makeup_clip()
    faces, sources, failures = [], [], []
    ok = np.zeros(len(images), bool)
    for i, item in enumerate(images):
        name = _name(item, i)
        try:
            faces.append(face_uv(item, uv_size=model.config.uv_size, face_index=face_index, source=Path(name).name))
        except FramError as exc:
            failures.append((name, str(exc)))
            continue
        sources.append(name)
        ok[i] = True
    vectors = _encode_uvs(model, faces)
    return EmbedResult(vectors=vectors, sources=sources, ok=ok, failures=failures, faces=faces if keep_faces else [])


# --------------------------------------------------------------------------- similar


def list_images(folder: str | os.PathLike[str]) -> list[Path]:
    """Image files under ``folder`` (recursively, hidden folders skipped), sorted."""
    root = Path(folder)
    if not root.is_dir():
        raise FramError(f"gallery folder does not exist: {root}")
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def default_index_path(folder: str | os.PathLike[str]) -> Path:
    """Where the index of a gallery folder is kept: ``$XDG_CACHE_HOME/fram/makeup-index/``."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha1(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return cache / "fram" / "makeup-index" / f"{key}.npz"


@dataclass
class GalleryIndex:
    """Embeddings of a folder's photos.

    Attributes:
        paths: photo paths relative to the folder; vectors: (N, D) float32;
        boxes: (N, 4) face boxes in analysis pixels; scales: (N,) analysis px per photo px;
        failures: relative path → reason for the photos without a usable face;
        stamps: relative path → "size:mtime_ns" when embedded; model: weights fingerprint.
    """

    folder: Path
    paths: list[str]
    vectors: np.ndarray
    boxes: np.ndarray
    failures: dict[str, str]
    stamps: dict[str, str]
    model: str

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"format": INDEX_FORMAT, "folder": str(self.folder), "paths": self.paths, "failures": self.failures,
                "stamps": self.stamps, "model": self.model}
        tmp = path.with_name(f".{path.name}.tmp.npz")
        np.savez(tmp, vectors=self.vectors, boxes=self.boxes, meta=np.array(json.dumps(meta)))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "GalleryIndex | None":
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != INDEX_FORMAT:
                    return None
                return cls(folder=Path(meta["folder"]), paths=meta["paths"], vectors=data["vectors"], boxes=data["boxes"],
                           failures=meta["failures"], stamps=meta["stamps"], model=meta["model"])
        except (OSError, ValueError, KeyError):
            return None


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def build_index(folder: str | os.PathLike[str], *, model: Any = None, weights: str | os.PathLike[str] | None = None,
                index_path: str | os.PathLike[str] | None = None, cache: bool = True, progress: bool = False) -> GalleryIndex:
    """Embed every photo of ``folder``, reusing the cached index for unchanged photos."""
    root = Path(folder)
    weights_dir = Path(weights) if weights is not None else default_weights()
    model = model if model is not None else load_makeup_clip(weights_dir)
    fingerprint = _fingerprint(weights_dir) if (weights_dir / "model.safetensors").is_file() else "in-memory"
    files = list_images(root)
    path = Path(index_path) if index_path is not None else default_index_path(root)
    old = GalleryIndex.load(path) if cache and path.is_file() else None
    if old is not None and old.model != fingerprint:
        old = None
    known: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if old is not None:
        known = {p: (old.vectors[i], old.boxes[i]) for i, p in enumerate(old.paths)}
    paths, vectors, boxes, failures, stamps = [], [], [], {}, {}
    todo: list[tuple[str, Path]] = []
    for file in files:
        rel = file.relative_to(root).as_posix()
        stamp = _stamp(file)
        if old is not None and old.stamps.get(rel) == stamp:
            if rel in known:
                paths.append(rel)
                vectors.append(known[rel][0])
                boxes.append(known[rel][1])
                stamps[rel] = stamp
                continue
            if rel in old.failures:
                failures[rel] = old.failures[rel]
                stamps[rel] = stamp
                continue
        todo.append((rel, file))
    iterator: Any = todo
    if progress and todo:
        from tqdm import tqdm

        iterator = tqdm(todo, desc="index", unit="photo")
    batch: list[tuple[str, FaceUV]] = []

    def flush() -> None:
        if not batch:
            return
        vecs = _encode_uvs(model, [f for _, f in batch])
        for (rel, f), v in zip(batch, vecs):
            paths.append(rel)
            vectors.append(v)
            boxes.append(np.array(f.box, np.float32))
        batch.clear()

    for rel, file in iterator:
        stamps[rel] = _stamp(file)
        try:
            batch.append((rel, face_uv(file, uv_size=model.config.uv_size, source=rel)))
        except FramError as exc:
            failures[rel] = str(exc)
        if len(batch) >= 32:
            flush()
    flush()
    dim = model.config.embed_dim
    order = np.argsort(paths, kind="stable") if paths else np.zeros(0, int)
    index = GalleryIndex(
        folder=root.resolve(), paths=[paths[i] for i in order],
        vectors=np.stack([vectors[i] for i in order]).astype(np.float32) if paths else np.zeros((0, dim), np.float32),
        boxes=np.stack([boxes[i] for i in order]).astype(np.float32) if paths else np.zeros((0, 4), np.float32),
        failures=failures, stamps=stamps, model=fingerprint,
    )
    if cache:
        index.save(path)
    return index


@dataclass(frozen=True)
class Match:
    """One gallery photo: its path, cosine similarity to the query and rank (1 = best)."""

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


def similar(query: object, gallery: str | os.PathLike[str], *, k: int = 5, model: Any = None,
            weights: str | os.PathLike[str] | None = None, index_path: str | os.PathLike[str] | None = None,
            cache: bool = True, sheet: bool = True, exclude_self: bool = True, progress: bool = False) -> SimilarResult:
    """The ``k`` photos of ``gallery`` whose makeup is closest to the query photo's.

    Args:
        query: a photo (path, bytes, PIL image, array).
        gallery: a folder of photos (searched recursively).
        k: how many matches.
        cache: keep the folder's embeddings in an index file (``index_path``, default
            :func:`default_index_path`) and embed only new or changed photos next time.
        exclude_self: leave the query file out when it lies in the gallery.
    Raises:
        FramError: the query has no usable face, or the folder does not exist.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    weights_dir = Path(weights) if weights is not None else default_weights()
    model = model if model is not None else load_makeup_clip(weights_dir)
    name = _name(query, 0)
    q = face_uv(query, uv_size=model.config.uv_size, source=Path(name).name)
    qv = _encode_uvs(model, [q])[0]
    index = build_index(gallery, model=model, weights=weights_dir, index_path=index_path, cache=cache, progress=progress)
    scores = index.vectors @ qv if len(index.paths) else np.zeros(0, np.float32)
    order = np.argsort(-scores, kind="stable")
    skip = None
    if exclude_self and isinstance(query, (str, os.PathLike)):
        try:
            skip = Path(query).resolve().relative_to(index.folder).as_posix()
        except ValueError:
            skip = None
    matches = []
    for i in order:
        if index.paths[i] == skip:
            continue
        matches.append(Match(path=index.paths[i], score=float(scores[i]), rank=len(matches) + 1))
        if len(matches) == k:
            break
    drawn = None
    if sheet:
        cells = [(_crop(q.image, q.box), f"query: {Path(name).name}")]
        for m in matches:
            cells.append((_gallery_crop(index, m.path), f"#{m.rank} {m.score:.3f}  {Path(m.path).name}"))
        drawn = contact_sheet(cells)
    return SimilarResult(query=name, matches=matches, failures=dict(index.failures), sheet=drawn)


def _crop(image: np.ndarray, box: Sequence[float], size: int = 192, margin: float = 0.25) -> np.ndarray:
    import cv2

    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) * (1 + 2 * margin)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    scale = size / max(side, 1.0)
    m = np.array([[scale, 0, size / 2 - cx * scale], [0, scale, size / 2 - cy * scale]], np.float32)
    return cv2.warpAffine(image, m, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))


def _gallery_crop(index: GalleryIndex, rel: str) -> np.ndarray:
    from fram.face.image_io import downscale_for_analysis, read_image

    i = index.paths.index(rel)
    try:
        rgb, _ = downscale_for_analysis(read_image(index.folder / rel), ANALYSIS_SIDE)
    except FramError:
        return np.full((192, 192, 3), 200, np.uint8)
    return _crop(rgb, index.boxes[i])


def contact_sheet(cells: Sequence[tuple[np.ndarray, str]], *, columns: int | None = None, cell: int = 192) -> np.ndarray:
    """A grid of square images with a caption under each: (H, W, 3) uint8."""
    from PIL import Image, ImageDraw, ImageFont

    if not cells:
        raise ValueError("no cells to draw")
    columns = columns or len(cells)
    rows = (len(cells) + columns - 1) // columns
    caption = 18
    sheet = Image.new("RGB", (columns * cell, rows * (cell + caption)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=12)
    for i, (image, text) in enumerate(cells):
        r, c = divmod(i, columns)
        tile = Image.fromarray(image).resize((cell, cell), Image.LANCZOS)
        sheet.paste(tile, (c * cell, r * (cell + caption)))
        draw.text((c * cell + 4, r * (cell + caption) + cell + 2), text[:32], fill="black", font=font)
    return np.asarray(sheet)


# --------------------------------------------------------------------------- describe


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


def style_bank(weights: str | os.PathLike[str] | None = None) -> list[dict[str, str]]:
    """The styles the model knows by name (``styles.json`` beside the weights)."""
    path = (Path(weights) if weights is not None else default_weights()) / "styles.json"
    if not path.is_file():
        raise ModelNotFoundError(f"no styles.json in {path.parent}")
    return json.loads(path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4)
def _bank_features(weights: str) -> tuple[list[dict[str, str]], torch.Tensor]:
    bank = style_bank(weights)
    model = load_makeup_clip(weights)
    with torch.no_grad():
        return bank, model.encode_texts([b["prompt"] for b in bank])


def describe_makeup(image: object, *, top: int = 3, weights: str | os.PathLike[str] | None = None, face_index: int = 0) -> list[StyleMatch]:
    """The ``top`` named styles closest to the makeup in a photo, best first."""
    if top < 1:
        raise ValueError(f"top must be >= 1, got {top}")
    weights_dir = str(Path(weights) if weights is not None else default_weights())
    model = load_makeup_clip(weights_dir)
    bank, text = _bank_features(weights_dir)
    face = face_uv(image, uv_size=model.config.uv_size, face_index=face_index, source=Path(_name(image, 0)).name)
    v = torch.from_numpy(_encode_uvs(model, [face]))
    scores = (v @ text.T)[0]
    probs = torch.softmax(scores / model.config.init_temperature, dim=0)
    order = torch.argsort(scores, descending=True)[:top].tolist()
    return [StyleMatch(style=bank[i]["style"], title=bank[i]["title"], category=bank[i]["category"],
                       description=bank[i]["description"], score=float(scores[i]), probability=float(probs[i])) for i in order]

describe = describe_makeup
"""``fram.search.describe``: the same as :func:`describe_makeup`."""
