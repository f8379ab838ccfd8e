"""Named soft region masks, as constant UV templates and as photo-space masks.

In UV space every region is a constant template (the mesh moves, its UVs do not),
drawn once per texture size from landmark contours. In the photo, templates are
projected through the face's UV lookup, and the edges the mesh gets wrong are
refined with the photo's own colours: the lip line (lip colour against skin and the
mouth interior) and the brows (dark hairs against skin).

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


def _ring(indices: tuple[int, ...], reverse: tuple[int, ...]) -> tuple[int, ...]:
    """A closed band between two contours drawn in the same direction."""
    return tuple(indices) + tuple(reversed(reverse))


def _loop(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    """A closed loop from two contours that meet end to start (upper + lower lid)."""
    return tuple(first) + tuple(second[1:-1])


def _fill(points: list[np.ndarray], shape: tuple[int, int], shift: int = 4) -> np.ndarray:
    """Anti-aliased polygon fill (sub-pixel precision) as a float mask."""
    canvas = np.zeros(shape, np.uint8)
    scaled = [np.round((p + 0.5) * (1 << shift) - 0.5).astype(np.int32) for p in points]
    cv2.fillPoly(canvas, scaled, 255, lineType=cv2.LINE_AA, shift=shift)
    return canvas.astype(np.float32) / 255.0


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


def _landmark_fill(face: Face, projection: FaceProjection, contours: list[tuple[int, ...]]) -> np.ndarray:
    row, col = projection.origin
    pts = [face.landmarks[list(c), :2] - (col, row) for c in contours]
    return _fill(pts, projection.shape)


def region_masks(image: np.ndarray, face: Face, projection: FaceProjection | None = None) -> RegionMasks:
    """Every named region of ``face`` as a soft mask in the photo (native resolution)."""
    projection = projection or face_projection(face)
    templates = uv_templates(DEFAULT_UV_SIZE)
    names = [n for n in templates if n not in ("eyes", "lips", "upper_lip", "lower_lip", "brows")]
    stack = np.stack([templates[n] for n in names], axis=-1)
    projected = project(stack, face, projection).data
    masks = {n: projected[..., i] for i, n in enumerate(names)}

    scale = max(face.width, 1.0) / 256.0  # native px per "256-texture" px, roughly
    crop = image[projection.slices]
    eyes = _landmark_fill(face, projection, [_loop(RIGHT_EYE_UPPER, RIGHT_EYE_LOWER), _loop(LEFT_EYE_UPPER, LEFT_EYE_LOWER)])
    mouth = _landmark_fill(face, projection, [_loop(UPPER_LIP_INNER, LOWER_LIP_INNER)])
    upper = _landmark_fill(face, projection, [_ring(UPPER_LIP_OUTER, UPPER_LIP_INNER)])
    lower = _landmark_fill(face, projection, [_ring(LOWER_LIP_OUTER, LOWER_LIP_INNER)])
    brows = _landmark_fill(face, projection, [_ring(RIGHT_BROW_UPPER, RIGHT_BROW_LOWER), _ring(LEFT_BROW_UPPER, LEFT_BROW_LOWER)])

    lips = _refine(crop, np.clip(upper + lower, 0, 1), exclude=mouth, radius=max(2.0, LR * scale))
    brows = _refine(crop, brows, exclude=eyes, radius=max(2.0, BR * scale))
    mouth = np.clip(mouth * (1 - lips), 0, 1)
    split = np.clip(upper / np.maximum(upper + lower, 1e-6), 0, 1)
    split = _feather(split, max(1.0, scale))
    masks["lips"] = lips
    masks["upper_lip"] = lips * split
    masks["lower_lip"] = lips * (1 - split)
    masks["brows"] = brows
    masks["eyes"] = eyes
    masks["mouth"] = mouth

    masks["skin"] = _skin(crop, face, projection, masks["skin"], np.clip(eyes + brows + lips + mouth, 0, 1), scale)

    holes = np.maximum(eyes, mouth)
    keep = 1 - holes
    for name in ("skin", "eyeshadow", "eyeshadow_left", "eyeshadow_right", "eyeliner", "cheeks", "nose", "under_eye", "face"):
        masks[name] = masks[name] * keep
    return RegionMasks(masks={n: np.clip(m, 0, 1).astype(np.float32) for n, m in masks.items()}, projection=projection)


# The mesh stops mid-forehead; skin continues up to the hairline for about this many
# canonical-mesh centimetres above the mesh's top edge.
FOREHEAD_EXTENSION_CM = 3.0
PW=0.35; EW=0.6; LR=6; BR=5
_BROW_HEIGHT_CM = 5.1


def _extended_oval(face: Face, projection: FaceProjection) -> np.ndarray:
    """The face outline in the photo with the forehead extended toward the hairline.

    The extension is laid out in the canonical mesh (push the upper outline up) and
    mapped to the photo with the least-squares affine map of the whole mesh.
    """
    mesh = canonical_mesh()
    canon = mesh.vertices[:, :2]
    design = np.hstack([canon, np.ones((len(canon), 1), np.float32)])
    affine, *_ = np.linalg.lstsq(design, face.landmarks[: len(canon), :2], rcond=None)
    oval = canon[list(FACE_OVAL)].copy()
    top = oval[:, 1].max()
    lift = np.clip((oval[:, 1] - _BROW_HEIGHT_CM) / (top - _BROW_HEIGHT_CM), 0, 1) * FOREHEAD_EXTENSION_CM
    oval[:, 1] += lift
    lifted = np.hstack([oval, np.ones((len(oval), 1), np.float32)]) @ affine
    mesh_oval = face.landmarks[list(FACE_OVAL), :2]
    points = np.where((lift > 0)[:, None], lifted, mesh_oval)
    row, col = projection.origin
    return points - (col, row)


def _skin(crop: np.ndarray, face: Face, projection: FaceProjection, mesh_skin: np.ndarray, features: np.ndarray, scale: float) -> np.ndarray:
    """Facial skin: the mesh's skin plus the forehead up to the hairline, minus hair.

    Pixels are classified by a Gaussian skin-colour model learnt from the cheeks and
    nose against one learnt from outside the face outline (hair, background).
    """
    outline = _fill([_extended_oval(face, projection)], projection.shape)
    mesh_area = projection.coverage > 0.5
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    core = (mesh_skin > 0.9) & (features < 0.01)
    ring = cv2.dilate((outline > 0.5).astype(np.uint8), np.ones((3, 3), np.uint8), iterations=max(2, int(8 * scale))) - (outline > 0.5)
    ring = ring.astype(bool)
    if core.sum() < 20 or ring.sum() < 20:
        return np.clip(mesh_skin * (1 - features), 0, 1)
    evidence = np.clip(_gaussian_loglik(lab, lab[core]) - _gaussian_loglik(lab, lab[ring]), -10, 10)
    prior = np.where(mesh_area, 2.0, -0.3)
    prob = 1.0 / (1.0 + np.exp(-(prior + 0.5 * evidence)))
    prob = cv2.medianBlur((prob * 255).astype(np.uint8), 5).astype(np.float32) / 255.0
    return np.clip(_feather(prob, max(0.7, scale)) * outline * (1 - features), 0, 1)


def _refine(crop: np.ndarray, prior: np.ndarray, exclude: np.ndarray, radius: float) -> np.ndarray:
    """Snap a mesh-derived mask to the photo's colour edges.

    Two Gaussian colour models in CIELAB, one from the mask's certain core and one
    from a ring around it, classify an uncertain band of ``radius`` px on both sides
    of the mesh edge; far from the edge the mesh is trusted.
    """
    if prior.max() <= 0:
        return prior
    ys, xs = np.nonzero(prior > 0.01)
    pad = int(np.ceil(3 * radius)) + 2
    y0, y1 = max(0, ys.min() - pad), min(prior.shape[0], ys.max() + pad + 1)
    x0, x1 = max(0, xs.min() - pad), min(prior.shape[1], xs.max() + pad + 1)
    region = prior[y0:y1, x0:x1]
    lab = cv2.cvtColor(crop[y0:y1, x0:x1], cv2.COLOR_RGB2LAB).astype(np.float32)
    binary = (region > 0.5).astype(np.uint8)
    inside = cv2.distanceTransform(binary, cv2.DIST_L2, 3)
    outside = cv2.distanceTransform(1 - binary, cv2.DIST_L2, 3)
    signed = inside - outside  # > 0 inside the mesh polygon
    excluded = exclude[y0:y1, x0:x1] > 0.5
    core = (signed > radius * 0.6) & ~excluded
    ring = (signed < -radius * 0.6) & (signed > -radius * 2.5) & ~excluded
    if core.sum() < 10 or ring.sum() < 10:
        out = prior.copy()
        return out
    log_fg = _gaussian_loglik(lab, lab[core])
    log_bg = _gaussian_loglik(lab, lab[ring])
    # Prior from the mesh: logistic in the signed distance, a few px wide.
    log_prior = signed / (PW * radius)
    evidence = np.clip(log_fg - log_bg, -12, 12)
    prob = 1.0 / (1.0 + np.exp(-(log_prior + EW * evidence)))
    band = np.abs(signed) <= radius
    refined = np.where(band, prob, (signed > 0).astype(np.float32))
    refined = cv2.medianBlur((refined * 255).astype(np.uint8), 3).astype(np.float32) / 255.0
    refined = _feather(refined, 0.5 + 0.1 * radius)
    refined[excluded] = 0
    out = np.zeros_like(prior)
    out[y0:y1, x0:x1] = refined
    return out


def _gaussian_loglik(lab: np.ndarray, samples: np.ndarray) -> np.ndarray:
    mean = samples.mean(axis=0)
    cov = np.cov(samples, rowvar=False) + np.eye(3, dtype=np.float32) * 4.0
    inv = np.linalg.inv(cov).astype(np.float32)
    diff = (lab - mean.astype(np.float32)).reshape(-1, 3)
    maha = ((diff @ inv) * diff).sum(axis=1).reshape(lab.shape[:-1])  # BLAS, not einsum's loop
    return (-0.5 * maha - 0.5 * np.log(np.linalg.det(cov))).astype(np.float32)
