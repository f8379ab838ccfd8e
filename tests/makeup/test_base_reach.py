"""Foundation reaches the hairline and under the jaw, over skin only."""

import numpy as np
import pytest
from PIL import Image

import fram
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.uv import face_projection

# A man with a high forehead and short curly hair (CelebAMask-HQ, development split).
FOREHEAD_PHOTO = "24285ffdb5e3437bb6790475feb716df"


@pytest.mark.data
def test_white_foundation_reaches_the_hairline_but_not_the_hair(shared_data):
    root = shared_data / "faces" / "celebamask-hq"
    if not (root / "images" / f"{FOREHEAD_PHOTO}.jpg").is_file():
        pytest.skip("CelebAMask-HQ photo not in shared data")
    image = read_image(root / "images" / f"{FOREHEAD_PHOTO}.jpg")
    labels = np.asarray(Image.open(root / "masks" / f"{FOREHEAD_PHOTO}.png"))
    assert labels.shape == image.shape[:2]
    face = detect_face(image)
    projection = face_projection(face)
    mesh = np.zeros(image.shape[:2], bool)
    mesh[projection.slices] = projection.coverage > 0
    out = fram.apply_makeup(image, "goth", regions="skin").image
    changed = np.abs(out.astype(np.int16) - image).sum(axis=2)

    rows = np.arange(image.shape[0])[:, None]
    top = face.landmarks[10, 1]  # the mesh's top edge, mid-forehead
    forehead = (labels == 1) & ~mesh & (rows < top)
    assert forehead.sum() > 2000  # the photo shows a forehead above the mesh
    # Labelled skin above the mesh is painted: the pale base lightens it.
    assert np.median(changed[forehead]) > 15
    lighter = out[forehead].astype(np.int16).sum(axis=1) - image[forehead].astype(np.int16).sum(axis=1)
    assert np.mean(lighter > 0) > 0.9
    # Hair and background show no visible change (more than about 4 levels a channel),
    # bar the feathered line along the skin. A skin-coloured background beside the jaw
    # (out-of-focus brown here) takes a faint share of the base.
    near_skin = np.zeros_like(forehead)
    skin = labels == 1
    for dy in range(-3, 4):
        for dx in range(-3, 4):
            near_skin |= np.roll(skin, (dy, dx), axis=(0, 1))
    elsewhere = np.isin(labels, (0, 13)) & ~near_skin
    assert elsewhere.sum() > 10000
    assert np.mean(changed[elsewhere] > 12) < 0.01


@pytest.mark.data
def test_foundation_fades_out_under_the_jaw(shared_data):
    path = shared_data / "faces" / "scut-fbp5500" / "CM1.jpg"
    if not path.is_file():
        pytest.skip("SCUT-FBP5500 photo not in shared data")
    image = read_image(path)
    face = detect_face(image)
    out = fram.apply_makeup(image, "goth", regions="skin").image
    changed = np.abs(out.astype(np.int16) - image).sum(axis=2)
    chin = face.landmarks[152, :2]
    column = int(round(chin[0]))
    below = changed[int(chin[1]) + 2 : int(chin[1] + 0.25 * face.width), column - 2 : column + 3].mean(axis=1)
    # Painted just under the chin, less and less further down the neck, then not at all.
    assert below[:3].mean() > 10
    assert below[-3:].max() < 2
    assert below[len(below) // 3] < below[0]
