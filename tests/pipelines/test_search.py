"""SearchPipeline: embed / similar / describe (Python API and CLI) on scikit-image's astronaut."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from fram.cli import main
from fram.errors import FramError
from fram.pipelines import SearchPipeline
from fram.weights import WEIGHTS_ROOT

WEIGHTS_DIR = WEIGHTS_ROOT / "makeup_clip"


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """A tiny seeded makeup CLIP saved like the shipped one (fast, always available)."""
    from fram.models import MakeupTokenizer, create_model
    from fram.train.data import style_bank

    folder = tmp_path_factory.mktemp("weights")
    bank = style_bank()
    tok = MakeupTokenizer.train([b["prompt"] for b in bank], vocab_size=256, context_length=64)
    torch.manual_seed(0)
    model = create_model("makeup-clip-tiny", text_cfg={"context_length": 64})
    model.tokenizer = tok
    model.save_pretrained(folder)
    (folder / "styles.json").write_text(json.dumps(bank))
    return folder


@pytest.fixture(scope="module")
def search(weights):
    return SearchPipeline.from_pretrained(weights)


@pytest.fixture(scope="module")
def gallery(tmp_path_factory, astronaut):
    from fram.pipelines import apply_makeup

    root = tmp_path_factory.mktemp("gallery")
    Image.fromarray(astronaut).save(root / "bare.png")
    Image.fromarray(apply_makeup(astronaut, "red-carpet").image).save(root / "red.png")
    Image.fromarray(apply_makeup(astronaut, "goth").image).save(root / "goth.png")
    (root / "notes.png").write_bytes(b"not an image")
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(root / "grey.png")
    return root


def test_embed_skips_bad_images(search, gallery, astronaut):
    result = search.embed([astronaut, gallery / "notes.png", gallery / "grey.png", gallery / "red.png"])
    assert result.vectors.shape[0] == 2 and result.vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(result.vectors, axis=1), 1.0, atol=1e-5)
    assert result.ok.tolist() == [True, False, False, True]
    assert [name.endswith(("notes.png", "grey.png")) for name, _ in result.failures] == [True, True]


def test_similar_ranks_and_caches(search, gallery, tmp_path, monkeypatch):
    index_path = tmp_path / "index.npz"
    result = search(gallery / "red.png", gallery, k=5, index_path=index_path)
    names = [m.path for m in result.matches]
    assert "red.png" not in names and set(names) == {"bare.png", "goth.png"}
    assert [m.rank for m in result.matches] == [1, 2]
    assert result.matches[0].score >= result.matches[1].score
    assert set(result.failures) == {"notes.png", "grey.png"}
    assert result.sheet is not None and result.sheet.shape[2] == 3
    # the index is reused: nothing is embedded again
    import fram.pipelines.search as module

    calls = []
    original = module.face_uv
    monkeypatch.setattr(module, "face_uv", lambda *a, **k: calls.append(a) or original(*a, **k))
    search.index(gallery, index_path=index_path)
    assert calls == []


def test_describe_returns_named_styles(search, gallery):
    found = search.describe(gallery / "red.png", top=3)
    assert found.visible and 0.5 <= found.makeup_probability <= 1
    matches = found.styles
    assert len(matches) == 3
    assert matches[0].score >= matches[1].score >= matches[2].score
    assert all(m.title and m.description and 0 <= m.probability <= 1 for m in matches)
    with pytest.raises(FramError):
        search.describe(gallery / "grey.png")


def test_cli(weights, gallery, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FRAM_MAKEUP_CLIP", str(weights))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "v.npy"
    assert main(["embed", str(gallery / "red.png"), str(gallery / "notes.png"), "-o", str(out)]) == 0
    assert np.load(out).shape[0] == 1
    assert "skipped" in capsys.readouterr().err
    assert main(["embed", str(gallery / "notes.png"), "-o", str(out)]) == 2
    sheet = tmp_path / "sheet.png"
    assert main(["similar", str(gallery / "red.png"), "--gallery", str(gallery), "-k", "1", "-o", str(sheet), "--quiet"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("1\t")
    assert sheet.is_file()
    assert main(["describe", str(gallery / "red.png"), "--json", "--top", "2"]) == 0
    assert len(json.loads(capsys.readouterr().out)["styles"]) == 2
    assert main(["similar", str(gallery / "red.png"), "--gallery", str(tmp_path / "missing")]) == 2


def test_save_and_load_round_trip(search, tmp_path, gallery):
    search.save_pretrained(tmp_path / "search")
    again = SearchPipeline.from_pretrained(tmp_path / "search")
    np.testing.assert_allclose(again.embed([gallery / "red.png"]).vectors, search.embed([gallery / "red.png"]).vectors, atol=1e-6)


@pytest.mark.skipif(not (WEIGHTS_DIR / "model.safetensors").is_file(), reason="shipped makeup CLIP weights not present")
def test_shipped_weights_tell_looks_apart(gallery):
    """With the trained weights, two renders of one look are closer than different looks."""
    from fram.pipelines import apply_makeup
    from skimage import data

    face = np.ascontiguousarray(data.astronaut())
    red2 = apply_makeup(face, "red-carpet", intensity=0.8).image
    search = SearchPipeline.from_pretrained()
    result = search.embed([gallery / "red.png", red2, gallery / "goth.png"])
    v = result.vectors
    assert v[0] @ v[1] > v[0] @ v[2]
    top = search.describe(gallery / "goth.png", top=5)
    assert top.visible and len(top.styles) == 5
