"""``fram video``: a look (as ``apply`` takes) or a reference's makeup (as ``transfer``
takes) on every frame of a video file."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fram.cli.common import (
    check_input, check_outputs, check_reference, chosen_style, force_option, look_options, makeup_options, print_notes, region_reference_options, region_references,
    style_options,
)
from fram.errors import FramError


def _progress(name: str):
    """A progress bar on stderr with frames per second (silent when stderr is not a terminal)."""
    from tqdm import tqdm

    bar = None
    started = time.perf_counter()

    def update(done: int, total: int | None) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=name, unit="frame", disable=not sys.stderr.isatty(), leave=True)
        bar.update(1)
        if done % 10 == 0:
            bar.set_postfix_str(f"{done / max(time.perf_counter() - started, 1e-9):.1f} frames/s")

    update.close = lambda: bar.close() if bar is not None else None
    return update


def cmd_video(args: argparse.Namespace) -> None:
    from fram.pipelines.video import apply_to_video

    per_region = region_references(args)
    looks = [v for v in (args.style, args.text, args.reference) if v is not None]
    if len(looks) > 1 or (not looks and not per_region):
        raise FramError("give one of --style NAME|FILE.json, --look FILE.fram, --text \"...\" or --reference PHOTO "
                        "(and/or per-region --lips/--eyes/--brows/--skin references)")
    if (args.style is not None or args.text is not None) and per_region:
        raise FramError("per-region references go with --reference (a transfer), not with --style or --text")
    check_input(args.video, "video")
    check_reference(args.reference)
    for group, value in per_region.items():
        check_reference(value, f"--{group}")
    (out,) = check_outputs(args.output, inputs=(args.video, args.reference, *per_region.values()), force=args.force)
    look = chosen_style(args)
    progress = _progress(Path(args.video).name)
    try:
        summary = apply_to_video(args.video, out, look, args.reference, references=per_region or None,
                                 options=makeup_options(args), all_faces=args.all_faces, start=args.start, end=args.end,
                                 progress=progress)
    finally:
        progress.close()
    print_notes(summary)


def register(sub) -> None:
    p = sub.add_parser("video", help="put a look or a reference's makeup on every frame of a video (mp4, mov, webm, avi)")
    p.add_argument("video", help="the video file (mp4, mov, webm, avi, mkv)")
    style_options(p)
    p.add_argument("--reference", help="a made-up photo whose makeup to transfer (or .fram, preset:NAME, text:WORDS)")
    region_reference_options(p)
    look_options(p, " (above 1 exaggerates)")
    p.add_argument("--start", type=float, help="start at this many seconds")
    p.add_argument("--end", type=float, help="stop at this many seconds")
    p.add_argument("-o", "--output", required=True, help="video file: .mp4 (H.264), .mov, .mkv, .avi or .webm (VP9)")
    force_option(p)
    p.set_defaults(run=cmd_video)
