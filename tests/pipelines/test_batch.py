"""run_batch on real photos: good photos made up, bad ones listed, the shared look
resolved once, manifests, resumption, and the same bytes on 1, 2 processes or Ray."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fram.errors import FramError
from fram.pipelines.batch import BatchLook, BatchOptions, prepare_look, run_batch
from fram.pipelines.batch_inputs import list_inputs

GOOD = ("a.png", "b.png", "sub/c.png")
BAD = {"blank.png": "no face", "cut.jpg": "corrupt", "notes.jpg": "not an image"}


@pytest.fixture(scope="module")
def makeup_photo(shared_data) -> Path:
    return sorted((shared_data / "makeup-photos" / "makeup").glob("*.png"))[0]


@pytest.fixture(scope="module")
def made(tmp_path_factory, batch_folder):
    """One preset run over the folder, shared by the tests that only read it."""
    out = tmp_path_factory.mktemp("made")
    jobs, failures = list_inputs(str(batch_folder))
    return out, run_batch(jobs, out, BatchOptions(BatchLook(style="goth")), failures=failures, progress=False)


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != "errors.csv"}


def test_good_photos_are_made_up_and_bad_ones_listed(made, batch_folder, check_made_up):
    out, report = made
    assert sorted(_outputs(out)) == sorted(GOOD)
    for name in GOOD:
        check_made_up(batch_folder / name.replace(".png", ".jpg"), out / name)
    assert (report.made, report.skipped, len(report.failures)) == (3, 0, 3)
    with open(out / "errors.csv", newline="") as handle:
        rows = {row["file"]: row["reason"] for row in csv.DictReader(handle)}
    assert sorted(rows) == sorted(BAD)
    for name, words in BAD.items():
        assert words in rows[name]


def test_a_shared_reference_is_resolved_once_with_its_layer(makeup_photo):
    look = prepare_look(BatchLook(reference=str(makeup_photo), references={"lips": str(makeup_photo)}), "layer")
    assert look.references["lips"] is look.reference
    assert look.reference.look_layer is not None  # the engine's per-photo work is already done


def test_a_rerun_makes_only_what_is_missing_and_removes_temporary_files(tmp_path, made, batch_folder):
    out = tmp_path / "out"
    out.mkdir()
    first, _ = made
    for name, data in _outputs(first).items():
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_bytes(data)
    (out / "b.png").unlink()
    (out / ".b.png.0123456789abcdef.tmp").write_bytes(b"half an image")
    jobs, failures = list_inputs(str(batch_folder))
    report = run_batch(jobs, out, BatchOptions(BatchLook(style="goth")), failures=failures, progress=False)
    assert (report.made, report.skipped) == (1, 2)
    assert _outputs(out) == _outputs(first)
    assert not list(out.rglob("*.tmp"))


def test_a_manifest_gives_each_row_its_own_reference(tmp_path, batch_folder, makeup_photo, check_made_up):
    (tmp_path / "ref.png").write_bytes(makeup_photo.read_bytes())
    manifest = tmp_path / "list.csv"
    manifest.write_text("source,reference,style,regions,intensity\n"
                        f"{batch_folder / 'a.jpg'},ref.png,,,\n"
                        f"{batch_folder / 'a.jpg'},,goth,lips,\n"
                        f"{batch_folder / 'b.jpg'},,no-such-preset,,\n"
                        f"{batch_folder / 'b.jpg'},,goth,,much\n"
                        ",goth,,,\n")
    jobs, failures = list_inputs(str(manifest))
    assert [j.output for j in jobs] == ["a", "a-2", "b", "b-2"]
    assert [f.reason for f in failures] == ["no source"]
    report = run_batch(jobs, tmp_path / "out", BatchOptions(BatchLook()), failures=failures, progress=False)
    assert report.made == 2
    reasons = sorted(f.reason for f in report.failures)
    assert "intensity" in reasons[0] and "no-such-preset" in reasons[1] and reasons[2] == "no source", reasons
    check_made_up(batch_folder / "a.jpg", tmp_path / "out" / "a.png")
    check_made_up(batch_folder / "a.jpg", tmp_path / "out" / "a-2.png")
    assert (tmp_path / "out" / "a.png").read_bytes() != (tmp_path / "out" / "a-2.png").read_bytes()


def test_a_look_and_a_reference_together_or_no_look_are_refused(batch_folder, tmp_path):
    with pytest.raises(FramError, match="not both"):
        BatchOptions(BatchLook(style="goth", reference="goth"))
    jobs, _ = list_inputs(str(batch_folder))
    with pytest.raises(FramError, match="give a look"):
        run_batch(jobs, tmp_path / "out", BatchOptions(BatchLook()), progress=False)
    assert not (tmp_path / "out").exists()


def test_names_clash_deterministically_and_the_output_folder_is_not_an_input(tmp_path, batch_folder):
    (tmp_path / "x.jpg").write_bytes((batch_folder / "a.jpg").read_bytes())
    (tmp_path / "x.png").write_bytes(b"")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.png").write_bytes(b"")
    jobs, _ = list_inputs(str(tmp_path), exclude=tmp_path / "out")
    assert [(j.name, j.output) for j in jobs] == [("x.jpg", "x"), ("x.png", "x-2")]


@pytest.mark.parametrize("where", ["workers", "ray"])
def test_processes_and_ray_make_the_same_bytes(tmp_path, made, batch_folder, where):
    if where == "ray":
        ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'fram[ray]'")
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    jobs, failures = list_inputs(str(batch_folder))
    try:
        report = run_batch(jobs, tmp_path, BatchOptions(BatchLook(style="goth")), failures=failures, progress=False,
                           workers=2, ray_address="local" if where == "ray" else None)
    finally:
        if where == "ray":
            ray.shutdown()
    assert report.made == 3 and len(report.failures) == 3
    assert _outputs(tmp_path) == _outputs(made[0])
