"""The ``fram`` command: a thin shell over :mod:`fram.pipelines` (and the face layer
for ``landmarks``, ``regions``, ``uv``).

Each module of this package registers a group of commands. Every command parses its
arguments, builds :class:`fram.pipelines.MakeupOptions`, checks its output paths, calls
the Python API and writes its outputs atomically, all of them only after the work
succeeded. Errors a user can cause (:class:`fram.errors.FramError`) print one line and
exit with status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys

from fram import __version__
from fram.errors import FramError

EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    from fram.cli import (
        batch_commands, dataset_commands, face_commands, look_commands, search_commands, serve_commands, video_commands,
    )

    parser = argparse.ArgumentParser(prog="fram", description="Facial region-aware makeup on your own photos, offline.")
    parser.add_argument("--version", action="version", version=f"fram {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for commands in (face_commands, look_commands, batch_commands, video_commands, serve_commands, dataset_commands,
                     search_commands):
        commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status: 0 done, 2 a user error (one line on stderr), or
    the command's own (``batch``: 3 when some photos failed)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    try:
        code = args.run(args)
    except FramError as exc:
        print(f"fram: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. `fram presets | head`
        sys.stderr.close()
        return 0
    return code or 0
