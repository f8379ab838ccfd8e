"""Reading a reference's makeup is not fooled by how the face is lit or by what its
outline picks up: a side light's falloff is the face's shape, not dark paint, and
background or hair caught at the outline is not paint unless paint runs out to it.
A face painted all over is paint, not a strange skin; a grey photo is a bare face."""

import cv2
import numpy as np
import pytest

from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.templates import uv_templates
from fram.face.uv import UVTexture, mirror_fill, unwrap
from fram.makeup.decompose import (READ_DEAD_ZONE, RIM, SEEN, MakeupLayer, Surroundings, bare_distance, decompose, glasses_bridge,
                                   reference_layer, soft_sheer_paint, surrounding_colours, texture_lab)

BARE = "makeup-photos/non-makeup/vSYYZ241.png"
BLOCKS = "makeup-photos-extra/made-up/gorgeous__makeup_assets_art_0002.jpeg"  # colour blocks and white over the whole face
HEADSCARF = "makeup-photos-extra/made-up/gorgeous__makeup_assets_merdeka7_34.png"  # red scarf, red lips, flag liner
GOATEE = "faces/celebamask-hq/images/21f48e24530f4ff49041701b1b20b0c8.jpg"  # a bare man with a grey goatee
SMOKY = "makeup-photos-extra/made-up/Digital-Makeup-Trans__images_exampe1.jpg"  # a black smoky eye, no glasses
MOUSTACHE = "faces/utkface/55_0_2_20170104023125269.jpg"  # a bare man with a thick black moustache


@pytest.fixture(scope="module")
def bare_texture(shared_data):
    image = read_image(shared_data / BARE)
    return unwrap(image, detect_face(image), 256)


def _side_lit(texture: UVTexture) -> UVTexture:
    """The face lit from one side: Lambert falloff over its own normals, little fill light."""
    light = np.array([0.6, -0.1, 0.8], np.float32)
    light /= np.linalg.norm(light)
    shading = 0.3 + 0.7 * np.clip(texture.normals @ light, 0, 1)
    linear = (texture.texture.astype(np.float32) / 255.0) ** 2.2 * shading[..., None] / np.median(shading[texture.visibility > 0.5])
    relit = (np.clip(linear, 0, 1) ** (1 / 2.2) * 255 + 0.5).astype(np.uint8)
    return UVTexture(texture=relit, visibility=texture.visibility, normals=texture.normals)


def test_a_side_light_is_not_read_as_paint(bare_texture):
    lit = _side_lit(bare_texture)
    skin = uv_templates(256)["skin"] > 0.9
    with_shape = decompose(lit).layer.alpha[skin]
    without_shape = decompose(UVTexture(texture=lit.texture, visibility=lit.visibility)).layer.alpha[skin]
    assert float((with_shape > 0.2).mean()) < 0.05
    # The check can fail: read without the face's shape, the dark side is paint.
    assert float((without_shape > 0.2).mean()) > 2 * float((with_shape > 0.2).mean())


def _rim(size: int) -> np.ndarray:
    face = (uv_templates(size)["face"] > 0.5).astype(np.uint8)
    distance = cv2.distanceTransform(face, cv2.DIST_L2, 5) * 256.0 / size
    return (face > 0) & (distance < RIM[0] + 2)


def test_what_the_outline_picks_up_is_not_paint(bare_texture):
    rim = _rim(256)
    texture = bare_texture.texture.copy()
    texture[rim] = (20, 170, 190)  # a teal backdrop where the mesh overshoots the face
    layer = decompose(UVTexture(texture=texture, visibility=bare_texture.visibility, normals=bare_texture.normals)).layer
    assert float(layer.alpha[rim & (bare_texture.visibility > 0.5)].mean()) < 0.1


