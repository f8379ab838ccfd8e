import json
import numpy as np
import pytest
from PIL import Image

from fram.errors import ModelNotFoundError
from fram.face.brows import CROP, BrowNet, crop_features, crop_frame, paste, refine_brows
from fram.face.regions import brow_inputs


def test_crop_frame_puts_the_inner_end_left_and_the_forehead_up():
    middle = np.array([[300.0, 200.0], [250.0, 190.0], [200.0, 200.0]])  # inner end at x=300
    eye = np.array([250.0, 240.0])  # below the brow in the photo
    frame = crop_frame(middle, eye)

    def to_photo(x, y):
        return frame @ np.array([x, y, 1.0])

    length = 100.0
    # Crop column 0 lies 0.2 brow lengths beyond the inner end, the last one beyond the outer end.
    left, right = to_photo(0, CROP.height / 2), to_photo(CROP.width - 1, CROP.height / 2)
    assert left[0] > 300 + 0.15 * length and right[0] < 200 - 0.15 * length
    # Row 0 is on the forehead side (smaller y in the photo), the last row toward the eye.
    assert to_photo(CROP.width / 2, 0)[1] < to_photo(CROP.width / 2, CROP.height - 1)[1]


def test_crop_and_paste_round_trip(astronaut, astronaut_face):
    lab, geometry, prior, projection = brow_inputs(astronaut, astronaut_face)
    for middle, eye, outline in geometry:
        frame = crop_frame(middle, eye)
        x = crop_features(lab, prior, outline, frame)
        assert x.shape == (5, CROP.height, CROP.width) and x.dtype == np.float32
        back = paste(x[4], frame, lab.shape[:2])  # the mesh outline, out and back in
        inside = outline > 0.9
        assert inside.sum() > 30 and np.mean(back[inside] > 0.5) > 0.9
        # Colours are relative to the crop's own median (exposure and skin tone drop out).
        assert np.allclose(np.median(x[:3].reshape(3, -1), axis=1), 0, atol=0.02)


def test_refined_brows_on_a_real_photo(astronaut, astronaut_face):
    lab, geometry, prior, _ = brow_inputs(astronaut, astronaut_face)
    brows = refine_brows(lab, geometry, prior)
    assert brows.shape == prior.shape and 0 <= brows.min() and brows.max() <= 1
    mask, prior_mask = brows > 0.5, prior > 0.5
    # Both brows are found, near where the rules put them, and darker than their surroundings.
    overlap = (mask & prior_mask).sum() / max((mask | prior_mask).sum(), 1)
    assert overlap > 0.4
    ring = (prior > 0.01) & ~prior_mask
    assert lab[mask, 0].mean() < lab[ring, 0].mean() - 5


def test_missing_weights_say_how_to_get_them(tmp_path):
    with pytest.raises(ModelNotFoundError, match="fram.train.brows"):
        BrowNet.from_pretrained(tmp_path)


def test_shipped_weights_load_once():
    assert BrowNet.shipped() is BrowNet.shipped()
    assert BrowNet.shipped().parameter_count() < 200_000


@pytest.mark.data
def test_segmenter_training_runs_on_labelled_photos(shared_data, tmp_path):
    from fram.train.brows import train

    root = shared_data / "faces" / "celebamask-hq"
    final = train(root, tmp_path, images=4, val=1, jitter=1, steps=6, batch=8, threads=1, log=lambda *_: None)
    log = json.loads((final / "training_log.json").read_text())
    assert log["steps"] == 6 and 0 <= log["evals"][-1]["val_iou"] <= 1
    model = BrowNet.from_pretrained(final)
    assert isinstance(model, BrowNet)
    # The labels it learnt from are where the photo's brows are.
    path = sorted((root / "images").glob("*.jpg"))[0]
    assert np.isin(np.asarray(Image.open(root / "masks" / f"{path.stem}.png")), (6, 7)).any()
