"""fram synth: a resumable synthetic before/after dataset."""

import json

import numpy as np
import pytest
from PIL import Image


@pytest.fixture
def faces(tmp_path, astronaut):
    """Two bare faces: the astronaut and her mirror image."""
    folder = tmp_path / "faces"
    folder.mkdir()
    Image.fromarray(astronaut).save(folder / "astronaut.png")
    Image.fromarray(np.ascontiguousarray(astronaut[:, ::-1])).save(folder / "mirrored.png")
    return folder


def _synth(cli, faces, out):
    return cli("synth", "--faces", faces, "--out", out, "--n", "2", "--per-face", "1", "--size", "64",
               "--workers", "1", "--no-card", "--quiet")


def test_tiny_run_then_resume(cli, faces, out_dir):
    out = out_dir / "ds"
    result = _synth(cli, faces, out)
    assert result.code == 0, result.err
    index = json.loads((out / "index.json").read_text())
    assert index["counts"]["pairs"] == 2 and index["counts"]["faces"] == 2 and index["uv_size"] == 64
    shards = sorted((out / "pairs").glob("*.tar"))
    assert shards and all(s.stat().st_size > 0 for s in shards)
    assert sum(json.loads(s.with_suffix(".json").read_text())["pairs"] for s in shards) == 2
    before = {p.name: p.read_bytes() for p in (out / "pairs").iterdir()}
    again = _synth(cli, faces, out)
    assert again.code == 0 and "Traceback" not in again.err
    assert json.loads((out / "index.json").read_text())["counts"]["pairs"] == 2
    assert {p.name: p.read_bytes() for p in (out / "pairs").iterdir()} == before


def test_missing_faces(fails, out_dir):
    out = out_dir / "ds"
    assert "face source" in fails("synth", "--faces", out_dir / "nope", "--out", out, "--n", "2", "--workers", "1", "--no-card", "--quiet")
    assert [p for p in out_dir.rglob("*") if not p.is_dir()] == []  # (the data layer makes the empty folder first)


def test_out_under_a_file_is_a_clean_error(fails, faces, not_image):
    fails("synth", "--faces", faces, "--out", not_image / "ds", "--n", "2", "--workers", "1", "--no-card", "--quiet")
