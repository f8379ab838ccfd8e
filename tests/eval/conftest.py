"""Fixtures for the evaluation tests: small data folders built from real photos."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="session")
def astronaut_red(astronaut) -> np.ndarray:
    from fram.pipelines import apply_makeup

    return apply_makeup(astronaut, "red-carpet").image


@pytest.fixture(scope="session")
def makeup_folder(tmp_path_factory, astronaut, astronaut_red):
    """A ``real``/``regional`` data folder: the astronaut bare and wearing red-carpet."""
    root = tmp_path_factory.mktemp("makeup-photos")
    (root / "makeup").mkdir()
    (root / "non-makeup").mkdir()
    Image.fromarray(astronaut).save(root / "non-makeup" / "astronaut.png")
    Image.fromarray(astronaut_red).save(root / "makeup" / "astronaut-red-carpet.png")
    return root


@pytest.fixture(scope="session")
def source_photo(astronaut):
    from fram.eval.measure import Photo

    return Photo(astronaut, "astronaut")
