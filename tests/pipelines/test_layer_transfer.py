"""The makeup-layer engine and removal on real photos: patterns come across where the
reference wears them, a bare reference changes nothing, removal leaves a bare face alone."""

import numpy as np
import pytest

from fram.face.colour import rgb_to_lab
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.uv import unwrap
from fram.makeup.decompose import decompose, reference_layer
from fram.makeup.wear import group_zones
from fram.pipelines.api import remove_makeup, transfer

PAINTED = "makeup-photos-extra/made-up/gorgeous__makeup_assets_art_0000.jpeg"
LINER = "makeup-photos-extra/made-up/gorgeous__makeup_assets_neon_0000.png"
BARE = "makeup-photos-extra/bare/makeup_transfer__Code_Final_Images_target_02.jpg"
BARE_2 = "makeup-photos/non-makeup/xfsy_0435.png"
CLEAN = "makeup-photos/non-makeup/vSYYZ241.png"  # no beard: stubble still reads as makeup


def _delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(rgb_to_lab(a) - rgb_to_lab(b), axis=-1)


@pytest.fixture(scope="module")
def painted(shared_data):
    image = read_image(shared_data / PAINTED)
    return image, detect_face(image)


def test_painted_reference_layer_covers_the_paint_not_the_bare_skin(painted):
    image, face = painted
    layer = reference_layer(image, face, 256)
    zones = group_zones(256)
    # Face paint covers much of this face; the lips wear only a pale tint. (0.26 before
    # the soft edge of what covers a face went to the cover: a stripe's edge beside the
    # black block on the far cheek is such a blend; 0.24 then, 0.20 since the paint
    # segmenter takes the shaded black block under the far cheek for shadow; 0.18 since
    # skin-coloured paint read below near-opaque is spread as sheer: the blocks' soft
    # edges, worn the same to the eye.)
    assert float((layer.alpha[zones["skin"] > 0.9] > 0.3).mean()) > 0.17
    assert layer.alpha.shape == (256, 256) and layer.colour.shape == (256, 256, 3)
    assert 0.0 <= float(layer.alpha.min()) and float(layer.alpha.max()) <= 1.0


def test_bare_faces_have_almost_no_layer(shared_data):
    for name in (CLEAN, BARE_2):
        image = read_image(shared_data / name)
        face = detect_face(image)
        layer = reference_layer(image, face, 256)
        assert float(layer.alpha.mean()) < 0.05, name
        assert float(decompose(unwrap(image, face, 256)).presence.mean()) < 0.15, name


def test_transfer_puts_the_paint_where_the_reference_wears_it(shared_data):
    source = read_image(shared_data / BARE)
    out = transfer(source, str(shared_data / PAINTED), engine="layer").image
    assert out.shape == source.shape
    change = _delta_e(out, source)
    face = detect_face(source)
    x0, y0, x1, y1 = (int(v) for v in face.bbox)
    inside = change[y0:y1, x0:x1]
    assert float((inside > 10).mean()) > 0.15, "the face paint should cover a good part of the face"
    outside = change.copy()
    outside[max(0, y0 - 20):y1 + 20, max(0, x0 - 20):x1 + 20] = 0
    assert float(outside.max()) == 0.0, "nothing outside the face changes"


def test_liner_reference_changes_the_eyes_not_the_cheeks(shared_data):
    source = read_image(shared_data / BARE)
    face = detect_face(source)
    out = transfer(source, str(shared_data / LINER), engine="layer", regions="eyes").image
    change = _delta_e(out, source)
    points = face.landmarks[:, :2]
    eye = points[[33, 133, 362, 263]]
    (ex0, ey0), (ex1, ey1) = eye.min(axis=0).astype(int), eye.max(axis=0).astype(int)
    around_eyes = change[ey0 - 25:ey1 + 10, ex0 - 15:ex1 + 15]
    mouth = points[[61, 291, 0, 17]]
    (mx0, my0), (mx1, my1) = mouth.min(axis=0).astype(int), mouth.max(axis=0).astype(int)
    assert float(around_eyes.max()) > 15
    assert float(change[my0:my1, mx0:mx1].max()) == 0.0, "eyes only: the lips stay bit-identical"


