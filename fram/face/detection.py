"""Where faces are in a photo, at any size and any in-plane rotation, before landmarking.

MediaPipe's landmarker finds a face with its own short-range detector on the whole
photo shrunk to 128 px, so it misses faces under about a tenth of the photo and
fits a mesh upside down on a photo turned 180°. Here the same detector (taken from
the landmarker's bundle) is run over a pyramid of 512 px tiles, so a 64 px face in a
50 MP photo is seen at a size it knows. Its six keypoints give each face's rotation;
the face is then landmarked on an upright crop (:class:`FaceFrame`: a box of the photo
turned by quarter turns, which is lossless both ways), and every later stage works on
that crop, so a 12 MP photo costs little more than its face.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import math
import threading
import zipfile
from dataclasses import dataclass

import cv2
import numpy as np

from fram.face.model_file import landmarker_path

TILE = 512
"""Side of the square windows the detector looks through (px of a pyramid level)."""
STRIDE = 384
PYRAMID_STEP = 3.0
"""Each pyramid level is this much smaller than the one before: a face too big to
fit one tile's overlap at one level is a small face at the next."""
MIN_SCORE = 0.5
SAME_FACE_IOU = 0.3
CROP_MARGIN = 0.9
"""Margin around a face's detector box (times its width) kept in its frame: hair,
neck and background for the skin model, the light estimate and the landmarker."""


@dataclass(frozen=True)
class FaceBox:
    """A face the detector saw, in the photo's native pixels.

    Attributes:
        center: (x, y) of the box centre.
        size: box side (the detector's boxes are near square).
        angle: the face's in-plane rotation in degrees, counter-clockwise as seen,
            0 = upright (eyes above the mouth).
        score: detector confidence.
    """

    center: tuple[float, float]
    size: float
    angle: float
    score: float

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        (x, y), h = self.center, self.size / 2
        return x - h, y - h, x + h, y + h


@dataclass(frozen=True)
class FaceFrame:
    """A box of the photo turned upright by quarter turns: where one face is worked on.

    ``view`` is what landmarking and makeup see; ``paste`` puts a made-up view back,
    bit-exact outside what changed, since quarter turns never resample.
    """

    rows: slice
    cols: slice
    turns: int

    @classmethod
    def whole(cls, shape: tuple[int, ...]) -> "FaceFrame":
        return cls(slice(0, shape[0]), slice(0, shape[1]), 0)

    def view(self, image: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.rot90(image[self.rows, self.cols], self.turns))

    def paste(self, image: np.ndarray, made: np.ndarray) -> np.ndarray:
        """A copy of ``image`` with its frame replaced by ``made`` (a made-up view)."""
        out = image.copy()
        out[self.rows, self.cols] = np.rot90(made, -self.turns)
        return out

    def to_view(self, points: np.ndarray) -> np.ndarray:
        """(N, >=2) photo coordinates → the view's (inverse of :meth:`to_original`)."""
        out = np.array(points, dtype=np.float64, copy=True)
        out[:, 0] -= self.cols.start
        out[:, 1] -= self.rows.start
        width = self.cols.stop - self.cols.start
        height = self.rows.stop - self.rows.start
        for _ in range(self.turns):
            x, y = out[:, 0].copy(), out[:, 1].copy()
            out[:, 0], out[:, 1] = y, width - x
            width, height = height, width
        return out

    def to_original(self, points: np.ndarray) -> np.ndarray:
        """(N, >=2) view coordinates (pixel-centre convention) → the photo's."""
        out = np.array(points, dtype=np.float64, copy=True)
        height, width = self.rows.stop - self.rows.start, self.cols.stop - self.cols.start
        for turn in reversed(range(self.turns)):
            # Undo one counter-clockwise quarter turn: (x, y) went to (y, W - x).
            before = width if turn % 2 == 0 else height
            x, y = out[:, 0].copy(), out[:, 1].copy()
            out[:, 0], out[:, 1] = before - y, x
        out[:, 0] += self.cols.start
        out[:, 1] += self.rows.start
        return out.astype(np.float32)


def frame_for(box: FaceBox, shape: tuple[int, ...]) -> FaceFrame:
    """The frame around a detected face: its box plus :data:`CROP_MARGIN`, not yet turned
    (:func:`turns_by_score` picks the turn)."""
    x0, y0, x1, y1 = box.bbox
    pad = CROP_MARGIN * box.size
    rows = slice(max(0, int(y0 - pad)), min(shape[0], int(math.ceil(y1 + pad))))
    cols = slice(max(0, int(x0 - pad)), min(shape[1], int(math.ceil(x1 + pad))))
    return FaceFrame(rows, cols, 0)


def turns_by_score(image: np.ndarray, frame: FaceFrame) -> list[int]:
    """Quarter turns of ``frame`` ordered by how upright the detector finds its face there.

    The detector sees faces at any quarter turn, but its keypoints then guess the
    rotation poorly; its score is highest on the upright face.
    """
    crop = image[frame.rows, frame.cols]
    shrink = TILE / max(crop.shape[:2])
    if shrink < 1:
        crop = cv2.resize(crop, (max(1, round(crop.shape[1] * shrink)), max(1, round(crop.shape[0] * shrink))), interpolation=cv2.INTER_AREA)
    scores = [max((score for _, _, score in _detector()(np.rot90(crop, k))), default=0.0) for k in range(4)]
    return sorted(range(4), key=lambda k: -scores[k])


