"""What every suite shares: options, data folders, running engines, aggregating."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fram.errors import FramError
from fram.eval.engines import Engine
from fram.eval.measure import GROUPS, Photo
from fram.eval.metrics import METRIC_INFO

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
"""``../shared/data`` beside the project (the development photos; never copied into the repo)."""

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")


@dataclass
class SuiteOptions:
    """Knobs common to the suites (each suite reads the ones it needs).

    Attributes:
        data: a folder of the suite's layout instead of its default in ``../shared/data``.
        limit: at most this many photos per list (sources, references, triplets,
            photos per skin-tone group), for quick runs; None = the suite's default.
        sizes: photo sizes of the ``speed`` suite.
        repeat: timed repeats per size of the ``speed`` suite.
        isolate: ``speed`` runs each size in a fresh process (true peak RSS per size).
        threads: torch intra-op threads for the ``speed`` suite (None: torch's default).
        seed: for the suites that sample.
        progress: print one line per item to stderr.
    """

    data: Path | None = None
    limit: int | None = None
    sizes: tuple[int, ...] = (256, 512, 1024, 2048)
    repeat: int = 5
    isolate: bool = True
    threads: int | None = None
    seed: int = 0
    progress: bool = False
    extra: dict = field(default_factory=dict)


class SuiteDataError(FramError):
    """A suite's data folder is missing or has the wrong layout."""


def list_images(folder: Path) -> list[Path]:
    """Image files directly in ``folder``, sorted by name."""
    if not folder.is_dir():
        raise SuiteDataError(f"folder not found: {folder}")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def makeup_folders(data: Path | None) -> tuple[Path, list[Path], list[Path]]:
    """(root, non-makeup sources, makeup references) of a ``real``/``regional`` data folder."""
    root = Path(data) if data is not None else SHARED_DATA / "makeup-photos"
    if not (root / "makeup").is_dir() or not (root / "non-makeup").is_dir():
        raise SuiteDataError(f"{root} must hold 'makeup/' (references) and 'non-makeup/' (sources) subfolders")
    return root, list_images(root / "non-makeup"), list_images(root / "makeup")


def load_photos(paths: Iterable[Path], notes: list[str], what: str) -> list[Photo]:
    """Photos with a usable face; the others are named in ``notes``."""
    photos, dropped = [], []
    for path in paths:
        try:
            photo = Photo.load(path)
        except FramError as exc:
            dropped.append(f"{path.name} ({exc})")
            continue
        if photo.face is None:
            dropped.append(f"{path.name} ({photo.error})")
        else:
            photos.append(photo)
    if dropped:
        notes.append(f"{len(dropped)} {what} without a usable face were left out: " + "; ".join(dropped))
    return photos


class Progress:
    """One line per step on stderr, when enabled."""

    def __init__(self, enabled: bool, total: int, what: str) -> None:
        self.enabled, self.total, self.what, self.done = enabled, total, what, 0
        self.start = time.perf_counter()

    def step(self, text: str = "") -> None:
        self.done += 1
        if self.enabled:
            elapsed = time.perf_counter() - self.start
            print(f"[{self.what}] {self.done}/{self.total} {elapsed:6.1f}s {text}", file=sys.stderr, flush=True)


def run_engine(engine: Engine, source: Photo, references: dict[str, Photo], regions: tuple[str, ...]) -> tuple[np.ndarray | None, float, str | None]:
    """(result, seconds, error) of one transfer; user errors are caught and reported."""
    refs = {g: p.image for g, p in references.items()}
    start = time.perf_counter()
    try:
        image = engine(source.image, refs, regions)
    except FramError as exc:
        return None, time.perf_counter() - start, str(exc)
    return image, time.perf_counter() - start, None


def aggregate(records: list[dict], keys: Iterable[str] | None = None) -> dict[str, float]:
    """Per-metric aggregate over records, plus ``n`` and ``failed``.

    Means of finite values, except: ``bg_psnr`` takes the minimum (the worst case)
    and other PSNRs are pooled (the PSNR of the mean squared error, so ∞ only when
    every item is identical)."""
    ok = [r for r in records if not r.get("error")]
    if keys is None:
        keys = sorted({k for r in ok for k, v in r.items() if isinstance(v, (int, float)) and k.split("/")[0] in METRIC_INFO})
    out: dict[str, float] = {"n": len(ok), "failed": len(records) - len(ok)}
    for key in keys:
        values = [float(r[key]) for r in ok if isinstance(r.get(key), (int, float)) and not math.isnan(float(r[key]))]
        if not values:
            out[key] = math.nan
        elif key.startswith("bg_psnr"):
            out[key] = min(values)
        elif "psnr" in key:
            mse = float(np.mean([0.0 if math.isinf(v) else 10.0 ** (-v / 10.0) for v in values]))
            out[key] = math.inf if mse == 0.0 else -10.0 * math.log10(mse)
        else:
            out[key] = float(np.mean(values))
    return out


def mean_over_regions(summary: dict[str, float], metric: str, regions: Iterable[str]) -> float:
    values = [summary.get(f"{metric}/{r}") for r in regions]
    values = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(values)) if values else math.nan


def engine_infos(engines: list[Engine]) -> dict[str, str]:
    return {e.name: e.description for e in engines}


def all_groups_refs(reference: Photo) -> dict[str, Photo]:
    return {g: reference for g in GROUPS}


def _reframed(image: np.ndarray) -> np.ndarray:
    """The same photo as if taken again: mirrored, 70% scale, gamma 1.2, JPEG quality 60."""
    import io

    import cv2
    from PIL import Image

    small = cv2.resize(image[:, ::-1], None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA)
    lit = (255.0 * (small / 255.0) ** 1.2 + 0.5).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(lit).save(buffer, format="JPEG", quality=60)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def identity_scale(photos: list[Photo], max_pairs: int = 21) -> dict[str, float]:
    """Reference identity distances that give the identity metric a scale.

    Same person: scikit-image's astronaut against itself, against a re-framed copy
    and wearing a strong preset. Different people: pairs of this suite's photos
    (assumed to show different people), mean and closest pair.
    """
    from skimage import data

    from fram.eval.identity import SAME_PERSON_THRESHOLD, identity_distance
    from fram.pipelines import apply_makeup

    out: dict[str, float] = {}
    astronaut = Photo(np.ascontiguousarray(data.astronaut()), "astronaut")
    base = astronaut.embedding
    if base is not None:
        out["same photo (astronaut vs itself)"] = identity_distance(base, base)
        copy = Photo(_reframed(astronaut.image), "astronaut-copy")
        if copy.embedding is not None:
            out["same person: mirrored, 70% scale, gamma 1.2, JPEG 60"] = identity_distance(base, copy.embedding)
        made_up = Photo(apply_makeup(astronaut.image, "red-carpet").image, "astronaut-red-carpet")
        if made_up.embedding is not None:
            out["same person wearing preset red-carpet (fram's renderer)"] = identity_distance(base, made_up.embedding)
    described = [p for p in photos if p.embedding is not None]
    pairs = [(a, b) for i, a in enumerate(described) for b in described[i + 1 :]][:max_pairs]
    if pairs:
        distances = [identity_distance(a.embedding, b.embedding) for a, b in pairs]
        out[f"different people: mean over {len(pairs)} pairs of this suite's photos"] = float(np.mean(distances))
        out["different people: closest pair"] = float(np.min(distances))
    out["dlib's same-person threshold"] = SAME_PERSON_THRESHOLD
    return out
