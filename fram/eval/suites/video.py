"""Suite ``video``: is video makeup steady on the face, and how fast is it?

Clips are made from real bare photos (``../shared/data/makeup-photos/non-makeup``)
moved by a known transform per frame (:mod:`fram.eval.clips`: still, translation,
rotation, zoom, a dimming light). Mapping each frame back through its transform gives
face-stabilised frames, where a steady engine's makeup does not move. Per clip:

- ``jitter_made``: the made-up pixels' frame-to-frame colour change (mean absolute
  difference of consecutive stabilised frames, 8-bit levels, light change divided
  out), over the pixels the makeup changed;
- ``jitter_input``: the same on the input frames (resampling and encoding alone);
  ``jitter_excess`` is their difference, what the makeup adds;
- ``landmark_jitter``: the tracked lip and eye landmarks' frame-to-frame motion in
  stabilised coordinates, in thousandths of the face width;
- ``ms_per_frame``: landmarks, re-projection and compositing per frame (no codec).

Video makeup is fram's own engine, not a transfer engine: ``engines`` is ignored.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from fram.eval.clips import MOTIONS, Motion, clip_frames
from fram.eval.report import Figure, SuiteResult, Table, label
from fram.eval.suites.common import SHARED_DATA, SuiteDataError, SuiteOptions, aggregate, list_images

ENGINE = "video"
LOOK = "text:deep red lipstick, black winged eyeliner and pink blush"
SIZE = (480, 360)
FRAMES = 24
FADE_SKIP = 6  # frames left out of the measures while the makeup fades in
KEYS = ["jitter_made", "jitter_input", "jitter_excess", "landmark_jitter", "ms_per_frame"]
TRACKED = (61, 291, 0, 17, 13, 14, 33, 133, 263, 362, 159, 145, 386, 374)  # lip and eye corners and middles


def _stabilised(frame: np.ndarray, matrix: np.ndarray, shape: tuple[int, int], gain: float) -> np.ndarray:
    back = cv2.warpAffine(frame, cv2.invertAffineTransform(matrix), (shape[1], shape[0]), flags=cv2.INTER_LINEAR)
    return back.astype(np.float32) / gain


def _clip(photo: np.ndarray, motion_name: str, frames: int) -> tuple[dict, np.ndarray]:
    """One clip's measures, and its strip of frames."""
    from fram.pipelines.video import VideoLook, VideoMakeup

    motion = Motion.named(motion_name)
    made, inputs, points, strip, spent = [], [], [], [], 0.0
    with VideoMakeup(VideoLook.create(LOOK)) as engine:
        for k, (frame, matrix) in enumerate(clip_frames(photo, motion, SIZE, frames)):
            started = time.perf_counter()
            out = engine.process(frame, k / 25)
            spent += time.perf_counter() - started
            if k % 4 == 3:  # every 4th frame for the strip, input above and made up below, at half size
                pair = np.concatenate([frame, out], axis=0)
                strip.append(cv2.resize(pair, (pair.shape[1] // 2, pair.shape[0] // 2), interpolation=cv2.INTER_AREA))
            gain = motion.brightness(k / max(frames - 1, 1))
            made.append(_stabilised(out, matrix, photo.shape[:2], gain))
            inputs.append(_stabilised(frame, matrix, photo.shape[:2], gain))
            tracks = engine.tracker.tracks
            if tracks and not tracks[0].lost:
                inverse = cv2.invertAffineTransform(matrix)
                xy = tracks[0].face.landmarks[list(TRACKED), :2]
                points.append((xy @ inverse[:, :2].T + inverse[:, 2], tracks[0].face.width / (matrix[0, 0] ** 2 + matrix[0, 1] ** 2) ** 0.5))
    made_s, inputs_s = np.stack(made[FADE_SKIP:]), np.stack(inputs[FADE_SKIP:])
    changed = (np.abs(made_s - inputs_s).max(axis=-1) > 6).mean(axis=0) > 0.5
    # Leave out the photo's border, where the stabilised frame meets the background.
    changed[:8], changed[-8:], changed[:, :8], changed[:, -8:] = False, False, False, False
    record: dict = {"motion": motion_name, "made_up_px": int(changed.sum())}
    if changed.sum() < 50:
        return {**record, "error": "no makeup found on the face"}, np.concatenate(strip, axis=1)
    jitter = lambda stack: float(np.abs(np.diff(stack, axis=0)).mean(axis=-1)[:, changed].mean())  # noqa: E731
    record["jitter_made"], record["jitter_input"] = jitter(made_s), jitter(inputs_s)
    record["jitter_excess"] = record["jitter_made"] - record["jitter_input"]
    if len(points) > FADE_SKIP + 1:
        xy = np.stack([p for p, _ in points[FADE_SKIP:]])
        width = float(np.mean([w for _, w in points]))
        record["landmark_jitter"] = float(np.linalg.norm(np.diff(xy, axis=0), axis=-1).mean() / width * 1000)
    record["ms_per_frame"] = spent / frames * 1000
    return record, np.concatenate(strip, axis=1)


def run(engines: list, options: SuiteOptions) -> SuiteResult:
    folder = (options.data or SHARED_DATA / "makeup-photos") / "non-makeup"
    photos = list_images(folder)[: options.limit or 3]
    if not photos:
        raise SuiteDataError(f"no photos in {folder}")
    from fram.face.image_io import read_image

    records, strips, notes = [], [], []
    for path in photos:
        photo = read_image(path)
        for motion in MOTIONS:
            record, strip = _clip(photo, motion, FRAMES)
            records.append({"photo": path.name, **record})
            if options.progress:
                print(f"video: {path.name} {motion}: {record}", flush=True)
            if path == photos[0]:
                strips.append(strip)
    summary = {ENGINE: aggregate(records, KEYS)}
    rows = []
    for motion in MOTIONS:
        part = aggregate([r for r in records if r["motion"] == motion], KEYS)
        rows.append([motion, part["n"]] + [part[k] for k in KEYS])
    tables = [Table("Per motion (jitter in 8-bit levels per frame; landmarks in ‰ of the face width)",
                    ["motion", "clips"] + [label(k) for k in KEYS], rows, [None, None] + KEYS)]
    figures = [Figure("video_strip.png", "image", "every 4th frame of each motion, input above, made up below",
                      {"image": np.concatenate(strips, axis=0)})]
    params = {"photos": str(folder), "look": LOOK, "frames": FRAMES, "size": f"{SIZE[0]}x{SIZE[1]}", "skipped (fade-in)": FADE_SKIP}
    return SuiteResult("video", {ENGINE: "fram.pipelines.video.VideoMakeup (look baked once, re-projected per frame)"},
                       params, summary, KEYS + ["n"], tables, records, figures, notes)

