import numpy as np

from fram.face.uv import face_projection, project, unwrap


def test_unwrap_shapes_and_visibility(astronaut, astronaut_face):
    tex = unwrap(astronaut, astronaut_face, size=128)
    assert tex.texture.shape == (128, 128, 3) and tex.texture.dtype == np.uint8
    assert tex.visibility.shape == (128, 128)
    assert 0 <= tex.visibility.min() and tex.visibility.max() <= 1
    # A frontal face is mostly visible; the corners of the UV square are not face.
    assert tex.visibility[40:90, 30:100].mean() > 0.9
    assert tex.visibility[0, 0] == 0


def test_unwrap_then_project_reproduces_the_face(astronaut, astronaut_face):
    tex = unwrap(astronaut, astronaut_face, size=256)
    proj = face_projection(astronaut_face)
    layer = project(tex.texture.astype(np.float32), astronaut_face, proj)
    assert layer.full().shape == astronaut.shape
    inner = proj.coverage > 0.99
    crop = astronaut[proj.slices].astype(np.float32)
    error = np.abs(layer.data - crop)[inner].mean()
    assert error < 12, error


def test_profile_face_hides_the_far_cheek(shared_data):
    from fram.face.image_io import read_image
    from fram.face.landmarks import detect_face

    for path in sorted((shared_data / "faces" / "celebamask-hq" / "images").glob("*.jpg"))[:60]:
        image = read_image(path)
        face = detect_face(image)
        if abs(face.pose.yaw) > 25:
            break
    else:
        raise AssertionError("no turned head among the first 60 CelebAMask-HQ photos")
    vis = unwrap(image, face, 128).visibility
    left, right = vis[40:100, 5:40].mean(), vis[40:100, 88:123].mean()
    assert min(left, right) < max(left, right) - 0.2
