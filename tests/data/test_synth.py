"""The synthesis job: exact counts, rejections, determinism, resumption, splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import UV, small_config
from fram.data.shards import TMP_PREFIX, iter_tar
from fram.data.shards import load_sidecars
from fram.data.synth import SynthConfig, SynthInterrupted, synthesize
from fram.errors import FramError


def _quiet(**kw):
    return dict(progress=False, card=False, log=lambda m: None, **kw)


def _shard_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.suffix in (".tar", ".json") and p.parent != root}


def test_job_makes_exactly_n_annotated_pairs(built):
    index = json.loads((built / "index.json").read_text())
    assert index["counts"]["pairs"] == 8  # exactly n despite the rejected photos
    assert index["counts"]["unpaired_faces"] == 3
    sides = load_sidecars(built)
    assert sum(s["pairs"] for s in sides) == 8
    for side in sides:
        for key, fields in iter_tar(built / "pairs" / f"{side['name']}.tar"):
            meta = json.loads(fields["json"])
            assert meta["split"] == side["split"]
            assert {"before.png", "vis.png", "landmarks.npy", "json"} <= set(fields)
            assert len(meta["looks"]) >= 1 and all(f"after_{k}.png" in fields for k in range(len(meta["looks"])))
            for look in meta["looks"]:
                assert look["text"] and set(look["region_text"]) == {"skin", "cheeks", "eyes", "brows", "lips"}
                assert look["category"] and look["recipe"]
            styles = [look["style"] for look in meta["looks"]]
            assert len(set(styles)) == len(styles), "looks of one face are different styles"


def test_rejections_are_counted_by_reason(tmp_path, face_folder):
    bad = [str(face_folder / n) for n in ("coffee.png", "gray.png", "tiny.png", "broken.png", "astro_3.png")]
    report = synthesize(small_config(face_folder, faces=bad, n=100), tmp_path / "ds", **_quiet())
    assert report.rejected == {"grayscale": 1, "no_face": 1, "too_small": 1, "unreadable": 1}
    assert report.pairs == 2  # the faces ran out: one accepted face, two looks


def test_splits_share_no_identity(built):
    seen: dict[str, str] = {}
    for kind in ("pairs", "unpaired"):
        for side in load_sidecars(built, kind):
            for rec in side["records"]:
                assert seen.setdefault(rec["identity"], side["split"]) == side["split"]


def test_deterministic_for_a_seed(tmp_path, face_folder, built, makeup_folder):
    again = tmp_path / "again"
    synthesize(small_config(face_folder, makeup_folder), again, **_quiet())
    assert _shard_bytes(again) == _shard_bytes(built)
    other = tmp_path / "other"
    synthesize(small_config(face_folder, makeup_folder, seed=4), other, **_quiet())
    assert _shard_bytes(other) != _shard_bytes(built)


def test_resume_after_kill_leaves_no_partial_shard(tmp_path, face_folder, built, makeup_folder):
    out = tmp_path / "resumed"
    with pytest.raises(SynthInterrupted):
        synthesize(small_config(face_folder, makeup_folder), out, **_quiet(stop_after=2))
    finished = sorted(p.name for p in (out / "pairs").glob("*.tar"))
    assert len(finished) == 2 and all((out / "pairs" / n).with_suffix(".json").is_file() for n in finished)
    # what a kill in the middle of a write leaves behind: a temp file, a tar without sidecar
    (out / "pairs" / f"{TMP_PREFIX}train-000009.tar.abc").write_bytes(b"half a shard")
    (out / "pairs" / "train-000001.tar").write_bytes(b"unfinished")
    (out / "pairs" / "train-000001.json").unlink(missing_ok=True)
    synthesize(small_config(face_folder, makeup_folder), out, **_quiet())
    assert not list(out.rglob(f"{TMP_PREFIX}*"))
    assert _shard_bytes(out) == _shard_bytes(built)


def test_config_round_trips_through_json(face_folder):
    config = small_config(face_folder)
    assert SynthConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ValueError):
        small_config(face_folder, per_face=0)


def test_resume_with_other_settings_is_refused(tmp_path, face_folder):
    out = tmp_path / "ds"
    synthesize(small_config(face_folder, n=2), out, **_quiet())
    with pytest.raises(FramError, match="other settings"):
        synthesize(small_config(face_folder, n=2, seed=9), out, **_quiet())


def test_cli_with_two_workers_gives_the_same_dataset(tmp_path, face_folder, makeup_folder, built):
    from fram.cli import main

    out = tmp_path / "cli"
    args = ["synth", "--faces", str(face_folder), "--unpaired", str(makeup_folder), "--out", str(out), "--n", "8",
            "--per-face", "2", "--size", str(UV), "--seed", "3", "--shard-faces", "2", "--val-fraction", "0.2",
            "--test-fraction", "0.2", "--workers", "2", "--quiet", "--no-card"]
    assert main(args) == 0
    assert _shard_bytes(out) == _shard_bytes(built)  # spawned workers change nothing
    assert main(args) == 0  # a finished job resumes to a no-op
    assert main(["synth", "--faces", str(tmp_path / "missing"), "--out", str(out), "--n", "1"]) == 2
