"""Makeup on video: a look resolved once, re-projected on every frame.

A still photo gets the full analysis (refined lip line, skin model, brow network)
and the look rendered for it. Doing that on every frame would cost seconds per frame
and make the makeup flicker, since each frame's masks and render differ a little.
Instead, the first frame each face is seen in (its *key frame*) is analysed once:
the look is rendered or worn for that face (:func:`fram.makeup.compose.style_layers`,
:func:`fram.pipelines.layer_transfer.transfer_layers`), the key frame's photo-space
masks are unwrapped into UV and baked into the layer, and so is the key frame's
light. Every frame then costs one mesh projection, one remap of that UV layer and
the composite over the face box (:func:`fram.makeup.compose.composite_photo`), with
the paint relit by the ratio of the frame's light to the key frame's. Eye openings
and the mouth are cut per frame from the landmarks, so blinks and speech stay clean.

``VideoMakeup(look).process(frame, time_s)`` serves a webcam loop;
:func:`apply_to_video` runs a whole file (:mod:`fram.pipelines.video_file`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Callable

import cv2
import numpy as np

from fram.face.colour import SRGB_TO_LINEAR_8BIT
from fram.face.feature_outlines import eye_outlines, lip_outlines
from fram.face.filters import feather
from fram.face.landmarks import Face
from fram.face.polygons import fill_polygons
from fram.face.templates import uv_templates
from fram.face.tracking import FaceTracker, Track
from fram.face.uv import FaceProjection, face_projection, unwrap
from fram.makeup.compose import UNTOUCHED_ALPHA, analyse, composite_photo, layer_size, outside_holes, style_layers, surface_mask
from fram.makeup.decompose import layer_size_for
from fram.makeup.layer import GroupLayer, combine
from fram.makeup.look_file import is_look
from fram.makeup.recipe import MakeupStyle
from fram.makeup.render import BASE_SIGMA, GROUPS
from fram.pipelines.apply import style_for_regions
from fram.pipelines.layer_transfer import transfer_layers
from fram.pipelines.options import MakeupOptions
from fram.pipelines.references import ReferencePlan, plan_references, resolve_look

LAYER_CHANNELS = GroupLayer.CHANNELS
KEY_CHANNELS = LAYER_CHANNELS + 3  # the layer, then the key frame's light (linear RGB)


@dataclass(frozen=True)
class VideoLook:
    """What to put on every face of a clip, resolved once (presets parsed, reference
    photos read and their layers extracted).

    Build with :meth:`create`. ``style`` is set for a recipe look (preset, words,
    recipe file); ``plan`` for a transfer (reference photos or saved looks, per group).
    """

    options: MakeupOptions
    groups: tuple[str, ...]
    style: MakeupStyle | None = None
    plan: ReferencePlan | None = None

    @classmethod
    def create(cls, look: object | None = None, reference: object | None = None, *,
               references: dict[str, object] | None = None, options: MakeupOptions | None = None,
               **values: Any) -> "VideoLook":
        """``look``: a recipe look or a saved ``.fram`` look (as :func:`fram.apply_makeup`
        takes); or ``reference``/``references``: what :func:`fram.transfer` takes."""
        options = MakeupOptions.of(options, **values)
        if look is not None and (reference is not None or references):
            raise ValueError("give a look or references to transfer from, not both")
        if look is not None and is_look(look):
            look, reference = None, look
        if look is not None:
            style = style_for_regions(resolve_look(look), options.intensity)
            return cls(options=options, groups=options.shown(options.regions or GROUPS), style=style)
        plan = plan_references(reference, references, options)
        for ref in plan.references.values():
            if ref.has_layer:
                ref.layer()  # extracted now, once (cached on the reference), not on the first frame
        return cls(options=options, groups=options.shown(plan.groups), plan=plan)

    def layers_for(self, image: np.ndarray, face: Face) -> tuple[dict[str, GroupLayer], Any]:
        """The look worn by ``face`` of ``image`` as UV layers per group, and the analysis."""
        analysis = analyse(image, face, layer_size_for(face))
        if self.style is not None:
            return style_layers(analysis, self.style, self.groups, layer_size(analysis)), analysis
        layers, _ = transfer_layers(self.plan, analysis, self.groups, self.options)
        return layers, analysis


@dataclass(frozen=True)
class WornLook:
    """One face's look baked in UV: (S, S, 16) float32, the 13 channels of a
    :class:`GroupLayer` with the key frame's masks applied, then the key frame's light
    (linear RGB, 0 where the key frame did not see that texel)."""

    uv: np.ndarray

    @cached_property
    def chunks(self) -> tuple[np.ndarray, ...]:
        """The alpha, then the channels in fours: contiguous, as OpenCV's remap takes
        them (copying them from ``uv`` on every frame cost 7 ms at 1080p)."""
        alpha = np.ascontiguousarray(self.uv[..., LAYER_CHANNELS - 1])
        return alpha, *(np.ascontiguousarray(self.uv[..., k : k + 4]) for k in range(0, self.uv.shape[2], 4))


def wear_on_face(look: VideoLook, image: np.ndarray, face: Face) -> WornLook | None:
    """Bake ``look`` for ``face`` as seen in ``image`` (its key frame); None if the look
    puts nothing on it."""
    layers, analysis = look.layers_for(image, face)
    layers = {g: layers[g] for g in look.groups if g in layers and float(layers[g].alpha.max()) > UNTOUCHED_ALPHA}
    if not layers:
        return None
    size = next(iter(layers.values())).alpha.shape[-1]
    regions = analysis.regions
    masks = np.zeros((*image.shape[:2], 3), np.float32)
    masks[regions.projection.slices] = np.dstack([surface_mask(regions), regions.masks["lips"] * outside_holes(regions),
                                                  np.zeros(regions.projection.shape, np.float32)])
    seen = unwrap(masks, face, size, analysis.projection)
    # Where the key frame did not see the face (a turned cheek), fall back to the UV templates.
    templates = uv_templates(size)
    vis = seen.visibility
    surface = vis * seen.texture[..., 0] + (1 - vis) * np.clip(templates["skin"] + templates["brows"] + templates["eyeliner"], 0, 1)
    lips = vis * seen.texture[..., 1] + (1 - vis) * templates["lips"]
    ordered = [layers[g].masked(_plane(surface)) for g in layers if g != "lips"]
    ordered += [layers[g].masked(_plane(lips)) for g in layers if g == "lips"]
    packed = combine(ordered).pack()[0].transpose(1, 2, 0)
    sigma = BASE_SIGMA * max(face.width, 1.0) / (0.95 * 256)
    light = cv2.GaussianBlur(SRGB_TO_LINEAR_8BIT[image], (0, 0), sigma)
    key_light = unwrap(light, face, size, analysis.projection)
    known = (key_light.visibility > 0.5)[..., None]
    return WornLook(uv=np.ascontiguousarray(np.dstack([packed, key_light.texture * known]), np.float32))


def _plane(mask: np.ndarray) -> np.ndarray:
    return np.asarray(mask, np.float32)[None, None]


def _holes(face: Face, origin: tuple[int, int], shape: tuple[int, int]) -> np.ndarray:
    """1 away from the eye openings and the mouth interior of this frame, over the box."""
    unit = max(face.width, 1.0) / 256.0
    points = face.landmarks[:, :2] - (origin[1] + 0.5, origin[0] + 0.5)
    _, opening, _, _ = lip_outlines(points, unit)
    holes = fill_polygons([opening, *eye_outlines(points, unit)], shape)
    return np.clip(1.0 - 2.0 * feather(holes, max(1.0, unit)), 0.0, 1.0)


def _projected(worn: WornLook, projection: FaceProjection) -> tuple[FaceProjection, np.ndarray] | None:
    """The baked look over the part of this frame's face box that it touches, with that
    part; None if it touches nothing.

    :func:`fram.face.uv.project` remaps all 16 channels over the whole face box with
    float maps; per frame that was a third of the makeup's time. Here the maps are
    converted to OpenCV's fixed-point form once (its remap is about twice as fast with
    them, and a 1/32 px step is far finer than the texels of the small UV layer), the
    alpha alone finds the box, and only the box gets the other channels.
    """
    size = worn.uv.shape[0]
    maps = projection.uv * np.float32(size) - np.float32(0.5)
    fixed, fraction = cv2.convertMaps(maps[..., 0], maps[..., 1], cv2.CV_16SC2)
    alpha, *chunks = worn.chunks
    alpha = _remap_fixed(alpha, fixed, fraction) * projection.coverage
    col, row, width, height = cv2.boundingRect((alpha > UNTOUCHED_ALPHA).view(np.uint8))
    if not width:
        return None
    rows, cols = slice(row, row + height), slice(col, col + width)
    fixed, fraction = np.ascontiguousarray(fixed[rows, cols]), np.ascontiguousarray(fraction[rows, cols])
    data = np.concatenate([_remap_fixed(c, fixed, fraction).reshape(height, width, -1) for c in chunks], axis=2)
    box = projection.crop(rows, cols)
    data *= box.coverage[..., None]
    return box, data


def _remap_fixed(texture: np.ndarray, fixed: np.ndarray, fraction: np.ndarray) -> np.ndarray:
    return cv2.remap(texture, fixed, fraction, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def wear_on_frame(frame: np.ndarray, face: Face, worn: WornLook, presence: float = 1.0) -> np.ndarray:
    """``frame`` with the baked look re-projected through ``face`` (this frame's
    landmarks) and relit by this frame's light; ``presence`` fades it (0 to 1)."""
    projection = face_projection(face)
    projected = _projected(worn, projection) if presence > 0 else None
    if projected is None:
        return frame
    box, data = projected
    layer = GroupLayer.unpack(np.ascontiguousarray(data[..., :LAYER_CHANNELS].transpose(2, 0, 1))[None])
    layer.gain = layer.gain + (1 - box.coverage)[None, None]
    weight = _holes(face, box.origin, box.shape) * np.float32(presence)
    layer = layer.masked(_plane(weight))
    return composite_photo(frame, face, projection, layer, box, key_base=data[..., LAYER_CHANNELS:])


