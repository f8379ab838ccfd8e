"""Where fram finds the weights it ships, once for every model.

Each model's folder lives here (``fram/weights/<name>/``: ``config.json`` +
``model.safetensors``); an environment variable per model names another folder
(for weights you trained yourself). Nothing is ever downloaded. Every model saves and
loads the same way (:class:`PretrainedModel`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar

WEIGHTS_ROOT = Path(__file__).resolve().parent


CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"


def weights_folder(env_var: str, name: str) -> Path:
    """``$env_var`` when set, else the shipped ``fram/weights/<name>``."""
    return Path(os.environ.get(env_var) or WEIGHTS_ROOT / name)


def model_files(folder: str | os.PathLike[str], model_type: str, missing_hint: str = "") -> tuple[dict[str, Any], Path]:
    """A model folder's config (``config.json``, parsed) and the path of its weights, or
    a :class:`~fram.errors.ModelNotFoundError` that says what to do (``missing_hint``).
    Torch models load the weights through :class:`PretrainedModel`, numpy ones through
    ``safetensors.numpy``."""
    from fram.errors import ModelNotFoundError

    folder = Path(folder)
    if not (folder / CONFIG_FILE).is_file() or not (folder / WEIGHTS_FILE).is_file():
        hint = f": {missing_hint}" if missing_hint else ""
        raise ModelNotFoundError(f"no {model_type} in {folder} ({CONFIG_FILE} and {WEIGHTS_FILE} expected){hint}")
    return json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8")), folder / WEIGHTS_FILE




class PretrainedModel:
    """``save_pretrained`` / ``from_pretrained`` for fram's torch modules, one way for all.

    A model folder is ``config.json`` (``model_type`` plus the config's plain data) and
    ``model.safetensors`` (float32, written through a temporary file and one rename);
    never pickle. A subclass is an ``nn.Module`` with a ``config`` attribute and sets
    ``model_type``, ``config_class`` (with ``from_dict`` / ``to_dict``) and ``missing_hint``
    (what to do when the folder holds no weights); it may extend
    :meth:`_save_extras` / :meth:`_load_extras` for files beside the weights.
    """

    model_type: ClassVar[str]
    config_class: ClassVar[Any]
    missing_hint: ClassVar[str] = ""

    def save_pretrained(self, folder: str | os.PathLike[str], extra: dict[str, Any] | None = None) -> Path:
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        doc = {"model_type": self.model_type, **self.config.to_dict(), **(extra or {})}
        (folder / CONFIG_FILE).write_text(json.dumps(doc, indent=1), encoding="utf-8")
        state = {k: (v.float() if v.is_floating_point() else v).detach().cpu().contiguous() for k, v in self.state_dict().items()}
        tmp = folder / f"{WEIGHTS_FILE}.tmp"
        save_file(state, str(tmp), metadata={"format": "pt", "model_type": self.model_type})
        os.replace(tmp, folder / WEIGHTS_FILE)
        self._save_extras(folder)
        return folder

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike[str]) -> Any:
        """Load a folder written by :meth:`save_pretrained` (CPU, float32, eval mode)."""
        from safetensors.torch import load_file

        config, weights = model_files(folder, cls.model_type, cls.missing_hint)
        model = cls(cls.config_class.from_dict(config))
        state = load_file(str(weights), device="cpu")
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()}, strict=True)
        model._load_extras(weights.parent)
        return model.eval()

    def _save_extras(self, folder: Path) -> None:
        """Write files that belong beside the weights (none by default)."""

    def _load_extras(self, folder: Path) -> None:
        """Read them back (none by default)."""


__all__ = ["CONFIG_FILE", "PretrainedModel", "WEIGHTS_FILE", "WEIGHTS_ROOT", "model_files", "weights_folder"]
