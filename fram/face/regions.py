"""Named soft region masks, as constant UV templates and as photo-space masks.

In UV space every region is a constant template (the mesh moves, its UVs do not),
drawn once per texture size from landmark contours. In the photo, the templates of
regions painted across the skin are projected through the face's UV lookup. Eyes,
brows and lips are drawn from their landmark contours instead, moved to where
labelled photos (CelebAMask-HQ) put their edges, and then toward the photo's own
colour edges: lip colour against skin and the mouth interior, dark brow hairs against
skin, the eye opening against the lids. Skin is the face outline, extended up the
forehead, classified by colour against hair and background, minus those features.

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
from fram.face.landmarks import Face
from fram.face.mesh import canonical_mesh
from fram.face.uv import DEFAULT_UV_SIZE, FaceProjection, face_projection, project, uv_raster

# Contours (MediaPipe topology), person's right = image left on a frontal face.
UPPER_LIP_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LOWER_LIP_OUTER = (291, 375, 321, 405, 314, 17, 84, 181, 91, 146, 61)
UPPER_LIP_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_LIP_INNER = (308, 324, 318, 402, 317, 14, 87, 178, 88, 95, 78)
RIGHT_EYE_UPPER = (33, 246, 161, 160, 159, 158, 157, 173, 133)
RIGHT_EYE_LOWER = (133, 155, 154, 153, 145, 144, 163, 7, 33)
LEFT_EYE_UPPER = (263, 466, 388, 387, 386, 385, 384, 398, 362)
LEFT_EYE_LOWER = (362, 382, 381, 380, 374, 373, 390, 249, 263)
RIGHT_BROW_UPPER = (70, 63, 105, 66, 107)
RIGHT_BROW_LOWER = (46, 53, 52, 65, 55)
LEFT_BROW_UPPER = (300, 293, 334, 296, 336)
LEFT_BROW_LOWER = (276, 283, 282, 295, 285)
# A curve under each eye along the top of the cheek, bounding the under-eye zone.
RIGHT_UNDER_EYE = (35, 111, 117, 118, 119, 120, 121, 128, 245)
LEFT_UNDER_EYE = (265, 340, 346, 347, 348, 349, 350, 357, 465)
NOSE = (168, 122, 188, 114, 217, 198, 209, 49, 64, 98, 97, 2, 326, 327, 294, 279, 429, 420, 437, 343, 412, 351)
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)
# Blush anchors: the cheek apple and the top of the cheekbone toward the temple.
RIGHT_CHEEK_APPLE, LEFT_CHEEK_APPLE = 205, 425
RIGHT_CHEEKBONE, LEFT_CHEEKBONE = 116, 345

REGION_NAMES = (
    "skin", "lips", "upper_lip", "lower_lip", "mouth", "eyes", "brows",
    "eyeshadow", "eyeshadow_left", "eyeshadow_right", "eyeliner",
    "cheeks", "nose", "under_eye",
)
# Regions that are holes in the mesh surface: never painted.
HOLE_REGIONS = ("eyes", "mouth")


# Polygons are rasterised on a grid this many times finer than the pixels (see _fill).
_SUPERSAMPLE = 4


def _ring(indices: tuple[int, ...], reverse: tuple[int, ...]) -> tuple[int, ...]:
    """A closed band between two contours drawn in the same direction."""
    return tuple(indices) + tuple(reversed(reverse))


def _loop(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    """A closed loop from two contours that meet end to start (upper + lower lid)."""
    return tuple(first) + tuple(second[1:-1])


def _fill(points: list[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """Polygon coverage (the fraction of each pixel inside) as a float mask.

    Points follow OpenCV's pixel convention (pixel centres at integers). OpenCV's
    anti-aliased fill grows shapes by over half a pixel, a large error on features a
    dozen pixels tall (lids, brows), so polygons are drawn hard on a finer grid over their
    bounding box and area-averaged down; the hard fill's inclusive edges leave a bias of
    an eighth of a pixel.
    """
    out = np.zeros(shape, np.float32)
    corners = np.concatenate(points)
    x0, y0 = np.maximum(np.floor(corners.min(axis=0)).astype(int) - 1, 0)
    x1 = min(shape[1], int(np.ceil(corners[:, 0].max())) + 2)
    y1 = min(shape[0], int(np.ceil(corners[:, 1].max())) + 2)
    if x1 <= x0 or y1 <= y0:
        return out
    k = _SUPERSAMPLE
    canvas = np.zeros(((y1 - y0) * k, (x1 - x0) * k), np.uint8)
    fine = [np.round(((p - (x0, y0) + 0.5) * k - 0.5) * 16).astype(np.int32) for p in points]
    cv2.fillPoly(canvas, fine, 255, lineType=cv2.LINE_8, shift=4)
    out[y0:y1, x0:x1] = cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    return out


def _feather(mask: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0:
        return mask
    return cv2.GaussianBlur(mask, (0, 0), sigma)


# ---------------------------------------------------------------- UV templates


@dataclass(frozen=True)
class EyeFrame:
    """Per-UV-pixel coordinates around one eye, used to lay out eye makeup.

    Attributes:
        lid: (S, S) signed height above the upper lash line, in units of the lash-to-brow
            distance: 0 at the lash line, 1 at the brow's lower edge, negative below.
        along: (S, S) position along the eye from inner (0) to outer (1) corner.
        lash_distance: (S, S) distance to the upper lash line in UV pixels.
        outer_corner: (2,) UV pixel position of the outer corner.
        eye_width: eye width in UV pixels.
    """

    lid: np.ndarray
    along: np.ndarray
    lash_distance: np.ndarray
    outer_corner: np.ndarray
    eye_width: float


def _polyline_distance(points: np.ndarray, size: int) -> np.ndarray:
    canvas = np.full((size, size), 255, np.uint8)
    cv2.polylines(canvas, [np.round(points).astype(np.int32)], False, 0, 1)
    return cv2.distanceTransform(canvas, cv2.DIST_L2, 5)


@functools.lru_cache(maxsize=8)
def eye_frames(size: int = DEFAULT_UV_SIZE) -> tuple[EyeFrame, EyeFrame]:
    """(right, left) eye coordinate frames in UV."""
    uv = canonical_mesh().uv * size - 0.5
    frames = []
    for upper, brow_lower in ((RIGHT_EYE_UPPER, RIGHT_BROW_LOWER), (LEFT_EYE_UPPER, LEFT_BROW_LOWER)):
        lash = uv[list(upper)]
        brow = uv[list(brow_lower)]
        d_lash = _polyline_distance(lash, size)
        d_brow = _polyline_distance(brow, size)
        ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
        # Above the lash line means a smaller v than the lash curve at the same u.
        lash_v = np.interp(xs, *_monotone(lash[:, 0], lash[:, 1]))
        brow_v = np.interp(xs, *_monotone(brow[:, 0], brow[:, 1]))
        span = float(np.median(lash[:, 1]) - np.median(brow[:, 1]))
        between = d_lash / np.maximum(d_lash + d_brow, 1e-3)
        # Below the lash line: negative; above the brow's lower edge: beyond 1, growing.
        lid = np.where(ys >= lash_v, -d_lash / span, np.where(ys <= brow_v, 1.0 + d_brow / span, between))
        inner, outer = lash[-1], lash[0]  # contours run outer → inner corner
        axis = outer - inner
        along = ((xs - inner[0]) * axis[0] + (ys - inner[1]) * axis[1]) / float(axis @ axis)
        frames.append(
            EyeFrame(
                lid=lid.astype(np.float32),
                along=along.astype(np.float32),
                lash_distance=d_lash,
                outer_corner=outer.astype(np.float32),
                eye_width=float(np.linalg.norm(axis)),
            )
        )
    return frames[0], frames[1]


def _monotone(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(x)
    return x[order], y[order]


@functools.lru_cache(maxsize=8)
def uv_templates(size: int = DEFAULT_UV_SIZE) -> dict[str, np.ndarray]:
    """Constant soft region masks over an S×S UV texture, float32 in [0, 1]."""
    uv = canonical_mesh().uv * size - 0.5
    shape = (size, size)
    px = size / 256.0  # feather widths below are given for a 256 px texture

    def poly(*contours: tuple[int, ...]) -> np.ndarray:
        return _fill([uv[list(c)] for c in contours], shape)

    upper_lip = poly(_ring(UPPER_LIP_OUTER, UPPER_LIP_INNER))
    lower_lip = poly(_ring(LOWER_LIP_OUTER, LOWER_LIP_INNER))
    brow_r = poly(_ring(RIGHT_BROW_UPPER, RIGHT_BROW_LOWER))
    brow_l = poly(_ring(LEFT_BROW_UPPER, LEFT_BROW_LOWER))
    eye_r = poly(_loop(RIGHT_EYE_UPPER, RIGHT_EYE_LOWER))
    eye_l = poly(_loop(LEFT_EYE_UPPER, LEFT_EYE_LOWER))
    covered = uv_raster(size).covered.astype(np.float32)

    right, left = eye_frames(size)
    shadow = []
    for frame, eye in ((right, eye_r), (left, eye_l)):
        zone = (frame.lid > 0) & (frame.lid < 0.85) & (frame.along > -0.1) & (frame.along < 1.25)
        shadow.append(_feather(zone.astype(np.float32) * (1 - eye), 2.0 * px))
    liner = []
    for frame in (right, left):
        band = (frame.lid >= 0) & (frame.lash_distance < 2.5 * px) & (frame.along > 0.05) & (frame.along < 1.05)
        liner.append(_feather(band.astype(np.float32), 0.7 * px))

    cheeks = np.zeros(shape, np.float32)
    for apple in (RIGHT_CHEEK_APPLE, LEFT_CHEEK_APPLE):
        cheeks = np.maximum(cheeks, ellipse_mask(uv[apple], (22 * px, 16 * px), 0.0, shape))
    cheeks = _feather(cheeks, 6 * px)

    under_eye = poly(RIGHT_UNDER_EYE + RIGHT_EYE_LOWER) + poly(LEFT_UNDER_EYE + LEFT_EYE_LOWER)
    under_eye = _feather(np.clip(under_eye, 0, 1) * (1 - poly(_loop(RIGHT_EYE_UPPER, RIGHT_EYE_LOWER)) - poly(_loop(LEFT_EYE_UPPER, LEFT_EYE_LOWER))).clip(0, 1), 3 * px)
    nose = _feather(poly(NOSE), 2 * px)

    lips = np.clip(upper_lip + lower_lip, 0, 1)
    brows = np.clip(brow_r + brow_l, 0, 1)
    eyes = np.clip(eye_r + eye_l, 0, 1)
    # Skin fades out before the mesh border so products never show the mesh's edge.
    inside = cv2.distanceTransform((covered > 0).astype(np.uint8), cv2.DIST_L2, 5)
    border_fade = np.clip(inside / (10 * px), 0, 1)
    skin = border_fade * (1 - lips) * (1 - _feather(brows, 1.0 * px)) * (1 - _feather(eyes, 1.0 * px))
    return {
        "skin": skin.astype(np.float32),
        "lips": lips,
        "upper_lip": upper_lip,
        "lower_lip": lower_lip,
        "brows": brows,
        "eyes": eyes,
        "eyeshadow_right": shadow[0],
        "eyeshadow_left": shadow[1],
        "eyeshadow": np.maximum(shadow[0], shadow[1]),
        "eyeliner": np.maximum(liner[0], liner[1]),
        "cheeks": cheeks,
        "nose": nose,
        "under_eye": under_eye.astype(np.float32),
        "face": covered * border_fade,
    }


def ellipse_mask(center: np.ndarray, axes: tuple[float, float], angle: float, shape: tuple[int, int]) -> np.ndarray:
    """An anti-aliased filled ellipse (sub-pixel centre and axes) as a float mask."""
    canvas = np.zeros(shape, np.uint8)
    cv2.ellipse(
        canvas, (int(round(center[0] * 16)), int(round(center[1] * 16))),
        (int(round(axes[0] * 16)), int(round(axes[1] * 16))), angle, 0, 360, 255, -1, cv2.LINE_AA, 4,
    )
    return canvas.astype(np.float32) / 255.0


# ---------------------------------------------------------------- photo space
#
# Lengths in the photo are in face units: native pixels per pixel of a 256-px UV
# texture (face width / 256), so the constants hold at any photo resolution
# (CelebAMask-HQ faces at 512 px are about 1.1 px per unit). The numbers below were
# tuned for mean IoU against CelebAMask-HQ labels on the development split (images
# 0–199 by name); ``benchmarks/region_iou.py`` reports the held-out rest.


@dataclass(frozen=True)
class _EdgeFit:
    """How the photo's colours move one feature's edge away from its landmark outline.

    Inside-logit of a pixel = ``slope`` × signed distance to the outline (face units,
    > 0 inside) + ``bias`` + ``evidence`` × the log-likelihood ratio of its colour
    under the feature's colour model against its surroundings' (clipped to
    ±``EVIDENCE_CLIP``). A steep slope means the landmarks are usually right there; the
    evidence weight, how far colour is trusted. Started from a logistic regression on
    pixels near the outlines, then tuned for IoU.
    """

    slope: float
    bias: float
    evidence: float


# Outlines move along their outward normals (face units) to where the labels put the
# edges. Eyes: the lower lid's and the corners' landmarks sit outside the opening.
EYE_LID_OFFSETS = {"upper": 0.0, "lower": -0.5, "corner": -1.0}
# Widest lid gap over eye width: closed eyes measure 0.06–0.12, open ones 0.19 and up.
EYE_CLOSED_RATIO = 0.15
# Brows, per vertex of ``_ring(upper, lower)``: upper edge outer → inner end, then lower
# edge inner → outer end. Labelled brows are thicker than the mesh's, most in the
# middle, and shorter at both ends.
BROW_OFFSETS = (-3.0, 0.0, 2.0, 2.5, 0.0, -1.0, 2.5, 2.0, 0.5, -3.0)
# Lips: the upper edge lies above its landmarks and the corners reach past theirs;
# the inner edges reach into the mouth opening (by at most half of it, so a closed
# mouth is all lip), most at its corners.
LIP_OFFSETS = {
    "outer_upper": 0.75, "outer_lower": 0.0, "outer_corner": 1.375,
    "inner_upper": 0.75, "inner_lower": 1.5, "inner_corner": 3.5,
}
EYE_FIT = _EdgeFit(slope=1.2, bias=0.0, evidence=0.28)
# Brows: the colour model is learnt from the hairs (``_snap(dark_core=True)``), and the
# positive bias keeps the margin labellers leave around them.
BROW_FIT = _EdgeFit(slope=0.6, bias=1.0, evidence=0.27)
# Brow thickness varies from face to face far more than the mesh's brow does (labelled
# edges lie about 3.5 face units (sd) from the mesh's): each edge moves by BROW_EDGE_WEIGHT
# of where the hairs put it (``_brow_profile``): ``columns`` lightness profiles across
# the brow between ``span`` of its length, an edge where the lightness has risen
# ``contrast`` of the way from the darkest point to the skin's (sampled ``skin`` face
# units outside the outline); each vertex takes the median of the columns within
# ``window`` (a fraction of the brow's length) of it, clipped to ±``clip`` face units.
BROW_PROFILE = {"columns": 9, "span": (0.1, 0.9), "window": 0.25, "contrast": 0.8, "skin": (3.0, 8.0), "clip": 6.0}
BROW_EDGE_WEIGHT = 0.75
# A brow whose forehead side gains less than this fraction of the lightness its lid
# side gains is under hair, and left out (see ``_brow_outlines``).
BROW_HIDDEN_RATIO = 0.15
# Profiles reach this many face units either side of the brow's middle line, in steps of this.
_BROW_PROFILE_REACH, _BROW_PROFILE_STEP = 20.0, 0.5
LIP_FIT = _EdgeFit(slope=0.67, bias=-0.08, evidence=0.25)
# Log-likelihood ratios beyond this carry no more information (specular highlights,
# stray hairs); it also caps how far colour can move an edge: EVIDENCE_CLIP × evidence
# / slope face units.
EVIDENCE_CLIP = 6.0
# Colour models: the feature's from pixels deeper than CORE_DEPTH inside its outline,
# the surroundings' from a ring RING_DEPTHS outside it (face units).
CORE_DEPTH = 2.0
RING_DEPTHS = (3.0, 8.0)
# Fewer colour samples than this give no usable Gaussian model.
_MIN_SAMPLES = 20
# Gaussian blur (face units) of the logits: an edge is smooth at the scale of a few
# pixels. (Blurring the colours instead made no difference.)
LOGIT_BLUR = 1.1

_EYES = ((RIGHT_EYE_UPPER, RIGHT_EYE_LOWER), (LEFT_EYE_UPPER, LEFT_EYE_LOWER))
_BROW_UPPER_LOWER = ((RIGHT_BROW_UPPER, RIGHT_BROW_LOWER), (LEFT_BROW_UPPER, LEFT_BROW_LOWER))


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
    (``_snap``); skin is the face outline classified by colour, minus those features.

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

    lab, points, unit, eyes = _box_features(image, face, projection)
    brows = refine_brows(lab, *_brow_inputs(lab, points, unit, eyes)) * (1 - eyes)
    outer, opening, upper, lower = _lip_outlines(points, unit)
    lips = _snap(lab, [outer], LIP_FIT, unit, hole=opening)
    mouth = _fill([opening], projection.shape) * (1 - lips)
    upper_fill, lower_fill = _fill([upper], projection.shape), _fill([lower], projection.shape)
    split = _feather(np.clip(upper_fill / np.maximum(upper_fill + lower_fill, 1e-6), 0, 1), max(1.0, unit))
    masks.update(lips=lips, upper_lip=lips * split, lower_lip=lips * (1 - split), brows=brows, eyes=eyes, mouth=mouth)

    features = np.clip(eyes + brows + lips + mouth, 0, 1)
    masks["skin"] = _skin(lab, points, projection, masks["skin"], features, unit)
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
    integer + 0.5; ``_fill`` and ``cv2.remap`` put them at integers.
    """
    row, col = projection.origin
    return face.landmarks[:, :2] - (col + 0.5, row + 0.5)


