"""fram similar: the photos of a folder ranked by makeup similarity, with a contact sheet."""

import json

import numpy as np
import pytest
from PIL import Image


@pytest.mark.data
def test_ranks_the_gallery_into_a_given_index(cli, gallery, photo, out_dir, private_home):
    index, sheet = out_dir / "index.npz", out_dir / "sheet.png"
    result = cli("similar", photo, "--gallery", gallery, "-k", "2", "--index", index, "-o", sheet, "--quiet")
    assert result.code == 0, result.err
    rows = [line.split("\t") for line in result.out.splitlines()]
    assert [r[0] for r in rows] == ["1", "2"]
    scores = [float(r[1]) for r in rows]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)
    assert all((gallery / r[2]).is_file() for r in rows)
    assert index.is_file()
    image = np.asarray(Image.open(sheet))
    assert image.ndim == 3 and image.shape[2] == 3 and image.shape[1] > image.shape[0]
    assert not (private_home / ".cache" / "fram").exists()
    again = cli("similar", photo, "--gallery", gallery, "-k", "2", "--index", index, "--quiet")
    assert again.code == 0 and again.out == result.out


@pytest.mark.data
def test_json_without_cache(cli, gallery, photo, private_home):
    result = cli("similar", photo, "--gallery", gallery, "--no-cache", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert set(doc) == {"query", "matches", "skipped"}
    paths = {m["path"] for m in doc["matches"]}
    assert "astronaut.png" in paths and len(doc["matches"]) == 4  # the query itself is a gallery photo too
    assert [m["rank"] for m in doc["matches"]] == [1, 2, 3, 4]
    assert "notes.jpg" in doc["skipped"]
    assert not (private_home / ".cache" / "fram").exists()


def test_bad_inputs(fails, photo, blank, not_image, tmp_path, out_dir):
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    Image.open(photo).save(gallery / "astronaut.png")
    common = ["--gallery", gallery, "--no-cache", "--quiet"]
    assert "no such file" in fails("similar", out_dir / "missing.png", *common)
    assert "cannot read image" in fails("similar", not_image, *common)
    assert "no face" in fails("similar", blank, *common)
    assert "is not a folder" in fails("similar", photo, "--gallery", tmp_path / "nope", "--no-cache")
    assert "argument -k: give a whole number from 1" in fails("similar", photo, *common, "-k", "0")
    assert "does not exist" in fails("similar", photo, *common, "-o", out_dir / "no" / "sheet.png")
    assert list(out_dir.iterdir()) == []


def test_index_under_a_file_is_a_clean_error(fails, photo, not_image, tmp_path):
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    Image.open(photo).save(gallery / "astronaut.png")
    fails("similar", photo, "--gallery", gallery, "--index", not_image / "index.npz", "--quiet")
