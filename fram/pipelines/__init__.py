"""What a user calls: one pipeline class per engine over shared options and reference
handling, one engine registry, and the two everyday calls (:func:`apply_makeup`,
:func:`transfer`)."""

from fram.pipelines.api import apply_makeup, transfer
from fram.pipelines.apply import ApplyPipeline
from fram.pipelines.base import Pipeline, PipelineOutput
from fram.pipelines.classic import ClassicTransferPipeline
from fram.pipelines.fram_transfer import FramTransferPipeline
from fram.pipelines.options import REGION_GROUPS, MakeupOptions
from fram.pipelines.references import Reference, resolve_reference
from fram.pipelines.registry import (EngineSpec, EngineUnavailableError, default_engine, engine_names, load_engine,
                                     register_engine, shared_pipeline)
from fram.pipelines.search import SearchPipeline

__all__ = [
    "ApplyPipeline", "ClassicTransferPipeline", "EngineSpec", "EngineUnavailableError", "FramTransferPipeline",
    "MakeupOptions", "Pipeline", "PipelineOutput", "REGION_GROUPS", "Reference", "SearchPipeline", "apply_makeup",
    "default_engine", "engine_names", "load_engine", "register_engine", "resolve_reference", "shared_pipeline", "transfer",
]
