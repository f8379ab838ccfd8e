"""Put a rendered recipe on the photo, at the photo's native resolution.

The recipe is rendered in UV from the photo's own unwrapped face (so products are
lit like that face), each region group's layer is projected through the face's UV
lookup, cut by the photo-space region masks (refined lip line, eye openings and
mouth interior excluded), and applied to the native pixels. Every pixel that no
product reaches is copied bit for bit from the input.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fram.face.colour import (
    SRGB_TO_LINEAR_8BIT,
    lab_from_8bit,
    lab_to_rgb_fast,
    linear_to_srgb,
    rgb_to_lab_8bit,
    rgb_to_lab_fast,
    srgb_to_linear,
)
from fram.face.landmarks import Face
from fram.face.regions import RegionMasks, region_masks
from fram.face.templates import uv_templates
from fram.face.uv import DEFAULT_UV_SIZE, FaceProjection, UVTexture, face_projection, project, unwrap
from fram.makeup.layer import GroupLayer, combine, composite
from fram.makeup.recipe import MakeupStyle, hex_to_rgb, rgb_to_hex
from fram.makeup.render import BASE_SIGMA, GROUPS, render_uv

# Below this alpha (in 8-bit steps) a pixel counts as untouched and keeps its input bits.
UNTOUCHED_ALPHA = 0.5 / 255
MONOCHROME_SPREAD = 1.0
"""Mean |R - G| and |B - G| (levels) over the face below which a photo is black and
white: its makeup is then shown in grey too, as the film would have recorded it."""


@dataclass(frozen=True)
class FaceAnalysis:
    """Everything about one face that compositing needs, computed once per photo."""

    face: Face
    projection: FaceProjection
    texture: UVTexture
    regions: RegionMasks
    light: np.ndarray


WHITE_PERCENTILE = 99.5


LIGHT_MARGIN = 0.5
"""The white point is measured in the face's landmark box grown by this fraction of its
size per side: the light on the face, and the same pixels whether the photo or an
upright crop around the face is analysed."""


def photo_light(image: np.ndarray, face: Face) -> np.ndarray:
    """(3,) linear RGB of the white point around the face: how much light reaches a white surface.

    Paint is an albedo, so what a camera records of it scales with this: dark,
    backlit, tinted or flash-lit photos get paint lit the same way. A percentile is
    linear in exposure, so darkening a photo and then making it up equals making it up
    and then darkening (the robustness suite checks this).
    """
    x0, y0, x1, y1 = face.bbox
    pad = LIGHT_MARGIN * max(x1 - x0, y1 - y0)
    h, w = image.shape[:2]
    rows = slice(max(0, int(y0 - pad)), min(h, int(np.ceil(y1 + pad))))
    cols = slice(max(0, int(x0 - pad)), min(w, int(np.ceil(x1 + pad))))
    region = image[rows, cols]
    step = max(1, int(np.sqrt(region.shape[0] * region.shape[1] / 250_000)))
    sample = SRGB_TO_LINEAR_8BIT[region[::step, ::step]].reshape(-1, 3)
    return np.maximum(np.percentile(sample, WHITE_PERCENTILE, axis=0), 1e-3).astype(np.float32)


def analyse(image: np.ndarray, face: Face, uv_size: int = DEFAULT_UV_SIZE) -> FaceAnalysis:
    """Unwrap and segment a face once, to composite any number of looks onto it."""
    projection = face_projection(face)
    texture = unwrap(image, face, uv_size, projection)
    return FaceAnalysis(face=face, projection=projection, texture=texture, regions=region_masks(image, face, projection),
                        light=photo_light(image, face))


# Preset foundation shades are written for this reference skin (CIELAB of a light-medium
# complexion); on another face a shade keeps its offset from the reference, so a
# "natural" base matches every skin tone and a pale goth base stays paler than the face.
REFERENCE_SKIN_LAB = np.array([68.0, 14.0, 18.0])


def skin_tone(tex: UVTexture) -> np.ndarray:
    """Median CIELAB colour (3,) of the visible skin in a face's UV texture."""
    skin = (uv_templates(tex.size)["skin"] > 0.9) & (tex.visibility > 0.9)
    lab = lab_from_8bit(rgb_to_lab_8bit(tex.texture))
    return np.median(lab[skin], axis=0).astype(np.float64) if skin.sum() > 50 else REFERENCE_SKIN_LAB.copy()


