"""How much one ``fram serve`` process takes on: plain data, checked once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from fram.errors import FramError

MB = 1024 * 1024


@dataclass(frozen=True)
class ServeSettings:
    """Limits of the service.

    Attributes:
        max_upload: bytes one request body may carry (all its files together); above
            it the answer is 413 before anything is decoded.
        max_pixels: pixels one image may claim in its header (a decompression bomb is
            refused before decoding).
        workers: threads doing the image work at once (each makeup call is CPU-bound).
        queue_size: requests that may wait for a worker; one more gets 503 + Retry-After.
        request_timeout: seconds a request waits for its result before a 504.
    """

    max_upload: int = 25 * MB
    max_pixels: int = 40_000_000
    workers: int = 2
    queue_size: int = 8
    request_timeout: float = 60.0

    def __post_init__(self) -> None:
        for name in ("max_upload", "max_pixels", "workers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise FramError(f"{name} must be a whole number from 1, got {value!r}")
        if isinstance(self.queue_size, bool) or not isinstance(self.queue_size, int) or self.queue_size < 0:
            raise FramError(f"queue_size must be a whole number from 0, got {self.queue_size!r}")
        if not self.request_timeout > 0:
            raise FramError(f"request_timeout must be above 0 seconds, got {self.request_timeout!r}")
