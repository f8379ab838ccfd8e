"""FRAM stage 1's loss: SimCLR between two views plus supervised image-text contrast.

``MakeupClipLoss(**model_out_and_labels)`` follows open_clip's ``ClipLoss``: an
``nn.Module`` whose arguments are the model's output keys, returning the total or,
with ``output_dict=True``, each term.

* **SSL** (NT-Xent, SimCLR): ``ssl_features`` holds two views of N images stacked
  ``(2N, D)`` (view 1 first); each view's positive is the other view of the same
  image, all 2N - 2 others are negatives.
* **Text** (supervised contrastive, both directions): ``image_features`` ``(M, D)``
  and ``text_features`` ``(M, D)`` with a style label each; an image's positives are
  all texts of its style in the batch (and a text's positives all images of it).

* **Style** (optional, supervised contrastive among images): ``style_features``
  ``(K, D)`` with ``style_labels``; every other image of the same style is a positive
  (both views of every synthetic image, so one look on different faces is pulled
  together and one face in different looks pushed apart). Not in FRAM's loss, which
  fine-tunes a pretrained CLIP; from scratch on a CPU it is what makes the embedding
  style-aware within the time budget.

Total = ``ssl_weight`` · SSL + ``text_weight`` · text + ``style_weight`` · style
(FRAM: 1.0, 0.1 and 0, temperature 0.07).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def nt_xent(features: torch.Tensor, temperature: float) -> torch.Tensor:
    """SimCLR loss of ``(2N, D)`` L2-normalised features (rows i and i + N are a pair)."""
    if features.ndim != 2 or features.shape[0] % 2:
        raise ValueError(f"features must be (2N, D), got {tuple(features.shape)}")
    n = features.shape[0] // 2
    logits = features @ features.T / temperature
    logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=features.device), float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(features.device)
    return F.cross_entropy(logits, target)


def supcon_cross(a: torch.Tensor, b: torch.Tensor, labels_a: torch.Tensor, labels_b: torch.Tensor, temperature: float) -> torch.Tensor:
    """Supervised contrast from rows of ``a`` to rows of ``b``: positives share a label.

    Each row's loss is minus the mean log-softmax over its positives; rows without a
    positive are skipped.
    """
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"a (M, D) and b (K, D) expected, got {tuple(a.shape)} and {tuple(b.shape)}")
    if labels_a.shape != (a.shape[0],) or labels_b.shape != (b.shape[0],):
        raise ValueError("one label per row of a and of b expected")
    logp = F.log_softmax(a @ b.T / temperature, dim=1)
    positive = (labels_a[:, None] == labels_b[None, :]).to(logp.dtype)
    count = positive.sum(1)
    has = count > 0
    if not bool(has.any()):
        return logp.new_zeros(())
    per_row = -(logp * positive).sum(1)[has] / count[has]
    return per_row.mean()


def supcon_self(features: torch.Tensor, labels: torch.Tensor, temperature: float) -> torch.Tensor:
    """Supervised contrast within one set ``(K, D)``: positives share a label, self excluded."""
    if features.ndim != 2 or labels.shape != (features.shape[0],):
        raise ValueError(f"features (K, D) and labels (K,) expected, got {tuple(features.shape)} and {tuple(labels.shape)}")
    eye = torch.eye(features.shape[0], dtype=torch.bool, device=features.device)
    logits = (features @ features.T / temperature).masked_fill(eye, float("-inf"))
    logp = F.log_softmax(logits, dim=1).masked_fill(eye, 0.0)
    positive = ((labels[:, None] == labels[None, :]) & ~eye).to(logp.dtype)
    count = positive.sum(1)
    has = count > 0
    if not bool(has.any()):
        return logp.new_zeros(())
    return (-(logp * positive).sum(1)[has] / count[has]).mean()


class MakeupClipLoss(nn.Module):
    """``ssl_weight`` · NT-Xent(views) + ``text_weight`` · SupCon(image ↔ text by style)
    + ``style_weight`` · SupCon(image ↔ image by style).

    Args:
        ssl_weight, text_weight: FRAM's 1.0 and 0.1.
        style_weight: the image-image style term (0 in FRAM).
        temperature: softmax temperature of both terms (FRAM: 0.07).
        symmetric: also contrast text → image (else image → text only).
    """

    def __init__(self, ssl_weight: float = 1.0, text_weight: float = 0.1, temperature: float = 0.07, symmetric: bool = True,
                 style_weight: float = 0.0) -> None:
        super().__init__()
        self.style_weight = style_weight
        if temperature <= 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        self.ssl_weight = ssl_weight
        self.text_weight = text_weight
        self.temperature = temperature
        self.symmetric = symmetric

    def forward(
        self,
        ssl_features: torch.Tensor | None = None,
        image_features: torch.Tensor | None = None,
        text_features: torch.Tensor | None = None,
        image_labels: torch.Tensor | None = None,
        text_labels: torch.Tensor | None = None,
        style_features: torch.Tensor | None = None,
        style_labels: torch.Tensor | None = None,
        output_dict: bool = False,
        **_: object,
    ) -> torch.Tensor | dict[str, torch.Tensor]:
        terms: dict[str, torch.Tensor] = {}
        if self.ssl_weight and ssl_features is not None:
            terms["ssl"] = nt_xent(ssl_features, self.temperature)
        if self.text_weight and text_features is not None:
            if image_features is None or image_labels is None or text_labels is None:
                raise ValueError("the text term needs image_features, image_labels and text_labels")
            m = text_features.shape[0]
            img = image_features[:m]
            i2t = supcon_cross(img, text_features, image_labels[:m], text_labels, self.temperature)
            if self.symmetric:
                t2i = supcon_cross(text_features, img, text_labels, image_labels[:m], self.temperature)
                terms["text"] = 0.5 * (i2t + t2i)
            else:
                terms["text"] = i2t
        if self.style_weight and style_features is not None:
            if style_labels is None:
                raise ValueError("the style term needs style_labels")
            terms["style"] = supcon_self(style_features, style_labels, self.temperature)
        if not terms:
            raise ValueError("no loss term can be computed from the inputs given")
        total = (self.ssl_weight * terms.get("ssl", 0.0) + self.text_weight * terms.get("text", 0.0)
                 + self.style_weight * terms.get("style", 0.0))
        if output_dict:
            return {"loss": total, **terms}
        return total