def _adapt_shade(shade: str, tone: np.ndarray) -> str:
    rgb = np.array([[hex_to_rgb(shade)]], np.float32)
    lab = rgb_to_lab_fast(rgb)[0, 0]
    moved = np.clip(tone + (lab - REFERENCE_SKIN_LAB), [0, -100, -100], [100, 100, 100]).astype(np.float32)
    out = lab_to_rgb_fast(moved[None, None])[0, 0]
    return rgb_to_hex(np.clip(out, 0, 1).tolist())


def skin_albedo(tone: np.ndarray, light: np.ndarray) -> np.ndarray:
    """A skin tone measured in a photo (CIELAB) as that skin looks under white light:
    its linear colour over the photo's white point ``light`` (:func:`photo_light`).

    Shades are paint, and paint is lit by ``light`` when it is painted: a shade moved
    to the photo's own tone would be lit twice, so a dim photo got a foundation
    darker than its skin and a warm one a more orange one.
    """
    lin = srgb_to_linear(np.clip(lab_to_rgb_fast(np.asarray(tone, np.float32).reshape(1, 1, 3)), 0, 1))
    white = linear_to_srgb(np.clip(lin / np.asarray(light, np.float32), 0, 1))
    return rgb_to_lab_fast(white)[0, 0].astype(np.float64)


def match_skin(style: MakeupStyle, tone: np.ndarray, light: np.ndarray | None = None) -> MakeupStyle:
    """The look with foundation and concealer shades moved to a skin tone (CIELAB, as
    :func:`skin_tone` measures it): recipes write them as offsets from the reference skin.

    ``light`` is the white point of the photo the tone was measured in (None = white):
    the shades are then albedos, for a renderer that lights them by it.
    """
    if light is not None:
        tone = skin_albedo(tone, light)
    update = {}
    for product in ("foundation", "concealer"):
        item = getattr(style, product)
        if item is not None:
            update[product] = item.model_copy(update={"shade": _adapt_shade(item.shade, tone)})
    return style.model_copy(update=update)


PAST_MESH_DEPTH = 12.0
"""Face units (face width / 256) inside the mesh's edge from which the skin layer is
continued outward (past the skin template's fade at the UV border, :func:`_past_mesh`)."""
PAST_MESH_BLUR = 0.3
"""Blur of the continued layer, as a fraction of PAST_MESH_DEPTH."""

LAYER_128_MAX_FACE = 320  # px: narrower faces get a 128 px makeup layer


def surface_mask(regions: RegionMasks, past_mesh: bool = False) -> np.ndarray:
    """Where skin, eye and brow products may land in the photo: the face's own skin
    (with ``past_mesh``, continued up to the hairline and under the jaw, fading: the
    ``base`` mask) and brows, never the eye openings or mouth, nor hair or glasses over
    the face (the skin model's colours leave those out)."""
    skin = regions.masks["base" if past_mesh else "skin"]
    surface = np.clip(skin + regions.masks["brows"] + regions.masks["eyeliner"], 0, 1)
    surface = cv2.GaussianBlur(surface, (0, 0), 1.0)
    return (surface * outside_holes(regions)).astype(np.float32)


def outside_holes(regions: RegionMasks) -> np.ndarray:
    """1 away from the eye openings and mouth interior, exactly 0 wherever either
    mask reaches 0.5, so teeth, sclera and iris stay bit-identical."""
    return np.clip((0.5 - regions.holes) * 4.0, 0.0, 1.0).astype(np.float32)


def layer_size(analysis: FaceAnalysis) -> int:
    """UV resolution to render a photo's makeup at: no finer than the face in the photo.

    A face 180 px wide gains nothing from a 256 px layer (the projection would only
    average texels away), while rendering costs grow with the square of the size.
    """
    return 128 if analysis.face.width < LAYER_128_MAX_FACE else analysis.texture.size


def apply_style(
    image: np.ndarray, analysis: FaceAnalysis, style: MakeupStyle, groups: tuple[str, ...] = GROUPS, *, adapt_to_skin: bool = True
) -> np.ndarray:
    """The photo wearing ``style`` on the chosen region groups; (H, W, 3) uint8.

    With ``adapt_to_skin`` foundation and concealer follow the face's own skin tone
    (:func:`match_skin`); without it their shades are applied as written.
    """
    return apply_layers(image, analysis, style_layers(analysis, style, groups, layer_size(analysis), adapt_to_skin=adapt_to_skin),
                        past_mesh=True)