def test_paint_that_runs_out_to_the_outline_is_kept_there(bare_texture):
    rim = _rim(256)
    face = uv_templates(256)["face"] > 0.5
    half = np.zeros_like(face)
    half[:, :110] = True  # a colour block over one side of the face, out to its edge
    block = face & half
    texture = bare_texture.texture.astype(np.float32)
    texture[block] = 0.15 * texture[block] + 0.85 * np.array([30, 60, 200], np.float32)
    layer = decompose(UVTexture(texture=texture.astype(np.uint8), visibility=bare_texture.visibility,
                                normals=bare_texture.normals)).layer
    seen = bare_texture.visibility > 0.5
    assert float(layer.alpha[rim & block & seen].mean()) > 0.6
    assert float(layer.alpha[face & ~half & ~rim & seen & (uv_templates(256)["skin"] > 0.9)].mean()) < 0.1


def test_a_face_painted_all_over_is_read_as_paint(shared_data):
    image = read_image(shared_data / BLOCKS)
    face = detect_face(image)
    layer = reference_layer(image, face, 256)
    texture = unwrap(image, face, 256)
    lab = texture_lab(texture.texture)
    skin = (uv_templates(256)["skin"] > 0.9) & (texture.visibility > 0.5)
    white = skin & (lab[..., 0] > 85) & (np.hypot(lab[..., 1], lab[..., 2]) < 8)
    assert white.sum() > 500, "the reference wears white blocks"
    assert float(layer.alpha[white].mean()) > 0.25, "white face paint is paint, not a pale skin (it read 0.003 before)"
    assert float((layer.alpha[skin] > 0.3).mean()) > 0.5  # 0.38 before


