"""Named soft region masks of one face in its photo.

Regions painted across the skin are the constant UV templates of
:mod:`fram.face.templates`, projected through the face's UV lookup. Eyes, brows and
lips are drawn from their landmark contours instead, moved to where labelled photos
(CelebAMask-HQ) put their edges (:mod:`fram.face.feature_outlines`), and then toward
the photo's own colour edges (:mod:`fram.face.edges`): lip colour against skin and the
mouth interior, dark brow hairs against skin, the eye opening against the lids. Skin
(:mod:`fram.face.skin_model`) is the face outline, extended up the forehead,
classified by colour against hair and background, minus those features; ``base``, where
foundation reaches, continues it over skin-coloured pixels up to the hairline and
under the jaw, fading out.

The eye openings and the mouth interior are not mesh surface: the canonical mesh
stretches thin triangles across them. They are filled from the landmark contours in
the photo instead, and every makeup layer is masked out of them, so teeth, sclera and
iris are never painted.
"""


from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from fram.face.brows import refine_brows
from fram.face.colour import rgb_to_lab_8bit
from fram.face.edges import snap
from fram.face.feature_nets import refine_eyes, refine_lips
from fram.face.feature_outlines import (
    BROW_FIT,
    BROW_OFFSETS,
    EYE_FIT,
    LIP_FIT,
    brow_outlines,
    eye_outlines,
    lip_outlines,
)
from fram.face.filters import feather
from fram.face.landmarks import Face
from fram.face.polygons import fill_polygons, offset_polygon
from fram.face.skin_model import skin_mask
from fram.face.templates import uv_templates
from fram.face.topology import BROW_CONTOURS, EYE_CONTOURS, loop, ring
from fram.face.uv import DEFAULT_UV_SIZE, FaceProjection, face_projection, project

REGION_NAMES = (
    "skin", "base", "lips", "upper_lip", "lower_lip", "mouth", "eyes", "brows",
    "eyeshadow", "eyeshadow_left", "eyeshadow_right", "eyeliner",
    "cheeks", "nose", "under_eye",
)
# Regions that are holes in the mesh surface: never painted.
HOLE_REGIONS = ("eyes", "mouth")


@dataclass(frozen=True)
class RegionMasks:
    """Soft masks of one face in its photo, over the face box of ``projection``.

    Attributes:
        masks: name → (h, w) float32 in [0, 1] over the box.
        projection: the face's photo→UV lookup.
    """

    masks: dict[str, np.ndarray]
    projection: FaceProjection

    def full(self, name: str) -> np.ndarray:
        """One mask at the photo's full size."""
        height, width = self.projection.image_size
        out = np.zeros((height, width), np.float32)
        out[self.projection.slices] = self.masks[name]
        return out

    @property
    def holes(self) -> np.ndarray:
        """Eye openings and mouth interior over the box: never painted."""
        return np.maximum(self.masks["eyes"], self.masks["mouth"])


def region_masks(image: np.ndarray, face: Face, projection: FaceProjection | None = None) -> RegionMasks:
    """Every named region of ``face`` as a soft mask in the photo (native resolution).

    Regions painted across the skin (cheeks, eyeshadow, …) are UV templates projected
    into the photo. Eyes, brows and lips are their landmark outlines, moved to where
    labelled photos put their edges and then toward the photo's own colour edges
    (``snap``); skin is the face outline classified by colour, minus those features.

    Args:
        image: (H, W, 3) uint8 RGB, the photo ``face`` was found in.
        face: its landmarks.
        projection: the face's photo→UV lookup, when already made.

    Returns:
        Masks over the face box, float32 in [0, 1].
    """
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be (H, W, 3) RGB, got {image.shape}")
    projection = projection or face_projection(face)
    names, chunks = _projected_templates(DEFAULT_UV_SIZE)
    planes = [plane for chunk in chunks for plane in cv2.split(project(chunk, face, projection).data)]
    masks = dict(zip(names, planes))

    lab, points, unit, eye_prior = _box_features(image, face, projection)
    eyes = refine_eyes(lab, points, eye_prior)
    brows = refine_brows(lab, *_brow_inputs(lab, points, unit, eye_prior)) * (1 - eyes)
    lip_prior, opening, upper, lower = _lip_prior(lab, points, unit)
    lips = refine_lips(lab, points, lip_prior)
    mouth = fill_polygons([opening], projection.shape) * (1 - lips)
    upper_fill, lower_fill = fill_polygons([upper], projection.shape), fill_polygons([lower], projection.shape)
    split = feather(np.clip(upper_fill / np.maximum(upper_fill + lower_fill, 1e-6), 0, 1), max(1.0, unit))
    masks.update(lips=lips, upper_lip=lips * split, lower_lip=lips * (1 - split), brows=brows, eyes=eyes, mouth=mouth)

    features = np.clip(eyes + brows + lips + mouth, 0, 1)
    masks["skin"], masks["base"] = skin_mask(lab, points, projection, masks["skin"], features, unit)
    keep = 1 - np.maximum(eyes, mouth)  # skin already stops at every feature
    # Every mask is a fresh float32 array of this call: updating them in place saves a
    # dozen box-sized allocations, each of which costs page faults on first touch.
    for name in ("eyeshadow", "eyeshadow_left", "eyeshadow_right", "eyeliner", "cheeks", "nose", "under_eye", "face"):
        masks[name] *= keep
    for mask in masks.values():
        np.clip(mask, 0, 1, out=mask)
    return RegionMasks(masks=masks, projection=projection)


