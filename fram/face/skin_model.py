"""Facial skin in the photo: the face outline, extended up the forehead, classified by colour."""

from __future__ import annotations

import cv2
import numpy as np

from fram.face.colour_model import MIN_SAMPLES, SKIN_NOISE, colours_where, gaussian_loglik
from fram.face.filters import feather
from fram.face.mesh import canonical_mesh
from fram.face.polygons import fill_polygons, offset_polygon
from fram.face.topology import FACE_OVAL
from fram.face.uv import FaceProjection

# The mesh stops mid-forehead; skin continues up to the hairline for about this
# fraction of the chin-to-mesh-top length above the mesh's top edge (colour then
# stops it at the hair).
FOREHEAD_EXTENSION = 0.38
# Labelled skin reaches past the mesh's outline (jaw, cheeks) by about this many face
# units; colour decides there too.
OVAL_OFFSET = 2.5
# Skin logit: SKIN_MESH_PRIOR where the mesh covers the pixel, 0 elsewhere, plus
# SKIN_EVIDENCE × the colour log-likelihood ratio (skin against the surroundings of
# the face outline) clipped to ±SKIN_EVIDENCE_CLIP.
SKIN_MESH_PRIOR = 0.5
SKIN_EVIDENCE = 0.5
SKIN_EVIDENCE_CLIP = 10.0
# Width (face units) of the ring outside the face outline that samples hair and background.
SKIN_RING = 8.0
# Below the brows and between the outer eye corners (a box in UV: v below ``top``, u
# within ``half_width`` of the middle) hair hardly ever covers the face, while shading
# and eye make-up fool the colour model: skin there gives way only to the features.
SKIN_CENTRE_UV = {"top": 0.3, "half_width": 0.25}
# Base products (foundation and the rest of the skin group) reach past the skin mask
# over skin-coloured pixels: up to the hairline wherever the extended outline stops
# short of it, and onto the neck under the jaw, fading out over BASE_FALLOFF face units
# beyond the outline; their edge at hair and background is feathered by BASE_FEATHER
# face units.
BASE_FALLOFF = 14.0
BASE_FEATHER = 1.5
# Past the mesh, base products need surer skin colour than the skin mask does (its
# logit less BASE_MARGIN) from about the eyes up (BASE_MARGIN_FROM: the fraction of
# the chin-to-mesh-top height where the margin is half on): fine hair at the temples
# and the hairline passes for skin often enough to show as a painted fringe, while
# the neck under the jaw is skin in shadow.
BASE_MARGIN = 2.0
BASE_MARGIN_FROM = 0.5
# Oval vertices above this canonical-mesh height (cm, about the brows) are lifted,
# the more the higher they are.
_BROW_HEIGHT_CM = 5.1
_CHIN, _MESH_TOP = 152, 10


def _extended_oval(points: np.ndarray, unit: float) -> np.ndarray:
    """The face outline with the forehead extended toward the hairline.

    Upper outline vertices move along the face's own chin-to-forehead direction in
    the photo, so the extension follows head tilt and turn.
    """
    height = canonical_mesh().vertices[list(FACE_OVAL), 1]
    weight = np.clip((height - _BROW_HEIGHT_CM) / (height.max() - _BROW_HEIGHT_CM), 0, 1)
    up = points[_MESH_TOP] - points[_CHIN]
    oval = points[list(FACE_OVAL)] + weight[:, None] * up * FOREHEAD_EXTENSION
    return offset_polygon(oval, np.full(len(oval), OVAL_OFFSET * unit))


def skin_mask(
    lab: np.ndarray, points: np.ndarray, projection: FaceProjection, mesh_skin: np.ndarray, features: np.ndarray, unit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Facial skin: the face outline, extended up the forehead, minus hair and features;
    and where base products reach (the skin, continued over skin-coloured pixels
    beyond the outline with a soft falloff: ``BASE_FALLOFF``).

    Pixels are classified by a Gaussian colour model of the mesh's skin against one of
    the ring just outside the outline (hair, background), except in the face's centre
    (``SKIN_CENTRE_UV``). The soft masks are combined with a minimum, not a product, so
    that skin meets each feature where the feature's own mask crosses one half.
    """
    outline = fill_polygons([_extended_oval(points, unit)], projection.shape)
    inside = outline > 0.5
    core = (mesh_skin > 0.9) & (features < 0.01)
    outside = cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, 3)
    ring = ~inside & (outside <= max(2.0, SKIN_RING * unit))
    if core.sum() < MIN_SAMPLES or ring.sum() < MIN_SAMPLES:
        skin = np.minimum(mesh_skin, 1 - features)
        return skin, skin
    mesh = projection.coverage > 0.5
    u, v = projection.uv[..., 0], projection.uv[..., 1]
    centre = mesh & (v > SKIN_CENTRE_UV["top"]) & (np.abs(u - 0.5) < SKIN_CENTRE_UV["half_width"])
    judged = (outline > 0) & ~centre  # colour only matters here
    # Classified over the whole box and then selected: gathering the judged colours
    # first costs more than the few extra pixels.
    evidence = gaussian_loglik(lab, colours_where(lab, core), SKIN_NOISE) - gaussian_loglik(lab, colours_where(lab, ring), SKIN_NOISE)
    evidence = np.clip(evidence, -SKIN_EVIDENCE_CLIP, SKIN_EVIDENCE_CLIP)
    logit = SKIN_MESH_PRIOR * mesh.astype(np.float32) + SKIN_EVIDENCE * evidence
    prob = np.where(judged, 1.0 / (1.0 + np.exp(-logit)), centre.astype(np.float32))
    prob = cv2.medianBlur((prob * 255).astype(np.uint8), 5).astype(np.float32) / 255.0
    skin = np.minimum(np.minimum(feather(prob, max(0.7, unit)), outline), 1 - features)
    falloff = np.clip(1 - outside / (BASE_FALLOFF * unit), 0, 1)
    falloff = falloff * falloff * (3 - 2 * falloff)  # smoothstep: no visible edge where the fade ends
    up = points[_MESH_TOP] - points[_CHIN]
    scale = np.float32(1 / max(float(up @ up), 1e-6))
    rows = (np.arange(lab.shape[0], dtype=np.float32) - np.float32(points[_CHIN, 1])) * np.float32(up[1]) * scale
    cols = (np.arange(lab.shape[1], dtype=np.float32) - np.float32(points[_CHIN, 0])) * np.float32(up[0]) * scale
    height = rows[:, None] + cols[None, :]
    margin = BASE_MARGIN * np.clip((height - BASE_MARGIN_FROM) / 0.2 + 0.5, 0, 1)
    sure = np.where(centre, 1.0, 1.0 / (1.0 + np.exp(margin - logit)))
    reach = cv2.medianBlur((sure * 255).astype(np.uint8), 5).astype(np.float32) / 255.0
    base = np.minimum(np.minimum(feather(reach, max(0.7, BASE_FEATHER * unit)), falloff), 1 - features)
    return skin, np.maximum(skin * projection.coverage, base)
