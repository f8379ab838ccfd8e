"""Retrieval metrics on toy data with known answers, and the colour-histogram baseline."""

from __future__ import annotations

import numpy as np
import pytest

from fram.eval.retrieval import augmentation_retrieval, lab_histogram_features, photo_augmentations
from fram.train.retrieval_metrics import average_precision, cross_modal_retrieval, style_retrieval


def test_average_precision_known_values():
    assert average_precision(np.array([3.0, 2.0, 1.0]), np.array([True, True, False])) == 1.0
    assert average_precision(np.array([3.0, 2.0, 1.0]), np.array([False, False, True])) == pytest.approx(1 / 3)
    assert np.isnan(average_precision(np.array([1.0]), np.array([False])))


def test_perfect_and_chance_style_retrieval():
    # two styles, each worn by three people; embeddings are the style
    labels = np.array([0, 0, 0, 1, 1, 1])
    groups = np.array([0, 1, 2, 0, 1, 2])
    emb = np.array([[1, 0], [1, 0.01], [1, -0.01], [0, 1], [0.01, 1], [-0.01, 1]], float)
    out = style_retrieval(emb, labels, groups)
    assert out["top1"] == 1.0 and out["top5"] == 1.0 and out["mAP"] == pytest.approx(1.0) and out["queries"] == 6
    # embeddings that only know the person: the same person is excluded, so nothing helps
    person = np.eye(3)[groups]
    out = style_retrieval(person + 1e-3 * np.arange(6)[:, None], labels, groups)
    assert out["top1"] <= 0.5


def test_same_identity_is_left_out():
    # query 0's only same-style item is its own face: no relevant gallery item → skipped
    labels = np.array([0, 0, 1, 1])
    groups = np.array([0, 0, 1, 2])
    emb = np.eye(4) + 0.1
    out = style_retrieval(emb, labels, groups)
    assert out["queries"] == 2  # only the two style-1 images (different people) count


def test_top5_counts_any_hit_among_five():
    labels = np.array([0] + [1] * 5 + [0])
    emb = np.array([[1.0, 0.0]] + [[0.9, 0.1 * i] for i in range(1, 6)] + [[0.0, 1.0]])
    out = style_retrieval(emb, labels)
    # query 0: its match (row 6) is last of 6 neighbours → not in top-5
    q0 = style_retrieval(emb[[0, 1, 2, 3, 4, 5, 6]], labels)
    assert out == q0
    assert 0 < out["top5"] < 1


def test_cross_modal_known_values():
    img = np.array([[1, 0], [0, 1], [1, 0.1]], float)
    il = np.array([0, 1, 0])
    txt = np.array([[1, 0], [0, 1]], float)
    tl = np.array([0, 1])
    out = cross_modal_retrieval(img, il, txt, tl)
    assert out["t2i_R@1"] == 1.0 and out["i2t_R@1"] == 1.0 and out["t2i_mAP"] == pytest.approx(1.0)
    swapped = cross_modal_retrieval(img, il, txt[::-1], tl)
    assert swapped["i2t_R@1"] == 0.0 and swapped["i2t_R@5"] == 1.0


def test_shape_checks():
    with pytest.raises(ValueError):
        style_retrieval(np.zeros(3), [0, 1, 2])
    with pytest.raises(ValueError):
        style_retrieval(np.zeros((3, 2)), [0, 1])


def test_histograms_see_lip_colour_not_position_noise():
    s = 32
    regions = {"lips": np.zeros((s, s), np.float32), "skin": np.zeros((s, s), np.float32)}
    regions["lips"][24:28, 12:20] = 1
    regions["skin"][4:20] = 1
    base = np.full((s, s, 3), (200, 160, 140), np.uint8)
    red, pink = base.copy(), base.copy()
    red[24:28, 12:20] = (180, 20, 40)
    pink[24:28, 12:20] = (230, 140, 170)
    vis = np.ones((3, s, s), np.float32)
    h = lab_histogram_features(np.stack([red, red.copy(), pink]), vis, regions, names=("skin", "lips"))
    assert h.shape == (3, 2 * 4 * 8 * 8)
    np.testing.assert_allclose(np.linalg.norm(h, axis=1), 1.0, atol=1e-6)
    assert h[0] @ h[1] > h[0] @ h[2]
    # hidden texels do not count
    hidden = vis.copy()
    hidden[2, 24:28] = 0
    h2 = lab_histogram_features(np.stack([red, red, pink]), hidden, regions, names=("skin", "lips"))
    assert np.allclose(h2[2, 256:], 0)


def test_augmentation_retrieval_with_a_colour_embedding(astronaut):
    photos = [astronaut, astronaut[:, :, ::-1].copy(), np.ascontiguousarray(astronaut[..., [1, 2, 0]])]
    assert len(photo_augmentations(astronaut, 3)) == 3

    def embed(images):  # mean colour of the centre: survives geometric changes
        vecs = np.array([im[im.shape[0] // 4 : -im.shape[0] // 4, im.shape[1] // 4 : -im.shape[1] // 4].reshape(-1, 3).mean(0) - 110 for im in images])
        return vecs, np.ones(len(images), bool)

    out = augmentation_retrieval(embed, photos, n_aug=2)
    assert out["R@1"] == 1.0 and out["queries"] == 6 and out["faces_lost"] == 0
