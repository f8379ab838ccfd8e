"""Shared fixtures: real photos that ship with scikit-image, and ../shared/data when present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from skimage import data

    return np.ascontiguousarray(data.astronaut())


@pytest.fixture(scope="session")
def astronaut_face(astronaut):
    from fram.face.landmarks import detect_face

    return detect_face(astronaut)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def batch_folder(tmp_path_factory, shared_data) -> Path:
    """A folder a batch runs over: three real faces (one in a sub-folder), a text file
    named like a photo, a truncated JPEG and a picture with no face."""
    from PIL import Image

    faces = sorted((shared_data / "faces" / "scut-fbp5500").glob("*.jpg"))[:4]
    root = tmp_path_factory.mktemp("batch")
    (root / "sub").mkdir()
    for path, target in zip(faces[:3], ("a.jpg", "b.jpg", "sub/c.jpg")):
        (root / target).write_bytes(path.read_bytes())
    (root / "notes.jpg").write_text("not a photo")
    (root / "cut.jpg").write_bytes(faces[3].read_bytes()[:3000])
    Image.fromarray(np.full((200, 200, 3), 90, np.uint8)).save(root / "blank.png")
    return root


@pytest.fixture(scope="session")
def check_made_up():
    """Checks that an output is its source photo with new lips and an untouched far background
    (``exact``: bit for bit there, for lossless outputs)."""
    from PIL import Image

    from fram.face.image_io import read_image
    from fram.face.landmarks import detect_face
    from fram.face.regions import region_masks

    def check(source: Path, output: Path, *, exact: bool = True) -> None:
        before = read_image(source)
        with Image.open(output) as image:
            after = np.asarray(image.convert("RGB")).astype(np.int16)
        assert after.shape == before.shape
        diff = np.abs(after - before).sum(axis=-1)
        lips = region_masks(before, detect_face(before)).full("lips") > 0.5
        assert diff[lips].mean() > 20, f"the lips of {output.name} did not change"
        corner = diff[:40, :40]
        assert (not corner.any()) if exact else corner.mean() < 6, f"the far background of {output.name} changed"

    return check


@pytest.fixture(scope="session")
def video_face(shared_data) -> np.ndarray:
    """A bare frontal face that the video tests move, zoom and re-light into clips."""
    from fram.face.image_io import read_image

    path = shared_data / "makeup-photos" / "non-makeup" / "xfsy_0058.png"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return read_image(path)
