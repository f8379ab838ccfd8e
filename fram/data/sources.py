"""Which photos a job uses, who is in them, and which split each person belongs to.

A face source is a folder (every image under it), a single image, or a glob pattern
(``".../scut-fbp5500/[AC]M*.jpg"``). Each photo is one identity, named
``"<folder name>/<path inside it>"`` so that the name does not depend on where the data
sits on a machine. Splits are drawn from a hash of that name, not from the job's
seed, so a person stays in the same split across every dataset built from the same
photos, and train, val and test never share a face.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fram.errors import FramError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})
SPLITS: tuple[str, ...] = ("train", "val", "test")
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class FaceSource:
    """One photo of one person.

    Attributes:
        path: where the photo is on this machine.
        identity: stable name, ``"<folder name>/<relative path>"``.
    """

    path: str
    identity: str


def _glob_root(pattern: str) -> Path:
    parts = Path(pattern).parts
    fixed = [p for p in parts[: next(i for i, p in enumerate(parts) if _GLOB_CHARS & set(p))]]
    return Path(*fixed) if fixed else Path(".")


def list_faces(specs: Sequence[str | os.PathLike[str]]) -> list[FaceSource]:
    """All photos named by ``specs`` (folders, files or glob patterns), in a stable order.

    Raises :class:`FramError` for a spec that names nothing. A photo listed twice is
    kept once.
    """
    found: dict[str, FaceSource] = {}
    for spec in specs:
        text = os.fspath(spec)
        path = Path(text)
        if path.is_dir():
            root = path
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.is_file():
            root, files = path.parent, [path]
        elif _GLOB_CHARS & set(text):
            root = _glob_root(text)
            files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).suffix.lower() in IMAGE_SUFFIXES)
        else:
            raise FramError(f"face source {text!r} is not a folder, an image or a glob pattern that exists")
        if not files:
            raise FramError(f"face source {text!r} holds no images")
        label = root.resolve().name or "faces"
        for file in files:
            key = str(file.resolve())
            if key not in found:
                found[key] = FaceSource(path=str(file), identity=f"{label}/{file.relative_to(root).as_posix()}")
    return list(found.values())


def split_of(identity: str, val_fraction: float = 0.05, test_fraction: float = 0.05) -> str:
    """The split of an identity: a fixed function of its name (sha1), never of a seed.

    >>> split_of("utkface/1_0_0_x.jpg") in SPLITS
    True
    """
    if not (0.0 <= val_fraction and 0.0 <= test_fraction and val_fraction + test_fraction < 1.0):
        raise ValueError(f"bad split fractions val={val_fraction}, test={test_fraction}")
    digest = hashlib.sha1(identity.encode("utf-8")).digest()
    u = int.from_bytes(digest[:8], "big") / 2.0**64
    if u < test_fraction:
        return "test"
    if u < test_fraction + val_fraction:
        return "val"
    return "train"


def identities_digest(faces: Sequence[FaceSource]) -> str:
    """A short hash of the identity list, to tell whether a resumed job sees the same photos."""
    h = hashlib.sha1()
    for face in faces:
        h.update(face.identity.encode("utf-8") + b"\n")
    return h.hexdigest()[:16]
