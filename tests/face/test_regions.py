import numpy as np
import pytest
from PIL import Image

from fram.face.regions import REGION_NAMES, region_masks
from fram.face.templates import uv_templates


def test_uv_templates_are_soft_masks():
    templates = uv_templates(256)
    for name in ("skin", "lips", "brows", "eyes", "eyeshadow", "eyeliner", "cheeks", "nose", "under_eye"):
        m = templates[name]
        assert m.shape == (256, 256) and m.dtype == np.float32
        assert 0 <= m.min() and m.max() <= 1 and m.max() > 0.9, name
    # Lips are in the lower half, brows in the upper half of the UV square.
    ys = np.nonzero(templates["lips"] > 0.5)[0]
    assert ys.mean() > 150
    assert np.nonzero(templates["brows"] > 0.5)[0].mean() < 110


def test_photo_masks_follow_the_photo(astronaut, astronaut_face):
    masks = region_masks(astronaut, astronaut_face)
    for name in REGION_NAMES:
        full = masks.full(name)
        assert full.shape == astronaut.shape[:2]
        assert 0 <= full.min() and full.max() <= 1
    lab = np.asarray(Image.fromarray(astronaut).convert("LAB"), dtype=np.float32)
    lips, skin, brows = (masks.full(n) > 0.5 for n in ("lips", "skin", "brows"))
    assert lips.sum() > 50 and brows.sum() > 30
    # Lips are redder (CIELAB a*) than skin; brows are darker than skin.
    assert lab[lips, 1].mean() > lab[skin, 1].mean() + 3
    assert lab[brows, 0].mean() < lab[skin, 0].mean() - 3
    # Regions do not overlap where they must not.
    assert (lips & skin).sum() == 0
    assert ((masks.full("eyes") > 0.5) & skin).sum() == 0


@pytest.mark.data
def test_masks_match_celebamask_labels(shared_data):
    from fram.face.image_io import read_image
    from fram.face.landmarks import detect_face

    root = shared_data / "faces" / "celebamask-hq"
    classes = {"lips": (11, 12), "brows": (6, 7), "eyes": (4, 5), "skin": (1, 2)}
    scores = {k: [] for k in classes}
    for path in sorted((root / "images").glob("*.jpg"))[200:215]:
        image = read_image(path)
        masks = region_masks(image, detect_face(image))
        truth = np.asarray(Image.open(root / "masks" / f"{path.stem}.png"))
        for name, ids in classes.items():
            pred, gt = masks.full(name) > 0.5, np.isin(truth, ids)
            if gt.any():
                scores[name].append((pred & gt).sum() / (pred | gt).sum())
    means = {k: float(np.mean(v)) for k, v in scores.items()}
    # Floors well below the benchmark means (docs/benchmarks.md), to catch regressions.
    assert means["lips"] > 0.6 and means["skin"] > 0.75 and means["eyes"] > 0.5 and means["brows"] > 0.45, means


def _synthetic_brows(astronaut_face, grow: float, fringe: bool = False):
    """A flat skin-coloured box around the astronaut's landmarks, scaled up to a face
    about 720 px wide, with dark brows drawn ``grow`` face units outside the brow
    outlines (and, with ``fringe``, dark hair from the top down over the right brow);
    returns (lab, points, unit, outlines)."""
    import cv2

    from fram.face.feature_outlines import brow_outlines
    from fram.face.polygons import fill_polygons, offset_polygon

    scale = 8.0
    points = astronaut_face.landmarks[:, :2] * scale
    points = points - points.min(axis=0) + 20
    unit = scale * astronaut_face.width / 256.0
    shape = tuple(int(v) for v in points.max(axis=0)[::-1] + 20)
    outlines = brow_outlines(points, unit)
    lab = np.empty((*shape, 3), np.float32)
    lab[:] = (180.0, 145.0, 145.0)
    hair = fill_polygons([offset_polygon(o, np.full(len(o), grow * unit)) for o in outlines], shape) > 0.5
    if fringe:
        x0, _ = outlines[0].min(axis=0).astype(int)
        x1, y1 = outlines[0].max(axis=0).astype(int)
        hair[: y1 + 1, x0 : x1 + 1] = True
    lab[hair] = (60.0, 130.0, 135.0)
    return cv2.GaussianBlur(lab, (0, 0), unit), points, unit, outlines


def test_brow_edges_follow_the_hairs(astronaut_face):
    from fram.face.brow_profile import brow_profile

    measured = {}
    for grow in (3.0, -2.0):
        lab, _, unit, outlines = _synthetic_brows(astronaut_face, grow)
        for k, outline in enumerate(outlines):
            shifts, rise_above, rise_below = brow_profile(lab, outline, unit)
            assert shifts.shape == (len(outline),) and rise_above > 50 and rise_below > 50
            measured[grow, k] = shifts
    for k in range(2):
        # Hairs 5 face units thicker move every edge out by about that much.
        assert np.all(np.abs(measured[3.0, k] - measured[-2.0, k] - 5.0) < 1.0), measured
        assert np.median(measured[-2.0, k]) < 0 < np.median(measured[3.0, k])


def test_brows_under_a_fringe_are_left_out(astronaut_face):
    from fram.face.feature_outlines import brow_outlines

    lab, points, unit, outlines = _synthetic_brows(astronaut_face, 0.0)
    assert len(brow_outlines(points, unit, lab)) == 2
    lab, points, unit, outlines = _synthetic_brows(astronaut_face, 0.0, fringe=True)
    kept = brow_outlines(points, unit, lab)
    assert len(kept) == 1 and np.allclose(kept[0].mean(axis=0), outlines[1].mean(axis=0), atol=3 * unit)
