"""``ClassicTransferPipeline`` (``--engine classic``): a reference read as a recipe.

Each reference photo's makeup is measured per region in UV relative to its own skin
(:func:`fram.makeup.estimate.estimate_style`, so its skin tone and light stay behind),
the groups' products are gathered into one recipe, and that recipe is rendered on the
source. No learning; the recipe comes back in the output (``--recipe``).
"""

from __future__ import annotations

from typing import Any

from fram.makeup.compose import apply_style
from fram.pipelines.apply import style_for_regions
from fram.pipelines.base import Pipeline, PipelineOutput, make_up_faces
from fram.pipelines.options import MakeupOptions
from fram.pipelines.references import plan_references


class ClassicTransferPipeline(Pipeline):
    """Reference(s) → recipe → photo; see the module docstring."""

    def __call__(self, source: object, reference: object | None = None, *, references: dict[str, object] | None = None,
                 options: MakeupOptions | None = None, source_name: str = "source", **values: Any) -> PipelineOutput:
        """``reference`` for every selected group and/or ``references`` per group (a photo,
        a preset, words or a recipe each, :func:`fram.pipelines.references.resolve_reference`)."""
        options = MakeupOptions.of(options, **values)
        plan = plan_references(reference, references, options)
        style = style_for_regions(plan.recipe(), options.intensity)
        groups = options.shown(plan.groups)
        made, face = make_up_faces(source, lambda photo: apply_style(photo.image, photo.analysis, style, groups),
                                   face_index=options.face_index, all_faces=options.all_faces, name=source_name)
        return PipelineOutput(image=made, face=face, style=style, groups=groups)
