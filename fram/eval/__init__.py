"""Evaluation: metrics, benchmark suites and reports (see the README section
"Reading the evaluation reports").

- :mod:`fram.eval.metrics`: colour (CIEDE2000, histograms, skin-normalised fidelity),
  PSNR, individual typology angle, landmark displacement; :data:`METRIC_INFO`.
- :mod:`fram.eval.identity`: dlib ResNet face descriptors, offline.
- :mod:`fram.eval.measure`: :class:`Photo` and :func:`measure_transfer`.
- :mod:`fram.eval.engines`: engines from the registry of :mod:`fram.pipelines.registry`
  as suites call them.
- :mod:`fram.eval.suites`: ``synthetic``, ``real``, ``regional``, ``fairness``, ``speed``.
- :mod:`fram.eval.report`: ``report.md``, ``metrics.json``, contact sheets, plots.

Names load on first use (``fram --help`` must not import the suites).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Engine": "engines", "EngineUnavailableError": "engines", "get_engine": "engines", "list_engines": "engines",
    "register_engine": "engines", "Photo": "measure", "measure_transfer": "measure", "METRIC_INFO": "metrics",
    "SUITES": "suites", "SuiteOptions": "suites", "run_suite": "suites",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"fram.eval.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'fram.eval' has no attribute {name!r}")
