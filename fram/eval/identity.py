"""Identity metric: dlib's ResNet face descriptor, loaded offline.

The models come from the ``face-recognition-models`` package (the 5-point shape
predictor and ``dlib_face_recognition_resnet_model_v1.dat``); nothing is fetched.
The package's own ``__init__`` imports ``pkg_resources`` (gone from recent
setuptools), so its folder is located without importing it.

The descriptor is a 128-d unit vector; the Euclidean distance between two
descriptors is below 0.6 for the same person by dlib's rule (99.38% on LFW).
"""

from __future__ import annotations

import functools
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fram.errors import FramError
from fram.face.landmarks import Face

SAME_PERSON_THRESHOLD = 0.6
"""dlib's decision threshold: descriptor distances below it are the same person."""

MODEL_FILES = ("shape_predictor_5_face_landmarks.dat", "dlib_face_recognition_resnet_model_v1.dat")

# Photos are scaled down to at most this side before detection: the descriptor is
# computed on a 150 px face chip, so more pixels only cost time.
_MAX_SIDE = 1024


class IdentityModelError(FramError):
    """dlib or the face-recognition model files are not installed."""


class NoIdentityFaceError(FramError):
    """Neither dlib nor a given MediaPipe face located a face to describe."""


@dataclass(frozen=True)
class Embedding:
    """One face's identity descriptor.

    Attributes:
        vector: (128,) float64 descriptor.
        box: (x0, y0, x1, y1) of the dlib rectangle used, in the photo's pixels.
        detector: ``"dlib"`` or ``"mediapipe"`` (a rectangle derived from landmarks).
    """

    vector: np.ndarray
    box: tuple[float, float, float, float]
    detector: str


def models_folder() -> Path:
    """Folder holding the dlib model files (``FRAM_DLIB_MODELS`` overrides)."""
    override = os.environ.get("FRAM_DLIB_MODELS")
    if override:
        folder = Path(override)
    else:
        spec = importlib.util.find_spec("face_recognition_models")
        if spec is None or not spec.submodule_search_locations:
            raise IdentityModelError(
                "the identity metric needs the [eval] extra (pip install 'fram[eval]') "
                "or FRAM_DLIB_MODELS=FOLDER"
            )
        folder = Path(list(spec.submodule_search_locations)[0]) / "models"
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise IdentityModelError(f"dlib model file(s) {', '.join(missing)} not found in {folder}")
    return folder


def _rectangle_from_face(face: Face, scale: float):
    """A dlib-detector-like square box from MediaPipe landmarks.

    dlib's frontal detector boxes a face from the brows to the chin, as wide as the
    face; the mesh's box reaches higher up the forehead, so the square is centred a
    little below the mesh box's centre.
    """
    import dlib

    x0, y0, x1, y1 = face.bbox
    side = (x1 - x0) * scale
    cx = 0.5 * (x0 + x1) * scale
    cy = (0.5 * (y0 + y1) - 0.035 * (y1 - y0)) * scale
    return dlib.rectangle(int(round(cx - side / 2)), int(round(cy - side / 2)), int(round(cx + side / 2)), int(round(cy + side / 2)))


def _iou(a, b) -> float:
    ix = max(0, min(a.right(), b.right()) - max(a.left(), b.left()))
    iy = max(0, min(a.bottom(), b.bottom()) - max(a.top(), b.top()))
    inter = ix * iy
    union = a.area() + b.area() - inter
    return inter / union if union > 0 else 0.0


class FaceEmbedder:
    """dlib's 5-point aligner and ResNet descriptor; load once, embed many.

    ``embed(image, face)``: the largest dlib detection (or, when a MediaPipe
    ``face`` is given, the detection that overlaps it most) is aligned with the
    5-point predictor and described. When dlib's detector misses, a rectangle
    derived from the MediaPipe landmarks is used instead.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        try:
            import dlib
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise IdentityModelError("the identity metric needs the [eval] extra: pip install 'fram[eval]'") from exc
        folder = Path(folder) if folder is not None else models_folder()
        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(folder / MODEL_FILES[0]))
        self._net = dlib.face_recognition_model_v1(str(folder / MODEL_FILES[1]))

    @classmethod
    @functools.lru_cache(maxsize=1)
    def default(cls) -> "FaceEmbedder":
        """A shared embedder, created once per process."""
        return cls()

    def embed(self, image: np.ndarray, face: Face | None = None) -> Embedding:
        """Identity descriptor of the photo's largest face (or of ``face``).

        Args:
            image: (H, W, 3) uint8 RGB.
            face: optional MediaPipe face of the same photo, to pick the face and to
                fall back on when dlib's detector finds nothing.

        Raises:
            NoIdentityFaceError: no face from either detector.
        """
        import cv2

        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 image, got {image.shape} {image.dtype}")
        scale = min(1.0, _MAX_SIDE / max(image.shape[:2]))
        work = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        work = np.ascontiguousarray(work)
        upsample = 1 if max(work.shape[:2]) <= 640 else 0
        detections = list(self._detector(work, upsample))
        hint = _rectangle_from_face(face, scale) if face is not None else None
        rect, source = None, "dlib"
        if detections:
            if hint is not None:
                best = max(detections, key=lambda d: _iou(d, hint))
                rect = best if _iou(best, hint) > 0.3 else None
            else:
                rect = max(detections, key=lambda d: d.area())
        if rect is None and hint is not None:
            rect, source = hint, "mediapipe"
        if rect is None:
            raise NoIdentityFaceError("no face found for the identity descriptor")
        shape = self._shape(work, rect)
        vector = np.asarray(self._net.compute_face_descriptor(work, shape), np.float64)
        box = tuple(float(v) / scale for v in (rect.left(), rect.top(), rect.right(), rect.bottom()))
        return Embedding(vector=vector, box=box, detector=source)


def identity_distance(a: Embedding | np.ndarray, b: Embedding | np.ndarray) -> float:
    """Euclidean distance between two descriptors; lower is more alike, < 0.6 same person."""
    va = a.vector if isinstance(a, Embedding) else np.asarray(a, np.float64)
    vb = b.vector if isinstance(b, Embedding) else np.asarray(b, np.float64)
    if va.shape != vb.shape:
        raise ValueError(f"descriptors differ in shape: {va.shape} and {vb.shape}")
    return float(np.linalg.norm(va - vb))
