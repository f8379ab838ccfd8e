"""The occluder segmenter: hair and glasses over a face are cover, paint on it is not."""

import numpy as np
import pytest
from PIL import Image

from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.occluders import OCCLUDER_CLASSES, occluded
from fram.face.templates import uv_templates
from fram.face.uv import unwrap
from fram.makeup.decompose import reference_layer
from fram.makeup.patterns import draw_pattern, wear_pattern

# CelebAMask-HQ photos after the first 800 (the segmenter's training photos).
GLASSES = "d5e244ea953d4a2a9eb6bd5a6a83939e"
HAIR_OVER_FACE = "ce4f9a2704c640ef91877d9fd46f8a55"
LONG_HAIR = "da83e90d84444a6daa2e71bb7cd5ab76"
SIZE = 256


def _photo(shared_data, name):
    root = shared_data / "faces" / "celebamask-hq"
    if not (root / "images" / f"{name}.jpg").is_file():
        pytest.skip("CelebAMask-HQ photo not in shared data")
    image = read_image(root / "images" / f"{name}.jpg")
    labels = np.isin(np.asarray(Image.open(root / "masks" / f"{name}.png")), OCCLUDER_CLASSES).astype(np.uint8) * 255
    return image, Image.fromarray(labels).resize(image.shape[1::-1], Image.NEAREST)


def _truth(labels, face):
    return unwrap(np.repeat(np.asarray(labels)[..., None], 3, axis=2), face, SIZE).texture[..., 0] > 127


@pytest.mark.data
@pytest.mark.parametrize("name", [GLASSES, HAIR_OVER_FACE])
def test_glasses_and_hair_over_the_face_are_found(shared_data, name):
    image, labels = _photo(shared_data, name)
    face = detect_face(image)
    texture = unwrap(image, face, SIZE)
    counted = (uv_templates(SIZE)["face"] > 0.5) & (texture.visibility > 0.5)
    truth = _truth(labels, face) & counted
    assert truth.sum() > 800  # the photo does show cover over the face
    found = (occluded(texture) > 0.5) & counted
    iou = (found & truth).sum() / (found | truth).sum()
    assert iou > 0.5
    # The bare skin between is left alone.
    skin = counted & ~_truth(labels, face)
    assert found[skin].mean() < 0.1


@pytest.mark.data
def test_paint_is_not_cover_and_is_still_read(shared_data):
    image, labels = _photo(shared_data, LONG_HAIR)
    face = detect_face(image)
    look = draw_pattern(("stars", "dots"), np.random.default_rng(3))
    painted = wear_pattern(image, face, look.layer)
    texture, worn = unwrap(image, face, SIZE), unwrap(painted, face, SIZE)
    paint = (np.abs(worn.texture.astype(np.int16) - texture.texture).sum(axis=-1) > 30) & (worn.visibility > 0.5) & ~_truth(labels, face)
    assert paint.sum() > 200
    assert (occluded(worn)[paint] > 0.5).mean() < 0.1
    # Read back off the photo, the paint is there and the hair over the face is not.
    layer = reference_layer(painted, face, SIZE)
    assert np.median(layer.alpha[paint]) > 0.5
    hair = _truth(labels, face) & (uv_templates(SIZE)["face"] > 0.5) & (worn.visibility > 0.5) & ~paint
    assert hair.sum() > 2000
    assert np.percentile(layer.alpha[hair], 90) < 0.1


@pytest.mark.data
@pytest.mark.parametrize("name", ['ce4f9a2704c640ef91877d9fd46f8a55', 'd01ca202ee9243168f489ebb9d54743a', 'd58dfb2fb46f417c95467c2b9d02a2be', 'd1b9a3322d744196adeedc262604c335'])
def test_hair_and_hats_over_a_reference_are_not_read_as_paint(shared_data, name):
    # A fringe, a cap's brim, strands over a cheek: without the segmenter 6-31 % of
    # these photos' hair texels read as paint (coverage > 0.3). On the lids neither
    # rule is asked (a bold eye look is a dark band too), so a fringe that falls onto
    # them still reads as paint there: the bound is 8 %, not 0.
    image, _ = _photo(shared_data, name)
    labels = np.asarray(Image.open(shared_data / "faces" / "celebamask-hq" / "masks" / f"{name}.png"))
    hair = Image.fromarray((np.isin(labels, (13, 14)) * 255).astype(np.uint8)).resize(image.shape[1::-1], Image.NEAREST)
    face = detect_face(image)
    texture = unwrap(image, face, SIZE)
    over = _truth(hair, face) & (texture.visibility > 0.5) & (uv_templates(SIZE)["face"] > 0.5)
    assert over.sum() > 3000
    layer = reference_layer(image, face, SIZE)
    assert (layer.alpha[over] > 0.3).mean() < 0.08
