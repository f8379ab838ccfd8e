"""The ``fram`` command: a thin shell over :mod:`fram.pipelines` (and the face layer
for ``landmarks``, ``regions``, ``uv``).

Each module of this package registers a group of commands. Every command parses its
arguments, checks its input and output paths (:mod:`fram.cli.common`) before any model
loads, calls the Python API and writes all its outputs together, atomically, only
after the work succeeded. Errors a user can cause (:class:`fram.errors.FramError`, a
file the system refuses, an input too large for memory) print one line and exit with
status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import signal
import sys

from fram import __version__
from fram.errors import FramError
from fram.parallel import keep_freed_memory

EXIT_USER_ERROR = 2

# What the system says about files a user named (or the disk they chose): their errors,
# not fram's. Other OSErrors keep their traceback.
_USER_ERRNOS = frozenset({
    errno.ENOENT, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.ENOSPC, errno.EROFS, errno.EEXIST,
    errno.ENXIO, errno.ENAMETOOLONG, errno.ELOOP, errno.EDQUOT, errno.EFBIG, errno.EXDEV, errno.ETXTBSY,
})


def build_parser():
    from fram.cli import (
        batch_commands, dataset_commands, face_commands, look_commands, search_commands, serve_commands, video_commands,
    )
    from fram.cli.common import Parser

    parser = Parser(prog="fram", description="Facial region-aware makeup on your own photos, offline.")
    parser.add_argument("--version", action="version", version=f"fram {__version__}", help="print fram's version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", help="one of the commands below")
    for commands in (face_commands, look_commands, batch_commands, video_commands, serve_commands, dataset_commands,
                     search_commands):
        commands.register(sub)
    return parser


def _terminate(signum, frame) -> None:
    """SIGTERM ends fram like Ctrl-C does: through ``finally``, so no temporary file stays."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status: 0 done, 2 a user error (one line on stderr), or the
    command's own (a ``run`` that returns a number)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    keep_freed_memory()
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread (a test runner, a service): leave signals alone
        previous = None
    try:
        code = args.run(args)
    except FramError as exc:
        return _fail(str(exc))
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # e.g. `fram presets | head`
            sys.stderr.close()
            return 0
        if exc.errno not in _USER_ERRNOS:
            raise
        where = f"'{exc.filename}'" if exc.filename else "a file"
        return _fail(f"cannot use {where}: {exc.strerror}; check the path and its permissions")
    except MemoryError:
        return _fail("not enough memory for this input; try a smaller photo or a smaller --size")
    except KeyboardInterrupt:
        print("fram: interrupted", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return code or 0


def _fail(message: str) -> int:
    print(f"fram: error: {message}", file=sys.stderr)
    return EXIT_USER_ERROR
