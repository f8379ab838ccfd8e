"""``fram batch``: a look or a transfer on every photo of a folder, a glob or a CSV
manifest (a shell over :func:`fram.pipelines.batch.run_batch`)."""

from __future__ import annotations

import argparse
import sys

from fram.cli.common import (
    check_output_folder, chosen_style, look_options, makeup_options, parallel_options, region_references,
    style_options, transfer_options, whole_number,
)
from fram.errors import FramError

EXIT_SOME_FAILED = 3


def cmd_batch(args: argparse.Namespace) -> int:
    from fram.pipelines.batch import BatchLook, BatchOptions, run_batch
    from fram.pipelines.batch_inputs import list_inputs

    out = check_output_folder(args.output)
    if args.workers < 1:
        raise FramError(f"--workers must be at least 1, got {args.workers}")
    options = BatchOptions(look=BatchLook(style=chosen_style(args), reference=args.reference, references=region_references(args)),
                           makeup=makeup_options(args), format=args.format, quality=args.quality)
    jobs, failures = list_inputs(args.input, exclude=out)
    report = run_batch(jobs, out, options, failures=failures, workers=args.workers, ray_address=args.ray,
                       progress=not args.quiet)
    if not args.quiet:
        print(f"fram: {report.line()}", file=sys.stderr)
    return EXIT_SOME_FAILED if report.failures else 0


def register(sub) -> None:
    from fram.pipelines.batch_inputs import FORMATS

    p = sub.add_parser("batch", help="make up every photo of a folder, a quoted glob or a CSV manifest (resumable)",
                       description="Exit status: 0 all made, 3 some photos failed (listed in OUT/errors.csv), 2 a user error.")
    p.add_argument("input", help="folder (recursive), quoted glob ('photos/**/*.jpg') or CSV manifest "
                   "(columns source, and optionally reference or style, regions, intensity)")
    style_options(p)
    p.add_argument("--reference", help="transfer from: made-up photo, saved look .fram, preset NAME, text:WORDS or recipe .json")
    transfer_options(p)
    look_options(p, " (above 1 exaggerates)")
    p.add_argument("--format", choices=FORMATS, default="png", help="output format (default png)")
    p.add_argument("--quality", type=whole_number(1, 100), default=95, help="jpg/webp quality, 1-100 (default 95)")
    parallel_options(p, workers=1, unit="shards of photos")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("-o", "--output", required=True, help="output folder; rerun the same command to finish an interrupted run")
    p.set_defaults(run=cmd_batch)
