"""Short video clips made from a still photo with known motion, for tests, the video
suite and the speed benchmark.

A real face photo is placed on a frame and moved by a known similarity transform per
frame (translation, rotation, zoom) under a known change of light, so how the makeup
*should* move is known exactly: mapping a frame back through its transform gives
face-stabilised coordinates, where the makeup of a good video engine stays put.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator

import cv2
import numpy as np

from fram.errors import require_extra

MOTIONS = ("still", "translate", "rotate", "zoom", "light")


@dataclass(frozen=True)
class Motion:
    """Per-frame pose and light of the photo in a clip: ``t`` runs from 0 to 1.

    Attributes:
        shift: (dx, dy) at the end, in fractions of the frame's width/height.
        angle: degrees of rotation at the end.
        zoom: scale at the end (1 = unchanged).
        light: brightness factor at the end (1 = unchanged).
    """

    shift: tuple[float, float] = (0.0, 0.0)
    angle: float = 0.0
    zoom: float = 1.0
    light: float = 1.0

    @classmethod
    def named(cls, name: str) -> "Motion":
        return {
            "still": cls(),
            "translate": cls(shift=(0.12, 0.05)),
            "rotate": cls(angle=15.0),
            "zoom": cls(zoom=1.25),
            "light": cls(light=0.6),
        }[name]

    def matrix(self, t: float, size: tuple[int, int], photo_size: tuple[int, int], face_share: float) -> np.ndarray:
        """(2, 3) photo → frame affine at time ``t`` (a smooth there-and-back move)."""
        width, height = size
        ph, pw = photo_size
        s = 0.5 - 0.5 * math.cos(2 * math.pi * t)  # 0 → 1 → 0
        scale = face_share * height / ph * (1 + (self.zoom - 1) * s)
        centre = (width / 2 + self.shift[0] * width * s, height / 2 + self.shift[1] * height * s)
        rot = cv2.getRotationMatrix2D((pw / 2, ph / 2), self.angle * s, scale)
        rot[:, 2] += np.array(centre) - (pw / 2, ph / 2)
        return rot

    def brightness(self, t: float) -> float:
        return 1 + (self.light - 1) * (0.5 - 0.5 * math.cos(2 * math.pi * t))


def clip_frames(photo: np.ndarray, motion: Motion, size: tuple[int, int], frames: int,
                face_share: float = 0.8) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Frames (H, W, 3) uint8 of ``photo`` moving by ``motion``, each with its (2, 3)
    photo → frame transform; the photo covers ``face_share`` of the frame's height."""
    width, height = size
    background = np.empty((height, width, 3), np.uint8)
    background[:] = np.linspace(70, 130, width, dtype=np.uint8)[None, :, None]
    for k in range(frames):
        t = k / max(frames - 1, 1)
        matrix = motion.matrix(t, size, photo.shape[:2], face_share)
        frame = cv2.warpAffine(photo, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT,
                               dst=background.copy())
        gain = motion.brightness(t)
        if gain != 1:
            frame = np.clip(frame.astype(np.float32) * gain, 0, 255).astype(np.uint8)
        yield frame, matrix


def write_clip(path: str | os.PathLike[str], frames: Iterator[np.ndarray], fps: int = 25, *, audio: bool = False,
               codec: str = "libx264", rotation: int = 0) -> None:
    """Encode ``frames`` into a video file (PyAV) with an optional 440 Hz AAC tone and a
    display rotation flag (counter-clockwise degrees), the way phones write them."""
    av = require_extra("av", "video", "writing a video clip")

    with av.open(os.fspath(path), "w") as out:
        video = None
        tone = None
        if audio:
            tone = out.add_stream("aac", rate=44100)
            tone.layout = "mono"
        samples = 0
        for k, frame in enumerate(frames):
            if video is None:
                video = out.add_stream(codec, rate=Fraction(fps), options={"preset": "ultrafast"} if codec == "libx264" else {})
                video.height, video.width = frame.shape[:2]
                video.pix_fmt = "yuv420p"
                if rotation:
                    video.set_display_rotation(rotation)
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
            if tone is not None:
                until = int((k + 1) / fps * 44100)
                while samples + 1024 <= until:
                    t = (samples + np.arange(1024)) / 44100
                    wave = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None]
                    chunk = av.AudioFrame.from_ndarray(wave, format="fltp", layout="mono")
                    chunk.sample_rate, chunk.pts = 44100, samples
                    for packet in tone.encode(chunk):
                        out.mux(packet)
                    samples += 1024
        for stream in (video, tone):
            if stream is not None:
                for packet in stream.encode(None):
                    out.mux(packet)
