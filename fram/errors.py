"""Exceptions users of fram can catch by kind.

Every error a user can cause (a bad file, no face, a bad recipe) derives from
:class:`FramError`, so the CLI can print one clean line and exit non-zero instead
of a traceback, and API callers can tell user errors from bugs.
"""

from __future__ import annotations


class FramError(Exception):
    """Base class of every error caused by user input or environment."""


class ImageReadError(FramError, ValueError):
    """The input is not a readable image (unknown format, truncated, empty, too large)."""


class ImageWriteError(FramError, ValueError):
    """An image cannot be written (unknown extension, missing folder, unsuitable array)."""


class NoFaceError(FramError):
    """No face was found in the image."""


class FaceTooSmallError(FramError):
    """A face was found but is too small to work with; the message gives its size."""


class FaceIndexError(FramError, IndexError):
    """A face index was requested that the image does not have."""


class ModelNotFoundError(FramError, FileNotFoundError):
    """A model file fram needs is not installed and no path to it was given."""


class RecipeError(FramError, ValueError):
    """A makeup recipe (JSON, dict or text) is invalid; the message names the field."""


class VideoError(FramError, ValueError):
    """A video cannot be read or written (not a video, no frames, unknown codec, truncated)."""


class MissingExtraError(FramError, ImportError):
    """A command needs an optional part of fram (an extra) that is not installed."""


def require_extra(module: str, extra: str, what: str):
    """Import ``module`` for ``what`` (e.g. "fram serve"), or say in one line which extra
    to install: the lean core install leaves out the service, video, Ray, evaluation and
    training dependencies, and a user who reaches for one should not see an ImportError."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{what} needs the [{extra}] extra ({module} is not installed): pip install 'fram[{extra}]'"
        ) from None
