"""``ApplyPipeline``: a look written as a recipe (a preset, words, a recipe file) put on
a photo at its full resolution.

No weights: the recipe is rendered in UV from the photo's own unwrapped face and
composited (:mod:`fram.makeup.compose`); pixels no product reaches keep their bits.
"""

from __future__ import annotations

from typing import Any

from fram.makeup.compose import apply_style
from fram.makeup.recipe import MakeupStyle
from fram.makeup.render import GROUP_PRODUCTS, GROUPS
from fram.pipelines.base import Pipeline, PipelineOutput, make_up_faces
from fram.pipelines.options import MakeupOptions
from fram.pipelines.references import resolve_look


def style_for_regions(style: MakeupStyle, intensity: dict[str, float]) -> MakeupStyle:
    """Scale each region group's products by that group's intensity (recipes: the
    product's opacity and amount, up to its full strength above 1)."""
    update = {}
    for group, products in GROUP_PRODUCTS.items():
        for product in products:
            item = getattr(style, product)
            if item is not None:
                update[product] = item.scaled(intensity.get(group, 1.0))
    return style.model_copy(update=update)


class ApplyPipeline(Pipeline):
    """Recipe → photo. ``__call__(image, look, options)``; see the module docstring."""

    config_keys = ("adapt_to_skin",)

    def __init__(self, *, adapt_to_skin: bool = True) -> None:
        self.adapt_to_skin = adapt_to_skin

    def __call__(self, image: object, look: object, options: MakeupOptions | None = None, *,
                 source_name: str = "image", **values: Any) -> PipelineOutput:
        """Put ``look`` (anything :func:`fram.pipelines.references.resolve_look` takes) on
        the chosen face; ``options`` or the same fields as keywords (``regions``,
        ``intensity``, ``face_index``, ``all_faces``)."""
        options = MakeupOptions.of(options, **values)
        style = style_for_regions(resolve_look(look), options.intensity)
        groups = options.shown(options.regions or GROUPS)
        made, face = make_up_faces(
            image, lambda source: apply_style(source.image, source.analysis, style, groups, adapt_to_skin=self.adapt_to_skin),
            face_index=options.face_index, all_faces=options.all_faces, name=source_name)
        return PipelineOutput(image=made, face=face, style=style, groups=groups)
