"""Listing photos, naming identities and splitting them."""

from __future__ import annotations

from collections import Counter

import pytest

from fram.data.sources import list_faces, split_of
from fram.errors import FramError


def test_folder_file_and_glob_give_stable_identities(face_folder):
    from_dir = list_faces([face_folder])
    assert len(from_dir) == 12
    assert all(f.identity.startswith("bare/") for f in from_dir)
    from_glob = list_faces([str(face_folder / "astro_*.png")])
    assert [f.identity for f in from_glob] == [f"bare/astro_{i}.png" for i in range(8)]
    one = list_faces([face_folder / "astro_3.png"])
    assert one[0].identity == "bare/astro_3.png"
    assert len(list_faces([face_folder, face_folder / "astro_3.png"])) == 12  # listed once


def test_missing_source_is_a_user_error(tmp_path):
    with pytest.raises(FramError, match="not a folder"):
        list_faces([tmp_path / "nope"])
    with pytest.raises(FramError, match="no images"):
        list_faces([tmp_path])


def test_split_is_a_fixed_function_of_identity():
    names = [f"utkface/{i}.jpg" for i in range(4000)]
    splits = [split_of(n) for n in names]
    assert splits == [split_of(n) for n in names]
    counts = Counter(splits)
    assert 0.87 < counts["train"] / 4000 < 0.93
    assert 0.03 < counts["val"] / 4000 < 0.07 and 0.03 < counts["test"] / 4000 < 0.07
    with pytest.raises(ValueError):
        split_of("x", 0.6, 0.5)
