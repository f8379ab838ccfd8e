"""``fram serve``: the HTTP API and the web page (:mod:`fram.serve`)."""

from __future__ import annotations

import argparse

from fram.errors import FramError


def cmd_serve(args: argparse.Namespace) -> None:
    from fram.serve import ServeSettings, serve
    from fram.serve.settings import MB

    if not 0 < args.max_upload <= 1024:
        raise FramError(f"--max-upload must be from 1 to 1024 MB, got {args.max_upload:g}")
    if not 1 <= args.port <= 65535:
        raise FramError(f"--port must be from 1 to 65535, got {args.port}")
    settings = ServeSettings(max_upload=round(args.max_upload * MB), workers=args.workers, queue_size=args.queue,
                             request_timeout=args.timeout)
    serve(settings, host=args.host, port=args.port)


def register(sub) -> None:
    p = sub.add_parser("serve", help="the HTTP API and web page (needs the [serve] extra)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--max-upload", type=float, default=25, help="largest request body in MB (default 25)")
    p.add_argument("--workers", type=int, default=2, help="images worked on at once (default 2)")
    p.add_argument("--queue", type=int, default=8, help="requests that may wait for a worker before 503 (default 8)")
    p.add_argument("--timeout", type=float, default=60, help="seconds a request may take before 504 (default 60)")
    p.set_defaults(run=cmd_serve)
