"""Engines as the benchmark suites call them, drawn from the one registry
(:mod:`fram.pipelines.registry`).

A suite calls ``engine(source_rgb, references, regions) -> result_rgb``:

- ``source_rgb``: (H, W, 3) uint8, the bare face;
- ``references``: region group → (h, w, 3) uint8 reference photo (one entry per
  selected group; several groups may share one photo);
- ``regions``: the region groups to make up (``skin``, ``eyes``, ``brows``, ``lips``).

The registry holds the transfer engines (``fram``, ``classic``) and two baselines:
``none`` (the source unchanged, the no-op every table shows) and ``recipe:<preset>`` (a
preset through :class:`fram.pipelines.ApplyPipeline`, ignoring the references: a sanity
baseline and the ``speed`` suite's default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from fram.pipelines.options import MakeupOptions
from fram.pipelines.registry import (EngineUnavailableError, TransferEngine, engine_names, engine_spec, load_engine,
                                     register_engine)

References = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Engine:
    """A registry engine adapted to the suites' call.

    Attributes:
        name: as given on the command line.
        fn: the registry engine (a pipeline, or a baseline callable).
        uses_references: False for engines whose output does not depend on the
            reference (``none``, ``recipe:…``): suites run them once per source.
        description: one line for reports.
    """

    name: str
    fn: TransferEngine
    uses_references: bool
    description: str

    def __call__(self, source: np.ndarray, references: References, regions: tuple[str, ...]) -> np.ndarray:
        selected = {g: references[g] for g in regions if g in references}
        if self.uses_references and not selected:
            raise EngineUnavailableError(f"engine {self.name!r} needs a reference for at least one of {tuple(regions)}")
        photos = list(selected.values())
        shared = photos[0] if photos and all(p is photos[0] for p in photos) else None
        out = self.fn(source, shared, references=None if shared is not None or not selected else selected,
                      options=MakeupOptions.create(regions=tuple(regions)))
        image = getattr(out, "image", out)
        if not isinstance(image, np.ndarray) or image.shape != source.shape or image.dtype != np.uint8:
            raise EngineUnavailableError(
                f"engine {self.name!r} returned {getattr(image, 'shape', type(image))} "
                f"{getattr(image, 'dtype', '')}; expected {source.shape} uint8"
            )
        return image


def list_engines() -> list[str]:
    """Every name :func:`get_engine` accepts (``recipe:<preset>`` for the preset family)."""
    return engine_names()


def get_engine(name: str) -> Engine:
    """The engine called ``name``, loaded now (so missing weights are reported up
    front); raises :class:`EngineUnavailableError` with the reason."""
    spec = engine_spec(name)
    return Engine(name.strip(), load_engine(name), spec.uses_references, spec.description)


__all__ = ["Engine", "EngineUnavailableError", "get_engine", "list_engines", "register_engine"]
