"""Small face folders for the data layer: astronaut variants plus photos to reject."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from fram.data.synth import SynthConfig, synthesize

UV = 64  # small textures keep the jobs fast; the code path is the one used at 256 px


def _save(path: Path, rgb: np.ndarray) -> str:
    cv2.imwrite(str(path), cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR))
    return str(path)


@pytest.fixture(scope="session")
def face_folder(tmp_path_factory, astronaut) -> Path:
    """8 usable faces (scaled, mirrored, tinted astronauts) and 4 photos to reject."""
    from skimage import data

    root = tmp_path_factory.mktemp("faces") / "bare"
    root.mkdir()
    for i in range(8):
        scale = 1.0 + 0.07 * i
        image = cv2.resize(astronaut, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if i % 2:
            image = image[:, ::-1]
        tint = np.array([1.0 + 0.03 * (i % 3), 1.0, 1.0 - 0.03 * (i % 4)])
        _save(root / f"astro_{i}.png", np.clip(image * tint, 0, 255).astype(np.uint8))
    _save(root / "coffee.png", data.coffee())  # no face
    gray = cv2.cvtColor(cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    _save(root / "gray.png", gray)  # black and white
    _save(root / "tiny.png", cv2.resize(astronaut, (96, 96), interpolation=cv2.INTER_AREA))  # face too small
    (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")  # unreadable
    return root


@pytest.fixture(scope="session")
def makeup_folder(tmp_path_factory, astronaut) -> Path:
    root = tmp_path_factory.mktemp("real") / "madeup"
    root.mkdir()
    for i in range(3):
        _save(root / f"real_{i}.png", cv2.resize(astronaut, None, fx=1.0 + 0.1 * i, fy=1.0 + 0.1 * i))
    return root


def small_config(face_folder: Path, makeup_folder: Path | None = None, **kwargs) -> SynthConfig:
    options = dict(
        faces=[str(face_folder)], n=8, per_face=2, uv_size=UV, seed=3, faces_per_shard=2,
        val_fraction=0.2, test_fraction=0.2, unpaired=[str(makeup_folder)] if makeup_folder else [],
    )
    options.update(kwargs)
    return SynthConfig(**options)


@pytest.fixture(scope="session")
def built(tmp_path_factory, face_folder, makeup_folder) -> Path:
    """One finished small dataset (with card), shared by the read-only tests."""
    out = tmp_path_factory.mktemp("synth") / "ds"
    synthesize(small_config(face_folder, makeup_folder), out, progress=False, card=False, log=lambda m: None)
    from fram.data.card import write_card

    write_card(out, sheet_count=2)
    return out
