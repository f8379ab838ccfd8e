"""What a user calls: one pipeline class per engine over shared options and reference
handling, one engine registry, and the two everyday calls (:func:`apply_makeup`,
:func:`transfer`). Names load on first use, so the CLI can ask the registry for engine
names without loading torch; the two pipelines that run learned torch models (the
diffusion engine, the makeup search) say which extra to install when torch is missing."""

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
TORCH_EXTRAS = {
    "fram_transfer": ("diffusion", "the fram (diffusion) engine"),
    "search": ("search", "makeup search (fram embed, similar, describe)"),
}
"""Modules that need torch → (the extra that brings it, what needs it)."""


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = _EXPORTS[name]
        if module in TORCH_EXTRAS:
            from fram.errors import require_extra

            require_extra("torch", *TORCH_EXTRAS[module])
        return getattr(importlib.import_module(f"fram.pipelines.{module}"), name)
    raise AttributeError(f"module 'fram.pipelines' has no attribute {name!r}")
