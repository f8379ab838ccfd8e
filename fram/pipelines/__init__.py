"""What a user calls: one pipeline class per engine over shared options and reference
handling, one engine registry, and the two everyday calls (:func:`apply_makeup`,
:func:`transfer`). Names load on first use, so the CLI can ask the registry for engine
names without loading torch."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "apply_makeup": "api", "transfer": "api", "remove_makeup": "api", "LayerTransferPipeline": "layer_transfer",
    "RemovePipeline": "layer_transfer", "ApplyPipeline": "apply", "Pipeline": "base", "PipelineOutput": "base",
    "ClassicTransferPipeline": "classic", "FramTransferPipeline": "fram_transfer", "MakeupOptions": "options",
    "REGION_GROUPS": "options", "Reference": "references", "resolve_reference": "references", "EngineSpec": "registry",
    "EngineUnavailableError": "registry", "default_engine": "registry", "engine_names": "registry",
    "load_engine": "registry", "register_engine": "registry", "shared_pipeline": "registry", "SearchPipeline": "search",
    "Look": "looks", "extract_look": "looks", "load_look": "looks", "painted_look": "looks", "save_look": "looks",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"fram.pipelines.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'fram.pipelines' has no attribute {name!r}")
