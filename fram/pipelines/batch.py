"""Many photos, one call: ``run_batch(jobs, out_dir, options)`` puts a look (or a
transfer) on every photo of a folder, a glob or a CSV manifest.

What a batch owes its user, and how:

* **A bad photo never stops it.** Each photo's failure (unreadable, no face, a bad
  manifest row) becomes a row of ``OUT_DIR/errors.csv`` (file, reason), rewritten
  atomically whenever it changes; the others go on.
* **Resumable.** An output that exists is done: outputs are written atomically
  (:func:`fram.face.image_io.write_image`, no metadata), so an existing one is whole.
  A kill can leave only write_image's hidden temporary siblings, which the next run
  deletes before it starts; a rerun then makes exactly what is missing.
* **Work done once.** The look given for every photo (a preset, words, a saved look,
  a reference photo and per-region references) is resolved and analysed once, in
  this process, and shipped to the workers as a resolved :class:`Reference` (which
  :func:`~fram.pipelines.references.resolve_reference` passes through); a manifest's
  per-row references are resolved once per worker process. Models load once per
  process (:func:`~fram.pipelines.registry.shared_pipeline`).
* **Local processes or Ray**, through :class:`fram.parallel.TaskRunner` (shared with
  ``fram synth``); workers write their outputs themselves, so on Ray the photos and
  ``OUT_DIR`` must be on storage every node sees.

Listing inputs and naming outputs is :mod:`fram.pipelines.batch_inputs`.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from fram.errors import FramError
from fram.face.image_io import remove_leftovers, write_bytes, write_image
from fram.makeup.look_file import Look, is_look, load_look
from fram.parallel import TaskRunner, exit_on_sigterm
from fram.pipelines.api import apply_makeup, transfer
from fram.pipelines.base import PipelineOutput
from fram.pipelines.batch_inputs import FORMATS, BatchFailure, BatchJob
from fram.pipelines.options import MakeupOptions
from fram.pipelines.references import Reference, resolve_look, resolve_reference
from fram.pipelines.registry import default_engine

ERRORS_FILE = "errors.csv"
MAX_SHARD = 8


@dataclass(frozen=True)
class BatchLook:
    """What every photo gets unless its manifest row says otherwise: a look
    (``style``: a preset, ``text:WORDS``, a recipe .json or a saved .fram look, as
    :func:`~fram.pipelines.api.apply_makeup` takes) or a transfer (``reference`` and/or
    per-region ``references``, as :func:`~fram.pipelines.api.transfer` takes)."""

    style: object | None = None
    reference: object | None = None
    references: dict[str, object] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.style is None and self.reference is None and not self.references


@dataclass(frozen=True)
class BatchOptions:
    """The look, the makeup options every photo shares (a row may change its regions
    and intensity), and the output format (``png``, ``jpg``, ``webp``; ``quality`` for
    the last two)."""

    look: BatchLook
    makeup: MakeupOptions = field(default_factory=MakeupOptions)
    format: str = "png"
    quality: int = 95

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise FramError(f"unknown output format {self.format!r}; use one of {', '.join(FORMATS)}")
        if not 1 <= self.quality <= 100:
            raise FramError(f"quality must be from 1 to 100, got {self.quality}")
        if self.look.style is not None and (self.look.reference is not None or self.look.references):
            raise FramError("give a look (--style/--look/--text) or references to transfer from, not both")


@dataclass(frozen=True)
class BatchReport:
    """What a run did. ``skipped``: outputs already there (an earlier run's);
    ``failures``: every photo that has no output, with the reason."""

    out_dir: Path
    total: int
    made: int
    skipped: int
    failures: tuple[BatchFailure, ...]
    seconds: float

    @property
    def photos_per_second(self) -> float:
        return self.made / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        failed = f", {len(self.failures)} failed (see {self.out_dir / ERRORS_FILE})" if self.failures else ""
        return (f"{self.made} made, {self.skipped} already there{failed} in {self.out_dir}; "
                f"{self.seconds:.1f} s = {self.photos_per_second:.2f} photos/s")


@dataclass(frozen=True)
class _Shard:
    jobs: tuple[BatchJob, ...]
    out_dir: Path
    options: BatchOptions


def output_path(out_dir: Path, job: BatchJob, fmt: str) -> Path:
    return out_dir / f"{job.output}.{fmt}"


def run_batch(jobs: list[BatchJob], out_dir: str | Path, options: BatchOptions, *,
              failures: tuple[BatchFailure, ...] | list[BatchFailure] = (), workers: int = 1,
              ray_address: str | None = None, progress: bool = True) -> BatchReport:
    """Make every job's photo whose output is missing; see the module docstring.

    Args:
        jobs: from :func:`fram.pipelines.batch_inputs.list_inputs` (or built by hand:
            absolute sources, distinct outputs).
        failures: inputs already known bad (manifest rows), reported with the others.
        workers: local processes (spawned; needs the ``__main__`` guard in scripts).
        ray_address: run shards as Ray tasks instead (``local``, ``auto``, ``ray://HOST:PORT``).
        progress: a progress bar on stderr.

    Raises:
        FramError: before any work, for a look that cannot be resolved or no look at all.
    """
    from tqdm import tqdm

    out = Path(out_dir)
    if options.look.empty and any(job.reference is None and job.style is None for job in jobs):
        raise FramError("give a look (--style, --look, --text) or a --reference, or a manifest column reference or style")
    out.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    todo = [job for job in jobs if not output_path(out, job, options.format).exists()]
    start = time.perf_counter()
    options = replace(options, look=prepare_look(options.look, options.makeup.engine))
    for folder in sorted({output_path(out, job, options.format).parent for job in todo}):
        folder.mkdir(parents=True, exist_ok=True)
    failed = list(failures)
    _write_errors(out, failed)
    size = 1 if workers <= 1 and ray_address is None else max(1, min(MAX_SHARD, math.ceil(len(todo) / (4 * max(workers, 1)))))
    shards = [_Shard(tuple(todo[i:i + size]), out, options) for i in range(0, len(todo), size)]
    bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo), unit="photo", desc="batch", disable=not progress,
               dynamic_ncols=True, file=sys.stderr)
    restore = exit_on_sigterm()  # so that an interrupted write removes its temporary file
    made = 0
    try:
        with TaskRunner(run_shard, workers=workers, ray_address=ray_address, what="fram batch --ray") as runner:
            for outcomes in runner.run(shards):
                new = [f for f in outcomes if f is not None]
                made += len(outcomes) - len(new)
                if new:
                    failed.extend(new)
                    _write_errors(out, failed)
                bar.update(len(outcomes))
                if failed:
                    bar.set_postfix_str(f"{len(failed)} failed")
    finally:
        bar.close()
        restore()
    return BatchReport(out_dir=out, total=len(jobs) + len(failures), made=made, skipped=len(jobs) - len(todo),
                       failures=tuple(failed), seconds=time.perf_counter() - start)


def prepare_look(look: BatchLook, engine: str | None) -> BatchLook:
    """The look with each value resolved once (references analysed as far as the
    engine will need), ready to ship to every worker."""
    if look.style is not None:
        return replace(look, style=_style(look.style))
    resolved: dict[object, Reference] = {}

    def one(value: object, name: str) -> Reference:
        key = value if isinstance(value, (str, Path)) else id(value)
        if key not in resolved:
            resolved[key] = _reference(value, name, engine)
        return resolved[key]

    return replace(look, reference=None if look.reference is None else one(look.reference, "reference"),
                   references={g: one(v, f"reference for {g}") for g, v in look.references.items()})


def _style(value: object) -> object:
    """A look for :func:`apply_makeup`: a saved look read once, or a recipe."""
    if isinstance(value, Look):
        return value
    return load_look(value) if is_look(value) else resolve_look(value)


def _reference(value: object, name: str, engine: str | None) -> Reference:
    reference = resolve_reference(value, name=name)
    if reference.is_photo and (engine or default_engine()) in ("layer", "classic"):
        reference.recipe()  # both engines read brows (classic: every group) as a recipe
        if (engine or default_engine()) == "layer":
            reference.layer()
    return reference


@functools.lru_cache(maxsize=16)
def _row_value(kind: str, value: str, engine: str | None) -> object:
    """A manifest row's reference or style, resolved once per worker process."""
    return _style(value) if kind == "style" else _reference(value, "reference", engine)


def make_up(job: BatchJob, options: BatchOptions) -> PipelineOutput:
    """One photo of the batch, made up (the row's own look, regions and intensity win)."""
    row = {k: v for k, v in (("regions", job.regions), ("intensity", job.intensity)) if v is not None}
    makeup = MakeupOptions.of(options.makeup, **row)
    look = options.look
    if job.style is not None:
        look = BatchLook(style=_row_value("style", job.style, makeup.engine))
    elif job.reference is not None:
        look = replace(look, style=None, reference=_row_value("reference", job.reference, makeup.engine))
    if look.style is not None:
        return apply_makeup(job.source, look.style, makeup, source_name=job.name)
    return transfer(job.source, look.reference, references=look.references or None, options=makeup, source_name=job.name)


def run_shard(shard: _Shard) -> list[BatchFailure | None]:
    """Make and write a shard's photos (in any process); None for each success."""
    outcomes: list[BatchFailure | None] = []
    for job in shard.jobs:
        try:
            image = make_up(job, shard.options).image
            write_image(output_path(shard.out_dir, job, shard.options.format), image, quality=shard.options.quality)
            outcomes.append(None)
        except FramError as exc:
            outcomes.append(BatchFailure(job.name, str(exc)))
        except Exception as exc:  # a bug on one odd photo must not cost the batch its other photos
            outcomes.append(BatchFailure(job.name, f"unexpected {type(exc).__name__}: {exc}"))
    return outcomes


def _write_errors(out: Path, failures: list[BatchFailure]) -> None:
    """``errors.csv`` lists this run's failures; with none, an earlier run's list goes."""
    path = out / ERRORS_FILE
    if not failures:
        path.unlink(missing_ok=True)
        return
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(("file", "reason"))
    writer.writerows((f.file, f.reason) for f in failures)
    write_bytes(path, text.getvalue().encode("utf-8"))


__all__ = ["BatchLook", "BatchOptions", "BatchReport", "make_up", "prepare_look", "run_batch", "run_shard"]
