"""Faces followed through a video: landmarks found per frame, smoothed in time.

MediaPipe's landmarker in VIDEO mode reuses the previous frame's face box, so it is
cheaper than a still-image search, but its landmarks still wobble by a pixel or two
from frame to frame. On a still face that reads as shimmering makeup; a plain moving
average would fix it and make the makeup trail a moving head. The One-Euro filter
(Casiez, Roussel & Vogel, CHI 2012) does both: a low-pass filter whose cut-off rises
with the speed of the signal, so it smooths hard when the face is still and follows
at once when it moves.

Each tracked face carries a ``presence`` from 0 to 1 that ramps over
:data:`FADE_FRAMES` frames when the face appears and, holding its last landmarks,
when it is lost, so makeup fades in and out instead of popping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from fram.face.landmarks import Face, FaceLandmarker, FaceLandmarkerOptions

FADE_FRAMES = 5
"""Frames over which a face's makeup fades in when it appears and out when it is lost."""
MIN_CUTOFF = 0.6
"""Hz: the filter's cut-off on a still face (lower = steadier, more lag when it starts)."""
BETA = 12.0
"""How fast the cut-off rises with speed, in face widths per second. Higher follows a
moving head more closely and lets more noise through while it moves: on the eval
suite ``video``, 4 gave 10.8 ‰ landmark jitter on translation, 12 gives 7.8 (30: 6.0,
unfiltered 3.9), still faces 0.07 either way; on noise of 0.3 % of the face width,
12 keeps 28 % of it (4: 22 %, 30: 37 %)."""
DERIVATIVE_CUTOFF = 1.0
"""Hz: the cut-off of the speed estimate that drives the adaptive cut-off."""
VIDEO_ANALYSIS_SIDE = 640
"""Frames are analysed on a copy at most this long: landmarks come back in full
resolution, and the landmark network itself sees a 256 px crop of the face anyway."""


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2 * math.pi * np.asarray(cutoff))
    return 1.0 / (1.0 + tau / dt)


@dataclass
class OneEuroFilter:
    """The One-Euro filter over an array of any shape, in units of ``scale``.

    Speeds are measured in ``scale`` units per second (the caller passes the face's
    width), so the same settings suit a face 100 px or 1000 px wide.
    """

    min_cutoff: float = MIN_CUTOFF
    beta: float = BETA
    derivative_cutoff: float = DERIVATIVE_CUTOFF
    _value: np.ndarray | None = field(default=None, repr=False)
    _speed: np.ndarray | None = field(default=None, repr=False)
    _time: float = 0.0

    def __call__(self, value: np.ndarray, time_s: float, scale: float = 1.0) -> np.ndarray:
        """The filtered value at ``time_s`` (seconds, increasing)."""
        value = np.asarray(value, np.float64)
        if self._value is None:
            self._value, self._speed, self._time = value.copy(), np.zeros_like(value), time_s
            return value.copy()
        dt = max(time_s - self._time, 1e-3)
        speed = (value - self._value) / dt / max(scale, 1e-6)
        self._speed = self._speed + _alpha(self.derivative_cutoff, dt) * (speed - self._speed)
        cutoff = self.min_cutoff + self.beta * np.abs(self._speed)
        self._value = self._value + _alpha(cutoff, dt) * (value - self._value)
        self._time = time_s
        return self._value.copy()


@dataclass
class Track:
    """One face followed through the clip.

    Attributes:
        id: its number, in order of appearance.
        face: its smoothed landmarks in the latest frame (held while it is lost).
        presence: 0 to 1, how much of its makeup shows (fades in and out).
        lost: frames since it was last seen.
    """

    id: int
    face: Face
    presence: float = 0.0
    lost: int = 0
    filter: OneEuroFilter = field(default_factory=OneEuroFilter, repr=False)


def _centre(face: Face) -> np.ndarray:
    x0, y0, x1, y1 = face.bbox
    return np.array([(x0 + x1) / 2, (y0 + y1) / 2])


class FaceTracker:
    """Follows the largest face (or every face) of a video, frame by frame.

    Call :meth:`update` with each frame in order; it returns the tracks to draw on that
    frame (present or fading out), largest first. Use as a context manager, or call
    :meth:`close`.
    """

    def __init__(self, *, all_faces: bool = False, model_path: str | None = None,
                 fade_frames: int = FADE_FRAMES) -> None:
        options = FaceLandmarkerOptions(model_path=model_path, num_faces=4 if all_faces else 1,
                                        max_analysis_side=VIDEO_ANALYSIS_SIDE)
        self._landmarker = FaceLandmarker.create_from_options(options, video=True)
        self.all_faces = all_faces
        self.fade_frames = max(1, fade_frames)
        self.tracks: list[Track] = []
        self._next_id = 0
        self._last_ms = -1

    def __enter__(self) -> "FaceTracker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._landmarker.close()

    def update(self, frame: np.ndarray, time_s: float) -> list[Track]:
        """The tracks to draw on ``frame`` (RGB uint8) shown at ``time_s`` seconds."""
        # MediaPipe needs strictly increasing whole milliseconds, which a variable frame
        # rate with fine time stamps may not give.
        stamp = max(int(round(time_s * 1000)), self._last_ms + 1)
        self._last_ms = stamp
        faces = self._landmarker.detect_for_video(frame, stamp).faces
        faces = [f for f in faces if f.width >= self._landmarker.options.min_face_size]
        if not self.all_faces:
            faces = faces[:1]
        step = 1.0 / self.fade_frames
        unmatched = list(self.tracks)
        for face in faces:
            track = min(unmatched, key=lambda t: float(np.linalg.norm(_centre(t.face) - _centre(face))), default=None)
            if track is not None and np.linalg.norm(_centre(track.face) - _centre(face)) < max(track.face.width, face.width):
                unmatched.remove(track)
            else:
                track = Track(id=self._next_id, face=face)
                self._next_id += 1
                self.tracks.append(track)
            smooth = track.filter(face.landmarks, time_s, scale=face.width)
            track.face = replace(face, landmarks=smooth.astype(np.float32))
            track.presence = min(1.0, track.presence + step)
            track.lost = 0
        for track in unmatched:
            track.lost += 1
            track.presence = max(0.0, track.presence - step)
        self.tracks = [t for t in self.tracks if t.presence > 0 or t.lost == 0]
        return sorted(self.tracks, key=lambda t: t.face.width * t.face.height, reverse=True)
