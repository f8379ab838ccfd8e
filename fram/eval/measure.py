"""Measure one transfer: a source photo, its result, the references, the regions.

:class:`Photo` analyses a photo once (landmarks, region masks, CIELAB around the
face, identity descriptor), lazily, so a suite that pairs every source with every
reference pays for each photo once. :func:`measure_transfer` returns a flat dict of
numbers whose keys are ``metric`` or ``metric/region`` (see
:data:`fram.eval.metrics.METRIC_INFO`).

Regions are measured on the *source's* masks in the result (a transfer keeps the
source's geometry) and on the reference's own masks in the reference.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import cv2
import numpy as np

from fram.errors import FramError
from fram.eval.identity import Embedding, FaceEmbedder, identity_distance
from fram.eval.metrics import (
    adapt_to_anchor,
    delta_e00,
    histogram_distance,
    ita,
    landmark_displacement,
    psnr,
    robust_color,
    to_lab,
)
from fram.face.landmarks import Face, detect_face, locate_faces
from fram.face.regions import RegionMasks, region_masks
from fram.face.topology import LOWER_LIP_INNER, LOWER_LIP_OUTER, UPPER_LIP_INNER, UPPER_LIP_OUTER

GROUPS = ("skin", "eyes", "brows", "lips")
"""Region groups an engine can be asked to make up (as in :mod:`fram.pipelines`)."""

FIDELITY_REGIONS = ("skin", "cheeks", "eyes", "brows", "lips")
"""Regions whose colour is compared with the reference's: skin is the foundation zone
(skin without cheeks, lids and under-eyes), cheeks the blush zone, eyes the lids."""

GROUP_OF_REGION = {"skin": "skin", "cheeks": "skin", "eyes": "eyes", "brows": "brows", "lips": "lips"}

LIP_LANDMARKS = tuple(sorted(set(UPPER_LIP_OUTER + LOWER_LIP_OUTER + UPPER_LIP_INNER + LOWER_LIP_INNER)))

BOX_MARGIN = 0.25
"""Measurements happen in the face's landmark box grown by this fraction per side."""
SELECTION_TOLERANCE = 0.03
"""Selected regions are grown by this fraction of the face width before leakage is measured."""
BACKGROUND_MARGIN = 0.05
"""The face (all region masks) is grown by this fraction of its width; the rest is background."""
LASH_BAND = 0.03
"""Width of the band around each eye opening that eye makeup owns, as a fraction of the face width."""
CHANGED_DE = 1.0
"""A pixel whose colour moved by more than this ΔE00 counts as changed."""

_HIST_SAMPLES = 4000


def _selection_masks(m: RegionMasks, face_width: float) -> dict[str, np.ndarray]:
    """Where each region group may legitimately change the photo (full size).

    Eye makeup also owns a band around the eye opening (lower lash line, mascara),
    as wide as :data:`LASH_BAND` of the face width; the openings themselves belong
    to no group (see :func:`_holes`).
    """
    full = m.full
    openings = full("eyes")
    radius = LASH_BAND * face_width
    band = cv2.dilate((openings > 0.5).astype(np.uint8), _disk(radius)).astype(np.float32) * (1 - openings)
    return {
        "skin": np.maximum.reduce([full("skin"), full("cheeks"), full("nose"), full("under_eye")]),
        "eyes": np.maximum.reduce([full("eyeshadow"), full("eyeliner"), band]),
        "brows": full("brows"),
        "lips": full("lips"),
    }


def _holes(source: "Photo") -> np.ndarray:
    """Eye openings and mouth interior, shrunk by half the tolerance: never made up."""
    union = np.maximum(source.masks.full("eyes"), source.masks.full("mouth"))
    core = cv2.erode((union > 0.5).astype(np.uint8), _disk(0.5 * SELECTION_TOLERANCE * source.face.width))
    return core.astype(bool)


def _fidelity_masks(m: RegionMasks) -> dict[str, np.ndarray]:
    full = m.full
    skin, cheeks, lids = full("skin"), full("cheeks"), full("eyeshadow")
    return {
        "skin": skin * (1 - cheeks) * (1 - lids) * (1 - full("under_eye")),
        "cheeks": cheeks * skin,
        "eyes": lids,
        "brows": full("brows"),
        "lips": full("lips"),
    }


def _disk(radius: float) -> np.ndarray:
    r = max(1, int(round(radius)))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