def _outward_normals(polygon: np.ndarray) -> np.ndarray:
    """(N, 2) unit normals at the vertices of a simple closed polygon, pointing outward.

    (t_y, -t_x) lies right of the tangent t, which is outside when the polygon runs
    clockwise on screen (positive shoelace area with y pointing down).
    """
    after, before = np.roll(polygon, -1, axis=0), np.roll(polygon, 1, axis=0)
    tangent = after - before
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    clockwise = np.sum(polygon[:, 0] * after[:, 1] - after[:, 0] * polygon[:, 1]) > 0
    return normal if clockwise else -normal


def _offset(polygon: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Move each vertex of a closed polygon along its outward normal by ``offsets`` px."""
    return polygon + _outward_normals(polygon) * np.asarray(offsets, np.float64)[:, None]


def _eye_outlines(points: np.ndarray, unit: float) -> list[np.ndarray]:
    """The open eyes as labelled: the lid contours moved by ``EYE_LID_OFFSETS``.

    A closed eye has no opening (its lids are skin to paint on); MediaPipe leaves a
    residual gap between the lid contours of a closed eye, so an eye counts as closed
    below ``EYE_CLOSED_RATIO``.
    """
    outlines = []
    for upper, lower in _EYES:
        lids = points[list(_loop(upper, lower))]
        facing = points[list(lower[::-1])][1:-1]  # lower-lid points under upper[1:-1]
        width = np.linalg.norm(lids[0] - lids[len(upper) - 1])
        if np.linalg.norm(lids[1 : len(upper) - 1] - facing, axis=1).max() < EYE_CLOSED_RATIO * width:
            continue
        offsets = np.array([EYE_LID_OFFSETS["upper"]] * len(upper) + [EYE_LID_OFFSETS["lower"]] * (len(lower) - 2))
        offsets[[0, len(upper) - 1]] = EYE_LID_OFFSETS["corner"]
        outlines.append(_offset(lids, offsets * unit))
    return outlines


def brow_inputs(image: np.ndarray, face: Face, projection: FaceProjection | None = None) -> tuple[np.ndarray, list, np.ndarray, FaceProjection]:
    """What the brow segmenter (:mod:`fram.face.brows`) reads for ``face``: the face
    box's CIELAB, each brow's geometry and the rule-based prior, and the projection
    (its ``slices`` place the box in the photo). Used to train the segmenter."""
    projection = projection or face_projection(face)
    lab, points, unit, eyes = _box_features(image, face, projection)
    return lab, *_brow_inputs(lab, points, unit, eyes), projection


def _box_features(image: np.ndarray, face: Face, projection: FaceProjection) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """The face box's CIELAB, landmarks in the box, the face unit (px) and the eye openings."""
    unit = max(face.width, 1.0) / 256.0
    lab = cv2.cvtColor(image[projection.slices], cv2.COLOR_RGB2LAB).astype(np.float32)
    points = _box_points(face, projection)
    return lab, points, unit, _snap(lab, _eye_outlines(points, unit), EYE_FIT, unit)


def _brow_inputs(lab: np.ndarray, points: np.ndarray, unit: float, eyes: np.ndarray) -> tuple[list, np.ndarray]:
    """Per brow (middle line from the inner to the outer end, the eye's centre, the mesh
    outline's fill), and the rule-based brow mask: the outlines of ``_brow_outlines``
    moved toward the hairs' colour edges."""
    prior = _snap(lab, _brow_outlines(points, unit, lab), BROW_FIT, unit, elsewhere=eyes, dark_core=True) * (1 - eyes)
    offsets = np.asarray(BROW_OFFSETS) * unit
    geometry = []
    for (upper, lower), (lid_upper, lid_lower) in zip(_BROW_UPPER_LOWER, _EYES):
        middle = ((points[list(upper)] + points[list(lower)]) / 2)[::-1]  # the mesh lists brows outer end first
        eye = points[list(_loop(lid_upper, lid_lower))].mean(axis=0)
        geometry.append((middle, eye, _fill([_offset(points[list(_ring(upper, lower))], offsets)], lab.shape[:2])))
    return geometry, prior


def _brow_outlines(points: np.ndarray, unit: float, lab: np.ndarray | None = None) -> list[np.ndarray]:
    """The visible brows as labelled: the mesh brow rings moved by ``BROW_OFFSETS``.

    Given the box's CIELAB colours ``lab``, each ring's upper and lower edges then move
    by ``BROW_EDGE_WEIGHT`` of where the hairs put them (``_brow_profile``), and a brow
    under hair (a fringe, a hat brim) is left out: labellers mark that as hair, and
    brow make-up does not belong on it. Such a brow shows no lighter skin above its
    darkest line, while the lid below is still lighter; a brow counts as hidden when
    the lightness it gains toward the forehead is under ``BROW_HIDDEN_RATIO`` of what
    it gains toward the lid.
    """
    offsets = np.asarray(BROW_OFFSETS) * unit
    outlines = []
    for upper, lower in _BROW_UPPER_LOWER:
        outline = _offset(points[list(_ring(upper, lower))], offsets)
        profile = None if lab is None else _brow_profile(lab, outline, unit)
        if profile is not None:
            shifts, rise_above, rise_below = profile
            if rise_above < BROW_HIDDEN_RATIO * rise_below:
                continue
            outline = _offset(outline, BROW_EDGE_WEIGHT * shifts * unit)
        outlines.append(outline)
    return outlines


def _brow_profile(lab: np.ndarray, outline: np.ndarray, unit: float) -> tuple[np.ndarray, float, float] | None:
    """Where one brow's hairs put its edges, from lightness profiles across it.

    At ``BROW_PROFILE["columns"]`` places along the brow (``_ring(upper, lower)``
    outline) the lightness is sampled across it, along the normal of its middle line.
    From the darkest point between the outline's edges, an edge lies where the
    lightness has risen ``BROW_PROFILE["contrast"]`` of the way to that of the skin
    beyond it (the median between ``BROW_PROFILE["skin"]`` face units outside that
    edge of the outline). Medians over nearby columns are robust to a stray hair, a
    lash or a glasses rim crossing a few of them.

    Returns:
        (shifts, rise above, rise below): per outline vertex, how far the hairs put its
        edge outside the outline (face units, clipped to ±``BROW_PROFILE["clip"]``),
        and how much lighter than the darkest point the skin above and below is
        (medians; CIELAB lightness as OpenCV scales it); None when the outline is
        degenerate.
    """
    n = len(outline) // 2
    top, bottom = outline[:n], outline[n:][::-1]  # both from the outer to the inner end
    middle = (top + bottom) / 2
    along = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(middle, axis=0), axis=1))]
    if along[-1] <= 1e-6:
        return None
    along /= along[-1]
    where_along = np.linspace(*BROW_PROFILE["span"], BROW_PROFILE["columns"])

    def at(curve: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.stack([np.interp(t, along, curve[:, 0]), np.interp(t, along, curve[:, 1])], axis=1)

    centre = at(middle, where_along)
    tangent = at(middle, where_along + 0.02) - at(middle, where_along - 0.02)
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    normal *= np.where(normal[:, 1:] > 0, -1.0, 1.0)  # pointing up the photo
    top_height = np.einsum("ij,ij->i", at(top, where_along) - centre, normal) / unit
    bottom_height = np.einsum("ij,ij->i", at(bottom, where_along) - centre, normal) / unit
    step = _BROW_PROFILE_STEP
    heights = np.arange(-_BROW_PROFILE_REACH, _BROW_PROFILE_REACH + step / 2, step)
    samples = centre[:, None, :] + heights[None, :, None] * unit * normal[:, None, :]
    rows, cols = _roi([samples.reshape(-1, 2)], lab.shape[:2], 2.0)
    if rows.stop <= rows.start or cols.stop <= cols.start:
        return None
    light = cv2.remap(
        np.ascontiguousarray(lab[rows, cols, 0]),
        (samples[..., 0] - cols.start).astype(np.float32), (samples[..., 1] - rows.start).astype(np.float32),
        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE,
    )
    light = cv2.GaussianBlur(light, (0, 0), sigmaX=1.0 / step, sigmaY=1e-3)  # 1 face unit along each profile
    near, far = BROW_PROFILE["skin"]
    h, hi, lo = heights[None, :], top_height[:, None], bottom_height[:, None]
    between = (h >= np.minimum(lo, hi) - 1) & (h <= np.maximum(lo, hi) + 1)
    kept = between.any(axis=1)
    if not kept.any():
        return None
    light, between, hi, lo, columns = light[kept], between[kept], hi[kept], lo[kept], where_along[kept]
    dark_index = np.argmin(np.where(between, light, np.inf), axis=1)
    dark = np.take_along_axis(light, dark_index[:, None], axis=1)
    above = _row_medians(light, (h > hi + near) & (h < hi + far))[:, None] - dark
    below = _row_medians(light, (h < lo - near) & (h > lo - far))[:, None] - dark
    # An edge: the first sample outward from the darkest point that has risen
    # ``contrast`` of the way to the skin (or the profile's end).
    index = np.arange(len(heights))[None, :]
    contrast = BROW_PROFILE["contrast"]
    risen_above = (index >= dark_index[:, None]) & (light - dark >= contrast * above)
    risen_below = (index <= dark_index[:, None]) & (light - dark >= contrast * below)
    top_edge = np.where(risen_above.any(axis=1), np.argmax(risen_above, axis=1), len(heights) - 1)
    bottom_edge = np.where(risen_below.any(axis=1), len(heights) - 1 - np.argmax(risen_below[:, ::-1], axis=1), 0)
    ups = heights[top_edge] - hi[:, 0]
    downs = lo[:, 0] - heights[bottom_edge]
    # Each vertex takes the median over the columns within ``window`` of its place
    # along the brow: how thickness varies along a brow differs from face to face.
    places = np.r_[along, along[::-1]]  # the outline's vertices: upper edge, then lower
    edges = np.r_[np.tile(ups, (len(along), 1)), np.tile(downs, (len(along), 1))]
    near_columns = np.abs(columns[None, :] - places[:, None]) <= BROW_PROFILE["window"]
    near_columns[~near_columns.any(axis=1)] = True  # none near: all of them
    shifts = _row_medians(edges, near_columns)
    clip = BROW_PROFILE["clip"]
    rise_above, rise_below = (float(_row_medians(v.T, np.isfinite(v.T))[0]) for v in (above, below))
    return np.nan_to_num(np.clip(shifts, -clip, clip)), rise_above, rise_below


def _row_medians(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The median of each row of ``values`` over its ``mask``ed entries (NaN where none);
    ``np.nanmedian`` along an axis is many times slower on small arrays."""
    ordered = np.sort(np.where(mask, values, np.inf), axis=1)
    count = mask.sum(axis=1)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, np.maximum(count // 2, 0)[:, None], axis=1)[:, 0]
    return np.where(count > 0, (low + high) / 2, np.nan)


def _lip_outlines(points: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(outer outline, mouth opening, upper lip, lower lip) polygons as labelled.

    The inner lip edges move toward each other along the line joining facing points
    of the inner contours, at most halfway, so a closed mouth leaves no gap; the
    opening's corners move toward its middle, at most a quarter of its width.
    """
    n_upper = len(UPPER_LIP_OUTER)
    n_lower = len(LOWER_LIP_OUTER) - 2  # without the corners
    offsets = np.array([LIP_OFFSETS["outer_upper"]] * n_upper + [LIP_OFFSETS["outer_lower"]] * n_lower)
    offsets[[0, n_upper - 1]] = LIP_OFFSETS["outer_corner"]
    outer = _offset(points[list(_loop(UPPER_LIP_OUTER, LOWER_LIP_OUTER))], offsets * unit)
    top = points[list(UPPER_LIP_INNER)]  # mouth corner 78 → 308
    bottom = points[list(LOWER_LIP_INNER)][::-1]  # facing points, also 78 → 308
    gap = bottom - top
    half = np.linalg.norm(gap, axis=1, keepdims=True) / 2
    toward = gap / np.maximum(2 * half, 1e-9)
    top = top + toward * np.minimum(LIP_OFFSETS["inner_upper"] * unit, half)
    bottom = bottom - toward * np.minimum(LIP_OFFSETS["inner_lower"] * unit, half)
    across = top[-1] - top[0]
    width = float(np.linalg.norm(across))
    inward = across / max(width, 1e-9) * min(LIP_OFFSETS["inner_corner"] * unit, width / 4)
    top[[0, -1]] += (inward, -inward)
    bottom[[0, -1]] = top[[0, -1]]
    opening = np.concatenate([top, bottom[::-1][1:-1]])
    upper = np.concatenate([outer[:n_upper], top[::-1]])
    lower = np.concatenate([outer[n_upper - 1 :], outer[:1], bottom])
    return outer, opening, upper, lower


def _roi(polygons: list[np.ndarray], shape: tuple[int, int], pad: float) -> tuple[slice, slice]:
    """(rows, cols) of the polygons' bounding box grown by ``pad`` px, clipped to ``shape``."""
    corners = np.concatenate(polygons)
    x0, y0 = np.maximum(np.floor(corners.min(axis=0) - pad).astype(int), 0)
    x1, y1 = np.ceil(corners.max(axis=0) + pad).astype(int) + 1
    return slice(y0, min(int(y1), shape[0])), slice(x0, min(int(x1), shape[1]))


def _snap(
    lab: np.ndarray,
    outlines: list[np.ndarray],
    fit: _EdgeFit,
    unit: float,
    hole: np.ndarray | None = None,
    elsewhere: np.ndarray | None = None,
    dark_core: bool = False,
) -> np.ndarray:
    """Soft mask of a feature: its landmark outlines, moved toward the photo's colour edges.

    The feature's colour model is learnt from the core of its outlines (with
    ``dark_core``, from the darker half of the core: brow hairs are darker than skin,
    and the mesh's brow outline is often a few pixels off them); the surroundings'
    from a ring outside them. The pixels of ``hole`` (a polygon cut out of the
    outlines: the mouth opening) or of ``elsewhere`` (a soft mask over the box: the eye
    openings near the brows) are kept out of the ring and, when there are enough,
    modelled as a second background, so that teeth or sclera do not pass for the
    feature merely by not looking like skin. See ``_EdgeFit`` for the logit.

    Args:
        lab: (h, w, 3) float32 CIELAB colours of the face box.
        outlines: polygons (N, 2) in the box's pixel coordinates.
        fit: the feature's edge model.
        unit: face unit in pixels.

    Returns:
        (h, w) float32 in [0, 1].
    """
    out = np.zeros(lab.shape[:2], np.float32)
    if not outlines:
        return out
    rows, cols = _roi(outlines, lab.shape[:2], (RING_DEPTHS[1] + 2 * LOGIT_BLUR + 1) * unit)
    origin = (cols.start, rows.start)
    patch = lab[rows, cols]
    coverage = _fill([p - origin for p in outlines], patch.shape[:2])
    other = np.zeros(patch.shape[:2], bool)
    if hole is not None:
        cut = _fill([hole - origin], patch.shape[:2])
        coverage = np.clip(coverage - cut, 0, 1)
        other = cut > 0.5
    if elsewhere is not None:
        other = elsewhere[rows, cols] > 0.5
    distance = _signed_distance(coverage) / unit
    core = distance > CORE_DEPTH
    if dark_core and core.sum() >= 2 * _MIN_SAMPLES:
        core &= patch[..., 0] <= np.median(patch[core, 0])
    ring = (distance < -RING_DEPTHS[0]) & (distance > -RING_DEPTHS[1]) & ~other
    logit = fit.slope * distance + fit.bias
    if core.sum() >= _MIN_SAMPLES and ring.sum() >= _MIN_SAMPLES:
        backgrounds = [_colours(patch, ring)]
        other_core = _signed_distance(other.astype(np.float32)) > CORE_DEPTH * unit
        if other_core.sum() >= _MIN_SAMPLES:
            backgrounds.append(_colours(patch, other_core))
        background = np.max([_gaussian_loglik(patch, s) for s in backgrounds], axis=0)
        evidence = _gaussian_loglik(patch, _colours(patch, core)) - background
        logit = logit + fit.evidence * np.clip(evidence, -EVIDENCE_CLIP, EVIDENCE_CLIP)
    logit = cv2.GaussianBlur(logit.astype(np.float32), (0, 0), LOGIT_BLUR * unit)
    out[rows, cols] = 1.0 / (1.0 + np.exp(-logit))
    return out


def _signed_distance(coverage: np.ndarray) -> np.ndarray:
    """Signed distance (px) to the edge of a coverage mask: > 0 inside, sub-pixel at the edge."""
    inside = coverage > 0.5
    to_out = cv2.distanceTransform(inside.astype(np.uint8), cv2.DIST_L2, 3)
    to_in = cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, 3)
    distance = np.where(inside, to_out - 0.5, 0.5 - to_in)
    edge = (coverage > 0) & (coverage < 1)
    distance[edge] = coverage[edge] - 0.5
    return distance.astype(np.float32)


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
    return _offset(oval, np.full(len(oval), OVAL_OFFSET * unit))


def _skin(
    lab: np.ndarray, points: np.ndarray, projection: FaceProjection, mesh_skin: np.ndarray, features: np.ndarray, unit: float
) -> np.ndarray:
    """Facial skin: the face outline, extended up the forehead, minus hair and features.

    Pixels are classified by a Gaussian colour model of the mesh's skin against one of
    the ring just outside the outline (hair, background), except in the face's centre
    (``SKIN_CENTRE_UV``). The soft masks are combined with a minimum, not a product, so
    that skin meets each feature where the feature's own mask crosses one half.
    """
    outline = _fill([_extended_oval(points, unit)], projection.shape)
    inside = outline > 0.5
    core = (mesh_skin > 0.9) & (features < 0.01)
    ring = ~inside & (cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, 3) <= max(2.0, SKIN_RING * unit))
    if core.sum() < _MIN_SAMPLES or ring.sum() < _MIN_SAMPLES:
        return np.minimum(mesh_skin, 1 - features)
    mesh = projection.coverage > 0.5
    u, v = projection.uv[..., 0], projection.uv[..., 1]
    centre = mesh & (v > SKIN_CENTRE_UV["top"]) & (np.abs(u - 0.5) < SKIN_CENTRE_UV["half_width"])
    judged = (outline > 0) & ~centre  # colour only matters here
    # Classified over the whole box and then selected: gathering the judged colours
    # first costs more than the few extra pixels.
    evidence = _gaussian_loglik(lab, _colours(lab, core), _SKIN_NOISE) - _gaussian_loglik(lab, _colours(lab, ring), _SKIN_NOISE)
    evidence = np.clip(evidence, -SKIN_EVIDENCE_CLIP, SKIN_EVIDENCE_CLIP)
    logit = SKIN_MESH_PRIOR * mesh.astype(np.float32) + SKIN_EVIDENCE * evidence
    prob = np.where(judged, 1.0 / (1.0 + np.exp(-logit)), centre.astype(np.float32))
    prob = cv2.medianBlur((prob * 255).astype(np.uint8), 5).astype(np.float32) / 255.0
    return np.minimum(np.minimum(_feather(prob, max(0.7, unit)), outline), 1 - features)


