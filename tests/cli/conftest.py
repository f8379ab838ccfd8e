"""Fixtures for the command-line tests: real photos on disk, a private HOME, and checkers.

Every test calls ``fram.cli.main([...])`` and looks only at what a user would see: the
exit status, stderr, and the files written. ``__init__.py`` beside this file keeps these
modules apart from same-named test modules elsewhere (tests/face/test_uv.py, …).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fram.cli import main

BACKGROUND = (slice(300, None), slice(0, 120))  # the astronaut's suit and the wall, far from her face


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch) -> Path:
    """No test reads or writes the real ~/.cache; the shipped weights are used."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("FRAM_MAKEUP_CLIP", raising=False)
    return home


@pytest.fixture
def out_dir(tmp_path) -> Path:
    """An empty folder for outputs, so a test can say that nothing at all was left there."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def photos(tmp_path_factory, astronaut) -> Path:
    """A folder of inputs: the astronaut, a blank picture (no face) and a text file named .jpg."""
    root = tmp_path_factory.mktemp("photos")
    Image.fromarray(astronaut).save(root / "astronaut.png")
    Image.fromarray(np.full((200, 200, 3), 90, np.uint8)).save(root / "blank.png")
    (root / "notes.jpg").write_text("hello")
    return root


@pytest.fixture(scope="session")
def photo(photos) -> Path:
    return photos / "astronaut.png"


@pytest.fixture(scope="session")
def blank(photos) -> Path:
    return photos / "blank.png"


@pytest.fixture(scope="session")
def not_image(photos) -> Path:
    return photos / "notes.jpg"


@pytest.fixture(scope="session")
def reference(photos, astronaut) -> Path:
    """A made-up face that needs no shared data: the astronaut wearing the goth preset."""
    from fram.pipelines import apply_makeup

    path = photos / "astronaut-goth.png"
    Image.fromarray(apply_makeup(astronaut, "goth").image).save(path)
    return path


@pytest.fixture(scope="session")
def gallery(tmp_path_factory, shared_data, photo, not_image) -> Path:
    """A small folder to search: the astronaut, three real made-up photos and a file that is no image."""
    root = tmp_path_factory.mktemp("gallery")
    shutil.copy(photo, root / photo.name)
    shutil.copy(not_image, root / not_image.name)
    for path in sorted((shared_data / "makeup-photos" / "makeup").glob("*.png"))[:3]:
        shutil.copy(path, root / path.name)
    return root


@pytest.fixture(scope="session")
def masks(astronaut, astronaut_face):
    from fram.face.regions import region_masks

    return region_masks(astronaut, astronaut_face)


@pytest.fixture(scope="session")
def check_makeup(astronaut, masks) -> Callable[..., None]:
    """Checks that an output photo is the astronaut with new lips and an untouched background."""

    def check(path: Path, *, unchanged: tuple[str, ...] = ()) -> None:
        with Image.open(path) as image:
            result = np.asarray(image.convert("RGB")).astype(np.int16)
        assert result.shape == astronaut.shape
        diff = np.abs(result - astronaut).sum(axis=-1)
        assert diff[masks.full("lips") > 0.5].mean() > 20, "the lips did not change"
        assert not diff[BACKGROUND].any(), "the background far from the face changed"
        for region in unchanged:
            assert not diff[masks.full(region) > 0.5].any(), f"the {region} changed"

    return check


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys) -> Callable[..., Run]:
    """Runs ``fram ARGS``; an argparse usage error counts as its exit status, as a shell sees it."""

    def run(*argv: object) -> Run:
        capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def fails(cli) -> Callable[..., str]:
    """Runs a command that must fail cleanly: status 2, one ``fram: error:`` line, no traceback.

    Other stderr lines (e.g. ``fram: skipped …`` notes) may come before it. Returns the error line.
    """

    def run(*argv: object) -> str:
        result = cli(*argv)
        assert result.code == 2, result
        assert "Traceback" not in result.err
        errors = [line for line in result.err.splitlines() if line.startswith("fram: error:")]
        assert len(errors) == 1, result.err
        assert result.err.rstrip().splitlines()[-1] == errors[0]
        return errors[0]

    return run


@pytest.fixture
def usage_error(cli) -> Callable[..., str]:
    """Runs a command whose arguments the parser refuses: status 2 and one ``fram: error: …`` line
    that points to the command's --help."""

    def run(*argv: object) -> str:
        result = cli(*argv)
        assert result.code == 2, result
        assert "Traceback" not in result.err
        lines = result.err.rstrip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("fram: error: ") and "--help" in lines[0], result.err
        return lines[0]

    return run