@functools.lru_cache(maxsize=4)
def _projected_templates(size: int) -> tuple[tuple[str, ...], tuple[np.ndarray, ...]]:
    """The UV templates drawn in the photo as they are: names, and their (S, S, C)
    stack cut into contiguous chunks of at most 4 channels.

    ``cv2.remap`` takes 4 channels at a time; projecting each chunk and splitting it
    gives contiguous per-region planes, where one interleaved stack of all of them
    would cost a concatenation and make every later operation on a mask strided.
    """
    templates = uv_templates(size)
    names = tuple(n for n in templates if n not in ("eyes", "lips", "upper_lip", "lower_lip", "brows"))
    stack = np.stack([templates[n] for n in names], axis=-1)
    return names, tuple(np.ascontiguousarray(stack[..., k : k + 4]) for k in range(0, len(names), 4))


def _box_points(face: Face, projection: FaceProjection) -> np.ndarray:
    """Landmarks (N, 2) in the face box, in OpenCV's pixel convention.

    MediaPipe's normalised coordinates times the image size put pixel centres at
    integer + 0.5; ``fill_polygons`` and ``cv2.remap`` put them at integers.
    """
    row, col = projection.origin
    return face.landmarks[:, :2] - (col + 0.5, row + 0.5)


def brow_inputs(image: np.ndarray, face: Face, projection: FaceProjection | None = None) -> tuple[np.ndarray, list, np.ndarray, FaceProjection]:
    """What the brow segmenter (:mod:`fram.face.brows`) reads for ``face``: the face
    box's CIELAB, each brow's geometry and the rule-based prior, and the projection
    (its ``slices`` place the box in the photo). Used to train the segmenter."""
    projection = projection or face_projection(face)
    lab, points, unit, eyes = _box_features(image, face, projection)
    return lab, *_brow_inputs(lab, points, unit, eyes), projection


def brow_mask(image: np.ndarray, face: Face, projection: FaceProjection | None = None) -> np.ndarray:
    """(H, W) float32 in [0, 1]: ``face``'s own brows over the whole photo, from the brow
    segmenter alone (a tenth of :func:`region_masks`' time)."""
    lab, geometry, prior, projection = brow_inputs(image, face, projection)
    out = np.zeros(projection.image_size, np.float32)
    out[projection.slices] = refine_brows(lab, geometry, prior)
    return out


def feature_priors(image: np.ndarray, face: Face, projection: FaceProjection | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, FaceProjection]:
    """What the eye and lip segmenters (:mod:`fram.face.feature_nets`) read for
    ``face``: the face box's CIELAB, the landmarks in the box, the rule-based eye and
    lip masks, and the projection. Used to train the segmenters."""
    projection = projection or face_projection(face)
    lab, points, unit, eyes = _box_features(image, face, projection)
    return lab, points, eyes, _lip_prior(lab, points, unit)[0], projection


def _lip_prior(lab: np.ndarray, points: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rule-based lip mask (lip outlines snapped to colour edges), and the mouth
    opening, upper and lower lip polygons of ``lip_outlines``."""
    outer, opening, upper, lower = lip_outlines(points, unit)
    return snap(lab, [outer], LIP_FIT, unit, hole=opening), opening, upper, lower


def _box_features(image: np.ndarray, face: Face, projection: FaceProjection) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """The face box's CIELAB, landmarks in the box, the face unit (px) and the rule-based eye openings."""
    unit = max(face.width, 1.0) / 256.0
    lab = rgb_to_lab_8bit(image[projection.slices])
    points = _box_points(face, projection)
    return lab, points, unit, snap(lab, eye_outlines(points, unit, lab), EYE_FIT, unit)


def _brow_inputs(lab: np.ndarray, points: np.ndarray, unit: float, eyes: np.ndarray) -> tuple[list, np.ndarray]:
    """Per brow (middle line from the inner to the outer end, the eye's centre, the mesh
    outline's fill), and the rule-based brow mask: the outlines of ``brow_outlines``
    moved toward the hairs' colour edges."""
    prior = snap(lab, brow_outlines(points, unit, lab), BROW_FIT, unit, elsewhere=eyes, dark_core=True) * (1 - eyes)
    offsets = np.asarray(BROW_OFFSETS) * unit
    geometry = []
    for (upper, lower), (lid_upper, lid_lower) in zip(BROW_CONTOURS, EYE_CONTOURS):
        middle = ((points[list(upper)] + points[list(lower)]) / 2)[::-1]  # the mesh lists brows outer end first
        eye = points[list(loop(lid_upper, lid_lower))].mean(axis=0)
        geometry.append((middle, eye, fill_polygons([offset_polygon(points[list(ring(upper, lower))], offsets)], lab.shape[:2])))
    return geometry, prior
