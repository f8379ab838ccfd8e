"""``LayerTransferPipeline`` (``--engine layer``) and ``RemovePipeline`` (``fram remove``).

Transfer: each reference photo is split into its bare face and its makeup layer
(per-texel paint colour and coverage in UV, :mod:`fram.makeup.decompose`), and that
layer is worn by the source (:func:`fram.makeup.wear.wear_layer`), so shapes and
patterns (liner wings, stencils, face paint, colour blocks) come across at the UV
texture's resolution, not only each region's colour. Brows are hair: they come from
the reference read as a recipe, as do groups whose reference is a recipe, and a
reference photo that shows no visible makeup (:func:`fram.makeup.visibility.shows_makeup`)
leaves them alone.

Removal: the same decomposition run on the photo itself, with the made-up texels
moved back to the bare estimate under them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fram.face.uv import unwrap_plane
from fram.makeup.compose import FaceAnalysis, apply_layers, style_layers
from fram.makeup.decompose import estimate_bare, surrounding_colours
from fram.makeup.layer import GroupLayer
from fram.makeup.recipe import MakeupStyle
from fram.makeup.render import GROUPS
from fram.makeup.wear import LAYER_GROUPS, remove_layer, wear_layer
from fram.pipelines.apply import style_for_regions
from fram.makeup.visibility import shows_makeup
from fram.pipelines.base import Pipeline, PipelineOutput, Source, make_up_faces
from fram.pipelines.options import MakeupOptions
from fram.pipelines.references import ReferencePlan, plan_references

class LayerTransferPipeline(Pipeline):
    """Reference photo(s) → makeup layer(s) → photo; see the module docstring."""

    def __call__(self, source: object, reference: object | None = None, *, references: dict[str, object] | None = None,
                 options: MakeupOptions | None = None, source_name: str = "source", **values: Any) -> PipelineOutput:
        """``reference`` for every selected group and/or ``references`` per group (a photo,
        a saved look, a preset, words or a recipe each)."""
        options = MakeupOptions.of(options, **values)
        plan = plan_references(reference, references, options)
        groups = options.shown(plan.groups)
        notes: list[str] = []

        def make(photo: Source):
            layers, found = transfer_layers(plan, photo.analysis, groups, options)
            notes.extend(n for n in found if n not in notes)
            return apply_layers(photo.image, photo.analysis, layers)

        image, face = make_up_faces(source, make, face_index=options.face_index, all_faces=options.all_faces,
                                    name=source_name, fine=True)
        return PipelineOutput(image=image, face=face, style=None, groups=groups, notes=tuple(notes))


def transfer_layers(plan: ReferencePlan, analysis: FaceAnalysis, groups: tuple[str, ...],
                    options: MakeupOptions) -> tuple[dict[str, GroupLayer], tuple[str, ...]]:
    """Each group's reference worn by the analysed face as UV layers, and notes for the
    user. A video computes these once per face and re-projects them on every frame."""
    texture = analysis.texture
    bare = estimate_bare(texture.texture, texture.visibility, texture.normals)
    layers: dict[str, GroupLayer] = {}
    recipe = MakeupStyle(name="transfer")
    notes: list[str] = []
    for group in groups:
        ref = plan.references[group]
        bare_reference = ref.has_layer and not shows_makeup(ref.layer())
        if bare_reference:
            note = f"{ref.name} shows no visible makeup"
            if note not in notes:
                notes.append(note)
        if group in LAYER_GROUPS and ref.has_layer:
            layers.update(wear_layer(ref.layer(), texture, (group,), options.intensity, bare, analysis.light))
        elif not (bare_reference and ref.is_photo):
            # Brows are read off a photo as a recipe, and natural brows would read as a
            # brow product: a reference photo without makeup leaves the source's brows alone.
            recipe = recipe.model_copy(update=plan.recipe_for(group))
    recipe_groups = tuple(g for g in groups if g not in layers)
    if recipe_groups:
        style = style_for_regions(recipe, options.intensity)
        layers.update(style_layers(analysis, style, recipe_groups, texture.size))
    return layers, tuple(notes)


class RemovePipeline(Pipeline):
    """A made-up photo → the bare face, per region group; see the module docstring."""

    def __call__(self, image: object, options: MakeupOptions | None = None, *, source_name: str = "image",
                 **values: Any) -> PipelineOutput:
        """``options`` or its fields as keywords: ``regions`` (default: all) and
        ``intensity`` (how much of the makeup to take off, 1 = all of it)."""
        options = MakeupOptions.of(options, **values)
        groups = options.shown(options.regions or GROUPS)
        wanted = tuple(g for g in groups if g in LAYER_GROUPS)

        def make(photo: Source) -> np.ndarray:
            if not wanted:
                return photo.image.copy()
            around = surrounding_colours(photo.image, photo.face)
            texture = photo.analysis.texture
            brows = unwrap_plane(photo.analysis.regions.full("brows"), photo.face, texture.size)
            return apply_layers(photo.image, photo.analysis, remove_layer(texture, wanted, options.intensity, around, brows))

        made, face = make_up_faces(image, make, face_index=options.face_index, all_faces=options.all_faces,
                                   name=source_name, fine=True)
        notes = () if wanted else ("brows are hair, not makeup: nothing to remove",)
        return PipelineOutput(image=made, face=face, style=None, groups=wanted, notes=notes)