def style_layers(analysis: FaceAnalysis, style: MakeupStyle, groups: tuple[str, ...], size: int, *,
                 adapt_to_skin: bool = True) -> dict[str, GroupLayer]:
    """``style`` rendered from the face's own texture as UV layers of side ``size``, per group."""
    if adapt_to_skin:
        style = match_skin(style, skin_tone(analysis.texture), analysis.light)
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown region group(s) {sorted(unknown)}; choose from {list(GROUPS)}")
    texture, visibility = analysis.texture.texture, analysis.texture.visibility
    if size != analysis.texture.size:
        interpolation = cv2.INTER_AREA if size < analysis.texture.size else cv2.INTER_LINEAR
        texture = cv2.resize(texture, (size, size), interpolation=interpolation)
        visibility = cv2.resize(visibility, (size, size), interpolation=interpolation)
    x = texture.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255.0)
    rendered = render_uv(x, visibility[None, None], [style], lip_support=True, with_texture=False, light=analysis.light[None])
    return {g: rendered.layers[g] for g in groups}


def apply_layers(image: np.ndarray, analysis: FaceAnalysis, layers: dict[str, GroupLayer], *, past_mesh: bool = False) -> np.ndarray:
    """Composite UV makeup layers (one per region group, any UV size) onto the photo.

    This is where every engine's makeup meets the photo at its native resolution:
    skin, eyes and brows share one photo mask (skin model, no hair or glasses), so
    they are stacked in UV and projected once; lips are cut at the refined lip line.
    Pixels no layer touches, and the eye openings and mouth, stay bit-identical.
    With ``past_mesh`` (a recipe's products: foundation and the like, not a painted
    design) the skin layer is continued past the mesh to the hairline and under the
    jaw (:func:`_past_mesh`, the ``base`` mask).
    """
    unknown = set(layers) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown region group(s) {sorted(unknown)}; choose from {list(GROUPS)}")
    regions = analysis.regions
    batches = []
    for names, weight, continued in (
        ([g for g in layers if g != "lips"], surface_mask(regions, past_mesh), past_mesh),
        ([g for g in layers if g == "lips"], regions.masks["lips"] * outside_holes(regions), False),
    ):
        present = [layers[g] for g in names if float(layers[g].alpha.max()) > UNTOUCHED_ALPHA]
        if present:
            batches.append((present, weight, continued))
    if not batches:
        return image.copy()
    # A layer reaches only pixels where its weight is non-zero, and the mesh's unless
    # continued past it; everything is done on the bounding box of those (about half
    # of the face box), the rest of the photo is copied. The lips are projected only
    # over their own box and stacked there: outside it their layer is neutral.
    reaches = [(weight > 0) & (continued | (analysis.projection.coverage > 0)) for _, weight, continued in batches]
    union = _bounds(np.logical_or.reduce(reaches))
    if union is None:
        return image.copy()
    rows, cols = union
    box = analysis.projection.crop(rows, cols)
    layer = None
    for (present, weight, continued), reach in zip(batches, reaches):
        own = (rows, cols) if layer is None else _bounds(reach)
        if own is None:
            continue
        photo_layer = _photo_layer(analysis, analysis.projection.crop(*own), combine(present), weight[own], continued)
        if layer is None:
            layer = photo_layer
            continue
        layer.region(*(slice(o.start - u.start, o.stop - u.start) for o, u in zip(own, union))).stack(photo_layer)
    return composite_photo(image, analysis.face, analysis.projection, layer, box)


def _bounds(mask: np.ndarray) -> tuple[slice, slice] | None:
    """Row and column slices of the bounding box of a 2-D mask's True pixels; None if none."""
    rows, cols = (np.flatnonzero(mask.any(axis=axis)) for axis in (1, 0))
    if rows.size == 0:
        return None
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def _photo_layer(analysis: FaceAnalysis, box: FaceProjection, uv_layer: GroupLayer, weight: np.ndarray,
                 continued: bool) -> GroupLayer:
    """A UV layer projected onto ``box`` of the photo and weighted by the photo mask ``weight``."""
    data = project(np.ascontiguousarray(uv_layer.pack()[0].transpose(1, 2, 0)), analysis.face, box).data
    if continued:
        data = _past_mesh(data, box.coverage, PAST_MESH_DEPTH * analysis.face.width / 256)
    layer = GroupLayer.unpack(data.transpose(2, 0, 1)[None])
    if not continued:  # outside the mesh the projected gain is 0: make it neutral before weighting
        layer.gain += (1 - box.coverage)[None, None]
    return layer.masked(weight[None, None])


