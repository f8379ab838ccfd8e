"""A video file streamed through a per-frame function, written atomically (PyAV).

Frames are decoded lazily and encoded as they come, so memory does not grow with the
clip. Each output frame keeps its input's time stamp in the input's time base, so a
variable frame rate survives; the size and the frame count are kept. The audio
stream is copied packet for packet where the output container takes its codec, and
re-encoded (AAC, or Opus in WebM) where it does not.

Phone clips store "rotate by 90°" as a display matrix, not as rotated pixels. Faces
are only found upright, so frames are turned upright before the per-frame function
sees them and are written upright, without the flag: every player shows the result
the same way.

The output goes to a hidden temporary file beside it, renamed over the target only
when the whole clip is written; an error, Ctrl-C, SIGTERM or SIGHUP removes it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from queue import Full, Queue
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from fram.errors import VideoError, require_extra

CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".webm": "webm", ".avi": "avi"}
AUDIO_COPYABLE = {
    "mp4": ("aac", "mp3", "alac", "opus", "flac", "ac3", "eac3"),
    "mov": ("aac", "mp3", "alac", "ac3", "pcm_"),
    "webm": ("opus", "vorbis"),
    "matroska": ("",),
    "avi": ("mp3", "ac3", "aac", "pcm_"),
}
"""Audio codecs (name prefixes) each container takes as they are."""
X264_OPTIONS = {"preset": "veryfast", "crf": "18"}
VP9_OPTIONS = {"deadline": "realtime", "cpu-used": "8", "row-mt": "1", "crf": "30", "b": "0"}
READ_AHEAD = 2
"""Frames decoded ahead of the one being made up."""
ENCODE_AHEAD = 4
"""Frames the encoder thread may fall behind before the reader waits for it (memory
stays flat: at most this many finished frames are held)."""
TRUNCATED_SHARE = 0.98
"""A clip whose header promises more frames than this share of those decoded is truncated."""

FrameFunction = Callable[..., np.ndarray]
"""``function(rgb, time_s)``, or ``function(rgb, time_s, prepared)`` with a ``prepare``."""
Prepare = Callable[[np.ndarray, float], Any]


@dataclass(frozen=True)
class VideoSummary:
    """What was written.

    Attributes:
        frames: frames written.
        size: (width, height) written (upright).
        fps: average frames per second of the input stream.
        audio: "copied", "re-encoded" or "none".
        rotation: degrees the input's frames were turned (counter-clockwise) to stand upright.
        notes: what the user should know, one line each.
    """

    frames: int
    size: tuple[int, int]
    fps: float
    audio: str
    rotation: int = 0
    notes: tuple[str, ...] = ()

    def with_note(self, note: str) -> "VideoSummary":
        return replace(self, notes=(*self.notes, note))


def _open_input(av, path: Path):
    if not path.is_file():
        raise VideoError(f"no such video: {path}")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise VideoError(f"{path.name} is not a readable video ({_reason(exc)})") from None
    if not container.streams.video:
        kind = "an audio-only file" if container.streams.audio else "no video stream"
        container.close()
        raise VideoError(f"{path.name} has no video to make up: it is {kind}")
    stream = container.streams.video[0]
    if stream.codec_context is None:
        container.close()
        raise VideoError(f"{path.name}: its video codec is not supported by this build of FFmpeg")
    stream.thread_type = "AUTO"
    return container, stream


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[-1].strip() or type(exc).__name__


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM, SIGHUP and Ctrl-C into an error, so the temporary file is removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number, _frame):
        raise VideoError(f"stopped by {signal.Signals(number).name}: no output was written")

    wanted = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None), signal.SIGINT) if s is not None]
    saved = {s: signal.signal(s, stop) for s in wanted}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def _upright(rgb: np.ndarray, rotation: int) -> np.ndarray:
    turns = round(rotation / 90) % 4
    return np.ascontiguousarray(np.rot90(rgb, turns)) if turns else rgb


def _video_stream(av, out, stream, fmt: str, width: int, height: int):
    codec = "libvpx-vp9" if fmt == "webm" else "libx264"
    rate = stream.average_rate or stream.guessed_rate or Fraction(30)
    even = width % 2 == 0 and height % 2 == 0
    ostream = out.add_stream(codec, rate=rate, options=dict(VP9_OPTIONS if fmt == "webm" else X264_OPTIONS))
    ostream.width, ostream.height = width, height
    # 4:2:0 needs even sides; an odd-sized clip keeps its size in 4:4:4 instead.
    ostream.pix_fmt = "yuv420p" if even else "yuv444p"
    ostream.time_base = stream.time_base
    ostream.codec_context.time_base = stream.time_base
    ostream.thread_type = "AUTO"
    return ostream


class _Audio:
    """The input's audio going to the output: packets copied, or decoded and re-encoded."""

    def __init__(self, av, out, stream, fmt: str, start: float, end: float | None) -> None:
        self.stream, self.start, self.end = stream, start, end
        name = stream.codec_context.name if stream.codec_context is not None else ""
        self.copy = any(name.startswith(prefix) for prefix in AUDIO_COPYABLE[fmt]) and name != ""
        if self.copy:
            self.ostream = out.add_stream_from_template(stream)
            self.resampler = None
        else:
            codec = "libopus" if fmt == "webm" else "aac"
            rate = 48000 if codec == "libopus" else (stream.rate or 44100)
            self.ostream = out.add_stream(codec, rate=rate)
            self.ostream.layout = stream.layout.name if stream.layout else "stereo"
            self.resampler = av.AudioResampler(format=self.ostream.format.name, layout=self.ostream.layout.name, rate=rate)
        self.offset = int(round(start / stream.time_base)) if start else 0

    @property
    def summary(self) -> str:
        return "copied" if self.copy else "re-encoded"

    def packets(self, packet) -> list:
        """Output packets for one input packet (after ``--start``, before ``--end``)."""
        if packet.pts is None and packet.dts is None:
            return []  # the demuxer's end-of-stream marker
        when = float((packet.pts if packet.pts is not None else packet.dts) * self.stream.time_base)
        if when < self.start - 1e-6 or (self.end is not None and when >= self.end):
            return []
        if self.copy:
            packet.stream = self.ostream
            if packet.pts is not None:
                packet.pts -= self.offset
            if packet.dts is not None:
                packet.dts -= self.offset
            return [packet]
        out = []
        for frame in packet.decode():
            frame.pts = None
            for part in self.resampler.resample(frame):
                out.extend(self.ostream.encode(part))
        return out

    def flush(self) -> list:
        return [] if self.copy else list(self.ostream.encode(None))


