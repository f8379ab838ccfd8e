"""The one registry of transfer engines, used by the Python API, the CLI and eval.

An engine is a callable ``(source, reference=None, *, references=None, options=None)
-> PipelineOutput`` (or an (H, W, 3) uint8 array): the transfer pipelines are
engines as they are. Each is registered by name with a loader, so naming an engine
loads only its weights, once per process. Baselines (eval's reference points, such as
``none``) live in the same registry but are not offered by ``fram transfer``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fram.errors import FramError, ModelNotFoundError

TransferEngine = Callable[..., Any]


class EngineUnavailableError(FramError):
    """The named engine is unknown, or its weights are not installed."""


@dataclass(frozen=True)
class EngineSpec:
    """A named engine.

    Attributes:
        name: as given on the command line (for a ``prefix`` engine, the prefix).
        load: the full name → the engine callable; may raise :class:`FramError`.
        description: one line for help texts and reports.
        uses_references: False for engines whose output does not depend on the
            reference (baselines): eval runs them once per source.
        baseline: an evaluation reference point, not a way to transfer makeup.
        prefix: ``load`` takes every name that starts with ``name`` (``recipe:goth``).
    """

    name: str
    load: Callable[[str], TransferEngine]
    description: str
    uses_references: bool = True
    baseline: bool = False
    prefix: bool = False

    @property
    def shown_name(self) -> str:
        return f"{self.name}<preset>" if self.prefix else self.name


_ENGINES: dict[str, EngineSpec] = {}


def register_engine(spec: EngineSpec) -> None:
    """Add (or replace) an engine."""
    _ENGINES[spec.name] = spec


def engine_names(*, baselines: bool = True) -> list[str]:
    """Registered names (``prefix<preset>`` for prefix engines), in registration order."""
    return [s.shown_name for s in _ENGINES.values() if baselines or not s.baseline]


def engine_spec(name: str) -> EngineSpec:
    """The spec that handles ``name``; raises :class:`EngineUnavailableError`."""
    name = name.strip()
    if name in _ENGINES and not _ENGINES[name].prefix:
        return _ENGINES[name]
    for spec in _ENGINES.values():
        if spec.prefix and name.startswith(spec.name):
            return spec
    raise EngineUnavailableError(f"unknown engine {name!r}; available: {', '.join(engine_names())}")


def load_engine(name: str) -> TransferEngine:
    """The engine called ``name``, loaded (weights read once per process)."""
    try:
        return engine_spec(name).load(name.strip())
    except EngineUnavailableError:
        raise
    except ModelNotFoundError as exc:
        raise EngineUnavailableError(f"engine {name!r}: {exc}") from exc


def default_engine() -> str:
    """``layer``: the reference's own makeup layer, which carries shapes and patterns
    the other engines lose (``docs/benchmarks.md``, patterns suite)."""
    return "layer"


@functools.lru_cache(maxsize=8)
def _shared(cls: type, folder: Path | None) -> Any:
    return cls.from_pretrained(folder)


def shared_pipeline(cls: type, folder: Path | None = None) -> Any:
    """One instance of a pipeline class per weights folder per process."""
    return _shared(cls, folder)


def _load_fram(name: str) -> TransferEngine:
    from fram.pipelines import FramTransferPipeline  # names the extra when torch is missing
    from fram.pipelines.fram_transfer import default_generator_folder

    return shared_pipeline(FramTransferPipeline, default_generator_folder())


def _load_classic(name: str) -> TransferEngine:
    from fram.pipelines.classic import ClassicTransferPipeline

    return shared_pipeline(ClassicTransferPipeline)


def _load_layer(name: str) -> TransferEngine:
    from fram.pipelines.layer_transfer import LayerTransferPipeline

    return shared_pipeline(LayerTransferPipeline)


register_engine(EngineSpec("layer", _load_layer, "the reference's makeup layer (per-texel paint and coverage) worn by the source (default)"))
register_engine(EngineSpec("fram", _load_fram, "region-aware diffusion (stage 2 generator): a 64 px UV colour delta, no shapes"))
register_engine(EngineSpec("classic", _load_classic, "per-region colour statistics read as a recipe, no learning"))


def _load_none(name: str) -> TransferEngine:
    from fram.face.image_io import read_image

    def none(source: object, reference: object = None, **_: object) -> Any:
        return read_image(source).copy()

    return none


def _load_recipe(name: str) -> TransferEngine:
    from fram.makeup.presets import get_preset
    from fram.pipelines.apply import ApplyPipeline

    preset = name.split(":", 1)[1]
    try:
        style = get_preset(preset)
    except FramError as exc:
        raise EngineUnavailableError(f"engine {name!r}: {exc}") from exc
    pipe = shared_pipeline(ApplyPipeline)

    def recipe(source: object, reference: object = None, *, options: Any, **_: object) -> Any:
        return pipe(source, style, options).image

    return recipe


register_engine(EngineSpec("none", _load_none, "no-op: the source unchanged", uses_references=False, baseline=True))
register_engine(EngineSpec("recipe:", _load_recipe, "a preset through ApplyPipeline (ignores the references)",
                           uses_references=False, baseline=True, prefix=True))