def test_bare_reference_gives_back_the_source_with_a_note(shared_data):
    from fram.face.regions import region_masks

    source = read_image(shared_data / BARE)
    result = transfer(source, str(shared_data / BARE_2), engine="layer")
    change = _delta_e(result.image, source)
    assert float(change.mean()) < 1.0
    assert any("shows no visible makeup" in note for note in result.notes)
    # Natural brows are not a brow product: the source keeps its own. Read as a recipe,
    # the reference's brows recoloured 79 % of the brow pixels; what still changes is
    # where the (eagerly read) lids reach under the brows.
    brows = region_masks(source, detect_face(source)).full("brows") > 0.5
    assert brows.sum() > 200 and float((change[brows] > 0).mean()) < 0.3


def test_remove_takes_lipstick_off_and_leaves_a_bare_face_alone(shared_data):
    for name in (CLEAN, BARE_2):
        bare = read_image(shared_data / name)
        assert float(_delta_e(remove_makeup(bare).image, bare).mean()) < 1.0, name
    made = read_image(shared_data / LINER)
    face = detect_face(made)
    lips = face.landmarks[[0, 17, 61, 291], :2]
    (x0, y0), (x1, y1) = lips.min(axis=0).astype(int), lips.max(axis=0).astype(int)
    before = rgb_to_lab(made[y0:y1, x0:x1]).reshape(-1, 3)
    after = rgb_to_lab(remove_makeup(made, regions="lips").image[y0:y1, x0:x1]).reshape(-1, 3)
    chroma = lambda lab: float(np.median(np.linalg.norm(lab[:, 1:], axis=1)))
    assert chroma(after) < chroma(before) - 5, "the pink lipstick should lose chroma"


