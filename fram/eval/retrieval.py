"""Makeup retrieval benchmarks: the baselines and real-photo checks around the metrics.

FRAM evaluates its makeup CLIP by k-NN style retrieval on held-out identities; the
metrics themselves (:mod:`fram.train.retrieval_metrics`) sit in the training package,
which tracks them while it trains. Here:

* Baselines: :func:`lab_histogram_features` (per-region CIELAB colour histograms) and
  any encoder, e.g. an untrained one.
* :func:`augmentation_retrieval`: real photos against geometric augmentations of
  themselves (does the embedding survive crop, rotation, mirror, scale?).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from fram.face.colour import rgb_to_lab
from fram.train.retrieval_metrics import owner_retrieval

HISTOGRAM_REGIONS: tuple[str, ...] = ("skin", "cheeks", "eyeshadow", "eyes", "brows", "lips")


# --------------------------------------------------------------------------- baselines


def lab_histogram_features(
    textures: np.ndarray,
    visibility: np.ndarray,
    regions: dict[str, np.ndarray] | None = None,
    bins: tuple[int, int, int] = (4, 8, 8),
    names: Sequence[str] = HISTOGRAM_REGIONS,
) -> np.ndarray:
    """Per-region CIELAB colour histograms of UV textures, concatenated (the baseline).

    Args:
        textures: (N, S, S, 3) uint8 sRGB UV textures.
        visibility: (N, S, S) float in [0, 1] (or uint8 in [0, 255]).
        regions: name → (S, S) UV template in [0, 1] (default: ``fram.face.templates.uv_templates``).
        bins: bins over L in [0, 100], a in [-50, 70], b in [-40, 80].
    Returns:
        (N, len(names) · prod(bins)) float32; each region's histogram is weighted by
        template × visibility, normalised to sum 1 and square-rooted (so the cosine of
        two rows is the mean Bhattacharyya coefficient of their regions).
    """
    textures = np.asarray(textures)
    if textures.ndim != 4 or textures.shape[-1] != 3:
        raise ValueError(f"textures must be (N, S, S, 3), got {textures.shape}")
    vis = np.asarray(visibility, dtype=np.float32)
    if vis.max(initial=0) > 1.0:
        vis = vis / 255.0
    n, s = textures.shape[0], textures.shape[1]
    if regions is None:
        from fram.face.templates import uv_templates

        regions = uv_templates(s)
    lab = rgb_to_lab(textures.astype(np.float32) / 255.0).reshape(n, -1, 3)
    lo, hi = np.array([0.0, -50.0, -40.0]), np.array([100.0, 70.0, 80.0])
    idx = np.clip(((lab - lo) / (hi - lo) * np.array(bins)).astype(int), 0, np.array(bins) - 1)
    flat = (idx[..., 0] * bins[1] + idx[..., 1]) * bins[2] + idx[..., 2]  # (N, S*S)
    size = int(np.prod(bins))
    out = np.zeros((n, len(names), size), np.float32)
    v = vis.reshape(n, -1)
    for r, name in enumerate(names):
        w = v * regions[name].reshape(1, -1)
        for i in range(n):
            out[i, r] = np.bincount(flat[i], weights=w[i], minlength=size)
    out /= np.maximum(out.sum(-1, keepdims=True), 1e-8)
    out = np.sqrt(out).reshape(n, -1) / np.sqrt(len(names))
    return out


# --------------------------------------------------------------------------- real photos


def photo_augmentations(image: np.ndarray, n: int, seed: int = 0) -> list[np.ndarray]:
    """``n`` geometric variants of an RGB photo: rotation ±15°, zoom 0.8–1.15, shift,
    mirror, mild perspective (what a different shot of the same made-up face does)."""
    import cv2

    rng = np.random.default_rng(seed)
    h, w = image.shape[:2]
    out = []
    for _ in range(n):
        angle = rng.uniform(-15, 15)
        zoom = rng.uniform(0.8, 1.15)
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, zoom)
        m[:, 2] += rng.uniform(-0.06, 0.06, 2) * np.array([w, h])
        m3 = np.vstack([m, [0, 0, 1]])
        jitter = rng.uniform(-0.04, 0.04, (4, 2)) * np.array([w, h])
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        persp = cv2.getPerspectiveTransform(src, (src + jitter).astype(np.float32))
        warped = cv2.warpPerspective(image, persp @ m3, (w, h), borderMode=cv2.BORDER_REFLECT101)
        if rng.random() < 0.5:
            warped = warped[:, ::-1]
        out.append(np.ascontiguousarray(warped))
    return out


def augmentation_retrieval(
    embed: Callable[[list[np.ndarray]], tuple[np.ndarray, np.ndarray]],
    photos: Sequence[np.ndarray],
    n_aug: int = 4,
    seed: int = 0,
    ks: Sequence[int] = (1, 5),
) -> dict[str, float]:
    """Each photo's augmentations as queries against the un-augmented photos.

    ``embed(images)`` returns ``(vectors (M, D), ok (len(images),) bool)``: vectors of
    the images it could read a face in, in order. R@k: share of queries whose own
    photo is among the k nearest originals; photos without a face are left out.
    """
    vectors, ok = embed(list(photos))
    originals = np.flatnonzero(ok)
    if len(originals) < 2:
        raise ValueError("fewer than two photos gave a face")
    queries, owners = [], []
    for j, p in enumerate(originals):
        variants = photo_augmentations(photos[p], n_aug, seed=seed + int(p))
        qv, qok = embed(variants)
        if len(qv):
            queries.append(np.asarray(qv))
            owners += [j] * int(qok.sum())
    out = owner_retrieval(vectors, np.concatenate(queries) if queries else np.zeros((0, np.asarray(vectors).shape[1])), owners, ks)
    out["faces_lost"] = int(n_aug * len(originals) - out["queries"])
    return out
