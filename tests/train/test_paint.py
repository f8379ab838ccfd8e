"""The paint segmenter's training data: men of the training split, bare (nothing to
find) and painted (where the paint departs), some relit without the target moving."""

import numpy as np
import pytest

from fram.data.sources import split_of
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.uv import unwrap
from fram.train.paint import extract, relit, training_photos


@pytest.mark.data
def test_training_photos_are_men_of_the_training_split(shared_data):
    photos = training_photos(shared_data / "faces")
    assert len(photos) > 1000
    for path in photos[:300]:
        folder = path.parent.name
        assert split_of(f"{folder}/{path.name}") == "train"
        assert path.name.split("_")[1] == "0" if folder == "utkface" else path.name[:2] in ("AM", "CM")


@pytest.mark.data
def test_extract_pairs_bare_and_painted_textures_with_their_targets(shared_data, tmp_path):
    photos = training_photos(shared_data / "faces")[:2]
    x, y = extract(photos, jitter=2, seed=1, log=lambda _: None, cache=tmp_path)
    assert x.shape[1:] == (6, 128, 128) and y.shape[1:] == (128, 128) and len(x) == len(y) == 6
    targets = y.astype(np.float32)
    assert targets[0].max() == 0 and targets[3].max() == 0  # each photo bare first
    assert targets[[1, 2, 4, 5]].sum(axis=(1, 2)).min() > 1  # then painted
    again = extract(photos, jitter=2, seed=1, log=lambda _: None, cache=tmp_path)
    assert np.array_equal(again[0], x)  # from the cache


@pytest.mark.data
def test_relit_moves_the_light_not_the_face(shared_data):
    image = read_image(training_photos(shared_data / "faces")[0])
    texture = unwrap(image, detect_face(image), 128)
    other = relit(texture, np.random.default_rng(4))
    seen = texture.visibility > 0.5
    change = np.abs(other.texture.astype(np.int16) - texture.texture)[seen].mean()
    assert change > 3
    assert np.array_equal(other.visibility, texture.visibility) and other.normals is texture.normals
