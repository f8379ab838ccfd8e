"""The core install has no torch: apply, transfer, remove and extract run without it
(and never try to import it), and a command that needs it names its extra in one line.

Each command runs in a fresh process where importing torch fails, as on a core install.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Any attempt to import torch fails and is recorded; after the command, nothing may
# have tried, and torch must not be loaded.
WITHOUT_TORCH = """
import sys
tried = []
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            tried.append(name)
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, NoTorch())
from fram.cli import main
code = main(sys.argv[1:])
if code == 0:
    assert not tried and "torch" not in sys.modules, f"tried to import {tried}"
sys.exit(code)
"""


def _fram(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", WITHOUT_TORCH, *argv], env=env, capture_output=True, text=True, timeout=300)


def _errors(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("fram:")]


@pytest.fixture(scope="module")
def photos(shared_data) -> tuple[Path, Path]:
    bare = shared_data / "makeup-photos" / "non-makeup" / "xfsy_0058.png"
    made_up = shared_data / "makeup-photos" / "makeup" / "XMY-112.png"
    for path in (bare, made_up):
        if not path.is_file():
            pytest.skip(f"{path} not found")
    return bare, made_up


@pytest.mark.data
def test_core_commands_run_without_torch(photos, tmp_path, check_made_up):
    bare, made_up = photos
    runs = {
        "apply.png": ("apply", str(bare), "--style", "full-glam"),
        "transfer-photo.png": ("transfer", str(bare), str(made_up)),
        "transfer-preset.png": ("transfer", str(bare), "red-carpet", "--engine", "classic"),
        "removed.png": ("remove", str(made_up)),
        "look.fram": ("extract", str(made_up)),
    }
    for name, argv in runs.items():
        done = _fram(*argv, "-o", str(tmp_path / name))
        assert done.returncode == 0, f"{argv[0]}: {done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr
    for name in ("apply.png", "transfer-photo.png", "transfer-preset.png"):
        check_made_up(bare, tmp_path / name)
    # Synthesising training pairs needs no torch either (only training does).
    done = _fram("synth", "--faces", str(bare), "--out", str(tmp_path / "synth"), "--n", "2", "--per-face", "2",
                 "--workers", "1", "--quiet", "--no-card")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "synth" / "index.json").is_file()
    # The extracted look is worn without torch too.
    done = _fram("apply", str(bare), "--style", str(tmp_path / "look.fram"), "-o", str(tmp_path / "worn.png"))
    assert done.returncode == 0, done.stderr[-2000:]
    check_made_up(bare, tmp_path / "worn.png")


@pytest.mark.data
def test_commands_that_need_torch_name_their_extra(photos, tmp_path):
    bare, made_up = photos
    for argv, extra in (
        (("describe", str(made_up)), "[search]"),
        (("embed", str(made_up), "-o", str(tmp_path / "e.npy")), "[search]"),
        (("transfer", str(bare), str(made_up), "--engine", "fram", "-o", str(tmp_path / "f.png")), "[diffusion]"),
    ):
        done = _fram(*argv)
        assert done.returncode == 2, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        (line,) = _errors(done)
        assert extra in line and "torch" in line and f"pip install 'fram{extra}'" in line, line
