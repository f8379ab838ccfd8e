import cv2
import numpy as np
import pytest

from fram.errors import FaceIndexError, FaceTooSmallError, NoFaceError
from fram.face.landmarks import FaceLandmarker, FaceLandmarkerOptions, LIPS_OUTER, detect_face, select_face


def test_astronaut_has_one_frontal_face(astronaut, astronaut_face):
    face = astronaut_face
    assert face.landmarks.shape == (478, 3)
    h, w = astronaut.shape[:2]
    assert face.image_size == (h, w)
    x0, y0, x1, y1 = face.bbox
    # The face is in the upper middle of the photo.
    assert 150 < x0 < x1 < 330 and 30 < y0 < y1 < 260
    assert abs(face.pose.yaw) < 20 and abs(face.pose.roll) < 20
    # Lips are below the eyes.
    assert face.landmarks[list(LIPS_OUTER), 1].mean() > face.landmarks[[33, 263], 1].mean()


def test_huge_photo_is_analysed_downscaled_but_reported_native(astronaut, astronaut_face):
    big = cv2.resize(astronaut, (4096, 4096), interpolation=cv2.INTER_CUBIC)
    face = detect_face(big)
    assert face.image_size == (4096, 4096)
    np.testing.assert_allclose(face.landmarks[:, :2] / 8, astronaut_face.landmarks[:, :2], atol=3.0)


def test_no_face_raises_with_size():
    with pytest.raises(NoFaceError, match="no face found.*64x48"):
        detect_face(np.full((48, 64, 3), 128, np.uint8))


def test_tiny_face_is_refused_with_its_size(astronaut):
    small = cv2.resize(astronaut, (160, 160), interpolation=cv2.INTER_AREA)
    with pytest.raises((FaceTooSmallError, NoFaceError), match="px"):
        detect_face(small)


def test_face_index_out_of_range(astronaut):
    with FaceLandmarker.create_from_options(FaceLandmarkerOptions()) as landmarker:
        result = landmarker.detect(astronaut)
        with pytest.raises(FaceIndexError, match="1 face"):
            select_face(result, 3)


def test_wrong_mode_is_refused(astronaut):
    with FaceLandmarker.create_from_options(video=True) as landmarker:
        with pytest.raises(ValueError, match="video"):
            landmarker.detect(astronaut)
        assert len(landmarker.detect_for_video(astronaut, 0).faces) == 1
