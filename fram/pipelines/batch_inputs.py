"""What a batch works on: the photos of a folder (recursive), a glob or a CSV manifest,
each with the name of its output.

Outputs keep the input's stem, and a folder's (or a glob's) sub-folders; two inputs
that would share an output (``x.jpg`` and ``x.png``, or one photo listed twice in a
manifest) get ``x``, ``x-2``, … in listing order (sorted paths, or manifest rows), so
a rerun names everything the same way and resumes instead of redoing.

A manifest is a CSV with a ``source`` column and optionally ``reference`` or ``style``,
``regions`` and ``intensity``; relative paths are read from the CSV's folder. A row
that cannot be a job (no source, both a reference and a style) is a
:class:`BatchFailure` of its own, not an error of the whole batch.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from glob import glob
from pathlib import Path

from fram.errors import FramError

FORMATS = ("png", "jpg", "webp")
"""Output formats a batch writes (``--format``)."""

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})
MANIFEST_COLUMNS = ("source", "reference", "style", "regions", "intensity")
_MAGIC = "*?["


@dataclass(frozen=True)
class BatchJob:
    """One photo to make up.

    Attributes:
        source: the photo (absolute, so any worker finds it).
        name: how messages and ``errors.csv`` name it (its path as the user listed it).
        output: the output's path inside the output folder, without its extension.
        reference, style, regions, intensity: a manifest row's own values (None: the batch's).
    """

    source: Path
    name: str
    output: str
    reference: str | None = None
    style: str | None = None
    regions: str | None = None
    intensity: str | None = None


@dataclass(frozen=True)
class BatchFailure:
    """A photo (or manifest row) with no output, and why."""

    file: str
    reason: str


def list_inputs(spec: str, *, exclude: str | os.PathLike[str] | None = None) -> tuple[list[BatchJob], list[BatchFailure]]:
    """The jobs of a folder (every image file below it, hidden ones aside), a glob
    (``photos/**/*.jpg``; every file it matches) or a ``.csv`` manifest, and the
    manifest rows that are not jobs. ``exclude``: a folder never listed (the output
    folder, when it sits inside the input folder).

    Raises:
        FramError: no such input, an unreadable manifest, or nothing to do.
    """
    path = Path(spec)
    skip = None if exclude is None else Path(exclude).resolve()
    if path.is_file() and path.suffix.lower() == ".csv":
        jobs, failures = read_manifest(path)
    elif path.is_dir():
        jobs, failures = _from_files(_folder_files(path, skip), path), []
    elif any(c in spec for c in _MAGIC):
        files = sorted(Path(p) for p in glob(spec, recursive=True) if Path(p).is_file() and not _inside(Path(p), skip))
        jobs, failures = _from_files(files, _glob_root(spec)), []
    else:
        raise FramError(f"no such folder, glob or .csv manifest: {spec}")
    if not jobs and not failures:
        raise FramError(f"no photos found in {spec}")
    return jobs, failures


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and path.resolve().is_relative_to(folder)


def _folder_files(root: Path, skip: Path | None) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts) and not _inside(p, skip))


def _glob_root(spec: str) -> Path:
    """The folder a glob starts from: its parts before the first wildcard."""
    parts = []
    for part in Path(spec).parts:
        if any(c in part for c in _MAGIC):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _from_files(files: list[Path], root: Path) -> list[BatchJob]:
    taken: set[str] = set()
    jobs = []
    for path in files:
        relative = Path(os.path.relpath(path, root))
        if relative.parts[:1] == ("..",):
            relative = Path(path.name)
        jobs.append(BatchJob(source=path.resolve(), name=relative.as_posix(),
                             output=_unique(relative.with_suffix("").as_posix(), taken)))
    return jobs


def _unique(stem: str, taken: set[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``, … if an earlier input took it (case-blind,
    for file systems that are)."""
    name, n = stem, 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name.lower())
    return name


def read_manifest(path: Path) -> tuple[list[BatchJob], list[BatchFailure]]:
    """The jobs of a CSV manifest and its rows that are not jobs; see the module docstring."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FramError(f"cannot read manifest {path.name}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in reader.fieldnames or ()]
    unknown = [c for c in columns if c not in MANIFEST_COLUMNS]
    if "source" not in columns or unknown:
        raise FramError(f"manifest {path.name}: columns are {', '.join(MANIFEST_COLUMNS)} (source required); "
                        f"got {', '.join(columns) or 'none'}")
    reader.fieldnames = columns
    base = path.resolve().parent
    jobs, failures, taken = [], [], set()
    try:
        for line, row in enumerate(reader, start=2):
            cells = {k: (v or "").strip() or None for k, v in row.items() if k is not None and isinstance(v, str)}
            where = f"{path.name} line {line}"
            if None in row:
                failures.append(BatchFailure(where, "more cells than columns"))
            elif cells.get("source") is None:
                failures.append(BatchFailure(where, "no source"))
            elif cells.get("reference") and cells.get("style"):
                failures.append(BatchFailure(cells["source"], f"{where}: give a reference or a style, not both"))
            else:
                source = cells["source"]
                jobs.append(BatchJob(
                    source=(base / source).resolve(), name=source, output=_unique(Path(source).stem, taken),
                    reference=_from_manifest(base, cells.get("reference")), style=_from_manifest(base, cells.get("style")),
                    regions=cells.get("regions"), intensity=cells.get("intensity"),
                ))
    except csv.Error as exc:
        raise FramError(f"manifest {path.name}: not a CSV file ({exc})") from None
    return jobs, failures


def _from_manifest(base: Path, value: str | None) -> str | None:
    """A row's reference or style: a path relative to the manifest's folder when such a
    file exists, else as written (a preset name, ``text:WORDS``, an absolute path)."""
    if value is None:
        return None
    candidate = base / value
    return str(candidate.resolve()) if candidate.is_file() else value


__all__ = ["BatchFailure", "BatchJob", "IMAGE_SUFFIXES", "MANIFEST_COLUMNS", "list_inputs", "read_manifest"]
