"""Frames per second of ``fram video`` at 720p and 1080p, whole job and per stage.

A real bare photo (``../shared/data/makeup-photos/non-makeup``) is moved across the
frame (:mod:`fram.eval.clips`, translation) into an H.264 clip with audio; then:

- ``whole job``: :func:`fram.pipelines.video.apply_to_video` (decode, track,
  composite, encode, audio copy), as ``fram video`` runs it;
- ``codec``: the same file streamed through a function that only copies each frame
  (decode, RGB conversions, encode);
- ``landmarks``: the tracker (MediaPipe VIDEO mode + One-Euro filter) per frame;
- ``makeup``: re-projecting the baked look and compositing it per frame.

Prints a markdown section for docs/benchmarks.md. Run on a quiet machine:
``OMP_NUM_THREADS=1 python benchmarks/video_speed.py [--frames 90] [--look NAME]``
(one torch thread: FFmpeg's codec threads use the other core; with 2 torch threads on a
busy 2-core machine the composite was 10x slower).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from fram.eval.clips import Motion, clip_frames, write_clip
from fram.face.image_io import read_image

PHOTO = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "makeup-photos" / "non-makeup" / "vSYYZ241.png"
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}


def _decoded(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def measure(photo: np.ndarray, size: tuple[int, int], frames: int, look: str, folder: Path) -> dict[str, float]:
    from fram.pipelines.video import VideoLook, VideoMakeup, apply_to_video, wear_on_face, wear_on_frame
    from fram.pipelines.video_file import transcode

    clip = folder / f"in_{size[1]}.mp4"
    write_clip(clip, (f for f, _ in clip_frames(photo, Motion.named("translate"), size, frames, face_share=0.6)), audio=True)
    out = folder / "out.mp4"
    started = time.perf_counter()
    apply_to_video(clip, out, look)
    whole = time.perf_counter() - started
    started = time.perf_counter()
    apply_to_video(clip, out, look, end=0.5 / 25)  # one frame: loading the models, the key frame's analysis
    first = time.perf_counter() - started
    started = time.perf_counter()
    transcode(clip, out, lambda rgb, _t: rgb.copy())
    codec = time.perf_counter() - started
    decoded = _decoded(clip)
    resolved = VideoLook.create(look)
    with VideoMakeup(resolved) as engine:
        tracks, started = [], time.perf_counter()
        for k, frame in enumerate(decoded):
            tracks.append([(t.face, t.presence) for t in engine.tracker.update(frame, k / 25)])
        landmarks = time.perf_counter() - started
    seen = next(k for k, t in enumerate(tracks) if t)
    worn = wear_on_face(resolved, decoded[seen], tracks[seen][0][0])
    started = time.perf_counter()
    for frame, faces in zip(decoded, tracks):
        for face, presence in faces:
            wear_on_frame(frame, face, worn, presence)
    makeup = time.perf_counter() - started
    n = len(decoded)
    return {"fps": n / whole, "ms_whole": whole / n * 1e3, "s_first": first, "fps_steady": (n - 1) / (whole - first), "ms_codec": codec / n * 1e3,
            "ms_landmarks": landmarks / n * 1e3, "ms_makeup": makeup / n * 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=90)
    parser.add_argument("--look", default="text:deep red lipstick, black winged eyeliner and pink blush")
    args = parser.parse_args()
    photo = read_image(PHOTO)
    with tempfile.TemporaryDirectory() as folder:
        results = {name: measure(photo, size, args.frames, args.look, Path(folder)) for name, size in SIZES.items()}
    print("## Video speed (`benchmarks/video_speed.py`)\n")
    print(f"{os.cpu_count()} CPU cores ({platform.machine()}), OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
          f"{args.frames} frames of a real photo moving across the frame (face 60 % of the height), look `{args.look}`, "
          "H.264 veryfast out, audio copied. Stages are timed separately (decode+encode runs on FFmpeg threads beside "
          "the Python work, so the whole job is less than their sum). *First frame*: a one-frame job (loading the "
          "landmarker, the key frame's analysis), paid once per clip; *after it*: the rest of the whole job's frames.\n")
    print("| size | whole job (frames/s) | whole job (ms/frame) | first frame (s) | after it (frames/s) | codec: decode + RGB + encode | landmarks + filter | makeup: re-project + composite |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['fps']:.1f} | {r['ms_whole']:.1f} | {r['s_first']:.2f} | {r['fps_steady']:.1f} | {r['ms_codec']:.1f} | {r['ms_landmarks']:.1f} | {r['ms_makeup']:.1f} |")


if __name__ == "__main__":
    main()