class _Detector:
    """MediaPipe's short-range face detector from the landmarker's bundle (one per process)."""

    def __init__(self) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        data = zipfile.ZipFile(landmarker_path()).read("face_detector.tflite")
        options = vision.FaceDetectorOptions(base_options=BaseOptions(model_asset_buffer=data), min_detection_confidence=MIN_SCORE)
        self._task = vision.FaceDetector.create_from_options(options)
        self._lock = threading.Lock()
        atexit.register(self.close)

    def close(self) -> None:
        """Close before interpreter exit: MediaPipe's dispatcher is gone by ``__del__`` time."""
        with contextlib.suppress(RuntimeError, TypeError):
            self._task.close()
        self._task._handle = None

    def __call__(self, rgb: np.ndarray) -> list[tuple[np.ndarray, float]]:
        """(6, 2) keypoints in ``rgb``'s pixels (eyes, nose, mouth, ears) and score, per face."""
        import mediapipe as mp

        height, width = rgb.shape[:2]
        with self._lock:
            found = self._task.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)))
        out = []
        for det in found.detections:
            points = np.array([(k.x * width, k.y * height) for k in det.keypoints], np.float64)
            bb = det.bounding_box
            box = np.array([bb.origin_x, bb.origin_y, bb.origin_x + bb.width, bb.origin_y + bb.height], np.float64)
            out.append((points, box, float(det.categories[0].score)))
        return out


@functools.lru_cache(maxsize=1)
def _detector() -> _Detector:
    return _Detector()


def _face_box(points: np.ndarray, box: np.ndarray, score: float, scale: float, offset: tuple[float, float]) -> FaceBox:
    eyes = points[:2].mean(axis=0)
    down = points[3] - eyes  # eye midpoint → mouth
    angle = math.degrees(math.atan2(-down[0], down[1]))  # 0 when the mouth is straight below
    size = max(box[2] - box[0], box[3] - box[1], 2.2 * float(np.linalg.norm(points[1] - points[0])))
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return FaceBox(center=((cx + offset[0]) / scale, (cy + offset[1]) / scale), size=size / scale, angle=angle, score=score)


def _tiles(length: int) -> list[int]:
    if length <= TILE:
        return [0]
    starts = list(range(0, length - TILE, STRIDE))
    return starts + [length - TILE]


def find_faces(rgb: np.ndarray, *, min_size: float = 0.0) -> list[FaceBox]:
    """Every face the detector sees in ``rgb``, largest first (one box each).

    The photo is searched at native scale (tiles of :data:`TILE` px) and at levels
    :data:`PYRAMID_STEP` times smaller until one tile holds it all; faces it misses
    upright are looked for again on the photo turned by quarter turns.
    """
    detect = _detector()
    height, width = rgb.shape[:2]
    found: list[FaceBox] = []
    scale = 1.0
    level = rgb
    while True:
        h, w = level.shape[:2]
        for top in _tiles(h):
            for left in _tiles(w):
                tile = level[top : top + TILE, left : left + TILE]
                for points, box, score in detect(tile):
                    found.append(_face_box(points, box, score, scale, (left, top)))
        if max(h, w) <= TILE:
            break
        scale /= PYRAMID_STEP
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        level = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    if not found:
        found = _turned(level, scale)
    return [f for f in _merge(found) if f.size >= min_size]


def _turned(level: np.ndarray, scale: float) -> list[FaceBox]:
    """Faces found on the smallest level turned by 1–3 quarter turns, in its own coordinates."""
    h, w = level.shape[:2]
    out = []
    for k in (1, 2, 3):
        for points, box, score in _detector()(np.rot90(level, k)):
            frame = FaceFrame(slice(0, h), slice(0, w), k)
            pts = frame.to_original(points)
            corners = frame.to_original(np.array([[box[0], box[1]], [box[2], box[3]]]))
            bb = np.concatenate([corners.min(axis=0), corners.max(axis=0)])
            out.append(_face_box(pts, bb, score, scale, (0.0, 0.0)))
    return out


def _iou(a: FaceBox, b: FaceBox) -> float:
    ax0, ay0, ax1, ay1 = a.bbox
    bx0, by0, bx1, by1 = b.bbox
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    return inter / (a.size**2 + b.size**2 - inter + 1e-9)


def _merge(boxes: list[FaceBox]) -> list[FaceBox]:
    """One box per face: the best-scored of those overlapping (a face seen in two
    tiles or at two levels), also dropping a box mostly inside a bigger one."""
    kept: list[FaceBox] = []
    for box in sorted(boxes, key=lambda b: b.score, reverse=True):
        if all(_iou(box, k) < SAME_FACE_IOU and not _inside(box, k) for k in kept):
            kept.append(box)
    return sorted(kept, key=lambda b: b.size, reverse=True)


def _inside(a: FaceBox, b: FaceBox) -> bool:
    ax0, ay0, ax1, ay1 = a.bbox
    bx0, by0, bx1, by1 = b.bbox
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    return inter > 0.6 * min(a.size, b.size) ** 2
