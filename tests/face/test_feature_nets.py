import json

import numpy as np
import pytest
from PIL import Image

from fram.errors import ModelNotFoundError
from fram.face.colour import rgb_to_lab_8bit
from fram.face.feature_nets import PRIOR_SHARE, EyeNet, LipNet, refine_eyes, refine_lips
from fram.face.feature_outlines import eye_outlines
from fram.face.regions import _box_points, feature_priors, region_masks
from fram.face.uv import face_projection


def test_missing_weights_say_how_to_get_them(tmp_path):
    with pytest.raises(ModelNotFoundError, match="fram.train.features eyes"):
        EyeNet.from_pretrained(tmp_path)
    with pytest.raises(ModelNotFoundError, match="fram.train.features lips"):
        LipNet.from_pretrained(tmp_path)


def test_shipped_weights_load_once():
    assert EyeNet.shipped() is EyeNet.shipped() and LipNet.shipped() is LipNet.shipped()
    assert isinstance(EyeNet.shipped(), EyeNet) and isinstance(LipNet.shipped(), LipNet)


def test_refined_eyes_and_lips_sit_on_the_photo_features(astronaut, astronaut_face):
    masks = region_masks(astronaut, astronaut_face)
    lab = np.asarray(Image.fromarray(astronaut).convert("LAB"), dtype=np.float32)
    eyes, lips, skin = (masks.full(n) > 0.5 for n in ("eyes", "lips", "skin"))
    assert eyes.sum() > 30 and lips.sum() > 50
    # The openings hold the sclera and the iris: more lightness spread than the skin;
    # lips are redder than skin.
    assert lab[eyes, 0].std() > lab[skin, 0].std()
    assert lab[lips, 1].mean() > lab[skin, 1].mean() + 3
    # Each lies on the landmark feature it refines.
    for name, index in (("eyes", 159), ("lips", 0)):
        x, y = astronaut_face.landmarks[index, :2].astype(int)
        assert masks.full(name)[y - 6 : y + 7, x - 6 : x + 7].max() > 0.5, name


def test_eyes_behind_dark_lenses_are_no_openings(astronaut, astronaut_face):
    projection = face_projection(astronaut_face)
    points = _box_points(astronaut_face, projection)
    unit = astronaut_face.width / 256.0
    lab = rgb_to_lab_8bit(astronaut[projection.slices])
    assert len(eye_outlines(points, unit, lab)) == 2
    # Flat dark lenses over both eyes and their lids.
    shaded = lab.copy()
    for outline in eye_outlines(points, unit):
        centre, half = outline.mean(axis=0), (outline.max(axis=0) - outline.min(axis=0)) * 0.5 + 10 * unit
        (x0, y0), (x1, y1) = (centre - half).astype(int), (centre + half).astype(int)
        shaded[y0:y1, x0:x1] = (20.0, 128.0, 128.0)
    assert eye_outlines(points, unit, shaded) == []


@pytest.mark.data
def test_feature_training_runs_on_labelled_photos(shared_data, tmp_path):
    import functools

    from fram.train.brows import train
    from fram.train.features import extract

    root = shared_data / "faces" / "celebamask-hq"
    final = train(root, tmp_path, images=4, val=1, jitter=1, steps=4, batch=8, threads=1, log=lambda *_: None,
                  extract_fn=functools.partial(extract, "lips"), model_class=LipNet)
    log = json.loads((final / "training_log.json").read_text())
    assert log["steps"] == 4 and 0 <= log["evals"][-1]["val_iou"] <= 1
    assert isinstance(LipNet.from_pretrained(final), LipNet)


def test_a_mirrored_photo_gets_mirrored_eyes_and_lips(astronaut, astronaut_face):
    from fram.face.landmarks import detect_face

    mirrored = np.ascontiguousarray(astronaut[:, ::-1])
    masks, flipped = region_masks(astronaut, astronaut_face), region_masks(mirrored, detect_face(mirrored))
    for name in ("eyes", "lips"):
        a, b = masks.full(name) > 0.5, flipped.full(name)[:, ::-1] > 0.5
        # The landmarks move a little under mirroring; the masks follow the photo.
        assert np.count_nonzero(a & b) / np.count_nonzero(a | b) > 0.85, name


def test_the_rule_based_masks_tip_unsure_pixels(astronaut, astronaut_face):
    lab, points, eye_prior, lip_prior, _ = feature_priors(astronaut, astronaut_face)
    for refine, prior in ((refine_eyes, eye_prior), (refine_lips, lip_prior)):
        mask, flat = refine(lab, points, prior), refine(lab, points, np.zeros_like(prior))
        # The prior's share is added where it is 1, nothing where it is 0.
        inside, outside = prior > 0.99, prior < 0.01
        assert inside.any() and outside.any()
        assert mask[inside].min() >= PRIOR_SHARE - 1e-6 and mask[outside].max() <= 1 - PRIOR_SHARE + 1e-6
        assert flat.max() <= 1 - PRIOR_SHARE + 1e-6