def transcode(source: str | os.PathLike[str], output: str | os.PathLike[str], function: FrameFunction, *,
              start: float | None = None, end: float | None = None,
              progress: Callable[[int, int | None], None] | None = None, prepare: Prepare | None = None) -> VideoSummary:
    """Stream ``source`` through ``function(rgb, time_s) -> rgb`` into ``output``.

    ``prepare(rgb, time_s)``, if given, runs on the reader thread, in frame order and
    up to :data:`READ_AHEAD` frames ahead of ``function``, which then gets its result:
    ``function(rgb, time_s, prepared)``. Work that only reads the frame (finding the
    face) so runs beside the work that draws on it.

    ``start``/``end`` (seconds) keep only that part. ``function`` may return its input
    array itself to mean "unchanged" (the decoded frame is then re-encoded as is).
    """
    av = require_extra("av", "video", "fram video")
    source, output = Path(source), Path(output)
    fmt = CONTAINERS.get(output.suffix.lower())
    if fmt is None:
        raise VideoError(f"cannot write '{output.name}': a video output ends in {', '.join(sorted(CONTAINERS))}")
    if start is not None and start < 0 or end is not None and (end <= 0 or (start is not None and end <= start)):
        raise VideoError(f"--start/--end must be 0 <= start < end seconds, got start={start}, end={end}")
    container, stream = _open_input(av, source)
    temp = output.with_name(f".{output.name}.{secrets.token_hex(6)}.part")
    try:
        with container, _stop_on_signals():
            return _run(av, container, stream, temp, fmt, function, start or 0.0, end, progress, prepare, source.name, output)
    except (av.FFmpegError, EOFError) as exc:
        raise VideoError(f"{source.name} could not be read to its end ({_reason(exc)}): no output was written") from None
    finally:
        temp.unlink(missing_ok=True)


def _run(av, container, stream, temp: Path, fmt: str, function: FrameFunction, start: float, end: float | None,
         progress, prepare: Prepare | None, name: str, output: Path) -> VideoSummary:
    audio_in = container.streams.audio[0] if container.streams.audio else None
    total = stream.frames or None
    if total and (start or end is not None):
        rate = float(stream.average_rate or 30)
        duration = float(stream.duration * stream.time_base) if stream.duration else total / rate
        total = max(1, int(round((min(end or duration, duration) - start) * rate)))
    if start:
        container.seek(int(start / stream.time_base), stream=stream, backward=True)
    offset = int(round(start / stream.time_base)) if start else 0
    state = _Output(av, temp, fmt, stream, audio_in, start, end)
    frames = 0
    try:
        decoded = _decoded(container, stream, audio_in, start, end, prepare)
        with contextlib.closing(_prefetched(decoded, READ_AHEAD)) as items:
            for packet, frame, rgb, pts, when, prepared in items:
                if frame is None:
                    state.audio_packet(packet)
                    continue
                state.open(frame)
                made = function(rgb, when) if prepare is None else function(rgb, when, prepared)
                state.video_frame(frame if made is rgb and not state.rotation else made, pts - offset)
                frames += 1
                if progress is not None:
                    progress(frames, total)
        if state.video is None:
            raise VideoError(f"{name} holds no video frames" + (" in the chosen time range" if start or end else ""))
        state.finish()
    finally:
        state.close()
    if not start and end is None and stream.frames and frames < TRUNCATED_SHARE * stream.frames - 1:
        raise VideoError(f"{name} is truncated: its header promises {stream.frames} frames, only {frames} could be read")
    os.replace(temp, output)
    return VideoSummary(frames=frames, size=(state.video.width, state.video.height), fps=float(stream.average_rate or 0),
                        audio=state.audio.summary if state.audio is not None else "none", rotation=state.rotation)