class Photo:
    """A photo and everything measured on it, computed on first use.

    Attributes:
        image: (H, W, 3) uint8 RGB.
        name: for reports.
        face: the largest face big enough for fram, or None (see ``error``).
    """

    def __init__(self, image: np.ndarray, name: str = "photo") -> None:
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 image, got {image.shape} {image.dtype}")
        self.image = image
        self.name = name
        self.error: str | None = None

    @classmethod
    def load(cls, path: str | Path) -> "Photo":
        from fram.face.image_io import read_image

        return cls(read_image(path), Path(path).name)

    @functools.cached_property
    def face(self) -> Face | None:
        try:
            return detect_face(self.image, 0, source=self.name)
        except FramError as exc:
            self.error = str(exc)
            return None

    @functools.cached_property
    def masks(self) -> RegionMasks | None:
        return None if self.face is None else region_masks(self.image, self.face)

    @functools.cached_property
    def box(self) -> tuple[slice, slice]:
        """Rows and columns of the face's landmark box grown by :data:`BOX_MARGIN`."""
        height, width = self.image.shape[:2]
        if self.face is None:
            return slice(0, height), slice(0, width)
        x0, y0, x1, y1 = self.face.bbox
        mx, my = BOX_MARGIN * (x1 - x0), BOX_MARGIN * (y1 - y0)
        return (
            slice(max(0, int(y0 - my)), min(height, int(math.ceil(y1 + my)))),
            slice(max(0, int(x0 - mx)), min(width, int(math.ceil(x1 + mx)))),
        )

    @functools.cached_property
    def lab(self) -> np.ndarray:
        """CIELAB over :attr:`box`."""
        return to_lab(self.image[self.box])

    @functools.cached_property
    def fidelity_weights(self) -> dict[str, np.ndarray]:
        """Fidelity region masks over :attr:`box` (empty without a face)."""
        if self.masks is None:
            return {}
        return {k: v[self.box] for k, v in _fidelity_masks(self.masks).items()}

    @functools.cached_property
    def selection(self) -> dict[str, np.ndarray]:
        """Full-size masks of where each group may change the photo."""
        return {} if self.masks is None else _selection_masks(self.masks, self.face.width)

    @functools.cached_property
    def skin_color(self) -> np.ndarray:
        """Robust CIELAB of the foundation zone (NaN without a face)."""
        weights = self.fidelity_weights.get("skin")
        return np.full(3, np.nan) if weights is None else robust_color(self.lab, weights)

    @functools.cached_property
    def ita(self) -> float:
        """Individual typology angle of the skin (degrees; NaN without a face)."""
        weights = self.fidelity_weights.get("skin")
        if weights is None:
            return math.nan
        return ita(self.lab[weights >= 0.5])

    @functools.cached_property
    def embedding(self) -> Embedding | None:
        try:
            return FaceEmbedder.default().embed(self.image, self.face)
        except FramError as exc:
            self.error = self.error or str(exc)
            return None

    def region_color(self, region: str) -> np.ndarray:
        weights = self.fidelity_weights.get(region)
        return np.full(3, np.nan) if weights is None else robust_color(self.lab, weights)

    def region_pixels(self, region: str) -> np.ndarray:
        weights = self.fidelity_weights.get(region)
        return np.zeros((0, 3)) if weights is None else _subsample(self.lab[weights >= 0.5])


