"""What every ``fram`` command shares: input and output checks done before any model
loads, numeric option types with ranges in CLI words, writing all outputs of a command
together, the look options, and turning arguments into :class:`fram.pipelines.MakeupOptions`.

A command checks everything a user typed first (:func:`check_inputs`,
:func:`check_reference`, :func:`check_outputs`), then works, then writes every output
at once (:func:`write_outputs`), so a bad path costs no model loading and a failure
leaves no partial result.
"""

from __future__ import annotations

import argparse
import math
import os
import stat
import sys
from pathlib import Path

from fram.errors import FramError, ImageWriteError

REGION_CHOICES = "skin,eyes,brows,lips"
MAX_STEPS = 1000
MAX_SEED = 2**32 - 1
GROUP_NAMES = ("skin", "eyes", "brows", "lips")
ONE_LOOK = 'give exactly one of --style NAME|FILE.json, --look FILE.fram or --text "..."'
MAX_RECIPE_BYTES = 1 << 20
"""A recipe is a few hundred bytes; anything past this is not one, and is refused unread."""
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")
REFERENCE_PREFIXES = ("preset:", "text:")


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one ``fram: error: …`` line, like every other error."""

    def error(self, message: str):
        print(f"fram: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


# --- inputs ------------------------------------------------------------------


def check_input(path: str | os.PathLike[str], what: str = "input", *, max_bytes: int | None = None) -> Path:
    """An input file as a user gave it, refused unless it is a readable regular file.

    Checked with ``stat`` before anything opens it: opening a FIFO blocks until a writer
    comes, and ``/dev/zero`` never ends, so neither reaches a decoder.
    """
    file = Path(path)
    try:
        info = file.stat()
    except FileNotFoundError:
        raise FramError(f"no such file: '{file}' (the {what}); check the path") from None
    except OSError as exc:
        raise FramError(f"{what} '{file}' cannot be read ({exc.strerror}); check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise FramError(f"{what} '{file}' is a folder; give a file")
    if not stat.S_ISREG(info.st_mode):
        raise FramError(f"{what} '{file}' is not a regular file (a pipe, socket or device); give a file")
    if not os.access(file, os.R_OK):
        raise FramError(f"{what} '{file}' is not readable (permission denied); check its permissions")
    if max_bytes is not None and info.st_size > max_bytes:
        raise FramError(f"{what} '{file}' is {info.st_size:,} bytes, too large (at most {max_bytes:,})")
    return file


def check_inputs(*paths: str | os.PathLike[str] | None, what: str = "input") -> list[Path]:
    """:func:`check_input` for each path given (None is skipped)."""
    return [check_input(path, what) for path in paths if path is not None]


def is_file_reference(value: str) -> bool:
    """Whether a reference a user typed names a file (not ``preset:``, ``text:`` or a bare preset name)."""
    if value.startswith(REFERENCE_PREFIXES):
        return False
    return os.path.lexists(value) or Path(value).suffix != "" or any(sep in value for sep in "/\\")


def check_reference(value: str | None, what: str = "reference") -> Path | None:
    """A transfer or apply reference: when it names a file, that file is checked now;
    a recipe ``.json`` must also be recipe-sized."""
    if value is None or not is_file_reference(value):
        return None
    limit = MAX_RECIPE_BYTES if value.lower().endswith(".json") else None
    return check_input(value, what, max_bytes=limit)


# --- outputs -----------------------------------------------------------------


def check_outputs(*paths: str | os.PathLike[str] | None, inputs: tuple = (), force: bool = False,
                  images: tuple = ()) -> list[Path]:
    """Check every output path before any work.

    Each one's folder must exist and be writable, the path must not be a folder or
    anything but a regular file, no two outputs may be the same file, and an output
    that is one of ``inputs`` (same file, any spelling) is refused unless ``force``.
    Paths also in ``images`` must end in an image type fram writes. None is skipped.
    Returns the checked paths, in order.
    """
    checked: list[Path] = []
    sources = [Path(p) for p in inputs if p is not None and os.path.lexists(p)]
    for path in paths:
        if path is None:
            continue
        out = Path(path)
        folder = out.resolve().parent
        if out.is_dir() or str(path).endswith(("/", os.sep)):
            raise ImageWriteError(f"cannot write '{out}': it is a folder; give a file name")
        if not folder.is_dir():
            raise ImageWriteError(f"cannot write '{out}': folder '{out.parent}' does not exist; create it first")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ImageWriteError(f"cannot write '{out}': folder '{out.parent}' is not writable; choose another folder")
        if os.path.lexists(out) and not out.is_file():
            raise ImageWriteError(f"cannot write '{out}': it exists and is not a regular file; choose another name")
        if path in images and out.suffix.lower() not in IMAGE_SUFFIXES:
            raise ImageWriteError(f"cannot write '{out}': unknown image type '{out.suffix}'; "
                                  f"end it in one of {', '.join(IMAGE_SUFFIXES)}")
        if any(_same_file(out, other) for other in checked):
            raise ImageWriteError(f"'{out}' is given as two outputs; give each its own file")
        for source in sources:
            if not force and _same_file(out, source):
                raise ImageWriteError(f"output '{out}' is the input '{source}'; "
                                      "choose another output, or add --force to replace the input")
        checked.append(out)
    return checked


def _same_file(a: Path, b: Path) -> bool:
    if os.path.exists(a) and os.path.exists(b):
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def check_output_folder(path: str) -> Path:
    """Check a folder output (``eval --out``, ``synth --out``) before any work: it is a
    folder or can become one (nothing on its way is a file), and can be written."""
    out = Path(path)
    for step in (out, *out.parents):
        if step.exists():
            if not step.is_dir():
                raise ImageWriteError(f"cannot write into '{out}': '{step}' is a file, not a folder")
            if not os.access(step, os.W_OK | os.X_OK):
                raise ImageWriteError(f"cannot write into '{out}': '{step}' is not writable; choose another folder")
            return out
    return out


def write_outputs(outputs: dict[Path, bytes | str]) -> None:
    """Write all outputs of a command together (all or none), each atomically; text as UTF-8."""
    from fram.face.image_io import write_files

    write_files({path: data.encode("utf-8") if isinstance(data, str) else data for path, data in outputs.items()})


def encode_for(path: Path, image) -> bytes:
    """An image encoded for ``path`` by its extension, in memory, before anything is written."""
    from fram.face.image_io import encode_image

    return encode_image(image, path.suffix)


def write_text(path: Path, text: str) -> None:
    write_outputs({path: text})


def force_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true", help="allow an output to replace an input file")


# --- numbers -----------------------------------------------------------------


def whole_number(low: int, high: int):
    """An argparse type: a whole number from ``low`` to ``high``, refused in CLI words."""

    def parse(text: str) -> int:
        digits = text.strip().lstrip("+-")
        if not digits.isdigit() or len(digits) > 20 or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"give a whole number from {low} to {high:,}, not {_short(text)}")
        return int(text)

    return parse


def number(low: float, high: float):
    """An argparse type: a finite number from ``low`` to ``high``, refused in CLI words."""

    def parse(text: str) -> float:
        try:
            value = float(text) if len(text) <= 40 else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"give a number from {low:g} to {high:g}, not {_short(text)}")
        return value

    return parse


def _short(text: str) -> str:
    return repr(text if len(text) <= 24 else text[:20] + "…")


# --- looks -------------------------------------------------------------------


def makeup_options(args: argparse.Namespace):
    """The look options, checked; called after the file checks, since reading them loads torch."""
    from fram.pipelines import MakeupOptions
    from fram.pipelines.options import parse_intensity, parse_regions

    for option, value, parse in (("--intensity", getattr(args, "intensity", None), parse_intensity),
                                 ("--regions", getattr(args, "regions", None), parse_regions)):
        try:
            parse(value) if value is not None else None
        except FramError as exc:
            raise FramError(f"{option}: {exc}") from None
    return MakeupOptions.create(
        regions=getattr(args, "regions", None), intensity=getattr(args, "intensity", 1.0), face_index=args.face,
        all_faces=getattr(args, "all_faces", False), engine=getattr(args, "engine", None), steps=getattr(args, "steps", None), seed=getattr(args, "seed", 0),
        colour_match=getattr(args, "colour_match", None),
    )


def read_face(args: argparse.Namespace):
    from fram.face.image_io import read_image
    from fram.face.landmarks import detect_face

    image = read_image(args.image)
    return image, detect_face(image, args.face, source=Path(args.image).name)


def print_notes(result) -> None:
    """What the user should know about a result (a reference with no makeup, …), on stderr."""
    for note in result.notes:
        print(f"fram: note: {note}", file=sys.stderr)


MAX_FACE = 99


def face_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--face", type=whole_number(0, MAX_FACE), default=0, help="which face, largest first (default 0)")


def look_options(p: argparse.ArgumentParser, exaggerate: str = "") -> None:
    p.add_argument("--intensity", default="1.0", help=f"0.7, or per region: lips=1,eyes=0.5 (0 to 3){exaggerate}")
    p.add_argument("--regions", help=f"only these: {REGION_CHOICES}")
    face_option(p)
    all_faces_option(p)


def style_options(p: argparse.ArgumentParser) -> None:
    """A look put on as it is (``apply``, ``batch``)."""
    p.add_argument("--style", "--look", dest="style", help="preset name, recipe .json or saved look .fram (fram extract)")
    p.add_argument("--text", help='a description, e.g. "glossy berry lips and a winged liner"')


def chosen_style(args: argparse.Namespace) -> str | None:
    """The look ``--style``/``--look`` or ``--text`` names (None if neither); both is an error."""
    if args.style is not None and args.text is not None:
        raise FramError(ONE_LOOK)
    return args.style if args.text is None else f"text:{args.text}"


def transfer_options(p: argparse.ArgumentParser) -> None:
    """Per-region references and the engine's settings (``transfer``, ``batch``)."""
    from fram.pipelines.registry import engine_names

    region_reference_options(p)
    p.add_argument("--engine", choices=engine_names(baselines=False),
                   help="fram (diffusion; the default when its weights are installed) or classic")
    p.add_argument("--steps", type=whole_number(1, MAX_STEPS), help="sampling steps of the fram engine (default 2, the best on held-out pairs)")
    p.add_argument("--seed", type=whole_number(0, MAX_SEED), default=0, help="noise seed of the fram engine (results repeat for a seed)")
    p.add_argument("--colour-match", type=number(0, 2), help="fram engine: how far the eyes' and lips' colour level moves to the reference's "
                   "(0 = the generator's own, default 1 = all the way, up to 2)")


def region_reference_options(p: argparse.ArgumentParser) -> None:
    """``--skin``, ``--eyes``, ``--brows``, ``--lips``: a reference per region group."""
    for group in GROUP_NAMES:
        p.add_argument(f"--{group}", help=f"reference for the {group} only (photo, preset:NAME, text:WORDS, .json)")


def region_references(args: argparse.Namespace) -> dict[str, str]:
    return {g: getattr(args, g) for g in GROUP_NAMES if getattr(args, g)}


def parallel_options(p: argparse.ArgumentParser, *, workers: int, unit: str) -> None:
    """``--workers`` and ``--ray`` (``synth``, ``batch``: :class:`fram.parallel.TaskRunner`)."""
    p.add_argument("--workers", type=whole_number(1, 1024), default=workers, help=f"local processes (default {workers})")
    p.add_argument("--ray", metavar="ADDRESS", help=f"run {unit} as Ray tasks ('local', 'auto' or ray://host:port)")


def all_faces_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all-faces", action="store_true", help="every face in the photo, not only --face's")
