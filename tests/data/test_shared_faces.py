"""Real bare faces from ../shared/data (skipped when that folder is absent)."""

from __future__ import annotations

import numpy as np
import pytest

from fram.data.pairs import QualityOptions, add_looks, analyse_photo, face_rng
from fram.face.landmarks import default_landmarker

pytestmark = pytest.mark.data


def _utk(shared_data, race: int, count: int) -> list:
    files = sorted((shared_data / "faces" / "utkface").glob(f"*_*_{race}_*.jpg"))
    return files[:: max(1, len(files) // count)][:count]


def test_skin_tone_follows_the_photos_and_looks_render(shared_data):
    landmarker = default_landmarker()
    tones = {}
    for race in (0, 1):  # UTKFace labels: 0 White, 1 Black (a coarse proxy)
        angles = []
        for i, path in enumerate(_utk(shared_data, race, 4)):
            record, rejection = analyse_photo(str(path), path.name, f"f{i:07d}", landmarker, 64, QualityOptions())
            if record is None:
                continue
            angles.append(record.meta["ita"])
            add_looks(record, 2, face_rng(0, i))
            assert record.afters.shape == (2, 64, 64, 3)
            assert np.abs(record.afters.astype(int) - record.texture.astype(int)).max() > 20
        assert angles, f"no usable face among the UTKFace race {race} samples"
        tones[race] = np.median(angles)
    assert tones[1] < tones[0] - 15, tones
