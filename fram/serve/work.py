"""The worker pool: CPU-bound makeup work off the event loop, bounded, with a deadline.

The event loop only parses requests and encodes answers; each job runs on one of
``workers`` threads. At most ``workers + queue_size`` jobs are admitted: one more is
refused at once (:class:`ServerBusyError`, 503 + Retry-After) rather than queued
without bound, so a burst degrades into quick refusals instead of timeouts for all.
A job past its deadline answers 504 but keeps its slot until its thread really ends,
so the number of threads busy never exceeds the bound.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from fram.errors import FramError

T = TypeVar("T")


class ServerBusyError(FramError):
    """Every worker is busy and the queue is full; try again shortly."""


class WorkTimeoutError(FramError):
    """A job took longer than the request timeout."""


class WorkPool:
    """``workers`` threads behind a queue of ``queue_size``; :meth:`run` awaits one job."""

    def __init__(self, workers: int, queue_size: int, timeout: float) -> None:
        self.capacity = workers + queue_size
        self.timeout = timeout
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fram-serve")
        self._admitted = 0
        self._count_lock = threading.Lock()

    async def run(self, job: Callable[[], T]) -> T:
        with self._count_lock:
            if self._admitted >= self.capacity:
                raise ServerBusyError(f"the server is busy ({self.capacity} requests in progress); try again shortly")
            self._admitted += 1
        try:
            future = self._executor.submit(job)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(lambda _: self._release())
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except asyncio.TimeoutError:
            raise WorkTimeoutError(f"the work took longer than {self.timeout:g} s") from None

    @property
    def in_progress(self) -> int:
        """Jobs admitted and not yet finished (running or waiting)."""
        return self._admitted

    def _release(self) -> None:
        with self._count_lock:
            self._admitted -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
