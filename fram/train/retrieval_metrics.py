"""Retrieval metrics over embeddings: style k-NN across identities, text↔image, owner retrieval.

Training tracks its encoder with them (stage 1's held-out check) and the evaluation
suites report them, so they live below both.

* :func:`style_retrieval`: every image is a query against all the others **of other
  identities** (the same face in another look is left out, so a method cannot win by
  recognising the person). top-k: one of the k nearest has the query's style;
  mAP: mean average precision of the full ranking (relevant = same style).
* :func:`cross_modal_retrieval`: text→image and image→text. A hit at k when one of
  the k best-ranked items of the other modality has the query's style.
* :func:`owner_retrieval`: each query has exactly one relevant gallery item.

Embeddings are compared by cosine similarity (rows are L2-normalised here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


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
