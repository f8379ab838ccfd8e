"""The engines a benchmark can run, by name.

An engine is a callable ``(source_rgb, references, regions) -> result_rgb``:

- ``source_rgb``: (H, W, 3) uint8, the bare face;
- ``references``: region group → (h, w, 3) uint8 reference photo (one entry per
  selected group; several groups may share one photo);
- ``regions``: the region groups to make up (``skin``, ``eyes``, ``brows``, ``lips``).

Built in:

- ``none``: returns the source unchanged (the no-op baseline every table shows);
- ``recipe:<preset>``: :func:`fram.pipeline.apply_makeup` with a preset, ignoring the
  references (a sanity baseline, and the ``speed`` suite's default);
- ``classic`` and every learned engine: :func:`fram.pipeline.transfer`, resolved
  lazily so the suites exist before the engines do (one shared reference goes in
  as ``reference``, different ones per region as ``references={group: photo}``).

:func:`register_engine` adds others (tests, experiments).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from fram.errors import FramError

References = Mapping[str, np.ndarray]
EngineFn = Callable[[np.ndarray, References, tuple[str, ...]], object]


class EngineUnavailableError(FramError):
    """The named engine is unknown or not part of this version of fram."""


@dataclass(frozen=True)
class Engine:
    """A named transfer callable.

    Attributes:
        name: as given on the command line.
        fn: the callable; may return an array or anything with an ``.image`` array.
        uses_references: False for engines whose output does not depend on the
            reference (``none``, ``recipe:…``): suites run them once per source.
        description: one line for reports.
    """

    name: str
    fn: EngineFn
    uses_references: bool
    description: str

    def __call__(self, source: np.ndarray, references: References, regions: tuple[str, ...]) -> np.ndarray:
        out = self.fn(source, references, tuple(regions))
        image = getattr(out, "image", out)
        if not isinstance(image, np.ndarray) or image.shape != source.shape or image.dtype != np.uint8:
            raise EngineUnavailableError(
                f"engine {self.name!r} returned {getattr(image, 'shape', type(image))} "
                f"{getattr(image, 'dtype', '')}; expected {source.shape} uint8"
            )
        return image


_FACTORIES: dict[str, Callable[[str], Engine]] = {}
_PREFIX_FACTORIES: dict[str, Callable[[str], Engine]] = {}


def register_engine(name: str, factory: Callable[[str], Engine], *, prefix: bool = False) -> None:
    """Make ``get_engine(name)`` (or, with ``prefix``, ``get_engine(name + "…")``) build an engine."""
    (_PREFIX_FACTORIES if prefix else _FACTORIES)[name] = factory


def list_engines() -> list[str]:
    """Names (and ``prefix…`` patterns) that :func:`get_engine` accepts, plus the pipeline's engines."""
    names = list(_FACTORIES) + [f"{p}<preset>" for p in _PREFIX_FACTORIES]
    for name in _pipeline_engine_names():
        if name not in names:
            names.append(name)
    return names


def get_engine(name: str) -> Engine:
    """The engine called ``name``; raises :class:`EngineUnavailableError` with the reason."""
    name = name.strip()
    if name in _FACTORIES:
        return _FACTORIES[name](name)
    for prefix, factory in _PREFIX_FACTORIES.items():
        if name.startswith(prefix):
            return factory(name)
    return _pipeline_engine(name)


# ---------------------------------------------------------------- built-ins


def _none_engine(name: str) -> Engine:
    return Engine(name, lambda source, references, regions: source.copy(), False, "no-op: the source unchanged")


def _recipe_engine(name: str) -> Engine:
    from fram.makeup.presets import get_preset
    from fram.pipeline import apply_makeup

    preset = name.split(":", 1)[1]
    try:
        style = get_preset(preset)
    except FramError as exc:
        raise EngineUnavailableError(f"engine {name!r}: {exc}") from exc

    def run(source: np.ndarray, references: References, regions: tuple[str, ...]) -> np.ndarray:
        return apply_makeup(source, style, regions=regions).image

    return Engine(name, run, False, f"preset {preset!r} through apply_makeup (ignores the references)")


def _pipeline_engine_names() -> list[str]:
    try:
        import fram.pipeline as pipeline
    except ImportError:  # pragma: no cover
        return []
    names = getattr(pipeline, "ENGINES", None)
    if names is None and hasattr(pipeline, "list_engines"):
        names = pipeline.list_engines()
    if names is None:
        return ["classic"] if hasattr(pipeline, "transfer") else []
    return [str(n) for n in names]


def _pipeline_engine(name: str) -> Engine:
    import fram.pipeline as pipeline

    transfer = getattr(pipeline, "transfer", None)
    if transfer is None:
        raise EngineUnavailableError(
            f"engine {name!r} runs through fram.pipeline.transfer(source, reference, engine=...), "
            f"which this version of fram does not have yet; available now: {', '.join(list_engines())}"
        )
    known = _pipeline_engine_names()
    if known and name not in known:
        raise EngineUnavailableError(f"unknown engine {name!r}; available: {', '.join(list_engines())}")

    if name == "fram":
        from fram.errors import ModelNotFoundError

        try:
            pipeline.shared_fram_pipeline()  # load the weights now, so a missing file is reported up front
        except ModelNotFoundError as exc:
            raise EngineUnavailableError(f"engine 'fram': {exc}") from exc
    per_region_keyword = "references" in inspect.signature(transfer).parameters

    def run(source: np.ndarray, references: References, regions: tuple[str, ...]) -> object:
        selected = {g: references[g] for g in regions if g in references}
        if not selected:
            raise EngineUnavailableError(f"engine {name!r} needs a reference for at least one of {regions}")
        photos = list(selected.values())
        if all(p is photos[0] for p in photos):
            return transfer(source, photos[0], engine=name, regions=tuple(regions))
        if per_region_keyword:
            return transfer(source, references=selected, engine=name, regions=tuple(regions))
        return transfer(source, selected, engine=name, regions=tuple(regions))

    return Engine(name, run, True, f"fram.pipeline.transfer(engine={name!r})")


register_engine("none", _none_engine)
register_engine("recipe:", _recipe_engine, prefix=True)
