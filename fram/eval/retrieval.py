"""Makeup retrieval metrics: style k-NN across identities, text↔image, and baselines.

FRAM evaluates its makeup CLIP by k-NN style retrieval on held-out identities. Here:

* :func:`style_retrieval`: every image is a query against all the others **of other
  identities** (the same face in another look is left out, so a method cannot win by
  recognising the person). top-k: one of the k nearest has the query's style;
  mAP: mean average precision of the full ranking (relevant = same style).
* :func:`cross_modal_retrieval`: text→image and image→text. A hit at k when one of
  the k best-ranked items of the other modality has the query's style.
* Baselines: :func:`lab_histogram_features` (per-region CIELAB colour histograms) and
  any encoder, e.g. an untrained one.
* :func:`augmentation_retrieval`: real photos against geometric augmentations of
  themselves (does the embedding survive crop, rotation, mirror, scale?).

Embeddings are compared by cosine similarity (rows are L2-normalised here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from fram.face.colour import rgb_to_lab

HISTOGRAM_REGIONS: tuple[str, ...] = ("skin", "cheeks", "eyeshadow", "eyes", "brows", "lips")


def _normalise(x: Any) -> np.ndarray:
    a = np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"embeddings must be (N, D), got {a.shape}")
    norm = np.linalg.norm(a, axis=1, keepdims=True)
    return a / np.maximum(norm, 1e-12)


def average_precision(scores: np.ndarray, relevant: np.ndarray) -> float:
    """AP of one ranking: ``scores`` (G,) higher is better, ``relevant`` (G,) bool.

    >>> average_precision(np.array([0.9, 0.8, 0.1]), np.array([True, False, True]))
    0.8333333333333333
    """
    if not relevant.any():
        return float("nan")
    order = np.argsort(-scores, kind="stable")
    rel = relevant[order]
    hits = np.cumsum(rel)
    precision = hits / np.arange(1, len(rel) + 1)
    return float(precision[rel].sum() / rel.sum())


def style_retrieval(
    embeddings: Any, labels: Sequence[Any], groups: Sequence[Any] | None = None, ks: Sequence[int] = (1, 5)
) -> dict[str, float]:
    """k-NN style retrieval, leave-one-group-out.

    Args:
        embeddings: (N, D) features (any scale; cosine similarity is used).
        labels: N style labels.
        groups: N identity labels; gallery items of the query's own identity are left
            out (None: only the query itself is).
        ks: the k of each top-k.
    Returns:
        ``{"top1", "top5", …, "mAP", "queries"}``; queries with no relevant gallery item
        are skipped.
    """
    x = _normalise(embeddings)
    labels = np.asarray(labels)
    groups = np.arange(len(labels)) if groups is None else np.asarray(groups)
    if not (len(x) == len(labels) == len(groups)):
        raise ValueError(f"{len(x)} embeddings, {len(labels)} labels, {len(groups)} groups")
    sims = x @ x.T
    hits = {k: [] for k in ks}
    aps = []
    for i in range(len(x)):
        allowed = groups != groups[i]
        allowed[i] = False
        relevant = (labels == labels[i]) & allowed
        if not relevant.any():
            continue
        s = np.where(allowed, sims[i], -np.inf)
        order = np.argsort(-s, kind="stable")
        for k in ks:
            top = order[:k]
            hits[k].append(bool(relevant[top].any()))
        aps.append(average_precision(sims[i][allowed], relevant[allowed]))
    out = {f"top{k}": float(np.mean(v)) if v else float("nan") for k, v in hits.items()}
    out["mAP"] = float(np.mean(aps)) if aps else float("nan")
    out["queries"] = len(aps)
    return out


def _hit_rates(sims: np.ndarray, relevant: np.ndarray, ks: Sequence[int]) -> dict[int, float]:
    order = np.argsort(-sims, axis=1, kind="stable")
    ranked = np.take_along_axis(relevant, order, axis=1)
    keep = relevant.any(axis=1)
    return {k: float(ranked[keep, :k].any(axis=1).mean()) if keep.any() else float("nan") for k in ks}


def cross_modal_retrieval(
    image_embeddings: Any, image_labels: Sequence[Any], text_embeddings: Any, text_labels: Sequence[Any], ks: Sequence[int] = (1, 5)
) -> dict[str, float]:
    """Text→image and image→text retrieval at the style level.

    Returns ``{"t2i_R@1", "t2i_R@5", "i2t_R@1", "i2t_R@5", "t2i_mAP"}`` (R@k: share of
    queries with an item of their style among the k best).
    """
    img, txt = _normalise(image_embeddings), _normalise(text_embeddings)
    il, tl = np.asarray(image_labels), np.asarray(text_labels)
    sims = txt @ img.T
    relevant = tl[:, None] == il[None, :]
    out = {}
    for k, v in _hit_rates(sims, relevant, ks).items():
        out[f"t2i_R@{k}"] = v
    for k, v in _hit_rates(sims.T, relevant.T, ks).items():
        out[f"i2t_R@{k}"] = v
    aps = [average_precision(sims[i], relevant[i]) for i in range(len(txt)) if relevant[i].any()]
    out["t2i_mAP"] = float(np.mean(aps)) if aps else float("nan")
    return out


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


def owner_retrieval(gallery: Any, queries: Any, owners: Sequence[int], ks: Sequence[int] = (1, 5)) -> dict[str, float]:
    """Queries ``(Q, D)`` against a gallery ``(G, D)``; query i's only relevant item is
    gallery row ``owners[i]``. Returns ``{"R@k", "mAP", "queries", "gallery"}``."""
    g, q = _normalise(gallery), _normalise(queries)
    owner = np.asarray(owners)
    if len(owner) != len(q):
        raise ValueError(f"{len(q)} queries but {len(owner)} owners")
    sims = q @ g.T
    relevant = owner[:, None] == np.arange(len(g))[None, :]
    out: dict[str, float] = {f"R@{k}": v for k, v in _hit_rates(sims, relevant, ks).items()}
    out["mAP"] = float(np.mean([average_precision(sims[i], relevant[i]) for i in range(len(q))])) if len(q) else float("nan")
    out["queries"] = len(q)
    out["gallery"] = len(g)
    return out