def _decoded(container, stream, audio_in, start: float, end: float | None, prepare: Prepare | None) -> Iterator[tuple]:
    """``(packet, None, None, None, None, None)`` for each audio packet and ``(None,
    frame, rgb, pts, seconds, prepared)`` for each video frame kept, upright, in file order."""
    last_pts, rotation = None, None
    step = max(1, int(round(1 / (float(stream.average_rate or 30) * float(stream.time_base)))))
    for packet in container.demux(*[s for s in (stream, audio_in) if s is not None]):
        if packet.stream is not stream:
            yield packet, None, None, None, None, None
            continue
        for frame in packet.decode():
            pts = frame.pts if frame.pts is not None else (0 if last_pts is None else last_pts + step)
            when = float(pts * stream.time_base)
            if end is not None and when >= end:
                return
            if when < start - 1e-6 or (last_pts is not None and pts <= last_pts):
                continue  # before --start, or a repeated time stamp (it cannot be muxed)
            rotation = frame.rotation if rotation is None else rotation
            rgb = _upright(frame.to_ndarray(format="rgb24"), rotation)
            yield None, frame, rgb, pts, when, None if prepare is None else prepare(rgb, when)
            last_pts = pts


def _prefetched(items: Iterator, depth: int) -> Iterator:
    """``items``, produced on a thread of their own up to ``depth`` ahead, so decoding
    and the conversion to RGB (FFmpeg releases the GIL) overlap the caller's work on
    the item before. The producer's error is raised here, in order."""
    queue: Queue = Queue(depth)
    stop, end = threading.Event(), object()

    def put(entry) -> bool:
        while not stop.is_set():
            with contextlib.suppress(Full):
                queue.put(entry, timeout=0.1)
                return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((end, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            put((end, exc))

    thread = threading.Thread(target=produce, name="fram-decode", daemon=True)
    thread.start()
    try:
        while True:
            item, error = queue.get()
            if item is end:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()


class _Output:
    """The output file, opened at the first frame kept (its rotation decides the size);
    audio packets that come before it wait.

    Encoding and muxing run in order on one thread of their own, so the RGB to YUV
    conversion and the encoder's own work overlap the next frame's makeup on the other
    core (FFmpeg releases the GIL while it converts and encodes).
    """

    def __init__(self, av, path: Path, fmt: str, stream, audio_in, start: float, end: float | None) -> None:
        self.av, self.path, self.fmt, self.stream, self.audio_in = av, path, fmt, stream, audio_in
        self.start, self.end = start, end
        self.out = self.video = self.audio = None
        self.rotation = 0
        self.pending: list = []
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fram-encode")
        self.jobs: deque = deque()

    def open(self, frame) -> int:
        """Open the output for ``frame``'s size and rotation (once); the rotation."""
        if self.video is None:
            self.rotation = frame.rotation
            turned = round(self.rotation / 90) % 2 == 1
            width, height = (frame.height, frame.width) if turned else (frame.width, frame.height)
            self.out = self.av.open(str(self.path), "w", format=self.fmt)
            self.video = _video_stream(self.av, self.out, self.stream, self.fmt, width, height)
            if self.audio_in is not None:
                self.audio = _Audio(self.av, self.out, self.audio_in, self.fmt, self.start, self.end)
                for held in self.pending:
                    self._later(self._audio_packet, held)
                self.pending.clear()
        return self.rotation

    def audio_packet(self, packet) -> None:
        if self.audio is None:
            if self.audio_in is not None:
                self.pending.append(packet)
            return
        self._later(self._audio_packet, packet)

    def video_frame(self, made, pts: int) -> None:
        """Encode ``made``: an RGB array, or a decoded frame passed through unchanged."""
        self._later(self._video_frame, made, pts)

    def _later(self, job, *args) -> None:
        """Run ``job`` on the encoder thread after the jobs before it; raise its error
        (on this thread) once it is done."""
        self.jobs.append(self.worker.submit(job, *args))
        while len(self.jobs) > ENCODE_AHEAD or (self.jobs and self.jobs[0].done()):
            self.jobs.popleft().result()

    def _audio_packet(self, packet) -> None:
        self._mux(self.audio.packets(packet))

    def _video_frame(self, made, pts: int) -> None:
        if isinstance(made, np.ndarray):
            frame = self.av.VideoFrame.from_ndarray(made, format="rgb24")
        else:
            frame = made
            frame.pict_type = self.av.video.frame.PictureType.NONE
        frame.pts, frame.time_base = pts, self.stream.time_base
        self._mux(self.video.encode(frame))

    def finish(self) -> None:
        while self.jobs:
            self.jobs.popleft().result()
        self._mux(self.video.encode(None))
        if self.audio is not None:
            self._mux(self.audio.flush())
        self.close()

    def close(self) -> None:
        self.worker.shutdown(wait=True, cancel_futures=True)
        if self.out is not None:
            self.out.close()
            self.out = None

    def _mux(self, packets) -> None:
        for packet in packets:
            self.out.mux(packet)