@dataclass
class VideoMakeup:
    """The per-frame engine: ``process(frame, time_s)`` for each frame in order.

    Holds the tracker (its landmark filter) and each tracked face's baked look, so
    one object serves one clip or one webcam session. Frames without a face come
    back unchanged (the same array).
    """

    look: VideoLook
    all_faces: bool = False
    tracker: FaceTracker | None = None
    worn: dict[int, WornLook | None] = field(default_factory=dict)
    faces_seen: int = 0

    def __post_init__(self) -> None:
        if self.tracker is None:
            self.tracker = FaceTracker(all_faces=self.all_faces)

    def __enter__(self) -> "VideoMakeup":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.tracker.close()

    def process(self, frame: np.ndarray, time_s: float) -> np.ndarray:
        """``frame`` ((H, W, 3) uint8 RGB, shown at ``time_s`` seconds) wearing the look."""
        return self.render(frame, time_s, self.track(frame, time_s))

    def track(self, frame: np.ndarray, time_s: float) -> list[Track]:
        """The faces to draw on ``frame``, as copies: a file's next frames may be
        tracked (on another thread) while this one is drawn."""
        return [replace(t) for t in self.tracker.update(frame, time_s)]

    def render(self, frame: np.ndarray, time_s: float, tracks: list[Track]) -> np.ndarray:
        """``frame`` wearing the look on ``tracks`` (:meth:`track` of this frame)."""
        out = frame
        for track in tracks:
            if track.id not in self.worn:
                if track.lost:
                    continue
                self.worn[track.id] = wear_on_face(self.look, frame, track.face)
                self.faces_seen += 1
            worn = self.worn[track.id]
            if worn is not None:
                out = wear_on_frame(out, track.face, worn, track.presence)
        live = {t.id for t in tracks}
        self.worn = {k: v for k, v in self.worn.items() if k in live}
        return out


def apply_to_video(source: str | os.PathLike[str], output: str | os.PathLike[str], look: object | None = None,
                   reference: object | None = None, *, references: dict[str, object] | None = None,
                   options: MakeupOptions | None = None, all_faces: bool = False, start: float | None = None,
                   end: float | None = None, progress: Callable[[int, int | None], None] | None = None,
                   **values: Any):
    """Put a look on every frame of a video file and write it to ``output`` atomically.

    ``look`` / ``reference`` / ``references`` / ``options`` as :meth:`VideoLook.create`;
    ``start``/``end`` in seconds; ``progress(done, total)`` after each frame. Returns a
    :class:`fram.pipelines.video_file.VideoSummary`.
    """
    from fram.pipelines.video_file import transcode

    resolved = VideoLook.create(look, reference, references=references, options=options, **values)
    with VideoMakeup(resolved, all_faces=all_faces) as engine:
        summary = transcode(source, output, engine.render, start=start, end=end, progress=progress, prepare=engine.track)
    if engine.faces_seen == 0:
        summary = summary.with_note("no face found in the video: it is written back unchanged")
    return summary
