import zipfile

import numpy as np
import pytest

from fram.errors import ModelNotFoundError
from fram.face.mesh import canonical_mesh
from fram.face.model_file import ENV_VAR, landmarker_path


def test_mesh_is_decoded_from_the_bundle():
    mesh = canonical_mesh()
    assert mesh.vertices.shape == (468, 3)
    assert mesh.uv.shape == (468, 2)
    assert mesh.triangles.shape == (898, 3)
    assert mesh.triangles.min() == 0 and mesh.triangles.max() == 467
    assert (mesh.uv >= 0).all() and (mesh.uv <= 1).all()
    # v grows downward: the chin (152) is below the forehead (10) in UV.
    assert mesh.uv[152, 1] > mesh.uv[10, 1]
    # Person's right eye corner (33) is on the image left.
    assert mesh.uv[33, 0] < 0.5 < mesh.uv[263, 0]


def test_uv_triangles_all_wind_the_same_way():
    mesh = canonical_mesh()
    p = mesh.uv[mesh.triangles]
    cross = (p[:, 1, 0] - p[:, 0, 0]) * (p[:, 2, 1] - p[:, 0, 1]) - (p[:, 1, 1] - p[:, 0, 1]) * (p[:, 2, 0] - p[:, 0, 0])
    assert (cross < 0).all() or (cross > 0).all()


def test_missing_model_names_both_ways(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nope.task"))
    with pytest.raises(ModelNotFoundError, match="FRAM_LANDMARKER"):
        landmarker_path()


def test_bad_bundle_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.task"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("other.bin", b"x")
    with pytest.raises(ModelNotFoundError, match="not a face landmarker bundle"):
        canonical_mesh(bad)
