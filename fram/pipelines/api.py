"""The two calls most users need, over shared pipelines (models load once per process)."""

from __future__ import annotations

from typing import Any

from fram.makeup.look_file import is_look
from fram.pipelines.apply import ApplyPipeline
from fram.pipelines.base import PipelineOutput
from fram.pipelines.layer_transfer import LayerTransferPipeline, RemovePipeline
from fram.pipelines.options import MakeupOptions
from fram.pipelines.registry import default_engine, load_engine, shared_pipeline


def apply_makeup(image: object, look: object, options: MakeupOptions | None = None, *, source_name: str = "image",
                 **values: Any) -> PipelineOutput:
    """Put a look (a preset name, ``text:WORDS``, a recipe file, dict or object, or a
    saved look: a ``.fram`` file or :class:`~fram.makeup.look_file.Look`, worn as its
    makeup layer) on a photo at its full resolution. ``options`` or its fields as
    keywords: ``regions`` (``"lips,eyes"``), ``intensity`` (``0.7`` or
    ``"lips=1,eyes=0.5"``), ``face_index``."""
    if is_look(look):
        return shared_pipeline(LayerTransferPipeline)(image, look, options=options, source_name=source_name, **values)
    return shared_pipeline(ApplyPipeline)(image, look, options, source_name=source_name, **values)


def transfer(source: object, reference: object | None = None, *, references: dict[str, object] | None = None,
             options: MakeupOptions | None = None, source_name: str = "source", **values: Any) -> PipelineOutput:
    """Put a reference's makeup on the source, region by region.

    ``reference`` serves every selected region; ``references`` (``{"lips": a, "eyes":
    b}``) win for theirs. Each is a made-up photo, a preset name, ``text:WORDS`` or a
    recipe. ``options`` or its fields as keywords: ``engine`` (default
    :func:`fram.pipelines.registry.default_engine`), ``regions``, ``intensity``,
    ``steps``, ``seed``, ``colour_match``, ``face_index``.
    """
    options = MakeupOptions.of(options, **values)
    engine = load_engine(options.engine or default_engine())
    return engine(source, reference, references=references, options=options, source_name=source_name)


def remove_makeup(image: object, options: MakeupOptions | None = None, *, source_name: str = "image",
                  **values: Any) -> PipelineOutput:
    """The photo's face without its makeup, at full resolution. ``options`` or its
    fields as keywords: ``regions`` (``"lips,eyes"``; default all), ``intensity`` (how
    much to take off, up to 1), ``face_index``."""
    return shared_pipeline(RemovePipeline)(image, options, source_name=source_name, **values)
