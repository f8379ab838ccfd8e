"""Running one function over many tasks: in this process, on spawned local processes,
or as Ray tasks.

``fram synth`` (shards of the dataset) and ``fram batch`` (shards of photos) share
this, so ``--workers`` and ``--ray`` mean the same thing for both. The function must
live at a module's top level (spawned processes and Ray workers import it by name);
each process keeps whatever it loads (models, a landmarker) for all the tasks it runs,
so models load once per process. Results come back in completion order.

It sits beside :mod:`fram.errors`, below every layer, because it knows nothing of
faces or makeup.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fram.errors import require_extra


def _init_worker() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    keep_freed_memory()


def keep_freed_memory() -> None:
    """Let this process keep the memory it frees, for its next arrays (glibc; elsewhere
    nothing happens).

    numpy makes a fresh array for most operations. glibc gives freed blocks above a
    few MB back to the system and trims its heap, and every page comes back as a page
    fault on the next photo: on photo-sized arrays that costs as much as the
    arithmetic (the compositor at 2048 px, synthesis ~1.5× slower). fram's own
    processes (the CLI and service, synthesis and batch workers) raise both limits.
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 64 << 20)
    mallopt(m_trim_threshold, 512 << 20)


class TaskRunner:
    """``fn`` over tasks, on ``workers`` spawned processes (one pool kept across
    :meth:`run` calls) or, with ``ray_address`` (``"local"`` starts Ray here, ``"auto"``
    or ``ray://HOST:PORT`` joins a cluster; an initialised Ray is used as it is), as Ray
    tasks. ``what`` names the command in the message when Ray is missing.

    With ``workers > 1`` a script that uses it needs the usual ``if __name__ ==
    "__main__":`` guard. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, fn: Callable[[Any], Any], *, workers: int = 1, ray_address: str | None = None,
                 what: str = "--ray") -> None:
        self.fn = fn
        self.workers = workers
        self.ray_address = ray_address
        self.what = what
        self._pool = None
        self._remote = None

    def run(self, tasks: Iterable[Any]) -> Iterator[Any]:
        tasks = list(tasks)
        if self.ray_address is not None:
            yield from self._run_ray(tasks)
        elif self.workers <= 1 or (len(tasks) <= 1 and self._pool is None):
            for task in tasks:
                yield self.fn(task)
        else:
            if self._pool is None:
                self._pool = multiprocessing.get_context("spawn").Pool(self.workers, initializer=_init_worker)
            yield from self._pool.imap_unordered(self.fn, tasks)

    def _run_ray(self, tasks: list[Any]) -> Iterator[Any]:
        ray = require_extra("ray", "ray", self.what)
        if not ray.is_initialized():
            ray.init(address=None if self.ray_address in ("", "local") else self.ray_address, log_to_driver=False)
        if self._remote is None:
            self._remote = ray.remote(num_cpus=1, max_retries=2)(self.fn)
        pending = [self._remote.remote(task) for task in tasks]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()  # every task is done, or the job is being abandoned
            self._pool.join()
            self._pool = None

    def __enter__(self) -> "TaskRunner":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def exit_on_sigterm() -> Callable[[], None]:
    """Turn SIGTERM into SystemExit (so ``finally`` blocks run and a worker pool is shut
    down with the job); returns the function that restores the previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    return lambda: signal.signal(signal.SIGTERM, previous)
