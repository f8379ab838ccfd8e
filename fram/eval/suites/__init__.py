"""The benchmark suites: ``synthetic``, ``real``, ``regional``, ``fairness``, ``speed``,
``patterns``, ``removal``, ``video``.

Each suite module has ``run(engines, options) -> SuiteResult``; :func:`run_suite`
resolves engine names, runs one suite and writes its report folder.
"""

from __future__ import annotations

import datetime as _dt
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

SUITES = ("synthetic", "real", "regional", "fairness", "speed", "patterns", "removal", "video", "robustness")
"""Suite names (each a module here); kept light, so the CLI lists them without loading a suite."""
ENGINE_FREE = ("removal", "video")
"""Suites that measure fram's own removal, not transfer engines: they ignore ``engines``."""

if TYPE_CHECKING:
    from fram.eval.report import SuiteResult
    from fram.eval.suites.common import SuiteOptions


def __getattr__(name: str) -> Any:
    if name in ("SuiteOptions", "SuiteDataError"):
        return getattr(importlib.import_module("fram.eval.suites.common"), name)
    raise AttributeError(f"module 'fram.eval.suites' has no attribute {name!r}")


def run_suite(name: str, engines: list[str], out: str | Path | None = None, options: "SuiteOptions | None" = None) -> "SuiteResult":
    """Run suite ``name`` on the named engines; write the report to ``out`` if given.

    Raises:
        SuiteDataError: unknown suite, or its data folder is missing.
        EngineUnavailableError: an engine name cannot be resolved.
    """
    from fram.eval.engines import get_engine
    from fram.eval.report import write_report
    from fram.eval.suites.common import SuiteDataError, SuiteOptions

    if name not in SUITES:
        raise SuiteDataError(f"unknown suite {name!r}; suites are {', '.join(SUITES)}")
    if not engines and name not in ENGINE_FREE:
        raise SuiteDataError("give at least one engine")
    resolved = [] if name in ENGINE_FREE else [get_engine(e) for e in dict.fromkeys(engines)]
    started = _dt.datetime.now().astimezone()
    result = importlib.import_module(f"fram.eval.suites.{name}").run(resolved, options or SuiteOptions())
    if out is not None:
        write_report(result, out, started=started)
    return result


__all__ = ["SUITES", "SuiteOptions", "SuiteDataError", "run_suite"]