def _subsample(pixels: np.ndarray) -> np.ndarray:
    step = max(1, len(pixels) // _HIST_SAMPLES)
    return pixels[::step]


def _de(a: np.ndarray, b: np.ndarray) -> float:
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return math.nan
    return float(delta_e00(a, b))


def _selected_area(source: Photo, regions: tuple[str, ...]) -> np.ndarray:
    """Binary full-size mask of the selected groups grown by the tolerance, minus the holes."""
    union = np.zeros(source.image.shape[:2], np.float32)
    for group in regions:
        union = np.maximum(union, source.selection[group])
    grown = cv2.dilate((union > 0.05).astype(np.uint8), _disk(SELECTION_TOLERANCE * source.face.width))
    return grown.astype(bool) & ~_holes(source)


def _face_area(source: Photo) -> np.ndarray:
    masks = source.masks
    union = np.zeros(source.image.shape[:2], np.float32)
    for name in masks.masks:
        union = np.maximum(union, masks.full(name))
    grown = cv2.dilate((union > 0.01).astype(np.uint8), _disk(BACKGROUND_MARGIN * source.face.width))
    return grown.astype(bool)


def measure_transfer(
    source: Photo,
    result: np.ndarray,
    regions: tuple[str, ...] = GROUPS,
    references: dict[str, Photo] | None = None,
    *,
    ground_truth: np.ndarray | None = None,
    structure: bool = True,
    identity: bool = True,
) -> dict[str, float]:
    """Every metric of one transfer, as ``{"metric" or "metric/region": value}``.

    Args:
        source: the bare face (must have a face).
        result: (H, W, 3) uint8, the engine's output for ``source``.
        regions: the groups that were made up.
        references: group → reference photo; fidelity is measured for groups that
            have one (with a face).
        ground_truth: the expected result (synthetic triplets).
        structure, identity: skip the landmark or the dlib measurement when False.

    Raises:
        ValueError: the source has no face, or shapes differ.
    """
    if source.face is None:
        raise ValueError(f"cannot measure a transfer on {source.name}: {source.error}")
    if result.shape != source.image.shape:
        raise ValueError(f"result shape {result.shape} differs from the source's {source.image.shape}")
    references = references or {}
    box = source.box
    res_lab = to_lab(result[box])
    res_skin = robust_color(res_lab, source.fidelity_weights["skin"])
    out: dict[str, float] = {}

    if identity:
        out["identity"] = math.nan
        if source.embedding is not None:
            try:
                out["identity"] = identity_distance(source.embedding, FaceEmbedder.default().embed(result, source.face))
            except FramError:
                pass

    gt_lab = to_lab(ground_truth[box]) if ground_truth is not None else None
    for region in FIDELITY_REGIONS:
        group = GROUP_OF_REGION[region]
        if group not in regions:
            continue
        weights = source.fidelity_weights[region]
        res_color = robust_color(res_lab, weights)
        out[f"change/{region}"] = _de(source.region_color(region), res_color)
        ref = references.get(group)
        if ref is not None and ref.face is not None:
            ref_color = ref.region_color(region)
            out[f"fid_de_raw/{region}"] = _de(res_color, ref_color)
            if region != "skin":
                out[f"fid_de/{region}"] = _de(adapt_to_anchor(res_color, res_skin, ref.skin_color), ref_color)
            res_pixels = adapt_to_anchor(_subsample(res_lab[weights >= 0.5]), res_skin, ref.skin_color)
            out[f"fid_hist/{region}"] = histogram_distance(res_pixels, ref.region_pixels(region))
        if gt_lab is not None:
            inside = weights >= 0.5
            out[f"gt_de/{region}"] = float(delta_e00(res_lab[inside], gt_lab[inside]).mean()) if inside.any() else math.nan
            out[f"gt_psnr/{region}"] = psnr(result[box], ground_truth[box], weights)

    if gt_lab is not None:
        face = _face_area(source)[box]
        out["gt_de/face"] = float(delta_e00(res_lab[face], gt_lab[face]).mean())
        out["gt_psnr/face"] = psnr(result[box], ground_truth[box], face.astype(np.float32))

    outside = ~_selected_area(source, regions)[box]
    if outside.any():
        moved = delta_e00(source.lab[outside], res_lab[outside])
        out["leak_de"] = float(moved.mean())
        out["leak_frac"] = 100.0 * float((moved > CHANGED_DE).mean())
    else:
        out["leak_de"] = out["leak_frac"] = math.nan
    holes = _holes(source)[box]
    out["hole_de"] = float(delta_e00(source.lab[holes], res_lab[holes]).mean()) if holes.any() else math.nan
    background = ~_face_area(source)
    out["bg_psnr"] = psnr(source.image, result, background.astype(np.float32)) if background.any() else math.nan

    if structure:
        out["lm_nme"] = out["lips_nme"] = math.nan
        try:
            # The same route as the source's landmarks (detect_face: each face on its upright frame).
            faces = [found.in_photo(result.shape[:2]) for found in locate_faces(result)]
        except FramError:
            faces = []
        if faces:
            # The result's face nearest the source's (largest-first order may change).
            centre = source.face.landmarks[:, :2].mean(axis=0)
            match = min(faces, key=lambda f: float(np.linalg.norm(f.landmarks[:, :2].mean(axis=0) - centre)))
            out["lm_nme"] = landmark_displacement(source.face.landmarks, match.landmarks)
            out["lips_nme"] = landmark_displacement(source.face.landmarks, match.landmarks, LIP_LANDMARKS)
    return out
