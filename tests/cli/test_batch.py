"""``fram batch`` as a user runs it: exit statuses, errors.csv, formats, a glob, and a
real ``fram batch`` process killed mid-run and rerun."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_folder_makes_the_good_photos_and_lists_the_bad_ones(cli, batch_folder, out_dir, check_made_up):
    result = cli("batch", batch_folder, "--style", "goth", "-o", out_dir, "--quiet")
    assert result.code == 3, result
    assert sorted(_files(out_dir)) == ["a.png", "b.png", "errors.csv", "sub/c.png"]
    for name in ("a", "b", "sub/c"):
        check_made_up(batch_folder / f"{name}.jpg", out_dir / f"{name}.png")
    with open(out_dir / "errors.csv", newline="") as handle:
        assert sorted(row["file"] for row in csv.DictReader(handle)) == ["blank.png", "cut.jpg", "notes.jpg"]


@pytest.mark.parametrize("fmt, pil", [("jpg", "JPEG"), ("webp", "WEBP")])
def test_a_glob_in_another_format(cli, batch_folder, out_dir, check_made_up, fmt, pil):
    result = cli("batch", f"{batch_folder}/**/[ab].jpg", "--text", "red lips", "--format", fmt, "-o", out_dir, "--quiet")
    assert result.code == 0, result
    assert sorted(_files(out_dir)) == [f"a.{fmt}", f"b.{fmt}"]
    for name in ("a", "b"):
        with Image.open(out_dir / f"{name}.{fmt}") as image:
            assert image.format == pil and not image.info.get("exif")
        check_made_up(batch_folder / f"{name}.jpg", out_dir / f"{name}.{fmt}", exact=False)


def test_a_manifest_with_per_row_references(cli, batch_folder, tmp_path, out_dir, shared_data, check_made_up):
    reference = sorted((shared_data / "makeup-photos" / "makeup").glob("*.png"))[1]
    manifest = tmp_path / "rows.csv"
    manifest.write_text(f"source,reference,regions\n{batch_folder / 'a.jpg'},{reference},lips\n"
                        f"{batch_folder / 'b.jpg'},goth,\n{batch_folder / 'blank.png'},goth,\n")
    result = cli("batch", manifest, "-o", out_dir, "--quiet", "--workers", "2")
    assert result.code == 3, result
    assert sorted(_files(out_dir)) == ["a.png", "b.png", "errors.csv"]
    check_made_up(batch_folder / "a.jpg", out_dir / "a.png")
    check_made_up(batch_folder / "b.jpg", out_dir / "b.png")


@pytest.mark.parametrize("args, words", [
    (["--style", "goth", "--reference", "goth"], "not both"),
    (["--style", "no-such-look"], "neither a file nor a preset"),
    ([], "give a look"),
    (["--style", "goth", "--quality", "0"], "quality"),
])
def test_user_errors_stop_before_any_work(fails, batch_folder, out_dir, args, words):
    assert words in fails("batch", batch_folder, *args, "-o", out_dir)
    assert not list(out_dir.iterdir())


def test_no_inputs_and_a_bad_manifest_are_user_errors(fails, tmp_path, out_dir):
    (tmp_path / "empty").mkdir()
    assert "no photos found" in fails("batch", tmp_path / "empty", "--style", "goth", "-o", out_dir)
    (tmp_path / "bad.csv").write_text("photo,look\nx.jpg,goth\n")
    assert "columns are" in fails("batch", tmp_path / "bad.csv", "--style", "goth", "-o", out_dir)


def test_a_killed_run_resumes_without_losing_or_half_writing_anything(tmp_path, batch_folder, shared_data, cli):
    faces = sorted((shared_data / "faces" / "scut-fbp5500").glob("*.jpg"))[:10]
    photos = tmp_path / "photos"
    photos.mkdir()
    for path in faces:
        (photos / path.name).write_bytes(path.read_bytes())
    reference = sorted((shared_data / "makeup-photos" / "makeup").glob("*.png"))[0]
    args = ["batch", str(photos), "--reference", str(reference), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    killed = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-m", "fram.cli", *args, "-o", str(killed)], env=env, cwd=ROOT)
    deadline = time.monotonic() + 240
    while not len(list(killed.glob("*.png"))) >= 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    made_before = len(list(killed.glob("*.png")))
    assert 0 < made_before < len(faces), "the run was not killed mid-way"
    assert cli(*args, "-o", killed).code == 0
    assert not list(killed.rglob("*.tmp"))
    clean = tmp_path / "clean"
    assert cli(*args, "-o", clean).code == 0
    assert _files(killed) == _files(clean) and len(_files(clean)) == len(faces)
