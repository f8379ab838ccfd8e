"""A made-up face split into its bare face and its makeup, both in UV.

Makeup is paint over skin: a texel of a made-up face is ``(1 - a) * bare + a * paint``
with ``a`` the paint's coverage. Knowing the bare colour, the least coverage that
explains the texel is unique (colour unmixing): the paint then has the most
saturated colour on the line from the bare colour through the seen one. That
reading is exact for opaque paint (white face paint, black liner: ``a`` near 1,
``paint`` = what is seen) and for a sheer tint it carries the colour shift itself,
so one rule covers blush, shadow, liner, stencils and colour blocks, at the UV
texture's own resolution: shapes come across, not only each region's mean colour.
On the skin, where that least coverage is already high, the paint is read as covering
(face paint worn on another skin keeps its colour; :func:`_opaque_reading`).

The bare face is not observed. Bare skin is smooth at the scale of a face and
skin-coloured; paint is neither, so the bare estimate is a robust smooth fit of the
skin (normalised blurs that down-weight texels far from the fit, iterated) plus the
structure every bare face has there (nostrils, lash lines, the lips' own colour:
:mod:`fram.makeup.bare_prior`, learned from bare faces). Departures no larger than
bare faces show at that texel, in the colour directions they show them
(:data:`DEAD_ZONE`, in standard deviations), count as no makeup, so a bare reference
gives an empty layer and removal leaves a bare face alone, while a sheer coloured lid
still reads as paint. What departs without being makeup is taken out by rules of its
own: the light across the face, highlights, hair and what else covers the face with
its soft edges, beards and moustaches, spectacle frames, the outline's rim; and on
the skin, off the lids and lips, a segmenter that has learned what paint looks like
beside hard light, stubble and a bare face's marks (:mod:`fram.makeup.paint_net`).

The paint is stored as its colour under the reference's *relative* shading removed
(shading = the bare fit's luminance over its median), so putting it on another face
relights it with that face's own shading, and coverage carries the source's own
skin texture through (see :func:`fram.makeup.layer_transfer`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import cv2
import numpy as np

from fram.face.colour import lab_to_rgb_fast, rgb_to_lab_fast
from fram.face.landmarks import Face
from fram.face.occluders import occluded
from fram.face.templates import uv_templates
from fram.face.regions import brow_mask
from fram.face.uv import UVTexture, face_projection, mirror_fill, mirror_fill_normals, unwrap, unwrap_plane
from fram.makeup.bare_prior import LIGHTNESS_SCALE, PRIOR_SIZE, bare_prior
from fram.makeup.compose import photo_light
from fram.makeup.paint_net import painted

NEUTRAL_SKIN_LAB = np.array([68.0, 14.0, 18.0], np.float32)
"""The skin a layer drawn rather than read from a face (a painting, a pattern) is
taken to be on: a light-medium complexion."""
DEAD_ZONE = (2.0, 2.0)
"""Departure from the bare estimate, in standard deviations of how bare faces vary at
that texel (:attr:`BarePrior.precision`), where coverage starts to ramp in, and over
how many more it reaches full: natural variation (pores, freckles, redness, creases)
stays below it."""
COVERED = (0.2, 0.5)
"""Occluder probability (:func:`fram.face.occluders.occluded`) over which a texel turns
from skin to covered."""
BEARD_DEPARTURE = (2.0, 6.0)
"""L* from the bare skin over which a grainy texel below the nose is a beard."""
BEARD_HUE = (12.0, 20.0)
"""Chroma departure (beyond a fading toward grey) from the bare skin over which a
texel there is coloured paint, not hair."""
BEARD_GRAIN = (1.0, 1.5)
"""Lightness grain, over the skin's own, over which a dark texel below the nose is hair."""
MOUSTACHE_HUE = (6.0, 10.0)
"""Chroma departure from the skin's hue over which a dark texel on the lips is lipstick or
the lips' own colour, not a moustache (moustaches: 4-7 at the median; plum lipstick 15)."""
MOUSTACHE_SEED = 200
"""Beard texels (at 256 px) above the upper lip that hair on the lips must join to be a moustache."""
GLASSES_BRIDGE = 2.2
"""Bare-face deviations (σ) that a band across the nose between the eyes must depart by
all along (its 10th percentile over the columns) to be a pair of glasses' bridge."""
FRAME_DE = 12.0
"""CIELAB distance from the bridge's colour within which a texel around the eyes is frame."""
FRAME_DARKER = 5.0
"""L* by which a dull texel around the eyes, off the lids, is darker than the bare skin to be frame."""
FRAME_REACH = 22.0
"""How far (texels at 256 px) around the eyes a frame's rims can run."""
VIVID = (30.0, 45.0)
"""CIELAB chroma over which a texel the occluder segmenter calls covered is taken for paint."""
READ_DEAD_ZONE = (1.0, 1.5)
""":data:`DEAD_ZONE` on the lids and lips when a reference's look is read to be worn.
Bare lids and lips vary widely (crease shadows, a lid's own darkness, lips from pale to
deep red), so at 2 σ half a smoky eye or a nude lipstick passes for bare; reading a look,
missing it is the worse mistake, while removal keeps the wider zone: taking a bare lid's
shadow or a lip's own colour off is the worse one there."""
OCCLUDER_DELTA = 14.0
"""ΔE within which a painted-looking texel matches a colour just outside the face
(hair, hat, background, a hand): joined to the face's edge, it is an occluder."""
EDGE_BLEND_REACH = 6.0
"""Texels (at 256 px) beside a cover that may be its soft edge (:func:`_with_soft_edges`)."""
EDGE_BLEND_DE = 8.0
"""ΔE from the bare-to-cover line within which such a texel is a blend of the two."""
SURROUNDING_COLOURS = 8
FRAMING_SHARE = 0.25
"""Share of the band around a face from which a colour there frames the face."""
VIVID_CHROMA = 32.0
HAIR_TEXTURE = 2.0
SEEN = 0.5
FINE_LAYER_MIN_FACE = 400
"""px: faces at least this wide get a 512 px makeup layer, narrower ones 256 px."""
"""Texels seen at least this well (after mirroring) carry paint; the rest are unknown."""
FIT_PASSES = 4
FIT_SIZE = 128
"""UV side at which :func:`smooth_skin_fit` works (its finest blur is 8 texels there)."""
SKIN_CHROMA = (3.0, 7.0)
"""CIELAB chroma over which a colour can be bare skin; below, it is white, grey or black."""
SKIN_VIVID = (55.0, 75.0)
"""CIELAB chroma over which a colour is too vivid for bare skin."""
SKIN_HUE = (0.0, 12.0, 75.0, 95.0)
"""Hue angles (degrees) over which bare skin's likeness ramps in, and then out again."""
WHITE_PAINT_LIGHTNESS = 85.0
"""L* over which a grey face is white paint rather than a black-and-white photo."""
PAINTED_OVER = 0.1
"""Share of the face's skin area below which, with so little skin-coloured, the face is
taken as painted all over: its bare skin is :data:`NEUTRAL_SKIN_LAB`."""
CHROMA_PASSES = 2
"""Of the :data:`FIT_PASSES`, how many also refine the skin fit's chroma (a*, b*)."""
GLARE_NEUTRAL = (0.35, 0.6)
"""Least over greatest channel of the share of its headroom a texel gains over the bare
skin (linear RGB) over which the gain reads as white light rather than a coloured paint."""
GLARE_OPACITY = (0.55, 0.8)
CLIPPED = 0.9
"""Linear value (sRGB about 243) from which a channel is taken as clipped by the camera."""
"""Coverage over which white turns from glare to opaque white paint."""
SHADING_RANGE = (0.35, 2.5)
SHADING_PASSES = 4
SHADING_OUTLIER = 0.15
SHADING_SOFTNESS = 1 / 32
"""Blur of the fitted light, as a share of the UV side."""
"""Relative luminance residual at which a texel's weight in :func:`skin_shading` halves."""
RIM = (4.0, 14.0)
"""Texels (at 256 px) from a reference face's outline over which coverage turns from
needing support from inside to standing on its own: see :func:`_rim_supported`."""
OPAQUE = (0.25, 0.6)
"""Least coverage over which paint on the skin is read as opaque (:func:`_opaque_reading`)."""
LIPSTICK_COVER = 0.7
"""Coverage a lipstick is read with at least (:func:`_lipstick_reading`)."""
LIPSTICK_DEPARTURE = (0.5, 0.9)
"""Departure from bare lips (0 within their variation, 1 well beyond) over which the
lips are read as wearing a lipstick."""
PAINTED = (0.03, 0.2)
"""Paint-segmenter probability (:func:`fram.makeup.paint_net.painted`) over which a
departure on the skin, off the lids and lips, turns from light, hair or skin to paint."""
EAGER_PAINTED = (0.3, 0.7)
"""Paint-segmenter probability over which paint on the skin is read with :data:`READ_DEAD_ZONE`."""
PAINT_HUE = (20.0, 35.0)
"""a*b* departure from the bare skin (beyond fading to grey) over which a texel is
paint whatever the segmenter says: light does not turn skin yellow or blue."""
PAINT_WHITE = (82.0, 90.0)
PAINT_BLACK = (20.0, 28.0)
PAINT_NEUTRAL = (8.0, 14.0)
"""L* over which (white) or under which (black) a grey texel — chroma under the
second bound, fully under the first — is paint whatever the segmenter says (white
only where drawn: :func:`_drawn_white`). The segmenter takes grey
departures for light and shade, and light rarely leaves skin grey; but white and
black face paint are grey, and the rules for hair, frames and highlights still
judge these texels."""
WHITE_STEP = 12.0
"""L* by which grey near-white paint stands above the skin just around it (a lit
nose fades into the skin, a painted shape stops at its edge)."""
PAINTED_REACH = 3
"""Texels (at 256 px) by which the segmenter's word is widened: it sees a 128 px face,
and a thin stroke's edge is paint too."""
SHEER = (0.2, 0.4)
"""Coverage below which paint on the skin counts as sheer (spread out when worn by
another face, :func:`soft_sheer_paint`), and above which as firm (kept as drawn)."""
SKIN_COLOURED_FIRM = (0.4, 0.55)
"""Coverage around a texel over which skin-coloured paint (told from light only by the
paint segmenter) turns from sheer to firm: a skin-toned star or colour block is read
near-opaque; a blush the segmenter saw in one spot reads at 0.35–0.4."""
LIP_FILL_SIGMA = (2.0, 6.0)
"""Blur (texels at 256 px) over which lipstick is completed where the reference's lips
were not read: the near one across a seam, the wide one where more is missing."""
LIP_GAP = 3
"""Texels (at 256 px) each side of a gap in the lipstick that is still one lipstick
parted by teeth, the line between the lips or shine: up to about 7 texels wide."""
LIP_GAP_DEPTH = (0.15, 0.4)
"""How much lower the coverage in such a gap is than the lipstick around, from which
it is carried over."""
LIPSTICK_AROUND = (0.4, 0.6)
"""Coverage of the lips around over which they wear a lipstick to carry over: a bare
mouth's tint, read at a third or less, is not carried over its seam."""
STANDS_OUT = (0.15, 0.3)
"""Coverage above its surroundings' over which a texel is firm on its own (a dot of
paint; a blush's specks stand out of it by less than 0.15 in 95 of 100 texels)."""
SHEER_SPREAD = 3.0
"""Gaussian sigma, in texels of a 256-px layer, over which sheer paint is spread."""
LASH_REACH = 4
"""Texels (at 256 px) around the eye openings where dark paint is a lash line, never
hair: a smoky lower lash line that reaches the temple's hair was read as a strand."""
ONE_SIDED = (0.2, 0.45)
"""Coverage around one eye above its mirror image's over which dark, dull coverage
there is the light's (:func:`_one_sided_shade`)."""
ONE_SIDED_BLUR = 1.5
"""Gaussian sigma (texels at 256 px) over which the two sides' coverage is compared."""
ONE_SIDED_REACH = 3.0
"""Texels (at 256 px) around the mirrored texel whose coverage counts as the other eye's."""
ONE_SIDED_NEAR = 9.0
"""Texels (at 256 px) past the eye zone where one-sided shade is looked for."""
ONE_SIDED_HUE = (8.0, 16.0)
"""a*b* departure from the bare skin over which paint is coloured, not shade."""
SHADE_OPAQUE = (0.6, 0.85)
"""Coverage over which shade-coloured paint on the skin is drawn (firm), not contour (sheer)."""
SHADE_SPREAD = 6.0
"""Gaussian sigma (texels of a 256-px layer) over which sheer skin-toned paint (contour, bronzer) is spread."""
SHADE_VIVID = (1.6, 2.2)
"""Chroma over the bare skin's (ratio) over which a skin-toned colour is face paint, not contour."""
SKIN_TONED_TURN = (12.0, 24.0)
"""Degrees of hue from the skin's over which paint is a colour of its own, not a shade of the skin."""
BLUSH_TURN = (15.0, 30.0)
"""Hue turn (degrees) from the skin's own hue over which vivid paint on the skin stops
counting as a blush (sheer, blended) and may be face paint (opaque, drawn)."""
BLUSH_EDGE = (0.09, 0.13)
"""Steepness of a patch's edge (its least coverage's rise per texel at 256 px, as a
share of the patch's own coverage) over which blush-hued paint is drawn, not blended."""
BLUSH_FIRM = (0.6, 0.8)
"""Coverage around a texel over which blush-hued paint turns from sheer to firm."""
BROW_HAIR = (0.3, 0.6)
"""Brow-segmenter probability over which a texel is brow hair, not paint."""
BROW_GROW = 1
"""Texels (at 256 px) by which the brows are grown: their hairs' soft edge is hair too."""