# Variance floors of the Gaussian colour models (CIELAB units², per channel): 2 units
# of noise per channel, so that a flat region does not give an overconfident model.
# Skin adds 20 units of lightness, so that shading (a face side in shadow) does not
# look like hair.
_COLOUR_NOISE = (4.0, 4.0, 4.0)
_SKIN_NOISE = (404.0, 4.0, 4.0)


def _colours(lab: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The (n, 3) colours of an (h, w, 3) image where ``mask`` is set, in row order
    (``lab[mask]``, several times faster on a flat view)."""
    return np.compress(mask.ravel(), lab.reshape(-1, 3), axis=0)


def _gaussian_loglik(lab: np.ndarray, samples: np.ndarray, noise: tuple[float, ...] = _COLOUR_NOISE) -> np.ndarray:
    """Log-likelihood of each colour under a Gaussian fitted to ``samples``.

    Args:
        lab: (h, w, 3) float32 colours (an (n, 1, 3) column works too).
        samples: (m, 3) colours to fit.
        noise: added to the covariance's diagonal.

    Returns:
        (h, w) float32. Colours are whitened with one ``cv2.transform``, several times
        faster than a per-pixel quadratic form in numpy.
    """
    mean = samples.mean(axis=0)
    cov = np.cov(samples, rowvar=False) + np.diag(noise)
    whiten = np.linalg.inv(np.linalg.cholesky(cov))
    white = cv2.transform(lab, np.hstack([whiten, -(whiten @ mean)[:, None]]).astype(np.float32))
    maha = cv2.transform(white * white, np.ones((1, 3), np.float32))
    return (-0.5 * maha - 0.5 * np.log(np.linalg.det(cov))).astype(np.float32)
