"""A folder of photos as makeup embeddings, kept in an index file so only new or
changed photos are embedded again (``fram similar``).

The index lives in ``$FRAM_CACHE/makeup-index/`` by default (``FRAM_CACHE`` defaults
to ``~/.cache/fram``, or ``$XDG_CACHE_HOME/fram`` where that is set), never inside
the folder; it is an ``.npz`` of arrays and JSON text, loaded without pickle.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fram.errors import FramError
from fram.face.image_io import write_bytes

INDEX_FORMAT = "fram-makeup-index/1"
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})
ENCODE_BATCH = 32


def list_images(folder: str | os.PathLike[str]) -> list[Path]:
    """Image files under ``folder`` (recursively, hidden folders skipped), sorted."""
    root = Path(folder)
    if not root.is_dir():
        raise FramError(f"gallery folder does not exist: {root}")
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


CACHE_ENV = "FRAM_CACHE"


def cache_folder() -> Path:
    """fram's own cache folder: ``$FRAM_CACHE``, else ``$XDG_CACHE_HOME/fram``, else ``~/.cache/fram``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fram"


def default_index_path(folder: str | os.PathLike[str]) -> Path:
    """Where the index of a gallery folder is kept: ``$FRAM_CACHE/makeup-index/``."""
    key = hashlib.sha1(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return cache_folder() / "makeup-index" / f"{key}.npz"


def weights_fingerprint(folder: Path) -> str:
    """A short id of a weights file, so an index made with other weights is not reused."""
    weights = folder / "model.safetensors"
    stat = weights.stat()
    with open(weights, "rb") as handle:
        head = handle.read(1 << 20)
    return hashlib.sha1(head + f"{stat.st_size}".encode()).hexdigest()[:16]


@dataclass
class GalleryIndex:
    """Embeddings of a folder's photos.

    Attributes:
        paths: photo paths relative to the folder; vectors: (N, D) float32;
        boxes: (N, 4) face boxes in analysis pixels;
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
        meta = {"format": INDEX_FORMAT, "folder": str(self.folder), "paths": self.paths, "failures": self.failures,
                "stamps": self.stamps, "model": self.model}
        buffer = io.BytesIO()
        np.savez(buffer, vectors=self.vectors, boxes=self.boxes, meta=np.array(json.dumps(meta)))
        write_bytes(path, buffer.getvalue())

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


def build_index(folder: str | os.PathLike[str], *, encode: Callable[[Sequence[Any]], np.ndarray],
                analyse: Callable[[Path, str], Any], fingerprint: str, dim: int,
                index_path: str | os.PathLike[str] | None = None, cache: bool = True, progress: bool = False) -> GalleryIndex:
    """Embed every photo of ``folder``, reusing the cached index for unchanged photos.

    ``analyse(file, name)`` gives a face (with a ``box``) or raises :class:`FramError`;
    ``encode(faces)`` gives their (N, dim) embeddings.
    """
    root = Path(folder)
    files = list_images(root)
    path = Path(index_path) if index_path is not None else default_index_path(root)
    old = GalleryIndex.load(path) if cache and path.is_file() else None
    if cache and index_path is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # the default cache folder is ours to make
        except OSError as exc:
            raise FramError(f"cannot make the cache folder '{path.parent}' ({exc.strerror}); "
                            f"set {CACHE_ENV} to a writable folder, or use --no-cache") from None
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
    batch: list[tuple[str, Any]] = []

    def flush() -> None:
        if not batch:
            return
        for (rel, face), v in zip(batch, encode([f for _, f in batch])):
            paths.append(rel)
            vectors.append(v)
            boxes.append(np.array(face.box, np.float32))
        batch.clear()

    for rel, file in iterator:
        stamps[rel] = _stamp(file)
        try:
            batch.append((rel, analyse(file, rel)))
        except FramError as exc:
            failures[rel] = str(exc)
        if len(batch) >= ENCODE_BATCH:
            flush()
    flush()
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
