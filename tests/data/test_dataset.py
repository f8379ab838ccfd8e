"""Streaming the dataset into PyTorch."""

from __future__ import annotations

import json

import pytest
import torch
from torch.utils.data import DataLoader

from conftest import UV
from fram.data import RealMakeupFaces, SynthPairs, face_from_meta, list_styles, read_record


def test_pairs_stream_with_annotations(built):
    ds = SynthPairs(built, "train", include_regions=True)
    items = list(ds)
    assert len(items) == len(ds) > 0
    item = items[0]
    assert item["before"].shape == item["after"].shape == (3, UV, UV)
    assert item["visibility"].shape == (1, UV, UV)
    assert 0.0 <= float(item["before"].min()) and float(item["after"].max()) <= 1.0
    assert item["regions"].shape[1:] == (UV, UV) and len(ds.region_names) == item["regions"].shape[0]
    assert list_styles()[item["style_index"]] == item["style"]
    assert json.loads(item["recipe"])["name"] == item["style"]
    assert isinstance(item["text"], str) and "lips" in item["region_text"]
    assert not torch.equal(item["before"], item["after"]), "makeup changes the texture"


def test_splits_partition_the_pairs(built):
    total = json.loads((built / "index.json").read_text())["counts"]["pairs"]
    sizes = {s: len(list(SynthPairs(built, s))) for s in ("train", "val", "test")}
    assert sum(sizes.values()) == total
    with pytest.raises(ValueError):
        SynthPairs(built, "dev")


def test_by_face_groups_looks(built):
    faces = list(SynthPairs(built, "train", by_face=True))
    assert len(faces) == len(SynthPairs(built, "train", by_face=True))
    assert all(f["afters"].shape[1:] == (3, UV, UV) and len(f["style"]) == f["afters"].shape[0] for f in faces)


def test_dataloader_workers_split_shards_and_shuffle_keeps_items(built):
    plain = sorted((i["key"], i["style"]) for i in SynthPairs(built, "train"))
    loader = DataLoader(SynthPairs(built, "train", shuffle=True, shuffle_buffer=3, seed=1), batch_size=2, num_workers=2)
    seen = []
    for batch in loader:
        assert batch["before"].shape[1:] == (3, UV, UV)
        seen += list(zip(batch["key"], batch["style"]))
    assert sorted(seen) == plain  # every pair exactly once across workers


def test_unpaired_real_makeup_faces(built):
    items = [i for s in ("train", "val", "test") for i in RealMakeupFaces(built, s)]
    assert len(items) == 3
    assert items[0]["image"].shape == (3, UV, UV) and "after" not in items[0]


def test_record_reprojects_into_the_photo(built):
    import io

    import numpy as np

    from fram.face.image_io import read_image
    from fram.face.uv import project

    shard = json.loads((built / "index.json").read_text())["shards"][0]["file"]
    key = json.loads((built / shard.replace(".tar", ".json")).read_text())["records"][0]["key"]
    meta, fields = read_record(built, shard, key)
    face = face_from_meta(meta, np.load(io.BytesIO(fields["landmarks.npy"])))
    photo = read_image(meta["source"])
    assert face.image_size == photo.shape[:2]
    layer = project(np.ones((UV, UV), np.float32), face)
    assert layer.full().shape[:2] == photo.shape[:2] and layer.data.max() > 0.9
