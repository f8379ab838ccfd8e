"""What every ``fram`` command shares: output-path checks done before any work, the
look options, and turning arguments into :class:`fram.pipelines.MakeupOptions`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fram.errors import FramError, ImageWriteError

REGION_CHOICES = "skin,eyes,brows,lips"
GROUP_NAMES = ("skin", "eyes", "brows", "lips")
ONE_LOOK = 'give exactly one of --style NAME|FILE.json, --look FILE.fram or --text "..."'


def check_outputs(*paths: str | None) -> list[Path]:
    """Check every output path before any work: its folder exists and it is not a folder."""
    checked = []
    for path in paths:
        if path is None:
            continue
        out = Path(path)
        if out.is_dir():
            raise ImageWriteError(f"cannot write '{out}': it is a folder")
        if not out.resolve().parent.is_dir():
            raise ImageWriteError(f"cannot write '{out}': folder '{out.parent}' does not exist")
        checked.append(out)
    return checked


def check_output_folder(path: str) -> Path:
    """Check a folder output (``eval --out``, ``synth --out``) before any work: it is a
    folder or can become one (nothing on its way is a file)."""
    out = Path(path)
    for step in (out, *out.parents):
        if step.exists():
            if not step.is_dir():
                raise ImageWriteError(f"cannot write into '{out}': '{step}' is a file, not a folder")
            return out
    return out


def write_text(path: Path, text: str) -> None:
    from fram.face.image_io import write_bytes

    write_bytes(path, text.encode("utf-8"))


def makeup_options(args: argparse.Namespace):
    from fram.pipelines import MakeupOptions

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


def face_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--face", type=int, default=0, help="which face, largest first (default 0)")


def look_options(p: argparse.ArgumentParser, exaggerate: str = "") -> None:
    p.add_argument("--intensity", default="1.0", help=f"0.7, or per region: lips=1,eyes=0.5{exaggerate}")
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
    p.add_argument("--steps", type=int, help="sampling steps of the fram engine (default 2, the best on held-out pairs)")
    p.add_argument("--seed", type=int, default=0, help="noise seed of the fram engine (results repeat for a seed)")
    p.add_argument("--colour-match", type=float, help="fram engine: how far the eyes' and lips' colour level moves to the reference's "
                   "(0 = the generator's own, default 1 = all the way, up to 2)")


def region_reference_options(p: argparse.ArgumentParser) -> None:
    """``--skin``, ``--eyes``, ``--brows``, ``--lips``: a reference per region group."""
    for group in GROUP_NAMES:
        p.add_argument(f"--{group}", help=f"reference for the {group} only (photo, preset:NAME, text:WORDS, .json)")


def region_references(args: argparse.Namespace) -> dict[str, str]:
    return {g: getattr(args, g) for g in GROUP_NAMES if getattr(args, g)}


def parallel_options(p: argparse.ArgumentParser, *, workers: int, unit: str) -> None:
    """``--workers`` and ``--ray`` (``synth``, ``batch``: :class:`fram.parallel.TaskRunner`)."""
    p.add_argument("--workers", type=int, default=workers, help=f"local processes (default {workers})")
    p.add_argument("--ray", metavar="ADDRESS", help=f"run {unit} as Ray tasks ('local', 'auto' or ray://host:port)")


def all_faces_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all-faces", action="store_true", help="every face in the photo, not only --face's")
