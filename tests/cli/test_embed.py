"""fram embed: makeup embeddings of photos, one L2-normalised float32 row per usable photo."""

import numpy as np
import pytest


@pytest.mark.data
def test_one_row_per_usable_photo(cli, gallery, out_dir):
    images = sorted(p for p in gallery.iterdir() if p.suffix == ".png")
    out = out_dir / "vectors.npy"
    result = cli("embed", *images, gallery / "notes.jpg", "-o", out)
    assert result.code == 0
    assert "fram: skipped" in result.err and "notes.jpg" in result.err and "Traceback" not in result.err
    vectors = np.load(out, allow_pickle=False)
    assert vectors.dtype == np.float32 and vectors.shape[0] == len(images) and vectors.shape[1] >= 16
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert result.out.splitlines() == [f"{i}\t{p}" for i, p in enumerate(map(str, images))]


def test_single_photo(cli, photo, out_dir):
    assert cli("embed", photo, "-o", out_dir / "v.npy").code == 0
    assert np.load(out_dir / "v.npy").shape[0] == 1


def test_bad_inputs(fails, photo, blank, not_image, out_dir):
    assert "no such file" in fails("embed", out_dir / "missing.png", "-o", out_dir / "v.npy")
    assert "no image gave a face" in fails("embed", not_image, blank, "-o", out_dir / "v.npy")
    assert "does not exist" in fails("embed", photo, "-o", out_dir / "no" / "v.npy")
    assert list(out_dir.iterdir()) == []
