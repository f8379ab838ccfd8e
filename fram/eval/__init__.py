"""Evaluation: metrics, benchmark suites and reports (see the README section
"Reading the evaluation reports").

- :mod:`fram.eval.metrics`: colour (CIEDE2000, histograms, skin-normalised fidelity),
  PSNR, individual typology angle, landmark displacement; :data:`METRIC_INFO`.
- :mod:`fram.eval.identity`: dlib ResNet face descriptors, offline.
- :mod:`fram.eval.measure`: :class:`Photo` and :func:`measure_transfer`.
- :mod:`fram.eval.engines`: engines from the registry of :mod:`fram.pipelines.registry`
  as suites call them, and the baselines ``none`` and ``recipe:<preset>``.
- :mod:`fram.eval.suites`: ``synthetic``, ``real``, ``regional``, ``fairness``, ``speed``.
- :mod:`fram.eval.report`: ``report.md``, ``metrics.json``, contact sheets, plots.
"""

from fram.eval.engines import Engine, EngineUnavailableError, get_engine, list_engines, register_engine
from fram.eval.measure import Photo, measure_transfer
from fram.eval.metrics import METRIC_INFO
from fram.eval.suites import SUITES, SuiteOptions, run_suite

__all__ = [
    "Engine", "EngineUnavailableError", "get_engine", "list_engines", "register_engine",
    "Photo", "measure_transfer", "METRIC_INFO", "SUITES", "SuiteOptions", "run_suite",
]
