"""Where fram finds the weights it ships, once for every model.

Each model's folder lives here (``fram/weights/<name>/``: ``config.json`` +
``model.safetensors``); an environment variable per model names another folder
(for weights you trained yourself). Nothing is ever downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path

WEIGHTS_ROOT = Path(__file__).resolve().parent


def weights_folder(env_var: str, name: str) -> Path:
    """``$env_var`` when set, else the shipped ``fram/weights/<name>``."""
    return Path(os.environ.get(env_var) or WEIGHTS_ROOT / name)


__all__ = ["WEIGHTS_ROOT", "weights_folder"]