@dataclass(frozen=True)
class BareFace:
    """The bare estimate of a face texture.

    Attributes:
        lab: (S, S, 3) float32 CIELAB of the bare face (skin everywhere, bare lips on the lips).
        shading: (S, S) float32 relative light: the bare skin's luminance over its median.
        skin_lab: (3,) median CIELAB of the bare skin.
        precision: (S, S, 3, 3) float32: inverse covariance of how bare faces vary
            around ``lab`` (:class:`~fram.makeup.bare_prior.BarePrior`).
    """

    lab: np.ndarray
    shading: np.ndarray
    skin_lab: np.ndarray
    precision: np.ndarray

    @property
    def linear(self) -> np.ndarray:
        return linear_rgb(lab_to_rgb_fast(self.lab))


@dataclass(frozen=True)
class MakeupLayer:
    """A face's makeup in UV, independent of the face it came from.

    Attributes:
        colour: (S, S, 3) float32 linear RGB of the paint under neutral light.
        alpha: (S, S) float32 coverage in [0, 1]; 0 where there is no makeup or the
            reference face was hidden.
        skin: (3,) float32 CIELAB of the bare skin the layer was read from: skin-like,
            sheer paint (highlight, contour, a lighter base) is worn relative to it.
    """

    colour: np.ndarray
    alpha: np.ndarray
    skin: np.ndarray = field(default_factory=lambda: NEUTRAL_SKIN_LAB.copy())

    @property
    def size(self) -> int:
        return int(self.alpha.shape[0])

    def resized(self, size: int) -> "MakeupLayer":
        if size == self.size:
            return self
        interp = cv2.INTER_AREA if size < self.size else cv2.INTER_LINEAR
        # Colour is averaged weighted by coverage so unpainted texels do not grey the paint.
        weighted = cv2.resize(self.colour * self.alpha[..., None], (size, size), interpolation=interp)
        alpha = cv2.resize(self.alpha, (size, size), interpolation=interp)
        colour = weighted / np.maximum(alpha, 1e-4)[..., None]
        return MakeupLayer(colour=np.clip(colour, 0, 1).astype(np.float32), alpha=np.clip(alpha, 0, 1).astype(np.float32), skin=self.skin)


def layer_size_for(face: Face) -> int:
    """UV size at which a face's makeup is read or worn: as fine as the photo has detail for."""
    return 512 if face.width >= FINE_LAYER_MIN_FACE else 256


def linear_rgb(srgb: np.ndarray) -> np.ndarray:
    """Float sRGB in [0, 1] → float32 linear RGB (numpy twin of :func:`fram.face.colour.srgb_to_linear`)."""
    srgb = np.clip(srgb, 0, 1)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4).astype(np.float32)


def srgb_from_linear(linear: np.ndarray) -> np.ndarray:
    x = np.clip(linear, 0, 1)
    return np.where(x <= 0.0031308, x * 12.92, 1.055 * np.power(np.maximum(x, 1e-12), 1 / 2.4) - 0.055).astype(np.float32)


def _luminance(linear: np.ndarray) -> np.ndarray:
    return (linear @ np.array([0.2126, 0.7152, 0.0722], np.float32)).astype(np.float32)


