"""``fram eval`` and ``fram synth``: benchmark suites and synthetic training data."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from fram.cli.common import check_output_folder, number, parallel_options, whole_number
from fram.errors import FramError

MANY = 10**9
SEED = whole_number(0, 2**32 - 1)
FRACTION = number(0, 0.9)


def cmd_eval(args: argparse.Namespace) -> None:
    from fram.eval.suites import SuiteOptions, run_suite

    engines = [name.strip() for value in args.engine for name in value.split(",") if name.strip()]
    try:
        sizes = tuple(whole_number(16, 8192)(s) for s in args.sizes.split(",")) if args.sizes else SuiteOptions.sizes
    except argparse.ArgumentTypeError:
        raise FramError(f"--sizes takes whole numbers from 16 to 8192 separated by commas, like 256,512; "
                        f"got {args.sizes[:40]!r}") from None
    options = SuiteOptions(
        data=Path(args.data) if args.data else None, limit=args.limit, repeat=args.repeat, seed=args.seed, sizes=sizes,
        progress=not args.quiet, extra={"split": args.split, **({"per_group": args.per_group} if args.per_group else {})},
        threads=args.threads,
    )
    out = check_output_folder(args.out)
    run_suite(args.suite, engines, out, options)
    print(out / "report.md")


def cmd_synth(args: argparse.Namespace) -> None:
    if args.val_fraction + args.test_fraction >= 1:
        raise FramError("--val-fraction and --test-fraction together must leave identities to train on (sum below 1)")
    check_output_folder(args.out)
    from fram.data.synth import SynthConfig, synthesize

    config = SynthConfig(
        faces=args.faces, n=args.n, per_face=args.per_face, unpaired=args.unpaired or [],
        uv_size=args.size, seed=args.seed, faces_per_shard=args.shard_faces,
        val_fraction=args.val_fraction, test_fraction=args.test_fraction,
    )
    synthesize(config, args.out, workers=args.workers, ray_address=args.ray, progress=not args.quiet, card=not args.no_card)


def register(sub) -> None:
    from fram.eval.suites import SUITES
    from fram.pipelines.registry import engine_names

    p = sub.add_parser("eval", help="run a benchmark suite; writes report.md, metrics.json and figures")
    p.add_argument("--suite", required=True, choices=SUITES, help=f"which benchmark: {', '.join(SUITES)}")
    p.add_argument("--engine", action="append", required=True,
                   help=f"engine(s), comma-separated or repeated: {', '.join(engine_names())}")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--data", help="a folder of the suite's layout instead of its default in ../shared/data")
    p.add_argument("--limit", type=whole_number(1, MANY), help="at most N photos per list (quick runs)")
    p.add_argument("--per-group", type=whole_number(1, MANY), help="fairness: transfers per race label (default 20)")
    p.add_argument("--split", choices=("test", "val"), default="test",
                   help="synthetic: held-out identities to use; val is for choosing settings, test for reporting (default test)")
    p.add_argument("--sizes", help="speed: photo sizes, e.g. 256,512,1024,2048")
    p.add_argument("--repeat", type=whole_number(1, 1000), default=5, help="speed: timed repeats per stage (default 5)")
    p.add_argument("--threads", type=whole_number(1, 1024), help="speed: torch threads (default: torch's own choice)")
    p.add_argument("--seed", type=SEED, default=0, help="random seed of the suite's sampling (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("synth", help="build a synthetic before/after makeup dataset (resumable)")
    p.add_argument("--faces", action="append", required=True, help="folder, image or quoted glob of bare faces (repeat)")
    p.add_argument("--unpaired", action="append", help="folder, image or quoted glob of real made-up faces (repeat)")
    p.add_argument("--out", required=True, help="dataset folder; rerun the same command to resume")
    p.add_argument("--n", type=whole_number(1, MANY), required=True, help="pairs to make")
    p.add_argument("--per-face", type=whole_number(1, 1000), default=5, help="looks per identity (default 5)")
    p.add_argument("--size", type=whole_number(16, 4096), default=256, help="UV texture side, 16 to 4096 (default 256)")
    p.add_argument("--seed", type=SEED, default=0, help="random seed (the same seed gives the same bytes)")
    p.add_argument("--shard-faces", type=whole_number(1, 100_000), default=32, help="faces per shard (default 32)")
    p.add_argument("--val-fraction", type=FRACTION, default=0.05, help="identities held out for validation (default 0.05)")
    p.add_argument("--test-fraction", type=FRACTION, default=0.05, help="identities held out for testing (default 0.05)")
    parallel_options(p, workers=os.cpu_count() or 1, unit="shards")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-card", action="store_true", help="skip the dataset card (histograms, contact sheet)")
    p.set_defaults(run=cmd_synth)