def _past_mesh(data: np.ndarray, coverage: np.ndarray, depth: float) -> np.ndarray:
    """A projected skin layer (h, w, C) continued past the mesh's edge.

    The mesh stops mid-forehead and at the jaw line, and the skin template fades out
    over its last few texels, where base products do not stop; how far they go is the
    photo mask's business (the ``base`` region: skin-coloured, fading out), so the
    layer only has to carry its colour outward. Within ``depth`` px of the edge and
    beyond it, the layer blends into the value of the nearest pixel at least ``depth``
    inside the mesh, blurred so that no streaks run out from the edge. ``data`` is overwritten.
    """
    inside = cv2.distanceTransform((coverage >= 0.999).astype(np.uint8), cv2.DIST_L2, 3)
    source = inside >= depth
    if not source.any():
        return data
    _, labels = cv2.distanceTransformWithLabels((~source).astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL)
    flat = data.reshape(-1, data.shape[2])
    # Label k is the k-th source pixel in scan order.
    filled = flat[np.flatnonzero(source.ravel())[labels.ravel() - 1]].reshape(data.shape)
    filled = cv2.GaussianBlur(filled, (0, 0), PAST_MESH_BLUR * depth)
    keep = np.clip(inside / depth, 0, 1)[..., None]
    # In place (``data`` is the caller's fresh projection): these are (h, w, 13)
    # arrays at photo size, where every temporary costs page faults.
    data *= keep
    filled *= 1 - keep
    data += filled
    return data


def composite_photo(image: np.ndarray, face: Face, face_box: FaceProjection, layer: GroupLayer, box: FaceProjection,
                    key_base: np.ndarray | None = None) -> np.ndarray:
    """Apply a photo-space ``layer`` over ``box``, a part of the face's projection ``face_box``.

    ``key_base`` (linear RGB over ``box``, 0 where unknown) is the light the layer's
    additive paint was made under: a layer worn on other frames of a video has its
    paint relit by the ratio of this photo's light to it.
    """
    crop = image[box.slices]
    texel = max(face.width, 1.0) / (0.95 * 256)  # photo px per 256-texture px
    sigma = BASE_SIGMA * texel
    base = _base_colour(image, face_box, box, sigma)
    if key_base is not None:
        # The minimum over channels as two elementwise minima: numpy's reduction over a
        # 3-long last axis is ~10x slower, and this runs on every video frame.
        known = (np.minimum(np.minimum(key_base[..., 0], key_base[..., 1]), key_base[..., 2]) > 1e-3)[..., None]
        ratio = np.where(known, np.clip(base / np.maximum(key_base, 1e-3), 0.25, 4.0), 1.0).astype(np.float32)
        layer.add = layer.add * ratio.transpose(2, 0, 1)[None]
    # Channels first and contiguous (the layer's layout): numpy is several times
    # slower on interleaved channels.
    x_lin = SRGB_TO_LINEAR_8BIT[crop.transpose(2, 0, 1)][None]
    uv = box.uv.transpose(2, 0, 1)[None]
    out_lin = composite(
        x_lin, layer, uv[:, :1], uv[:, 1:], base_sigma=sigma,
        sparkle_cells=max(64.0, face.width / 1.6), base=np.ascontiguousarray(base.transpose(2, 0, 1))[None],
    )
    out = (linear_to_srgb(out_lin)[0] * np.float32(255.0) + np.float32(0.5)).astype(np.uint8).transpose(1, 2, 0)
    if _is_monochrome(crop):
        grey = out.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32) + 0.5
        out = np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    touched = layer.alpha[0, 0] > UNTOUCHED_ALPHA
    result = image.copy()
    np.copyto(result[box.slices], out, where=touched[..., None])
    return result


def _is_monochrome(rgb: np.ndarray) -> bool:
    c = rgb.astype(np.int16)
    return bool(np.abs(c[..., 0] - c[..., 1]).mean() <= MONOCHROME_SPREAD and np.abs(c[..., 2] - c[..., 1]).mean() <= MONOCHROME_SPREAD)


def _base_colour(image: np.ndarray, face_box: FaceProjection, box: FaceProjection, sigma: float) -> np.ndarray:
    """The linear photo blurred by ``sigma`` over ``box``, as if the whole face box had
    been blurred (reflected at the face box's edges) and then cropped.

    Only a margin of the kernel's reach around ``box`` is blurred (OpenCV's kernel for
    float images reaches 4 sigma). OpenCV's separable blur is several times faster
    than a torch conv at photo size.
    """
    pad = int(np.ceil(4 * sigma)) + 2
    face_rows, face_cols = face_box.slices
    (r0, c0), (h, w) = box.origin, box.shape
    rows = slice(max(face_rows.start, r0 - pad), min(face_rows.stop, r0 + h + pad))
    cols = slice(max(face_cols.start, c0 - pad), min(face_cols.stop, c0 + w + pad))
    base = cv2.GaussianBlur(SRGB_TO_LINEAR_8BIT[image[rows, cols]], (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    top, left = r0 - rows.start, c0 - cols.start
    return np.ascontiguousarray(base[top : top + h, left : left + w])