def _masked_blur(x: np.ndarray, weight: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Normalised convolution: the blur of ``x`` ignoring zero-weight texels, and the blurred weight."""
    w = cv2.GaussianBlur(weight.astype(np.float32), (0, 0), sigma)
    xw = x * weight[..., None] if x.ndim == 3 else x * weight
    num = cv2.GaussianBlur(xw.astype(np.float32), (0, 0), sigma)
    den = np.maximum(w, 1e-5)
    return (num / (den[..., None] if x.ndim == 3 else den)).astype(np.float32), w


def texture_lab(texture: np.ndarray) -> np.ndarray:
    """(S, S, 3) uint8 sRGB → float32 CIELAB."""
    return rgb_to_lab_fast(texture.astype(np.float32) / 255.0)


def skin_shading(linear: np.ndarray, normals: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(S, S) float32 light falling on the face, relative to its median on the skin:
    a first-order spherical-harmonic fit (ambient plus one direction) of the skin's
    luminance to its surface normals, robust to what is not skin.

    A face darkens toward its sides, under the nose and the jaw because it turns from
    the light; the smooth fit alone cannot follow that fast a falloff near the outline,
    and what it misses reads as a dark paint there, worn as a grey streak on another face.
    """
    lum = _luminance(linear)
    pick = weight > 0.2
    if pick.sum() < 50:
        return np.ones(lum.shape, np.float32)
    basis = np.concatenate([np.ones((*lum.shape, 1), np.float32), normals], axis=-1)
    a, y, w = basis[pick].astype(np.float64), lum[pick].astype(np.float64), weight[pick].astype(np.float64)
    scale = max(float(np.median(y)), 1e-4)
    for _ in range(SHADING_PASSES):
        coef = np.linalg.lstsq(a * w[:, None], y * w, rcond=None)[0]
        residual = (y - a @ coef) / scale
        w = weight[pick] / (1 + (residual / SHADING_OUTLIER) ** 2)
    shading = basis @ coef.astype(np.float32)
    # Interpolated vertex normals turn sharply at the nostrils, the lids and the outline;
    # the light does not draw lines there, so neither does the fit.
    shading, _ = _masked_blur(shading, (np.abs(normals).sum(axis=-1) > 0).astype(np.float32), SHADING_SOFTNESS * lum.shape[0])
    median = max(float(np.median(shading[pick])), 1e-4)
    return np.clip(shading / median, *SHADING_RANGE).astype(np.float32)


def skin_likeness(lab: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1]: how far a colour could be bare skin, of any tone and
    under any usual light: a warm hue (red through yellow), neither grey nor vivid."""
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1]))
    return (ramp(chroma, *SKIN_CHROMA) * (1 - ramp(chroma, *SKIN_VIVID))
            * ramp(hue, *SKIN_HUE[:2]) * (1 - ramp(hue, *SKIN_HUE[2:]))).astype(np.float32)


def smooth_skin_fit(texture: np.ndarray, seen: np.ndarray, normals: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The skin's colour field without paint or features: (S, S, 3) CIELAB, and the
    (S, S) bool skin texels it was fitted on.

    Normalised blurs at decreasing scales, each down-weighting texels far from the
    previous fit: paint, liner and shadows drop out, the light across the face stays.
    Given the face's ``normals``, the light's falloff with the face's shape
    (:func:`skin_shading`) is divided out before the blurs and put back after.
    The fit is smooth at the scale of a cheek, so it is made at :data:`FIT_SIZE`
    and enlarged: the same field for a fraction of the blurring.
    """
    size = texture.shape[0]
    # Whether a colour could be skin is judged texel by texel, before blocks of
    # paint blur into skin-like mixtures.
    skin_area = _skin_area(uv_templates(size), seen)
    likeness = _bare_skin_likeness(texture_lab(texture), skin_area)
    painted_over = np.count_nonzero(skin_area & (likeness > 0.5)) < PAINTED_OVER * np.count_nonzero(skin_area)
    if size <= FIT_SIZE:
        return _skin_fit_at(texture, seen, normals, likeness, painted_over)
    small = (FIT_SIZE, FIT_SIZE)
    fit, _ = _skin_fit_at(cv2.resize(texture, small, interpolation=cv2.INTER_AREA),
                          cv2.resize(seen.astype(np.float32), small, interpolation=cv2.INTER_AREA),
                          None if normals is None else cv2.resize(normals, small, interpolation=cv2.INTER_AREA),
                          cv2.resize(likeness, small, interpolation=cv2.INTER_AREA), painted_over)
    return cv2.resize(fit, (size, size), interpolation=cv2.INTER_LINEAR), skin_area


def _bare_skin_likeness(lab: np.ndarray, skin_area: np.ndarray) -> np.ndarray:
    """:func:`skin_likeness`, or 1 everywhere for a grey photo (whose bare skin is grey)."""
    likeness = skin_likeness(lab)
    if not skin_area.any():
        return likeness
    middle = np.median(lab[skin_area], axis=0)
    if np.hypot(middle[1], middle[2]) < SKIN_CHROMA[0] and middle[0] < WHITE_PAINT_LIGHTNESS:
        return np.ones_like(likeness)
    return likeness


def _skin_area(tpl: dict[str, np.ndarray], seen: np.ndarray) -> np.ndarray:
    skin_area = (tpl["skin"] > 0.5) & (seen > SEEN)
    if skin_area.sum() < 50:
        skin_area = (tpl["face"] > 0.5) & (seen > 0.2)
    return skin_area


def _skin_fit_at(texture: np.ndarray, seen: np.ndarray, normals: np.ndarray | None,
                 likeness: np.ndarray, painted_over: bool) -> tuple[np.ndarray, np.ndarray]:
    size = texture.shape[0]
    tpl = uv_templates(size)
    lab = texture_lab(texture)
    skin_area = _skin_area(tpl, seen)
    if skin_area.sum() < 50:
        return np.broadcast_to(np.median(lab.reshape(-1, 3), axis=0), lab.shape).astype(np.float32), skin_area
    # Only a skin colour can be bare skin: a face painted white, green or in colour
    # blocks all over is paint on a skin that does not show (a grey photo excepted).
    skin_like = skin_area & (likeness > 0.5)
    # First guess: the median skin colour, trusting texels by chroma closeness so that
    # a lit and a shaded cheek both count while blue paint or black liner do not.
    median = NEUTRAL_SKIN_LAB if painted_over else np.median(lab[skin_like], axis=0).astype(np.float32)
    chroma_gap = np.linalg.norm(lab[..., 1:] - median[1:], axis=-1)
    light_gap = np.abs(lab[..., 0] - median[0])
    weight = skin_area * likeness * np.exp(-((chroma_gap / 9.0) ** 2) - (light_gap / 30.0) ** 2)
    shading = None
    if normals is not None and not painted_over:  # paint, not light, shapes a painted face
        linear = linear_rgb(texture.astype(np.float32) / 255.0)
        shading = skin_shading(linear, normals, weight)
        lab = rgb_to_lab_fast(srgb_from_linear(linear / shading[..., None]))
        if skin_like.any():
            median = np.median(lab[skin_like], axis=0).astype(np.float32)
    fit = np.broadcast_to(median, lab.shape).astype(np.float32)
    for k, sigma in enumerate((size / 6, size / 10, size / 16, size / 16)[:FIT_PASSES]):
        smooth, support = _masked_blur(lab, weight.astype(np.float32), sigma)
        # Where no trusted skin is near, keep the previous (coarser) fit.
        trust = np.clip(support / 0.05, 0, 1)[..., None]
        finer = (trust * smooth + (1 - trust) * fit).astype(np.float32)
        # Skin's hue changes slowly across a face (its natural redness is the bare
        # prior's); a finer chroma fit would take a blush for the skin under it.
        fit = finer if k < CHROMA_PASSES else np.concatenate([finer[..., :1], fit[..., 1:]], axis=-1)
        gap = np.linalg.norm(lab - fit, axis=-1)
        weight = skin_area * likeness * np.exp(-((gap / 8.0) ** 2))
    if shading is not None:
        fit = rgb_to_lab_fast(srgb_from_linear(linear_rgb(lab_to_rgb_fast(fit)) * shading[..., None]))
    return fit, skin_area


def with_structure(fit: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """A smooth skin fit plus a bare face's mean structure (:class:`BarePrior` offsets)."""
    out = fit + offset
    out[..., 0] = fit[..., 0] + offset[..., 0] * (fit[..., 0] + 16.0)
    return out.astype(np.float32)


def estimate_bare(texture: np.ndarray, seen: np.ndarray, normals: np.ndarray | None = None) -> BareFace:
    """The bare face under a (possibly made-up) UV texture; see the module docstring.

    Args:
        texture: (S, S, 3) uint8 sRGB UV texture.
        seen: (S, S) float32 visibility in [0, 1].
        normals: (S, S, 3) its surface normals (:attr:`UVTexture.normals`), or None.
    """
    size = texture.shape[0]
    fit, skin_area = smooth_skin_fit(texture, seen, normals)
    prior = bare_prior(PRIOR_SIZE).resized(size)
    lum = _luminance(linear_rgb(lab_to_rgb_fast(fit)))
    shading = lum / max(float(np.median(lum[skin_area])) if skin_area.any() else float(lum.mean()), 1e-4)
    return BareFace(lab=with_structure(fit, prior.offset), shading=np.clip(shading, *SHADING_RANGE).astype(np.float32),
                    skin_lab=np.median(fit[skin_area], axis=0).astype(np.float32) if skin_area.any() else fit.mean(axis=(0, 1)),
                    precision=prior.precision)


def bare_distance(lab: np.ndarray, bare: BareFace) -> np.ndarray:
    """(S, S) float32: how far a texture departs from the bare estimate, in standard
    deviations of bare faces there. Lightness departures scale with the skin's own
    lightness (a shadow on deep skin is fewer L* units), as the prior's offsets do."""
    gap = lab - bare.lab
    gap[..., 0] *= LIGHTNESS_SCALE / np.maximum(bare.lab[..., 0] + 16.0, 20.0)
    return np.sqrt(np.maximum(np.einsum("hwi,hwij,hwj->hw", gap, bare.precision, gap), 0)).astype(np.float32)


def unmix(seen_linear: np.ndarray, bare_linear: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least coverage ``a`` and its paint ``p`` with ``seen = (1 - a) bare + a p``, p in [0, 1]."""
    up = (seen_linear - bare_linear) / np.maximum(1 - bare_linear, 1e-4)
    down = (bare_linear - seen_linear) / np.maximum(bare_linear, 1e-4)
    alpha = np.clip(np.max(np.where(seen_linear >= bare_linear, up, down), axis=-1), 0, 1).astype(np.float32)
    return alpha, _paint_at(alpha, seen_linear, bare_linear)


def _paint_at(alpha: np.ndarray, seen_linear: np.ndarray, bare_linear: np.ndarray) -> np.ndarray:
    """The paint ``p`` (clipped to [0, 1]) that coverage ``alpha`` needs for ``seen = (1 - a) bare + a p``."""
    paint = bare_linear + (seen_linear - bare_linear) / np.maximum(alpha, 1e-4)[..., None]
    return np.clip(paint, 0, 1).astype(np.float32)


def _opaque_reading(alpha: np.ndarray, seen_linear: np.ndarray, bare_linear: np.ndarray, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coverage and paint read as opaque ``where`` the least coverage is already high.

    The least coverage explains a purple flower as a sheer, impossibly vivid purple:
    the same texel on the reference, but worn on another skin that skin shows through
    and the flower comes out pale and off-colour. Paint that far from the skin is face
    paint, which covers. Around the eyes and on the lips, where sheer colour and
    shimmer are the products, the least coverage stays.
    """
    lift = ramp(alpha, *OPAQUE) * where
    alpha = (alpha + (1 - alpha) * lift).astype(np.float32)
    return alpha, _paint_at(alpha, seen_linear, bare_linear)


def _lipstick_reading(alpha: np.ndarray, seen_linear: np.ndarray, bare_linear: np.ndarray, lipstick: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coverage and paint read as at least :data:`LIPSTICK_COVER` where ``lipstick``
    (the lips, where they depart well beyond bare lips).

    The least coverage explains a peach or coral lipstick over lips whose bare colour
    is only an estimate as a sheer, over-vivid tint: worn on other lips, their own
    colour shows through and the peach comes out orange, the orange-red pink. A
    lipstick covers most of the lips' own colour, so its paint is read nearer the
    colour the reference's lips show; on the real pairs the lips' raw colour error
    fell by 6 % (docs/benchmarks.md, session 14).
    """
    alpha = np.maximum(alpha, LIPSTICK_COVER * lipstick).astype(np.float32)
    return alpha, _paint_at(alpha, seen_linear, bare_linear)


def ramp(x: np.ndarray, lo, hi) -> np.ndarray:
    t = np.clip((x - lo) / (hi - lo), 0, 1)
    return (t * t * (3 - 2 * t)).astype(np.float32)


@dataclass(frozen=True)
class Surroundings:
    """The main colours of a band just outside a face's outline (hair, headwear,
    background), to tell what covers a face from paint on it.

    Attributes:
        colours: (K, 3) float32 CIELAB.
        shares: (K,) float32: the part of the band each colour holds (they sum to 1).
    """

    colours: np.ndarray
    shares: np.ndarray

    def framing(self) -> np.ndarray:
        """(M, 3) colours that frame the face (a headscarf, a hood, dyed hair): the
        band's large, not skin-like parts."""
        keep = (self.shares >= FRAMING_SHARE) & (skin_likeness(self.colours[None])[0] < 0.5)
        return self.colours[keep]


def surrounding_colours(image: np.ndarray, face: Face) -> Surroundings:
    """The colours around a face in a photo: see :class:`Surroundings`."""
    projection = face_projection(face)
    covered = (projection.coverage > 0.5).astype(np.uint8)
    reach = max(3, int(round(0.06 * face.width)))
    band = (cv2.distanceTransform(1 - covered, cv2.DIST_L2, 5) <= reach) & (covered == 0)
    pixels = image[projection.slices][band]
    if len(pixels) < SURROUNDING_COLOURS * 4:
        return Surroundings(colours=np.zeros((0, 3), np.float32), shares=np.zeros(0, np.float32))
    step = max(1, len(pixels) // 4000)
    lab = rgb_to_lab_fast(pixels[::step][None].astype(np.float32) / 255.0)[0]
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    cv2.setRNGSeed(0)
    _, labels, centres = cv2.kmeans(lab, SURROUNDING_COLOURS, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    shares = np.bincount(labels.ravel(), minlength=SURROUNDING_COLOURS) / len(labels)
    return Surroundings(colours=centres.astype(np.float32), shares=shares.astype(np.float32))


def _palette_gap(lab: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """(S, S) float32: ΔE76 from each texel to the nearest of ``palette``'s (K, 3) CIELAB colours."""
    if len(palette) == 0:
        return np.full(lab.shape[:2], np.inf, np.float32)
    return np.min(np.linalg.norm(lab[:, :, None, :] - palette[None, None], axis=-1), axis=-1).astype(np.float32)


def _grain(lightness: np.ndarray, px: float) -> np.ndarray:
    """(S, S) float32: lightness detail finer than about a texel (at 256 px): hair's
    strands are grainier than skin or drawn paint."""
    return np.abs(lightness - cv2.GaussianBlur(lightness, (0, 0), 1.2 * px)).astype(np.float32)


def _occluders(lab: np.ndarray, alpha: np.ndarray, surroundings: Surroundings, bare: BareFace, hidden: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1]: texels that look like what surrounds the face (not
    its skin) and reach the face's edge through such texels: hair falling over a
    cheek, a hat brim, background where the mesh overshoots. Of those, a smooth,
    vividly coloured patch is kept as paint (a colour block running off the face)
    unless its colour frames the face (a headscarf), and so is a white one; textured
    (hair strands) or dull ones are occluders. What the occluder segmenter already
    covers (``hidden``) counts as the face's edge: hair it found reaches in."""
    size = alpha.shape[0]
    px = size / 256.0
    colours = surroundings.colours
    palette = colours[np.linalg.norm(colours - bare.skin_lab, axis=-1) > 2 * OCCLUDER_DELTA] if len(colours) else colours
    if len(palette) == 0:
        return np.zeros_like(alpha)
    gap = _palette_gap(lab, palette)
    framing = _palette_gap(lab, surroundings.framing()) < OCCLUDER_DELTA
    candidate = ((gap < OCCLUDER_DELTA) & (alpha > 0.02)).astype(np.uint8)
    count, labels = cv2.connectedComponents(candidate, connectivity=8)
    if count <= 1:
        return np.zeros_like(alpha)
    edge = (uv_templates(size)["face"] < 0.35) | (cv2.dilate(hidden, np.ones((3, 3), np.uint8)) > 0.5)
    touching = np.zeros(count, bool)
    touching[np.unique(labels[edge & (candidate > 0)])] = True
    lightness = lab[..., 0]
    texture = _grain(lightness, px)
    chroma = np.linalg.norm(lab[..., 1:], axis=-1)
    skin_texture = float(np.median(texture[(candidate == 0) & (uv_templates(size)["skin"] > 0.5)])) + 0.3
    ids = labels.ravel()
    sizes = np.maximum(np.bincount(ids, minlength=count), 1)
    mean_texture = np.bincount(ids, texture.ravel(), count) / sizes
    mean_chroma = np.bincount(ids, chroma.ravel(), count) / sizes
    mean_framing = np.bincount(ids, framing.ravel(), count) / sizes
    mean_lightness = np.bincount(ids, lightness.ravel(), count) / sizes
    textured = mean_texture > HAIR_TEXTURE * skin_texture
    # White is paint (a white base or blocks out to the edge; hair is rarely that
    # light): a white backdrop the mesh overshoots onto stays within the rim
    # (:func:`_rim_supported`).
    white = mean_lightness > WHITE_PAINT_LIGHTNESS
    kind = touching & ~white & ((mean_chroma < VIVID_CHROMA) | textured | (mean_framing > 0.5))
    kind[0] = False
    hidden = _with_soft_edges(kind[labels], lab, bare.lab, px, uv_templates(size)["lips"] < 0.05)
    return _feathered(hidden, px, grow=max(1, round(2 * px)))


def _feathered(mask: np.ndarray, px: float, grow: int, blur: float = 1.0) -> np.ndarray:
    """A found region as a soft (S, S) float32 mask in [0, 1]: grown by ``grow`` texels,
    then blurred (``blur`` texels at 256 px) and saturated so its core stays 1."""
    soft = mask.astype(np.float32)
    if grow:
        soft = cv2.dilate(soft, np.ones((3, 3), np.uint8), iterations=grow)
    return np.clip(cv2.GaussianBlur(soft, (0, 0), blur * px) * 1.5, 0, 1).astype(np.float32)


def _with_soft_edges(covered: np.ndarray, lab: np.ndarray, bare: np.ndarray, px: float, where: np.ndarray) -> np.ndarray:
    """``covered`` grown (``where`` allowed) into its soft edge: the texels beside it
    whose colour lies between the bare skin and the cover's own colour nearby. A
    strand's or a shadow's edge is a blend of the two; left out, it is read as a thin
    line of paint along the hair, and worn on another face it is a scar-like streak
    across the cheek. Lipstick beside the mouth's inside is not such a blend."""
    if not covered.any():
        return covered
    near = (cv2.distanceTransform((~covered).astype(np.uint8), cv2.DIST_L2, 3) <= EDGE_BLEND_REACH * px) & ~covered
    # The cover's colour nearby is smooth at this scale: blurred at a quarter size.
    size = covered.shape[0]
    small = (max(1, size // 4),) * 2
    colour, support = _masked_blur(cv2.resize(lab, small, interpolation=cv2.INTER_AREA),
                                   cv2.resize(covered.astype(np.float32), small, interpolation=cv2.INTER_AREA),
                                   0.5 * EDGE_BLEND_REACH * px)
    cover_colour = cv2.resize(colour, (size, size), interpolation=cv2.INTER_LINEAR)
    support = cv2.resize(support, (size, size), interpolation=cv2.INTER_LINEAR)
    towards = cover_colour - bare
    departure = lab - bare
    share = np.einsum("hwc,hwc->hw", departure, towards) / np.maximum(np.einsum("hwc,hwc->hw", towards, towards), 1e-3)
    off_line = np.linalg.norm(departure - share[..., None] * towards, axis=-1)
    # Hair and shadows dull the skin; a coloured stripe beside them is paint.
    dull = _hue_departure(lab, bare) < BEARD_HUE[1]
    blend = near & where & dull & (support > 1e-3) & (share > 0.1) & (share < 1.2) & (off_line < EDGE_BLEND_DE)
    return covered | blend


def _hue_departure(lab: np.ndarray, bare: np.ndarray) -> np.ndarray:
    """(S, S) a*b* departure from the bare skin beyond a fading toward grey: what hair,
    a frame or a shadow (dark, greyer) lack and coloured paint has."""
    skin_ab, seen_ab = bare[..., 1:], lab[..., 1:]
    toward_grey = np.clip(np.einsum("hwc,hwc->hw", seen_ab, skin_ab) / np.maximum(np.einsum("hwc,hwc->hw", skin_ab, skin_ab), 1.0), 0, 1)
    return np.linalg.norm(seen_ab - toward_grey[..., None] * skin_ab, axis=-1).astype(np.float32)


@functools.lru_cache(maxsize=4)
def _bridge_band(size: int) -> tuple[slice, slice, np.ndarray]:
    """Where a pair of glasses crosses the nose (rows from the brows' lower edge to the
    eyes' middle, columns between the inner eye corners) and the zone its frames
    can reach (the eyes widely dilated, out to the temples and down the cheekbones)."""
    tpl = uv_templates(size)
    px = size / 256.0
    ys, xs = np.nonzero(tpl["eyes"] > 0.5)
    left = xs < size // 2
    inner = (int(xs[left].max()), int(xs[~left].min()))
    brow_rows = np.nonzero((tpl["brows"] > 0.5).any(axis=1))[0]
    margin = max(1, round(3 * px))
    rows = slice(int(brow_rows.max()) - margin, (int(ys.min()) + int(ys.max())) // 2)
    columns = slice(inner[0] + margin, inner[1] - margin)
    reach = int(2 * FRAME_REACH * px) | 1
    zone = cv2.dilate((tpl["eyes"] > 0.5).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach, reach))) > 0
    zone[rows, columns] = True
    return rows, columns, zone & (tpl["face"] > 0.5)


def glasses_bridge(lab: np.ndarray, bare: BareFace, distance: np.ndarray) -> np.ndarray | None:
    """The CIELAB colour of a pair of glasses' bridge, or None when the face wears none:
    a band departing from the bare skin (``distance``, :func:`bare_distance`) all the way
    across the nose between the eyes, darker than the skin and dull (frames are black,
    brown, tortoiseshell or grey; a yellow or blue band there is face paint)."""
    rows, columns, _ = _bridge_band(lab.shape[0])
    band = distance[rows, columns]
    if band.size == 0 or float(np.percentile(band.max(axis=0), 10)) < GLASSES_BRIDGE:
        return None
    strongest = band.argmax(axis=0)
    picked = (strongest, np.arange(band.shape[1]))
    frame_lab = np.median(lab[rows, columns][picked], axis=0)
    skin_lab = np.median(bare.lab[rows, columns][picked], axis=0)
    dull = _hue_departure(frame_lab[None, None], skin_lab[None, None])[0, 0] < BEARD_HUE[1]
    return frame_lab if dull and skin_lab[0] - frame_lab[0] > FRAME_DARKER else None


def _spectacle_frames(lab: np.ndarray, bare: BareFace, distance: np.ndarray, tpl: dict[str, np.ndarray]) -> np.ndarray:
    """(S, S) float32 in [0, 1]: a pair of glasses' frames, not liner or shadow.

    Frames are found by their bridge (:func:`glasses_bridge`), where makeup is almost
    never painted. Then, around the eyes, texels of the bridge's colour and, off the
    lids, dull darkening are frame (rims under the eyes that the occluder segmenter,
    not asked around the eyes, would miss), with their soft edge. Without a bridge
    (rimless, light frames or no glasses) nothing is taken.
    """
    size = lab.shape[0]
    frame_lab = glasses_bridge(lab, bare, distance)
    if frame_lab is None:
        return np.zeros(lab.shape[:2], np.float32)
    _, _, zone = _bridge_band(size)
    departs = distance > DEAD_ZONE[0]
    of_its_colour = np.linalg.norm(lab - frame_lab, axis=-1) < FRAME_DE
    # A thin rim is a blend of frame and skin at this scale: off the lids, any dull
    # darkening around the eyes is frame (a smudged lower lash line goes with it).
    lids = (tpl["eyeshadow"] > 0.05) | (tpl["eyeliner"] > 0.05)
    dull_dark = ~lids & (bare.lab[..., 0] - lab[..., 0] > FRAME_DARKER) & (_hue_departure(lab, bare.lab) < BEARD_HUE[0])
    frame = zone & departs & (of_its_colour | dull_dark) & (tpl["eyes"] < 0.5)
    px = size / 256.0
    return _feathered(_with_soft_edges(frame, lab, bare.lab, px, zone), px, grow=max(1, round(px)))


def _beard(lab: np.ndarray, bare: np.ndarray, tpl: dict[str, np.ndarray]) -> np.ndarray:
    """(S, S) float32 in [0, 1]: a beard or stubble, not paint: below the nose,
    lighter or darker than the bare skin there but not another hue, and as grainy as
    hair is (:func:`_hair_like`). Makeup there (contour, a lip liner, face paint) is
    smooth, coloured or on the lips' edge. On the lips, hair is a moustache hanging
    over them from the beard above."""
    size = lab.shape[0]
    px = size / 256.0
    zones = _mouth_zones(size)
    if zones is None:
        return np.zeros(lab.shape[:2], np.float32)
    zone, lips, above = zones
    grain = cv2.GaussianBlur(_grain(lab[..., 0], px), (0, 0), 2.0 * px)
    skin_grain = float(np.median(grain[(tpl["skin"] > 0.5) & (zone < 0.5)])) + 0.3
    beard = zone * _hair_like(lab, bare, grain / skin_grain)
    # Against the lips a moustache is as dark and as dull as a plum or brown
    # lipstick, so there it is told against the skin above the lips (hair keeps that
    # skin's hue, dulled; lipsticks and bare lips are redder) and must join a beard
    # of some size above them.
    skin = np.broadcast_to(np.median(bare[zone > 0.5], axis=0) if (zone > 0.5).any() else bare.mean(axis=(0, 1)), bare.shape)
    on_lips = lips * _hair_like(lab, skin, grain / skin_grain, MOUSTACHE_HUE)
    count, labels = cv2.connectedComponents((np.maximum(beard, on_lips) > 0.5).astype(np.uint8), connectivity=8)
    if count > 1:
        joined = np.bincount(labels[(beard > 0.5) & above], minlength=count) >= MOUSTACHE_SEED * px * px
        joined[0] = False
        beard = np.maximum(beard, on_lips * joined[labels])
    return _feathered(beard, px, grow=0, blur=1.5)


@functools.lru_cache(maxsize=4)
def _mouth_zones(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Where a beard is looked for (below the nose, off the lips grown by 3 texels at
    256 px), those grown lips, and the band above the upper lip, off its outline (a
    lipstick drawn past the mesh's lips is as dark there), where a moustache grows;
    None for a template without a nose."""
    tpl = uv_templates(size)
    px = size / 256.0
    nose_rows = np.nonzero((tpl["nose"] > 0.5).any(axis=1))[0]
    if not len(nose_rows):
        return None
    below_nose = np.zeros((size, size), np.float32)
    below_nose[nose_rows.max():] = 1.0
    below_nose *= tpl["face"] > 0.5
    lips = cv2.dilate(np.clip(tpl["lips"] * 2, 0, 1), np.ones((round(3 * px) | 1,) * 2, np.uint8))
    inner = tpl["lips"] > 0.5
    top = np.where(inner.any(axis=0), inner.argmax(axis=0), -1)
    rows = np.arange(size)[:, None]
    above = (rows < top[None, :] - LIP_GAP * px) & (rows >= nose_rows.max())
    zones = (below_nose * (1 - lips), lips, above)
    for zone in zones:
        zone.flags.writeable = False  # shared by every call
    return zones


def _hair_like(lab: np.ndarray, bare: np.ndarray, grain: np.ndarray, hue: tuple[float, float] = BEARD_HUE) -> np.ndarray:
    """(S, S) float32 in [0, 1]: how much texels look like hair against the skin
    ``bare``: dark on light skin, grey or white on dark skin, hair departs in
    lightness and, black or grey, toward grey, not toward another hue or a stronger
    colour (``hue``: departures over which it is coloured, :func:`_dull`); and it is
    grainier (``grain``, over the skin's own) than skin or paint."""
    departs = ramp(np.abs(bare[..., 0] - lab[..., 0]), *BEARD_DEPARTURE)
    return (departs * _dull(lab, bare, hue) * ramp(grain, *BEARD_GRAIN)).astype(np.float32)


def _paint_on_skin(coloured: np.ndarray, left_alone: np.ndarray, net: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1]: 1 where a departure may be paint, down to 0 on the
    skin where the paint segmenter (:mod:`fram.makeup.paint_net`) sees light, stubble
    or a bare face's own marks instead, unless its colour alone says paint
    (``coloured``, :func:`_paint_by_colour`). ``left_alone`` (the lids, the eyes'
    surroundings and the lips) is left to the rules: the segmenter never saw real eye
    looks or lipsticks."""
    reach = 2 * max(1, round(PAINTED_REACH * net.shape[0] / 256)) + 1
    paint = np.maximum(ramp(cv2.dilate(net, np.ones((reach, reach), np.uint8)), *PAINTED), coloured)
    asked = (1 - np.clip(left_alone, 0, 1)).astype(np.float32)
    return (1 - asked * (1 - paint)).astype(np.float32)


def _paint_by_colour(lab: np.ndarray, bare: np.ndarray, face: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1]: where a texel's colour alone says paint (a hue far
    from the skin's, drawn white, black); the rest of what is read on the skin is
    skin-coloured and was told from light by the paint segmenter."""
    grey = 1 - ramp(np.hypot(lab[..., 1], lab[..., 2]), *PAINT_NEUTRAL)
    lighter = ramp(lab[..., 0] - bare[..., 0], 0.5 * PAINT_NEUTRAL[0], PAINT_NEUTRAL[0])  # not a pale skin's own glow
    white = _drawn_white(ramp(lab[..., 0], *PAINT_WHITE) * grey * lighter, lab[..., 0], face)
    black = (1 - ramp(lab[..., 0], *PAINT_BLACK)) * grey
    return np.maximum.reduce([ramp(_hue_departure(lab, bare), *PAINT_HUE), white, black]).astype(np.float32)


def _drawn_white(mask: np.ndarray, lightness: np.ndarray, face: np.ndarray) -> np.ndarray:
    """``mask`` (grey near-white) kept only where it is drawn on the face: parts that
    reach the face's outline come in from outside (a white flower, a hand, a white
    backdrop), and parts that fade into the skin around them are light (a lit nose,
    clipped or not); white paint stops at a step of :data:`WHITE_STEP` L* or more."""
    ring_of_face = face & ~cv2.erode(face.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(((mask > 0.5) & face).astype(np.uint8))
    keep = np.zeros(count, bool)
    candidates = np.setdiff1d(np.nonzero(stats[:, cv2.CC_STAT_AREA] >= 4)[0], np.unique(labels[ring_of_face]))
    for label in candidates[candidates > 0]:
        x, y, w, h = stats[label, :4]
        box = (slice(max(0, y - 2), y + h + 2), slice(max(0, x - 2), x + w + 2))  # the part and its ring
        part = labels[box] == label
        ring = cv2.dilate(part.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool) & ~part & face[box]
        keep[label] = ring.any() and np.median(lightness[box][part]) - np.median(lightness[box][ring]) >= WHITE_STEP
    return np.where(keep[labels], mask, 0).astype(np.float32)


def _glare(alpha: np.ndarray, seen: np.ndarray, bare: np.ndarray, tpl: dict[str, np.ndarray]) -> np.ndarray:
    """(S, S) float32 in [0, 1]: the photo's light on the face, not paint. A specular
    highlight or a flash *adds* light of one colour to every channel (linear RGB) and
    stays sheer; worn on another face it would paint the reference's lighting on as a
    glowing patch (on the lips, a white blob where the reference's lower lip caught
    the light). Opaque white (face paint, a white lipstick) stays paint; the lids and
    eyes, where white and shimmer are products, are left alone. On the lips, light
    hides the lipstick under it (:func:`lipstick_completed` carries it over)."""
    added = seen - bare
    # White light screens every channel alike: it closes the same share of each
    # channel's headroom (1 - bare), so a highlight on warm skin still reads as white
    # although its red channel has little room left.
    # A channel the camera clipped tells nothing of how much light came; the others do.
    share = np.clip(added, 0, None) / np.maximum(1 - bare, 1e-4)
    clipped = seen >= CLIPPED
    top = np.where(clipped, 0, share).max(axis=-1)
    least = np.where(clipped, np.inf, share).min(axis=-1)
    measured = (clipped.sum(axis=-1) <= 1) & (added.min(axis=-1) > 0)
    neutral = ramp(least / np.maximum(top, 1e-4), *GLARE_NEUTRAL) * measured
    sheer = 1 - ramp(np.where(clipped.any(axis=-1), top, alpha), *GLARE_OPACITY)
    outside = (tpl["eyeshadow"] < 0.05) & (tpl["eyes"] < 0.05)
    return (neutral * sheer * outside).astype(np.float32)


def _dull(lab: np.ndarray, bare: np.ndarray, hue: tuple[float, float] = ONE_SIDED_HUE) -> np.ndarray:
    """(S, S) float32 in [0, 1]: 1 where a colour takes no other hue than the bare
    skin's (shade, hair), 0 where it is coloured paint (departing by ``hue``'s upper end)."""
    return (1 - ramp(_hue_departure(lab, bare), *hue)).astype(np.float32)


def _shade_like(lab: np.ndarray, bare: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1]: how much a colour departs from the bare skin as a shade
    does, darker and no other colour: contour, bronzer, a socket's shadow."""
    return (_dull(lab, bare) * ramp(bare[..., 0] - lab[..., 0], 0.0, 5.0)).astype(np.float32)


def _one_sided_shade(coverage: np.ndarray, lab: np.ndarray, bare: np.ndarray, around_eyes: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1]: darkening around one eye that the other eye lacks.

    Around the eyes every departure is read as the look, and a deep-set eye lit from
    one side casts its socket's shadow at the inner corner of one eye only: read as
    paint, it came out on another face as an opaque brown block beside the nose. Eye
    looks are drawn on both eyes; dark, dull coverage well above its mirror image is
    the light's. Coloured paint is kept however it is drawn (an eye painted on one
    side is art, and art is rarely brown or grey).
    """
    px = coverage.shape[0] / 256.0
    around = cv2.GaussianBlur(coverage, (0, 0), ONE_SIDED_BLUR * px)
    # The other eye's coverage anywhere near the mirrored texel: two eyes' meshes do
    # not fit their looks to the texel.
    reach = 2 * int(round(ONE_SIDED_REACH * px)) + 1
    mirrored = cv2.dilate(around[:, ::-1], cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    one_sided = ramp(around - mirrored, *ONE_SIDED)
    # The socket's shadow reaches past the zone where eye looks are read (the side of
    # the nose, under the brow), where the rules for black paint would take it.
    grow = 2 * int(round(ONE_SIDED_NEAR * px)) + 1
    near_eyes = cv2.dilate(around_eyes, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
    return (near_eyes * one_sided * _shade_like(lab, bare)).astype(np.float32)


def _rim_supported(alpha: np.ndarray, face: np.ndarray) -> np.ndarray:
    """Coverage at the rim of the face's outline kept only where paint reaches it from inside.

    A face's outline is where the mesh and the photo disagree by a few pixels: hair,
    background, a hand or a glossy edge creep in there and read as paint, and worn on a
    turned head that rim lands on the visible cheek as a streak. Paint that runs out to
    the edge (a colour block, a half-face, a wing) is on the inside too, so the rim keeps
    its own shape where the inside carries paint within reach, and nothing where it does not.
    """
    px = alpha.shape[0] / 256.0
    distance = cv2.distanceTransform(face.astype(np.uint8), cv2.DIST_L2, 5) / px
    rim = 1 - ramp(distance, *RIM)
    # The paint within reach, gathered on a grid of 256-px texels (a wide dilation is slow).
    pool = max(1, int(round(px)))
    source = alpha * (distance >= RIM[1])
    size = alpha.shape[0]
    if pool > 1 and size % pool == 0:
        source = source.reshape(size // pool, pool, size // pool, pool).max(axis=(1, 3))
    else:
        pool = 1
    reach = int(round((RIM[1] + 2) * px / pool))
    inside = cv2.dilate(source, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    if pool > 1:
        inside = cv2.resize(inside, (size, size), interpolation=cv2.INTER_NEAREST)
    return (alpha * (1 - rim) + np.minimum(alpha, inside) * rim).astype(np.float32)


def reference_layer(image: np.ndarray, face: Face, size: int) -> MakeupLayer:
    """The makeup a face in a photo wears, at UV size ``size``, to be worn by another face."""
    texture = unwrap(image, face, size)
    read = decompose(texture, surrounding_colours(image, face), photo_light(image, face), READ_DEAD_ZONE, brows_in_uv(image, face, size))
    return lipstick_completed(soft_sheer_paint(read.layer, read.read, read.coloured), read.read)


def lipstick_completed(layer: MakeupLayer, read: np.ndarray) -> MakeupLayer:
    """The layer with its lipstick carried over the lip texels where the reference
    showed something else: the line between the lips, the teeth of a parted mouth,
    a highlight, the far side of a turned head's lips.

    The occluder segmenter reads the line between the lips as covered (on dark
    lipstick much of the upper lip too), and teeth and shine are not paint, so those
    texels were left unpainted; on a face whose mouth is closed they are lips, and its
    own lip colour showed through as a pale band along the seam or across the upper
    lip. Lipstick covers the whole lips, so where ``read`` (:attr:`Decomposition.read`)
    is low on the lips, or a narrow gap (:data:`LIP_GAP`) parts the lipstick, the layer
    takes the coverage and colour of the lipstick around, from near texels
    (:data:`LIP_FILL_SIGMA`), where none are near from farther. Wider bare parts (the
    middle of lips only outlined) stay as read; a mouth hidden whole (a hand) has
    nothing to carry and stays unpainted.
    """
    size = layer.size
    px = size / 256
    _, lips = _eye_and_lip_zones(size)
    reach = 2 * round(LIP_GAP * px) + 1
    closed = cv2.morphologyEx(layer.alpha, cv2.MORPH_CLOSE, np.ones((reach, reach), np.uint8))
    gap = ramp(closed - layer.alpha, *LIP_GAP_DEPTH) * ramp(closed, *LIPSTICK_AROUND)
    read = np.clip(read, 0, 1)
    missing = lips * np.maximum(1 - read, gap)
    if missing.max() < 1e-3:
        return layer
    weight = lips * read * (1 - gap)
    fills = []
    for sigma in LIP_FILL_SIGMA:
        alpha, known = _masked_blur(layer.alpha, weight, sigma * px)
        colour, _ = _masked_blur(layer.colour, weight * layer.alpha, sigma * px)
        fills.append((alpha, colour, known))
    (near_alpha, near_colour, near), (far_alpha, far_colour, far) = fills
    # Near enough where the near blur found a good share of the lips it covers read.
    t = np.clip(2 * near / np.maximum(cv2.GaussianBlur(lips, (0, 0), LIP_FILL_SIGMA[0] * px), 1e-4), 0, 1)
    fill_alpha = np.where(far > 1e-3, t * near_alpha + (1 - t) * far_alpha, 0)
    fill_colour = t[..., None] * near_colour + (1 - t[..., None]) * far_colour
    added = np.clip(missing * ramp(fill_alpha, *LIPSTICK_AROUND) * (fill_alpha - layer.alpha), 0, None)
    alpha = np.clip(layer.alpha + added, 0, 1)
    colour = (layer.colour * layer.alpha[..., None] + fill_colour * added[..., None]) / np.maximum(layer.alpha + added, 1e-4)[..., None]
    colour = np.where(alpha[..., None] > 1e-4, colour, layer.colour)
    return MakeupLayer(colour=np.clip(colour, 0, 1).astype(np.float32), alpha=alpha.astype(np.float32), skin=layer.skin)


def brows_in_uv(image: np.ndarray, face: Face, size: int) -> np.ndarray:
    """(S, S) float32: where the face's own brows are in UV (the brow segmenter's mask)."""
    return unwrap_plane(brow_mask(image, face), face, size)


def soft_sheer_paint(layer: MakeupLayer, read: np.ndarray | None = None, coloured: np.ndarray | None = None) -> MakeupLayer:
    """The layer with its sheer paint on the skin worn alike on both sides of the face
    and spread out over :data:`SHEER_SPREAD`.

    A blush, a bronzer or a wash of colour is soft, but read texel by texel it comes
    out in patches: the reference's pores, freckles and JPEG blocks push each texel
    over or under the line between skin and paint, and worn on another face those
    patches show as a stamped, blotchy blush. Sheer coverage (where the coverage
    around a texel is below :data:`SHEER` and the texel does not stand out of it by
    :data:`STANDS_OUT`) is therefore spread out with its colour, keeping its amount;
    firm paint (stars, dots, blocks) keeps its edges, and the lids and lips, whose
    shapes are drawn close to the eyes and the lip line, are left as read. Removal
    reads a face's own makeup texel by texel and does not pass through here.

    Sheer paint is also the mean of itself and its mirror image, over the texels
    ``read`` on each side (:attr:`Decomposition.read`; None: all): a blush, a bronzer
    or a wash of colour is put on both cheeks alike, and what a side-lit reference
    shows on one cheek only (a warmer, lit cheek; a shadow) came out as a stamped
    patch on one cheek of every face. A blush read stronger on one side is worn
    evenly on both. Firm paint (a heart on one cheek, half a face painted) is art
    and stays where it is drawn.

    Skin-coloured paint (where ``coloured``, :attr:`Decomposition.coloured`, is low:
    only the paint segmenter told it from light) is sheer up to :data:`SKIN_COLOURED_FIRM`
    coverage around it: a wide blush the segmenter saw in one spot, or a cheek warmed
    by a side light, was kept firm there and came out as a stamped patch on one cheek.
    """
    size = layer.size
    around_eyes, lips = _eye_and_lip_zones(size)
    face = uv_templates(size)["face"]
    px = size / 256
    # Firm or sheer by the coverage around a texel, not its own: a blush's brightest
    # specks are still blush, and a star's edge texels are still the star. A speck that
    # stands well above what surrounds it is drawn, though (a dot, glitter, a gem).
    around = cv2.GaussianBlur(layer.alpha, (0, 0), 1.5 * px)
    # Contour and bronzer are shades of the skin, and sheer whatever coverage they read
    # at: kept as read, they came out as a stamped brown disc. They are blended wider
    # than a blush. Near-opaque black or brown is drawn (a stripe, a crack) and stays firm.
    paint_lab = rgb_to_lab_fast(srgb_from_linear(layer.colour))
    toned = _skin_toned(paint_lab, layer.skin) * (1 - ramp(layer.alpha, *SHADE_OPAQUE))
    skin_coloured = 0.0 if coloured is None else (1 - coloured) * (1 - ramp(around, *SKIN_COLOURED_FIRM))
    blush = _blush_hued(paint_lab, layer.skin) * (1 - ramp(around, *BLUSH_FIRM))
    firmness = np.maximum(ramp(around, *SHEER) * (1 - toned) * (1 - np.maximum(skin_coloured, blush)), ramp(layer.alpha - around, *STANDS_OUT))
    sheer = layer.alpha * (1 - firmness) * (1 - np.clip(around_eyes + lips, 0, 1))
    firm = layer.alpha - sheer
    sheer, sheer_colour, toned = _both_sides(sheer, layer.colour, toned, np.ones_like(sheer) if read is None else read)
    spread, paint = np.zeros_like(sheer), np.zeros_like(layer.colour)
    for part, sigma in ((sheer * toned, SHADE_SPREAD * px), (sheer * (1 - toned), SHEER_SPREAD * px)):
        spread += cv2.GaussianBlur(part, (0, 0), sigma) * face
        paint += cv2.GaussianBlur(sheer_colour * part[..., None], (0, 0), sigma) * face[..., None]
    alpha = firm + spread
    colour = np.where(alpha[..., None] > 1e-4, (layer.colour * firm[..., None] + paint) / np.maximum(alpha, 1e-4)[..., None], layer.colour)
    return MakeupLayer(colour=np.clip(colour, 0, 1).astype(np.float32), alpha=np.clip(alpha, 0, 1).astype(np.float32), skin=layer.skin)


def _both_sides(sheer: np.ndarray, colour: np.ndarray, toned: np.ndarray, read: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sheer coverage, its colour and how skin-toned it is, each the mean of the two
    sides of the face (UV is mirror-symmetric) over the texels read on each side: a
    side hidden or covered in the reference takes the other side's as it is."""
    weight = sheer * read
    both = weight + weight[:, ::-1]
    counted = read + read[:, ::-1]
    mean_of = lambda x: (x * weight[..., None] + x[:, ::-1] * weight[:, ::-1, None]) / np.maximum(both, 1e-6)[..., None]
    coverage = np.where(counted > 1e-3, both / np.maximum(counted, 1e-6), sheer)
    colour = np.where(both[..., None] > 1e-6, mean_of(colour), colour)
    toned = np.where(both > 1e-6, mean_of(toned[..., None])[..., 0], toned)
    return coverage.astype(np.float32), colour.astype(np.float32), toned.astype(np.float32)


def _blended_blush(least: np.ndarray, hued: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1]: the patches of blush-hued paint (``hued``) whose
    least coverage ``least`` fades into the skin, as a blush is blended.

    A stencilled heart or a painted cheek of the same hue stops at a drawn edge: its
    coverage rises steeply there (its texels are face paint, read as opaque). A
    blended blush rises over a dozen texels; read as opaque it was stamped as a firm
    pale disc on every face that wore it, paler than the skin on a dark one.
    """
    size = least.shape[0]
    px = size / 256
    patches = ((least > OPAQUE[0]) & (hued > 0.5)).astype(np.uint8)
    count, labels, boxes, _ = cv2.connectedComponentsWithStats(patches)
    if count < 2:
        return np.zeros_like(least)
    rise = np.hypot(cv2.Sobel(least, cv2.CV_32F, 1, 0), cv2.Sobel(least, cv2.CV_32F, 0, 1)) / 8 * px
    reach = round(2 * px)
    kernel = np.ones((2 * reach + 1,) * 2, np.uint8)
    blended = np.zeros(count, np.float32)
    for k in range(1, count):
        x, y, w, h = boxes[k, :4]
        box = np.s_[max(y - reach, 0):y + h + reach, max(x - reach, 0):x + w + reach]
        patch = (labels[box] == k).astype(np.uint8)
        edge = (cv2.dilate(patch, kernel) > 0) & ~(cv2.erode(patch, kernel, borderValue=0) > 0)
        steepness = np.percentile(rise[box][edge], 75) / max(np.percentile(least[box][patch > 0], 90), 1e-3)
        blended[k] = 1 - ramp(steepness, *BLUSH_EDGE)
    return (cv2.dilate(blended[labels], kernel) * hued).astype(np.float32)


def _blush_hued(lab: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1]: paint of the skin's own hue, redder or more vivid than
    it (a peach, coral or rose blush on a skin of that hue)."""
    return (1 - ramp(_hue_turn(lab, skin), *BLUSH_TURN)).astype(np.float32)


def _hue_turn(lab: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Degrees between the hue of ``lab`` and of the skin ``skin`` (CIELAB), 0–180."""
    turn = np.angle(np.exp(1j * (np.arctan2(lab[..., 2], lab[..., 1]) - np.arctan2(skin[..., 2], skin[..., 1]))))
    return np.degrees(np.abs(turn))


def _skin_toned(lab: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1]: colours of the skin's own hue (or grey) darker than
    the skin ``skin`` (CIELAB, per texel or one colour): contour and bronzer, not face paint."""
    grey = 1 - ramp(np.hypot(lab[..., 1], lab[..., 2]), *SKIN_CHROMA)
    same_hue = np.maximum(grey, 1 - ramp(_hue_turn(lab, skin), *SKIN_TONED_TURN))
    return (same_hue * ramp(skin[..., 0] - lab[..., 0], 0.0, 5.0)).astype(np.float32)


@functools.lru_cache(maxsize=4)
def _eye_and_lip_zones(size: int) -> tuple[np.ndarray, np.ndarray]:
    """(around the eyes, the lips) in UV: where eye looks and lipstick are read by
    the rules alone, and shapes are kept as drawn."""
    tpl = uv_templates(size)
    wing = 8 * (2 * max(1, round(size / 256)) + 1) + 1  # a liner's wing or a smoky eye runs out toward the temple
    zones = (cv2.dilate(np.clip(tpl["eyeshadow"] * 4, 0, 1), np.ones((wing // 2, wing), np.uint8)), np.clip(tpl["lips"] * 2, 0, 1))
    for zone in zones:
        zone.flags.writeable = False  # shared by every call
    return zones


@functools.lru_cache(maxsize=4)
def _lash_lines(size: int) -> np.ndarray:
    """(S, S): the eye openings grown by :data:`LASH_REACH`, where dark paint is a lash line."""
    reach = 2 * LASH_REACH * max(1, round(size / 256)) + 1
    lines = cv2.dilate(uv_templates(size)["eyes"], cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    lines.flags.writeable = False  # shared by every call
    return lines


@dataclass(frozen=True)
class Decomposition:
    """A face texture split in two, plus where the split found makeup at all.

    Attributes:
        bare: the bare face estimate.
        layer: the makeup layer (least coverage that explains each texel).
        presence: (S, S) float32 in [0, 1]: how surely a texel is made up (0 within
            natural skin variation, 1 well beyond it), whatever the paint's opacity.
        read: (S, S) float32 in [0, 1]: how far each texel was read at all (seen,
            directly or on the mirrored side, not covered, and on the lips not under
            the light's shine).
        coloured: (S, S) float32 in [0, 1]: how far a texel's colour alone marks it as
            paint (:func:`_paint_by_colour`); None: all of it.
    """

    bare: BareFace
    layer: MakeupLayer
    presence: np.ndarray
    read: np.ndarray
    coloured: np.ndarray | None = None


def decompose(texture: UVTexture, surroundings: Surroundings | None = None, light: np.ndarray | None = None,
              read_dead_zone: tuple[float, float] = DEAD_ZONE, brows: np.ndarray | None = None) -> Decomposition:
    """Split a face texture into its bare face and its makeup; see the module docstring.

    Hidden parts are taken from the mirrored side when that side was seen, and left
    unpainted otherwise: the far side of a turned head is never read as makeup, nor
    what covers the face (the occluder segmenter, and given ``surroundings``,
    :func:`surrounding_colours`, texels like them joined to the face's edge).
    ``light`` is the photo's white point (:func:`fram.makeup.compose.photo_light`;
    None = white), divided out of the layer's paint and skin. ``read_dead_zone``
    replaces :data:`DEAD_ZONE` on the lids and lips (:data:`READ_DEAD_ZONE`).
    ``brows`` (S, S), where the face's own brows are (:func:`brows_in_uv`), is hair,
    never paint: a brow lower or fuller than the mesh's sits on the lid's edge there.
    """
    # Covered texels (:mod:`fram.face.occluders`: hair, a hat, a hand over the face)
    # are unknown: never read as paint, and not filled from the mirrored side (the two
    # halves of a face are lit differently: a mirrored shadow reads as paint). Around
    # the eyes neither the segmenter nor the colour rule (:func:`_occluders`) is asked:
    # a bold eye look is a band of dark or vivid colour across the eyes, as sunglasses
    # are, and it touches dark hair at the temples; losing a look is worse there than
    # reading a rare pair of glasses as paint.
    size = texture.size
    tpl = uv_templates(size)
    reach = 2 * max(1, round(size / 256)) + 1  # the net sees a 128 px face: widen its mask a little
    around_eyes, lips = _eye_and_lip_zones(size)
    cover = cv2.dilate(occluded(texture), np.ones((reach, reach), np.uint8))
    # Vivid colour is paint (face paint running into the hair); hair, hats and hands
    # that vivid are rare, unless the photo shows that colour around the face too
    # (a red headscarf, dyed hair): then the segmenter's word stands.
    raw_lab = texture_lab(texture.texture)
    vivid = ramp(np.linalg.norm(raw_lab[..., 1:], axis=-1), *VIVID)
    if surroundings is not None:
        vivid = vivid * (_palette_gap(raw_lab, surroundings.framing()) >= OCCLUDER_DELTA)
    cover = cover * (1 - vivid)
    hidden = ramp(cover, *COVERED) * (1 - around_eyes)
    filled, seen = mirror_fill(texture, SEEN)
    kept = 1 - hidden
    seen = seen * kept
    bare = estimate_bare(filled, seen, mirror_fill_normals(texture, SEEN))
    # A touch of smoothing: JPEG blocks and sensor noise are not paint.
    lab = texture_lab(cv2.GaussianBlur(filled, (0, 0), 0.6 * size / 256))
    lids = np.clip(tpl["eyeshadow"], 0, 1)
    # Read eagerly too: where the paint segmenter sees paint on the skin (a blush is a
    # departure bare cheeks also show, in redness, and fell inside the dead zone).
    net = painted(texture)
    eager = np.clip(lids + tpl["lips"] + ramp(net, *EAGER_PAINTED) * (1 - np.clip(around_eyes + lips, 0, 1)), 0, 1)
    start = DEAD_ZONE[0] + (read_dead_zone[0] - DEAD_ZONE[0]) * eager
    width = DEAD_ZONE[1] + (read_dead_zone[1] - DEAD_ZONE[1]) * eager
    distance = bare_distance(lab, bare)
    departure = ramp((distance - start) / width, 0.0, 1.0)
    seen_linear, bare_linear = linear_rgb(lab_to_rgb_fast(lab)), bare.linear
    least, paint = unmix(seen_linear, bare_linear)
    # Contour and bronzer are sheer: darker skin tones no more vivid than the skin are not face paint.
    vivid = ramp(np.hypot(lab[..., 1], lab[..., 2]) / np.maximum(np.hypot(bare.lab[..., 1], bare.lab[..., 2]), 1.0), *SHADE_VIVID)
    toned = _skin_toned(lab, bare.lab) * (1 - vivid)
    blush = _blended_blush(least, _blush_hued(lab, bare.lab) * (tpl["face"] > 0.5) * (1 - tpl["lips"]) * (1 - around_eyes))
    alpha, paint = _opaque_reading(least, seen_linear, bare_linear, (1 - tpl["lips"]) * (1 - around_eyes) * (1 - toned) * (1 - blush))
    alpha, paint = _lipstick_reading(alpha, seen_linear, bare_linear, lips * ramp(departure, *LIPSTICK_DEPARTURE))
    where = (tpl["face"] > 0) & (seen > SEEN)
    features = np.clip(tpl["eyes"] + tpl["mouth"] + tpl["brows"], 0, 1)
    presence = departure * where * (1 - cv2.GaussianBlur(features, (0, 0), 0.75 * size / 256))
    glare = _glare(least, seen_linear, bare_linear, tpl)
    presence = presence * (1 - glare)  # a highlight is sheer
    presence = presence * (1 - _beard(lab, bare.lab, tpl))
    presence = presence * (1 - _spectacle_frames(lab, bare, distance, tpl))
    coloured = _paint_by_colour(lab, bare.lab, tpl["face"] > 0.5)
    presence = presence * _paint_on_skin(coloured, around_eyes + lips, net)
    if surroundings is not None:
        # Dark lipstick is as dark as hair, and a strand over the mouth is rare; so is
        # one along the lash lines, where liner and a smoky eye are as dark.
        liner = np.maximum(lids, _lash_lines(size))
        presence = presence * (1 - _occluders(lab, alpha * presence, surroundings, bare, hidden) * (1 - liner) * (1 - lips))
    presence = presence * (1 - _one_sided_shade(alpha * presence, lab, bare.lab, around_eyes))
    if brows is not None:
        # Brow hair is dull and darker than the skin; a brow painted a colour, or white, is art.
        hair = ramp(brows, *BROW_HAIR) * _dull(lab, bare.lab) * (lab[..., 0] < bare.lab[..., 0])
        presence = presence * (1 - _feathered(hair, size / 256, grow=max(1, round(BROW_GROW * size / 256))))
    # Paint and skin as albedos: the reference photo's relative shading and its white
    # point divided out, so the layer is relit by the photo that wears it, not twice.
    white = np.ones(3, np.float32) if light is None else np.asarray(light, np.float32)
    colour = np.clip(paint / bare.shading[..., None] / white, 0, 1).astype(np.float32)
    skin = linear_rgb(lab_to_rgb_fast(bare.skin_lab.reshape(1, 1, 3)))[0, 0] / white
    skin_lab = rgb_to_lab_fast(srgb_from_linear(np.clip(skin, 0, 1)).reshape(1, 1, 3))[0, 0]
    coverage = _rim_supported(alpha * presence * kept, tpl["face"] > 0.5)
    layer = MakeupLayer(colour=colour, alpha=coverage, skin=skin_lab.astype(np.float32))
    return Decomposition(bare=bare, layer=layer, presence=_rim_supported(presence * (1 - hidden), tpl["face"] > 0.5),
                         read=(seen * (1 - glare * lips)).astype(np.float32), coloured=coloured)