def _lid_and_forehead(image: np.ndarray, face, height: float = 0.12) -> tuple[np.ndarray, np.ndarray]:
    """Photo-space soft masks (full image size) of the eyeshadow area and of a patch on
    the forehead, centred ``height`` of the face box below its top."""
    from fram.face.regions import region_masks

    masks = region_masks(image, face)
    lids = masks.full("eyeshadow") * (1 - masks.full("brows"))
    x0, y0, x1, y1 = (int(v) for v in face.bbox)
    yy, xx = np.mgrid[: image.shape[0], : image.shape[1]]
    centre = ((x0 + x1) / 2, y0 + height * (y1 - y0))
    forehead = np.exp(-(((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2) / (2 * (0.08 * (x1 - x0)) ** 2)))
    return lids.astype(np.float32), forehead.astype(np.float32)


def _over(image: np.ndarray, mask: np.ndarray, colour, alpha: float) -> np.ndarray:
    a = (mask * alpha)[..., None]
    return np.clip(image * (1 - a) + np.asarray(colour, np.float32) * a, 0, 255).astype(np.uint8)


def _add_light(image: np.ndarray, mask: np.ndarray, amount: float) -> np.ndarray:
    """Light added in linear RGB, as a specular highlight adds it."""
    from fram.face.colour import SRGB_TO_LINEAR_8BIT

    linear = np.clip(SRGB_TO_LINEAR_8BIT[image] + amount * mask[..., None], 0, 1)
    srgb = np.where(linear <= 0.0031308, linear * 12.92, 1.055 * np.power(np.maximum(linear, 1e-12), 1 / 2.4) - 0.055)
    return (srgb * 255 + 0.5).astype(np.uint8)


def test_a_sheer_coloured_lid_is_read_but_a_highlight_is_not(shared_data):
    """A 35 % wash of green on the lids is makeup; a specular highlight on the
    forehead is the photo's lighting, while opaque white paint there is paint."""
    image = read_image(shared_data / CLEAN)
    face = detect_face(image)
    # The patch clear of the hairline: white that reaches the face's outline is left to
    # the paint segmenter, which takes grey for light (a white flower or hand comes in
    # from the edge).
    lids, forehead = _lid_and_forehead(image, face, 0.2)
    zones = group_zones(256)
    bare = reference_layer(image, face, 256).alpha
    lid_zone = (zones["eyes"] > 0.9) & (decompose(unwrap(image, face, 256)).presence < 0.2)

    layer = reference_layer(_over(image, lids, (70, 150, 90), 0.35), face, 256)
    assert float(layer.alpha[lid_zone].mean()) > 0.065
    green = layer.colour[lid_zone & (layer.alpha > 0.1)]
    assert len(green) > 50 and float(np.median(green[:, 1] - green[:, 0])) > 0.05

    skin = zones["skin"] > 0.9
    painted = _over(image, (forehead > 0.5).astype(np.float32), (250, 250, 250), 1.0)
    added_by_paint = int(((reference_layer(painted, face, 256).alpha - bare) > 0.3)[skin].sum())
    assert added_by_paint > 300
    # Unclipped (a clipped highlight is as white as paint); the stronger one is sheer
    # still, though its least coverage is high enough for paint to be read as covering.
    for amount in (0.12, 0.18):
        glare = _add_light(image, forehead, amount)
        assert float(np.abs(glare.astype(int) - image)[forehead > 0.5].mean()) > 10  # a clear highlight
        added_by_glare = int(((reference_layer(glare, face, 256).alpha - bare) > 0.3)[skin].sum())
        assert added_by_glare < 0.25 * added_by_paint, amount


def test_remove_leaves_a_lit_nose_alone(shared_data):
    """A bare face whose nose catches the light: the highlight is sheer added light,
    not white paint, however strongly paint far from the skin is read as covering."""
    image = read_image(shared_data / "faces" / "utkface" / "21_0_4_20161223214829361.jpg")
    changed = _delta_e(remove_makeup(image).image, image)
    # Read as paint, the highlight was taken off as a patch: 408 pixels moved by over 8.
    assert int((changed > 8).sum()) < 300


PINK_LIPS = "makeup-photos/non-makeup/xfsy_0202.png"  # bare lips noticeably pinker than most


def _lip_colour(image: np.ndarray, face) -> np.ndarray:
    from fram.face.regions import region_masks

    lips = region_masks(image, face).full("lips") > 0.5
    return np.median(rgb_to_lab(image)[lips], axis=0)


@pytest.mark.parametrize("lipstick", [(232, 150, 118), (200, 110, 120)], ids=["peach", "mauve"])
def test_a_lipstick_keeps_its_colour_on_pink_lips(shared_data, monkeypatch, lipstick):
    """Read as the least coverage, a lipstick over a paler guess of the bare lips is a
    sheer, over-vivid tint, and pink lips wearing it come out redder than it is."""
    import fram.makeup.decompose as decompose_module
    from fram.eval.metrics import delta_e00
    from fram.face.regions import region_masks

    bare = read_image(shared_data / CLEAN)
    face = detect_face(bare)
    reference = _over(bare, region_masks(bare, face).full("lips"), lipstick, 0.85)
    source = read_image(shared_data / PINK_LIPS)
    source_face = detect_face(source)
    worn = _lip_colour(reference, face)

    def error() -> float:
        made = np.asarray(transfer(source, reference, engine="layer").image)
        return float(delta_e00(_lip_colour(made, source_face)[None], worn[None])[0])

    as_lipstick = error()
    monkeypatch.setattr(decompose_module, "LIPSTICK_COVER", 0.0)
    as_least_coverage = error()
    assert as_lipstick < 3.2
    assert as_lipstick < 0.8 * as_least_coverage


SIDE_LIT = "makeup-photos-extra/made-up/BeautyGAN__imgs_makeup_XMY-136.png"  # deep-set eyes, lit from her left
SMOKY = "makeup-photos-extra/made-up/Digital-Makeup-Trans__images_exampe1.jpg"


def _coverage_near_each_eye(layer) -> tuple[float, float]:
    import cv2

    from fram.face.templates import uv_templates

    size = layer.size
    lids = cv2.dilate((uv_templates(size)["eyeshadow"] > 0.05).astype(np.uint8), np.ones((41, 41), np.uint8)) > 0
    left, right = lids.copy(), lids.copy()
    left[:, size // 2:], right[:, : size // 2] = False, False
    return float(layer.alpha[left].sum()), float(layer.alpha[right].sum())


def test_a_socket_shadow_on_one_side_is_not_worn_as_paint(shared_data):
    # Read as paint, the shadow beside her right eye's inner corner came out on other
    # faces as an opaque brown block by the nose: twice the coverage of the other eye.
    image = read_image(shared_data / SIDE_LIT)
    left, right = _coverage_near_each_eye(reference_layer(image, detect_face(image), 256))
    assert max(left, right) < 1.4 * min(left, right), (left, right)
    # A smoky eye worn on both eyes keeps all of it.
    image = read_image(shared_data / SMOKY)
    left, right = _coverage_near_each_eye(reference_layer(image, detect_face(image), 256))
    assert min(left, right) > 900, (left, right)


def test_the_reference_brows_are_hair_not_paint(shared_data):
    from fram.makeup.decompose import brows_in_uv

    image = read_image(shared_data / SIDE_LIT)
    face = detect_face(image)
    brows = brows_in_uv(image, face, 256) > 0.6
    assert brows.sum() > 200
    assert float(reference_layer(image, face, 256).alpha[brows].mean()) < 0.02


BLACK_SMOKY = "makeup-photos-extra/made-up/BeautyGAN__imgs_makeup_XMY-074.png"  # BeautyGAN's own example pair
LIT_LIDS = ("makeup-photos-extra/bare/BeautyGAN__imgs_no_makeup_vSYYZ306.png",  # a monolid's lit fold
            "makeup-photos-extra/bare/BeautyGAN__imgs_no_makeup_xfsy_0055.png")


@pytest.mark.parametrize("name", LIT_LIDS)
def test_a_black_smoky_eye_hides_the_lids_own_highlights(shared_data, name):
    """Opaque paint is matte: the lid's own specular light stayed on top of a black
    smoky lid and came out as a grey, glittering band (median L* 27.7 and 30.2 of the
    darkened lid pixels here before; about 22 now)."""
    source = read_image(shared_data / name)
    face = detect_face(source)
    from fram.face.regions import region_masks

    masks = region_masks(source, face)
    lids = masks.full("eyeshadow") * (1 - masks.full("brows")) > 0.5
    out = transfer(source, str(shared_data / BLACK_SMOKY), engine="layer", regions="eyes").image
    before, after = rgb_to_lab(source)[..., 0], rgb_to_lab(out)[..., 0]
    darkened = lids & (after < before - 25)
    assert darkened.sum() > 500, "the smoky eye should darken the lids"
    assert float(np.median(after[darkened])) < 25.0


def test_a_smoky_lower_lash_line_is_read_under_both_eyes(shared_data):
    """The lower lash line is liner, never hair: XMY-074's smoky lower lash line runs out
    to the hair at one temple and was read as a strand there (and then, one-sided,
    dropped under the other eye too): 0.07 / 0.01 mean coverage below the eyes before."""
    import cv2

    from fram.face.templates import uv_templates

    image = read_image(shared_data / BLACK_SMOKY)
    layer = reference_layer(image, detect_face(image), 256)
    eyes = uv_templates(256)["eyes"] > 0.5
    ring = cv2.dilate(eyes.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool) & ~eyes
    rows = np.arange(256)[:, None]
    for half in (slice(0, 128), slice(128, 256)):
        eye = np.zeros_like(eyes)
        eye[:, half] = eyes[:, half]
        below = ring & eye.any(axis=0)[None] & (rows > np.nonzero(eye)[0].mean())
        assert float(layer.alpha[below].mean()) > 0.25, half


WIDE_BLUSH = "makeup-photos/makeup/XYH-109.png"  # a wide pink blush the paint segmenter sees in one spot
WARM_CHEEK = "makeup-photos-extra/made-up/CPM__imgs_style-4.png"  # one cheek warmed by a side light


@pytest.mark.parametrize("name, least", [(WIDE_BLUSH, 0.7), (WARM_CHEEK, 0.5)])
def test_skin_coloured_paint_on_the_cheeks_is_worn_alike_on_both(shared_data, name, least):
    """Paint that only the paint segmenter tells from light is sheer unless read
    near-opaque: kept firm where it was seen, XYH-109's blush came out as a stamped
    pink patch on one cheek (mean coverage of the two cheek bands 0.010 / 0.024 before)
    and CPM style-4's side-lit cheek as a warm patch on one cheek (0.029 / 0.007)."""
    from fram.face.templates import uv_templates

    image = read_image(shared_data / name)
    layer = reference_layer(image, detect_face(image), 256)
    band = np.zeros((256, 256), bool)
    band[115:166] = True
    band &= uv_templates(256)["skin"] > 0.5
    sides = [float(layer.alpha[band & (np.arange(256) < 128)[None]].mean()), float(layer.alpha[band & (np.arange(256) >= 128)[None]].mean())]
    assert min(sides) > least * max(sides), sides


@pytest.mark.parametrize("name", ["XYH-109", "XMY-266"], ids=["dark-lipstick", "parted-lips"])
def test_lipstick_covers_the_whole_lips_of_a_closed_mouth(shared_data, name):
    """The reference's seam, teeth and (on dark lipstick) much of the upper lip are read
    as covered or as no paint; the source's own lips showed there as a pale band."""
    from fram.face.regions import region_masks

    source = read_image(shared_data / CLEAN)
    out = transfer(source, str(shared_data / f"makeup-photos/makeup/{name}.png"), engine="layer").image
    lips = region_masks(source, detect_face(source)).full("lips") > 0.5
    unchanged = float(np.mean(_delta_e(np.asarray(out), source)[lips] < 8))
    assert unchanged < 0.05  # 0.17 (dark plum) and 0.20 (parted lips) before the lipstick was completed
