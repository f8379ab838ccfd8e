"""A tiny run of every suite on real photos: the numbers behave and the files appear."""

import json
import math
import shutil

import pytest
from PIL import Image

from fram.cli import main
from fram.eval.suites import SuiteOptions, run_suite
from fram.eval.suites.common import SuiteDataError


def _metrics(out):
    assert (out / "report.md").read_text().startswith("# fram eval")
    return json.loads((out / "metrics.json").read_text())


def test_real_suite(makeup_folder, tmp_path):
    result = run_suite("real", ["none", "recipe:red-carpet"], tmp_path, SuiteOptions(data=makeup_folder))
    none, red = result.summary["none"], result.summary["recipe:red-carpet"]
    assert none["identity"] == pytest.approx(0, abs=1e-6) and none["leak_de"] == 0 and none["bg_psnr"] == math.inf
    # The reference is the astronaut wearing red-carpet: the same preset matches it up to
    # the metric's floor (the reference's masks are found again on the made-up photo).
    assert red["fid_de/lips"] < 3.0 and none["fid_de/lips"] > 10.0
    assert red["bg_psnr"] == math.inf and red["identity"] < 0.6
    doc = _metrics(tmp_path)
    assert doc["commit"] and doc["summary"]["none"]["bg_psnr"] == "inf"
    assert (tmp_path / "contact_sheet.png").is_file() and (tmp_path / "identity.png").is_file()
    scale = result.calibration
    assert scale["same photo (astronaut vs itself)"] == pytest.approx(0, abs=1e-6)


def test_regional_suite(makeup_folder, tmp_path):
    result = run_suite("regional", ["recipe:red-carpet"], tmp_path, SuiteOptions(data=makeup_folder, extra={"refs_per_source": 1}))
    s = result.summary["recipe:red-carpet"]
    for mode in ("lips-only", "eyes-only", "skin-only", "mixed"):
        assert s[f"leak_de/{mode}"] < 0.05, mode
    assert s["fid_de/lips-only"] < 3.0 and s["n"] == 4
    assert "lips-only" in (tmp_path / "report.md").read_text()


def test_synthetic_suite_oracle(astronaut, tmp_path):
    faces = tmp_path / "faces"
    faces.mkdir()
    Image.fromarray(astronaut).save(faces / "a.png")
    Image.fromarray(astronaut[:, ::-1]).save(faces / "b.png")
    # Only held-out identities (the data layer's test split) are used: find two such names.
    from fram.data.sources import split_of

    names = [f"face{i}.png" for i in range(1000) if split_of(f"faces/face{i}.png") == "test"][:2]
    for old, new in zip(("a.png", "b.png"), names):
        shutil.move(faces / old, faces / new)
    result = run_suite("synthetic", ["recipe:natural", "none"], tmp_path / "out",
                       SuiteOptions(data=faces, limit=1, extra={"styles": ["natural"]}))
    oracle, none = result.summary["recipe:natural"], result.summary["none"]
    # The same render on the photo and on its upright crop: equal but for float rounding
    # flipping a level at a pixel or two.
    assert oracle["gt_de/face"] < 1e-3 and oracle["gt_psnr/face"] > 80
    assert none["gt_de/face"] > 0.5 and none["gt_psnr/face"] < 60
    assert (tmp_path / "out" / "contact_sheet.png").is_file()


def test_fairness_suite(astronaut, tmp_path):
    utk = tmp_path / "utk"
    utk.mkdir()
    Image.fromarray(astronaut[:300, 80:380]).save(utk / "35_1_0_20170101000000000.jpg")
    Image.fromarray(astronaut[:300, 80:380].mean(axis=2, keepdims=True).repeat(3, 2).astype("uint8")).save(utk / "35_1_1_20170101000000001.jpg")
    Image.fromarray(astronaut[300:, :100]).save(utk / "40_0_2_20170101000000002.jpg")  # no face
    Image.fromarray(astronaut).save(utk / "not-utkface.jpg")
    assert main(["eval", "--suite", "fairness", "--engine", "none", "--out", str(tmp_path / "out"), "--data", str(utk), "--quiet"]) == 0
    doc = _metrics(tmp_path / "out")
    survey = {r["photo"]: r for r in doc["records"] if r.get("kind") == "survey"}
    assert survey["35_1_0_20170101000000000.jpg"]["mesh_ok"] and survey["35_1_0_20170101000000000.jpg"]["ita_group"] != "unknown"
    assert survey["35_1_1_20170101000000001.jpg"]["ita_source"] == "greyscale photo"
    assert not survey["40_0_2_20170101000000002.jpg"]["mesh_ok"]
    assert doc["summary"]["none"]["mesh_ok"] == pytest.approx(100 * 2 / 3)
    assert "Worst group next to best" in (tmp_path / "out" / "report.md").read_text()


def test_speed_suite(tmp_path):
    import torch

    threads = torch.get_num_threads()
    result = run_suite("speed", ["recipe:natural"], tmp_path, SuiteOptions(sizes=(256,), repeat=1, isolate=False, threads=1))
    row = result.records[0]
    assert "error" not in row, row
    assert row["threads"] == 1 and torch.get_num_threads() == threads
    assert row["ms/landmarks"] > 0 and row["ms/engine"] > 0 and row["peak_rss_mib"] > 100
    assert (tmp_path / "speed.png").is_file()


def test_cli_errors(tmp_path, capsys):
    assert main(["eval", "--suite", "real", "--engine", "none", "--out", str(tmp_path), "--data", str(tmp_path / "missing")]) == 2
    assert "non-makeup" in capsys.readouterr().err
    assert main(["eval", "--suite", "real", "--engine", "recipe:nope", "--out", str(tmp_path)]) == 2
    with pytest.raises(SuiteDataError):
        run_suite("nope", ["none"])


@pytest.mark.data
def test_real_suite_on_shared_photos(shared_data, tmp_path):
    result = run_suite("real", ["none"], tmp_path, SuiteOptions(limit=1))
    assert result.summary["none"]["n"] == 1
    scale = result.calibration
    assert scale["different people: closest pair"] > scale["same person: mirrored, 70% scale, gamma 1.2, JPEG 60"]


def test_synthetic_suite_splits_are_disjoint(astronaut, tmp_path):
    """--split val (for choosing settings) and the default test split never share a face."""
    from fram.data.sources import split_of
    from fram.eval.suites.synthetic import held_out_faces

    faces = tmp_path / "faces"
    faces.mkdir()
    for i in range(200):
        (faces / f"face{i}.png").write_bytes(b"")  # only names matter for the split
    test, val = held_out_faces(faces, split="test"), held_out_faces(faces, split="val")
    assert test and val and not {p.name for p in test} & {p.name for p in val}
    assert all(split_of(f"faces/{p.name}") == "val" for p in val)
    with pytest.raises(ValueError, match="test or val"):
        held_out_faces(faces, split="train")
