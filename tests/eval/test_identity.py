import numpy as np
import pytest

from fram.eval.identity import SAME_PERSON_THRESHOLD, FaceEmbedder, identity_distance, models_folder
from fram.eval.suites.common import _reframed


@pytest.fixture(scope="module")
def embedder():
    return FaceEmbedder.default()


def test_models_load_offline():
    folder = models_folder()
    assert (folder / "dlib_face_recognition_resnet_model_v1.dat").is_file()


def test_same_photo_zero_same_person_small(embedder, astronaut, astronaut_face, astronaut_red):
    base = embedder.embed(astronaut, astronaut_face)
    assert base.vector.shape == (128,) and base.detector == "dlib"
    assert identity_distance(base, embedder.embed(astronaut.copy())) < 1e-6
    copy = embedder.embed(_reframed(astronaut))
    assert 0 < identity_distance(base, copy) < SAME_PERSON_THRESHOLD
    assert identity_distance(base, embedder.embed(astronaut_red, astronaut_face)) < SAME_PERSON_THRESHOLD


def test_mediapipe_fallback_box(embedder, astronaut, astronaut_face):
    from fram.eval.identity import _rectangle_from_face

    class Blind:  # a detector that never finds a face
        def __call__(self, image, upsample):
            return []

    fallback = FaceEmbedder.__new__(FaceEmbedder)
    fallback.__dict__.update(embedder.__dict__, _detector=Blind())
    found = fallback.embed(astronaut, astronaut_face)
    assert found.detector == "mediapipe"
    assert identity_distance(found, embedder.embed(astronaut, astronaut_face)) < 0.1
    assert _rectangle_from_face(astronaut_face, 1.0).width() == pytest.approx(astronaut_face.width, abs=2)


def test_no_face_raises(embedder):
    from fram.eval.identity import NoIdentityFaceError

    with pytest.raises(NoIdentityFaceError):
        embedder.embed(np.full((120, 120, 3), 128, np.uint8))


@pytest.mark.data
def test_different_people_farther_than_same_person(embedder, shared_data, astronaut):
    from fram.eval.suites.common import list_images
    from fram.face.image_io import read_image

    photos = list_images(shared_data / "makeup-photos" / "non-makeup")[:3]
    vectors = [embedder.embed(read_image(p)) for p in photos]
    different = [identity_distance(a, b) for i, a in enumerate(vectors) for b in vectors[i + 1 :]]
    same = identity_distance(embedder.embed(astronaut), embedder.embed(_reframed(astronaut)))
    assert min(different) > same
    assert min(different) > 0.45
