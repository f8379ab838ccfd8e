"""Stage 1 loss: known values, the direction it pushes, input checks."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from fram.train.loss import MakeupClipLoss, nt_xent, supcon_cross


def test_nt_xent_known_value():
    # two orthogonal pairs, each view identical to its partner
    f = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    t = 0.5
    # row 0: logits to [1, 2, 3] = [0, 2, 0] / ... positive is index 2 (cos 1)
    expected = -math.log(math.exp(1 / t) / (math.exp(1 / t) + 2 * math.exp(0)))
    torch.testing.assert_close(nt_xent(f, t), torch.tensor(expected))


def test_nt_xent_prefers_aligned_views():
    g = torch.Generator().manual_seed(0)
    a = F.normalize(torch.randn(8, 16, generator=g), dim=-1)
    aligned = nt_xent(torch.cat([a, a]), 0.07)
    shuffled = nt_xent(torch.cat([a, a[torch.randperm(8, generator=g)]]), 0.07)
    assert aligned < shuffled


def test_supcon_positives_share_the_style():
    img = F.normalize(torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]), dim=-1)
    txt_good = F.normalize(torch.tensor([[1.0, 0.0], [1.0, 0.05], [0.0, 1.0]]), dim=-1)
    txt_bad = txt_good.flip(0)
    labels = torch.tensor([0, 0, 1])
    good = supcon_cross(img, txt_good, labels, labels, 0.1)
    bad = supcon_cross(img, txt_bad, labels, labels, 0.1)
    assert good < bad
    # a row with no positive is skipped, not NaN
    assert torch.isfinite(supcon_cross(img, txt_good, torch.tensor([0, 0, 5]), labels, 0.1))


def test_weights_and_dict_output():
    g = torch.Generator().manual_seed(1)
    ssl = F.normalize(torch.randn(8, 4, generator=g), dim=-1)
    img = F.normalize(torch.randn(4, 4, generator=g), dim=-1)
    txt = F.normalize(torch.randn(4, 4, generator=g), dim=-1)
    labels = torch.tensor([0, 1, 0, 2])
    out = MakeupClipLoss()(ssl_features=ssl, image_features=img, text_features=txt, image_labels=labels, text_labels=labels, output_dict=True)
    torch.testing.assert_close(out["loss"], 1.0 * out["ssl"] + 0.1 * out["text"])
    only_ssl = MakeupClipLoss(text_weight=0.0)(ssl_features=ssl)
    torch.testing.assert_close(only_ssl, out["ssl"])


def test_gradient_pulls_same_style_together():
    """One step of the text term moves two images of one style closer."""
    g = torch.Generator().manual_seed(2)
    img = torch.randn(4, 8, generator=g, requires_grad=True)
    txt = F.normalize(torch.randn(4, 8, generator=g), dim=-1)
    labels = torch.tensor([0, 0, 1, 1])
    loss_fn = MakeupClipLoss(ssl_weight=0.0, text_weight=1.0)

    def sim() -> float:
        f = F.normalize(img.detach(), dim=-1)
        return float(f[0] @ f[1])

    before = sim()
    for _ in range(50):
        loss = loss_fn(image_features=F.normalize(img, dim=-1), text_features=txt, image_labels=labels, text_labels=labels)
        loss.backward()
        with torch.no_grad():
            img -= 0.5 * img.grad
            img.grad = None
    assert sim() > before


def test_bad_inputs():
    with pytest.raises(ValueError):
        MakeupClipLoss(temperature=0)
    with pytest.raises(ValueError):
        nt_xent(torch.randn(3, 4), 0.1)
    with pytest.raises(ValueError, match="no loss term"):
        MakeupClipLoss(ssl_weight=0.0)(ssl_features=torch.randn(4, 2))
    with pytest.raises(ValueError, match="needs image_features"):
        MakeupClipLoss()(text_features=torch.randn(2, 4))
