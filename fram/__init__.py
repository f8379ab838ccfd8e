"""fram: facial region-aware makeup transfer that runs on a laptop CPU.

The public API: :func:`apply_makeup` (a look on a photo), :func:`transfer` (a
reference's makeup on a photo), the pipeline classes behind them, and
:class:`MakeupOptions`. Submodules load lazily, so ``import fram`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "apply_makeup": "fram.pipelines", "transfer": "fram.pipelines", "remove_makeup": "fram.pipelines", "MakeupOptions": "fram.pipelines",
    "PipelineOutput": "fram.pipelines", "ApplyPipeline": "fram.pipelines", "ClassicTransferPipeline": "fram.pipelines",
    "FramTransferPipeline": "fram.pipelines", "SearchPipeline": "fram.pipelines", "engine_names": "fram.pipelines",
    "Look": "fram.pipelines", "extract_look": "fram.pipelines", "painted_look": "fram.pipelines", "save_look": "fram.pipelines",
    "load_look": "fram.pipelines", "FramError": "fram.errors", "MakeupStyle": "fram.makeup.recipe",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'fram' has no attribute {name!r}")