def test_a_grey_photo_of_a_bare_face_reads_bare(shared_data):
    image = read_image(shared_data / BARE)
    grey = np.repeat(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
    layer = reference_layer(grey, detect_face(grey), 256)
    assert float(layer.alpha.mean()) < 0.05


def test_a_headscarf_is_not_paint_but_the_lipstick_of_its_colour_is(shared_data):
    image = read_image(shared_data / HEADSCARF)
    face = detect_face(image)
    layer = reference_layer(image, face, 256)
    scarf = surrounding_colours(image, face).framing()
    assert len(scarf), "the red scarf frames the face"
    texture = unwrap(image, face, 256)
    lab = texture_lab(texture.texture)
    red = np.min(np.linalg.norm(lab[:, :, None] - scarf[None, None], axis=-1), axis=-1) < 14
    tpl = uv_templates(256)
    outer = red & (tpl["face"] > 0.5) & (tpl["lips"] < 0.1) & (texture.visibility > 0.5)
    assert outer.sum() > 300, "the scarf comes over the face's edge"
    assert float(layer.alpha[outer].mean()) < 0.15
    assert float(layer.alpha[tpl["lips"] > 0.9].mean()) > 0.4


def test_a_beard_is_hair_not_paint(shared_data):
    image = read_image(shared_data / GOATEE)
    face = detect_face(image)
    layer = reference_layer(image, face, 256)
    tpl = uv_templates(256)
    nose_bottom = int(np.nonzero((tpl["nose"] > 0.5).any(axis=1))[0].max())
    below_nose = np.zeros((256, 256), bool)
    below_nose[nose_bottom:] = True
    chin = below_nose & (tpl["face"] > 0.5) & (tpl["lips"] < 0.05) & (unwrap(image, face, 256).visibility > 0.5)
    assert float((layer.alpha[chin] > 0.3).mean()) < 0.05


def test_face_paint_far_from_the_skin_is_read_as_covering(bare_texture):
    """A lilac block on the cheek is read at its own colour, not as a sheerer, more
    vivid one that would let another skin show through."""
    tpl = uv_templates(256)
    block = np.zeros((256, 256), bool)
    block[150:180, 40:80] = True
    block &= (tpl["skin"] > 0.9) & (bare_texture.visibility > 0.5)
    lilac = np.array([215, 140, 225], np.float32)
    texture = bare_texture.texture.astype(np.float32)
    texture[block] = lilac
    split = decompose(UVTexture(texture=texture.astype(np.uint8), visibility=bare_texture.visibility,
                                normals=bare_texture.normals))
    layer = split.layer
    inner = cv2.erode(block.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert float(layer.alpha[inner].mean()) > 0.9
    # Worn on a deep skin under the same light (the layer's colour is an albedo).
    paint = (1 - layer.alpha[inner, None]) * np.array([0.1, 0.05, 0.03], np.float32) + layer.alpha[inner, None] * layer.colour[inner]
    worn_on_dark_skin = paint * split.bare.shading[inner, None]
    lab = texture_lab((np.clip(worn_on_dark_skin, 0, 1) ** (1 / 2.2) * 255).astype(np.uint8)[None])[0]
    assert float(np.linalg.norm(lab - texture_lab(lilac.astype(np.uint8).reshape(1, 1, 3))[0, 0], axis=-1).mean()) < 12.0


def test_a_blended_blush_is_read_sheer_and_a_drawn_shape_of_its_hue_opaque(bare_texture):
    """The same coral, of the skin's own hue, painted as a blended blush (coverage
    fading over a dozen texels) and as a drawn disc (a stencil's edge): the blush is
    a sheer product, and read as opaque it was worn as a firm pale disc; the disc is
    face paint and covers."""
    tpl = uv_templates(256)
    skin = (tpl["skin"] > 0.9) & (bare_texture.visibility > 0.5)
    coral = np.array([235, 120, 95], np.float32)
    texture = bare_texture.texture.astype(np.float32)
    blended, drawn = np.zeros((256, 256), np.float32), np.zeros((256, 256), np.float32)
    cv2.circle(blended, (66, 150), 12, 0.8, -1)
    blended = cv2.GaussianBlur(blended, (0, 0), 6) * skin
    cv2.circle(drawn, (190, 150), 14, 0.8, -1)
    drawn = cv2.GaussianBlur(drawn, (0, 0), 0.7) * skin
    for coverage in (blended, drawn):
        texture = (1 - coverage[..., None]) * texture + coverage[..., None] * coral
    layer = decompose(UVTexture(texture=texture.astype(np.uint8), visibility=bare_texture.visibility,
                                normals=bare_texture.normals)).layer
    assert float(layer.alpha[140:161, 56:77].max()) < 0.75  # about its own coverage
    assert float(layer.alpha[140:161, 56:77].mean()) > 0.1  # still read
    assert float(layer.alpha[143:158, 183:198].mean()) > 0.85


def test_the_soft_edge_of_hair_over_a_cheek_is_not_a_line_of_paint(bare_texture):
    """Dark hair over the side of a cheek, fading into the skin over a few texels: the
    hair is a cover, and so is its soft edge (a blend of hair and skin), which read
    alone as paint would be worn as a streak down another face's cheek."""
    tpl = uv_templates(256)
    hair = np.array([45, 32, 28], np.float32)
    texture = bare_texture.texture.astype(np.float32)
    columns = np.arange(256, dtype=np.float32)[None, :, None]
    share = np.clip((66 - columns) / 8, 0, 1)  # all hair left of column 58, all skin right of 66
    rows = np.zeros((256, 1, 1), np.float32)
    rows[110:200] = 1
    texture = texture * (1 - share * rows) + hair * share * rows
    surroundings = Surroundings(colours=texture_lab(np.array([[hair, [240, 240, 240]]], np.uint8))[0], shares=np.array([0.6, 0.4], np.float32))
    layer = decompose(UVTexture(texture=texture.astype(np.uint8), visibility=bare_texture.visibility,
                                normals=bare_texture.normals), surroundings).layer
    fringe = np.zeros((256, 256), bool)
    fringe[120:190, 58:68] = True
    fringe &= (tpl["face"] > 0.5) & (bare_texture.visibility > 0.5)
    assert fringe.sum() > 100
    assert float((layer.alpha[fringe] > 0.2).mean()) < 0.05


def test_a_moustache_is_hair_not_paint(shared_data):
    """Black hair on warm skin fades it toward grey: that is a departure in colour as
    well as lightness, and still hair."""
    image = read_image(shared_data / MOUSTACHE)
    face = detect_face(image)
    layer = reference_layer(image, face, 256)
    tpl = uv_templates(256)
    nose_bottom = int(np.nonzero((tpl["nose"] > 0.5).any(axis=1))[0].max())
    lip_top = int(np.nonzero((tpl["lips"] > 0.5).any(axis=1))[0].min())
    upper_lip = np.zeros((256, 256), bool)
    upper_lip[nose_bottom:lip_top - 2, 100:156] = True
    upper_lip &= (tpl["face"] > 0.5) & (tpl["lips"] < 0.05) & (unwrap(image, face, 256).visibility > 0.5)
    assert upper_lip.sum() > 100
    assert float((layer.alpha[upper_lip] > 0.3).mean()) < 0.05


def test_a_bare_mans_moustache_and_lit_lip_are_not_lipstick(shared_data):
    """The same bare man's moustache hangs over his upper lip and his pale lower lip
    caught the light: read as paint they were worn by other faces as grey lipstick
    and a white blob on the lower lip (lips 0.39 mean coverage, 81 % of the upper lip
    over 0.3)."""
    image = read_image(shared_data / MOUSTACHE)
    layer = reference_layer(image, detect_face(image), 256)
    lips = uv_templates(256)["lips"] > 0.5
    rows = np.nonzero(lips.any(axis=1))[0]
    upper_lip = lips.copy()
    upper_lip[(rows.min() + rows.max()) // 2:] = False
    assert float(layer.alpha[lips].mean()) < 0.25
    assert float((layer.alpha[upper_lip] > 0.3).mean()) < 0.5


def _under_the_eyes(size: int) -> np.ndarray:
    """Upper cheeks below the eyes, off the lids and the lash line: where a pair of
    glasses' lower rims sit, and little makeup does."""
    tpl = uv_templates(size)
    eyes = tpl["eyes"] > 0.5
    bottom = int(np.nonzero(eyes.any(axis=1))[0].max())
    band = np.zeros((size, size), bool)
    band[bottom + 4: bottom + 22] = True
    columns = np.nonzero(eyes.any(axis=0))[0]
    band[:, : columns.min()] = False
    band[:, columns.max() + 1:] = False
    return band & (tpl["eyeshadow"] < 0.05) & (tpl["eyeliner"] < 0.05) & (tpl["face"] > 0.5)


def test_spectacle_frames_are_not_paint(shared_data):
    image = read_image(shared_data / GOATEE)  # he wears dark-framed glasses
    face = detect_face(image)
    layer = reference_layer(image, face, 256)
    band = _under_the_eyes(256) & (unwrap(image, face, 256).visibility > 0.5)
    # Read as paint, his lower rims cover 8 % of this band.
    assert float((layer.alpha[band] > 0.3).mean()) < 0.02


def test_a_smoky_eye_is_not_taken_for_glasses(shared_data):
    image = read_image(shared_data / SMOKY)
    face = detect_face(image)
    texture = unwrap(image, face, 256)
    split = decompose(texture, surrounding_colours(image, face))
    lab = texture_lab(cv2.GaussianBlur(mirror_fill(texture, SEEN)[0], (0, 0), 0.6))
    assert glasses_bridge(lab, split.bare, bare_distance(lab, split.bare)) is None
    lids = uv_templates(256)["eyeshadow"] > 0.5
    assert float(split.layer.alpha[lids].mean()) > 0.5


BLUSH = "makeup-photos/makeup/XMY-112.png"  # a soft pink blush on both cheeks, winged liner, pink lips


def _cheeks(size: int) -> np.ndarray:
    """The skin zone away from the lips' edge (whose step in coverage is the lip line)."""
    from fram.makeup.wear import group_zones

    near_lips = cv2.dilate((uv_templates(size)["lips"] > 0.05).astype(np.uint8), np.ones((21, 21), np.uint8)) > 0
    return (group_zones(size)["skin"] > 0.5) & ~near_lips


def test_a_blush_read_from_a_photo_is_worn_soft_not_in_patches(shared_data):
    image = read_image(shared_data / BLUSH)
    face = detect_face(image)
    texture = unwrap(image, face, 256)
    as_read = decompose(texture, surrounding_colours(image, face), None, READ_DEAD_ZONE).layer
    worn = soft_sheer_paint(as_read)
    blush = _cheeks(256) & (cv2.GaussianBlur(as_read.alpha, (0, 0), 4) > 0.03)
    assert blush.sum() > 1000
    # The amount of blush is kept, but the specks and holes of the patches are gone.
    assert abs(float(worn.alpha[blush].sum()) / float(as_read.alpha[blush].sum()) - 1) < 0.15
    specks = lambda a: float(np.abs(a - cv2.GaussianBlur(a, (0, 0), 1.0))[blush].mean())  # noqa: E731
    assert specks(worn.alpha) < 0.3 * specks(as_read.alpha)
    # Its colour is still the blush's pink, not greyed by the bare texels it spreads over.
    pink = worn.alpha[blush] > 0.1
    lab = texture_lab((np.clip(worn.colour, 0, 1) ** (1 / 2.2) * 255).astype(np.uint8))[blush][pink]
    assert float(np.median(lab[:, 1])) > 15


def test_firm_paint_and_the_lids_and_lips_keep_their_edges():
    size = 256
    tpl = uv_templates(size)
    alpha = np.zeros((size, size), np.float32)
    cv2.circle(alpha, (80, 150), 12, 0.9, -1)  # a firm dot of face paint on a cheek
    alpha[tpl["lips"] > 0.5] = 0.3  # a sheer lip tint
    alpha[tpl["eyeshadow"] > 0.5] = 0.15  # a sheer lid wash
    colour = np.full((size, size, 3), 0.5, np.float32)
    layer = soft_sheer_paint(MakeupLayer(colour=colour, alpha=alpha))
    assert np.allclose(layer.alpha[tpl["lips"] > 0.5], 0.3, atol=0.02)
    assert np.allclose(layer.alpha[tpl["eyeshadow"] > 0.5], 0.15, atol=0.02)
    inside, outside = np.zeros_like(alpha, bool), np.ones_like(alpha, bool)
    cv2.circle(inside.view(np.uint8), (80, 150), 10, 1, -1)
    cv2.circle(outside.view(np.uint8), (80, 150), 16, 0, -1)
    assert layer.alpha[inside].min() > 0.85
    assert layer.alpha[outside & (tpl["face"] > 0.5) & (tpl["lips"] < 0.05) & (tpl["eyeshadow"] < 0.05)].max() < 0.05


def test_sheer_paint_on_one_cheek_is_worn_on_both_and_a_hidden_side_is_completed():
    # A side-lit reference shows a warmer, darker or redder cheek on one side only; read
    # as a blush it was a patch on one cheek of every face. A blush is put on both cheeks.
    size = 256
    alpha = np.zeros((size, size), np.float32)
    cv2.circle(alpha, (70, 150), 14, 0.16, -1)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 3)
    colour = np.zeros((size, size, 3), np.float32)
    colour[...] = (0.8, 0.2, 0.3)
    layer = MakeupLayer(colour=colour, alpha=alpha)
    both = soft_sheer_paint(layer)
    near = lambda a, x: float(a[140:161, x - 10:x + 11].mean())  # noqa: E731
    assert near(both.alpha, 70) > 0.03
    assert abs(near(both.alpha, 70) / near(both.alpha, size - 1 - 70) - 1) < 0.05
    assert abs(float(both.alpha.sum()) / float(alpha.sum()) - 1) < 0.1
    assert np.allclose(both.colour[150, size - 1 - 70], (0.8, 0.2, 0.3), atol=0.02)
    # The other cheek hidden (hair, a turned head): this cheek's blush is kept in full
    # and completes the hidden one.
    read = np.ones((size, size), np.float32)
    read[:, size // 2 + 20:] = 0
    completed = soft_sheer_paint(layer, read)
    assert abs(near(completed.alpha, 70) / near(soft_sheer_paint(layer, np.ones_like(read)).alpha, 70) - 2) < 0.2
    assert abs(near(completed.alpha, size - 1 - 70) / near(completed.alpha, 70) - 1) < 0.05


@pytest.mark.parametrize("name, worn, step", [
    # The bronze contour under her cheekbones is a darker shade of her own skin. Read
    # as opaque face paint it was a brown disc on other faces (a fifth of the cheeks at
    # over 0.6 coverage, edges stepping 0.4 in a texel); it is a soft shade now.
    ("makeup-photos-extra/made-up/SCGAN__MT-Dataset_images_makeup_XMY-078.png", 0.05, 0.3),
    # vFG293's wide peach blush is the skin's own hue, more vivid. Read as opaque face
    # paint it was a pale peach disc on other faces (a fifth of the cheeks over 0.6
    # coverage, edges stepping 0.89 in a texel), paler than the skin on a dark one.
    ("makeup-photos/makeup/vFG293.png", 0.1, 0.2),
], ids=["contour", "wide blush"])
def test_contour_and_a_wide_blush_are_read_sheer_not_as_a_stamped_disc(shared_data, name, worn, step):
    image = read_image(shared_data / name)
    alpha = reference_layer(image, detect_face(image), 256).alpha
    cheeks = uv_templates(256)["cheeks"] > 0.5
    assert float((alpha[cheeks] > 0.6).mean()) < 0.02
    assert float(alpha[cheeks].mean()) > worn  # still worn
    assert float(np.abs(np.diff(alpha, axis=0))[cheeks[1:]].max()) < step
    assert float(np.abs(np.diff(alpha, axis=1))[cheeks[:, 1:]].max()) < step


def test_a_blush_the_segmenter_sees_is_read_in_full_and_bare_cheeks_stay_bare(shared_data):
    # Bare cheeks vary in redness, so a pink blush fell half inside the dead zone: 0.06
    # and 0.09 mean coverage on XMY-112's cheeks, against 0.12 for both now.
    cheeks = uv_templates(256)["cheeks"] > 0.5
    left, right = cheeks.copy(), cheeks.copy()
    left[:, 128:], right[:, :128] = False, False
    for name, low, high in (("makeup-photos/makeup/XMY-112.png", 0.1, 1.0), (BARE, 0.0, 0.01),
                            ("makeup-photos/non-makeup/xfsy_0435.png", 0.0, 0.01)):
        image = read_image(shared_data / name)
        alpha = reference_layer(image, detect_face(image), 256).alpha
        for side in (left, right):
            assert low <= float(alpha[side].mean()) <= high, name


def test_a_blush_read_stronger_on_one_cheek_is_worn_on_both(shared_data):
    # vFG110 wears a strong pink blush on both cheeks; the reading found most of it on
    # one (0.039 against 0.015 mean coverage), and every source wore a spot on one cheek.
    cheeks = uv_templates(256)["cheeks"] > 0.5
    left, right = cheeks.copy(), cheeks.copy()
    left[:, 128:], right[:, :128] = False, False
    image = read_image(shared_data / "makeup-photos-extra/made-up/A-Disentangled-Makeu__test_makeup_vFG110.png")
    alpha = reference_layer(image, detect_face(image), 256).alpha
    sides = sorted((float(alpha[left].mean()), float(alpha[right].mean())))
    assert sides[0] > 0.02 and sides[1] < 1.4 * sides[0], sides
