"""``fram serve``: an HTTP API and a web page over :mod:`fram.pipelines`, in one process.

A shell beside :mod:`fram.eval` (it imports :mod:`fram.pipelines` and below, nothing
imports it but :mod:`fram.cli`). FastAPI, uvicorn and the offline API reference are
the ``[serve]`` extra, imported only when a service is built, so ``import fram.serve``
costs nothing and a lean install gets a one-line message instead of an ImportError.
"""

from __future__ import annotations

from typing import Any

from fram.errors import require_extra
from fram.serve.settings import ServeSettings

WHAT = "fram serve"


def create_app(settings: ServeSettings | None = None) -> Any:
    """The FastAPI application (see :mod:`fram.serve.app`)."""
    for module in ("fastapi", "python_multipart", "swagger_ui_bundle"):
        require_extra(module, "serve", WHAT)
    from fram.serve.app import create_app as build

    return build(settings)


def serve(settings: ServeSettings | None = None, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the service until interrupted. uvicorn bounds the open connections
    (``limit_concurrency``) beyond the work queue, so a flood of idle sockets cannot
    starve the workers."""
    uvicorn = require_extra("uvicorn", "serve", WHAT)
    settings = settings or ServeSettings()
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, limit_concurrency=max(64, 4 * (settings.workers + settings.queue_size)),
                timeout_keep_alive=5, log_level="info")


__all__ = ["ServeSettings", "create_app", "serve"]
